//! MariaDB at 127.0.0.1:3306 (root, no password) for the planner's
//! oracle: scratch databases that drop themselves, scripts run by the
//! `mariadb` client exactly as a person would run a plan, `mariadb-dump`
//! in a comparable form, and inspection through the engine.

#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use sluice_engine::{ConnectionConfig, Engine, EngineKind};
use sluice_schema::Catalog;

const CLIENT_ARGS: [&str; 3] = ["-h127.0.0.1", "-P3306", "-uroot"];

/// A database dropped when the guard goes, panic or not.
pub struct TempDb {
    pub name: String,
}

impl TempDb {
    pub fn create(prefix: &str) -> TempDb {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "sluice_plan_{prefix}_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        client(
            "",
            &format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"),
        )
        .unwrap_or_else(|e| panic!("MariaDB must run on 127.0.0.1:3306: {e}"));
        TempDb { name }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = client("", &format!("DROP DATABASE IF EXISTS `{}`", self.name));
    }
}

/// Runs `script` with the `mariadb` client in `database`: what it prints
/// on failure.
pub fn client(database: &str, script: &str) -> Result<(), String> {
    let mut args: Vec<&str> = CLIENT_ARGS.to_vec();
    args.push("--batch");
    if !database.is_empty() {
        args.push(database);
    }
    let mut child = Command::new("mariadb")
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("the mariadb client must be installed: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(script.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Runs a script that must succeed.
pub fn load(database: &str, script: &str) {
    if let Err(e) = client(database, script) {
        panic!("script failed in {database}: {e}\n--- script\n{script}");
    }
}

pub fn config() -> ConnectionConfig {
    let mut c = ConnectionConfig::new(EngineKind::Mariadb);
    c.host = "127.0.0.1".into();
    c.port = 3306;
    c.username = "root".into();
    c
}

pub async fn inspect(database: &str) -> Catalog {
    Engine::new(config())
        .inspect(database)
        .await
        .unwrap_or_else(|e| panic!("inspect {database}: {e}"))
}

/// The catalog as if read from `database`: the name of the database is
/// the catalog's, its schema's and cross references', so catalogs of two
/// databases compare.
pub fn renamed(mut c: Catalog, database: &str) -> Catalog {
    let old = c.name.clone();
    c.name = database.into();
    for s in &mut c.schemas {
        if s.name == old {
            s.name = database.into();
        }
        for t in &mut s.tables {
            for fk in &mut t.foreign_keys {
                if fk.referenced_schema == old {
                    fk.referenced_schema = database.into();
                }
            }
        }
    }
    c
}

/// `mariadb-dump --no-data` with routines and triggers, normalized only
/// where a dump of the same schema can differ: the database name,
/// `AUTO_INCREMENT` counters, the order of statements, the order of index
/// and constraint lines inside a `CREATE TABLE` (which follows creation
/// order), and runs of whitespace.
pub fn dump(database: &str) -> Vec<String> {
    let out = Command::new("mariadb-dump")
        .args(CLIENT_ARGS)
        .args([
            "--no-data",
            "--skip-comments",
            "--routines",
            "--triggers",
            database,
        ])
        .output()
        .expect("mariadb-dump must be installed");
    assert!(
        out.status.success(),
        "mariadb-dump {database}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).replace(database, "db");
    let mut statements: Vec<String> = split(&text)
        .into_iter()
        .map(|s| squeeze(&sort_key_lines(&strip_counters(&s))))
        .collect();
    statements.sort();
    statements
}

/// Statements of a dump: `;` ends one, `;;` between `DELIMITER ;;` and
/// `DELIMITER ;`.
fn split(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut delimiter = ";".to_string();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with("/*M!999999")) {
            continue;
        }
        if let Some(d) = trimmed.strip_prefix("DELIMITER ") {
            delimiter = d.trim().to_string();
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if trimmed.ends_with(delimiter.as_str()) {
            out.push(current.trim().to_string());
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

/// Whitespace runs as one space: a trigger is rebuilt from its parts, so
/// its line breaks are Sluice's, not the author's.
fn squeeze(statement: &str) -> String {
    statement.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn strip_counters(statement: &str) -> String {
    let mut s = statement.to_string();
    let marker = " AUTO_INCREMENT=";
    while let Some(at) = s.find(marker) {
        let digits = s[at + marker.len()..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .count();
        s.replace_range(at..at + marker.len() + digits, "");
    }
    s
}

/// Index and constraint lines of a `CREATE TABLE` sorted, their trailing
/// commas taken off.
fn sort_key_lines(statement: &str) -> String {
    let is_key = |l: &str| {
        [
            "  KEY ",
            "  UNIQUE KEY ",
            "  FULLTEXT KEY ",
            "  SPATIAL KEY ",
            "  CONSTRAINT ",
        ]
        .iter()
        .any(|p| l.starts_with(p))
    };
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<String> = Vec::new();
    for l in statement.lines() {
        if is_key(l) {
            run.push(l.trim_end_matches(',').to_string());
            continue;
        }
        run.sort();
        out.append(&mut run);
        out.push(l.trim_end_matches(',').to_string());
    }
    run.sort();
    out.append(&mut run);
    out.join("\n")
}

/// The lines of two dumps that differ, for a failure message.
pub fn dump_difference(a: &[String], b: &[String]) -> String {
    let only = |x: &[String], y: &[String]| -> Vec<String> {
        x.iter().filter(|s| !y.contains(s)).cloned().collect()
    };
    format!(
        "--- only in the planned database\n{}\n--- only in the wanted one\n{}",
        only(a, b).join("\n\n"),
        only(b, a).join("\n\n")
    )
}
