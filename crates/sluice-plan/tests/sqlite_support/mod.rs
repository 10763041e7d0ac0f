//! Real SQLite files for the planner's oracle: databases made from SQL by
//! the `sqlite3` shell, inspected by Sluice's engine, changed by a plan,
//! and compared through `sqlite_master` and a second diff.

#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use sluice_engine::{CancelHandle, ChangeRecord, ConnectionConfig, Engine, EngineKind};
use sluice_plan::{Plan, PlanOptions, plan};
use sluice_schema::{Catalog, DiffOptions, diff};

/// How a plan's script reaches the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Apply {
    /// The `sqlite3` shell, the script as it is (foreign keys off, as the
    /// shell starts).
    Shell,
    /// The shell with foreign keys enforced, the script in one transaction.
    ShellWithForeignKeys,
    /// Sluice's engine: one transaction, foreign keys enforced.
    Engine,
}

/// A directory of SQLite databases, `name.db` each.
pub struct Dir {
    tmp: tempfile::TempDir,
    engine: Engine,
    runs: std::cell::Cell<u32>,
}

impl Dir {
    pub fn new() -> Dir {
        // In memory where the machine has it: thousands of tables created
        // statement by statement would otherwise wait on the disk.
        let shm = std::path::Path::new("/dev/shm");
        let tmp = if shm.is_dir() {
            tempfile::tempdir_in(shm)
        } else {
            tempfile::tempdir()
        }
        .expect("a temporary directory");
        let mut config = ConnectionConfig::new(EngineKind::Sqlite);
        config.database = tmp.path().to_string_lossy().into_owned();
        Dir {
            engine: Engine::new(config),
            tmp,
            runs: std::cell::Cell::new(0),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(format!("{name}.db"))
    }

    /// Creates database `name` from `sql` with the shell (the file exists
    /// even when `sql` creates nothing).
    pub fn create(&self, name: &str, sql: &str) {
        let _ = std::fs::remove_file(self.path(name));
        self.shell(name, &format!("PRAGMA user_version = 0;\n{sql}"))
            .unwrap_or_else(|e| panic!("creating {name} failed: {e}\n{sql}"));
    }

    /// Runs `sql` with the shell, stopping at the first error.
    pub fn shell(&self, name: &str, sql: &str) -> Result<String, String> {
        let mut child = Command::new("sqlite3")
            .arg("-bail")
            .arg("-batch")
            .arg(self.path(name))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("sqlite3 did not start: {e}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(sql.as_bytes())
                .map_err(|e| format!("writing to sqlite3: {e}"))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| format!("sqlite3 failed: {e}"))?;
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if !out.status.success() || !stderr.trim().is_empty() {
            return Err(stderr);
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The rows of `query` as the shell prints them in JSON.
    pub fn rows(&self, name: &str, query: &str) -> String {
        let mut child = Command::new("sqlite3")
            .arg("-json")
            .arg(self.path(name))
            .arg(query)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sqlite3 starts");
        let _ = child.stdin.take();
        let out = child.wait_with_output().expect("sqlite3 runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.trim().is_empty(), "{query}: {stderr}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub async fn inspect(&self, name: &str) -> Catalog {
        self.engine
            .inspect(name)
            .await
            .unwrap_or_else(|e| panic!("inspecting {name}: {e:?}"))
    }

    /// `sqlite_master` without SQLite's and Sluice's own objects: type,
    /// name, table and the SQL with layout, quotes and case normalized,
    /// sorted.
    pub fn master(&self, name: &str) -> Vec<(String, String, String, String)> {
        let json = self.rows(
            name,
            "SELECT type, name, tbl_name, coalesce(sql, '') AS sql FROM sqlite_master \
             WHERE name NOT LIKE 'sqlite_%' AND tbl_name <> 'sluice_history' \
             ORDER BY type, name",
        );
        if json.trim().is_empty() {
            return Vec::new();
        }
        let rows: Vec<serde_json::Value> = serde_json::from_str(&json).expect("shell JSON");
        let field = |r: &serde_json::Value, k: &str| r[k].as_str().unwrap_or("").to_string();
        let mut out: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    field(r, "type"),
                    field(r, "name").to_lowercase(),
                    field(r, "tbl_name").to_lowercase(),
                    normalize_sql(&field(r, "sql")),
                )
            })
            .collect();
        out.sort();
        out
    }

    /// Applies `script` to database `name`.
    pub async fn apply(&self, name: &str, script: &str, how: Apply) -> Result<(), String> {
        match how {
            Apply::Shell => self.shell(name, script).map(|_| ()),
            Apply::ShellWithForeignKeys => self
                .shell(
                    name,
                    &format!("PRAGMA foreign_keys = ON;\nBEGIN;\n{script}\nCOMMIT;\n"),
                )
                .map(|_| ()),
            Apply::Engine => {
                let n = self.runs.get() + 1;
                self.runs.set(n);
                let change = ChangeRecord {
                    version: format!("plan-{n}"),
                    description: "oracle".into(),
                    who: "oracle".into(),
                };
                self.engine
                    .execute(name, script, &change, &CancelHandle::new(), &mut |_| {})
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{e:?}"))
            }
        }
    }
}

/// SQL compared without layout, identifier quotes or case.
pub fn normalize_sql(sql: &str) -> String {
    let lowered = sql.to_lowercase().replace(['"', '`', '[', ']'], "");
    let squeezed = lowered.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(squeezed.len());
    let chars: Vec<char> = squeezed.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i + 1).copied();
            let tight = |x: Option<char>| x.is_some_and(|x| "(),;=".contains(x));
            if tight(before) || tight(after) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// One oracle case: database A, database B, and queries whose answers
/// must survive the plan and its reverse.
pub struct Case<'a> {
    pub name: &'a str,
    pub a: &'a str,
    pub b: &'a str,
    pub keep: &'a [&'a str],
    pub how: Apply,
    /// Whether `sqlite_master` texts must match B's exactly (after
    /// normalization); off where SQLite's own rewriting differs in form.
    pub same_text: bool,
    /// Declared renames from A to B, and from B back to A.
    pub renames: (DiffOptions, DiffOptions),
    /// Whether the reverse plan can bring A back (not when B dropped the
    /// rows A's foreign keys need).
    pub reversible: bool,
}

impl Case<'_> {
    pub fn new<'a>(name: &'a str, a: &'a str, b: &'a str) -> Case<'a> {
        Case {
            name,
            a,
            b,
            keep: &[],
            how: Apply::Shell,
            same_text: true,
            renames: Default::default(),
            reversible: true,
        }
    }
}

/// The plan from database `from` to database `to`, applied to `from`:
/// afterwards `from` matches `to` and the kept answers are the same.
async fn step(
    dir: &Dir,
    case: &Case<'_>,
    from: &str,
    to: &str,
    kept: &[String],
    renames: &DiffOptions,
) -> Result<Plan, String> {
    let before = dir.inspect(from).await;
    let after = dir.inspect(to).await;
    let options = PlanOptions {
        diff: renames.clone(),
        ..PlanOptions::default()
    };
    let plan = plan(&before, &after, &options);
    let script = plan.to_sql();
    let context = |what: String| {
        format!(
            "{}: {from} → {to}: {what}\n--- script ---\n{script}",
            case.name
        )
    };
    if !plan.is_empty() {
        dir.apply(from, &script, case.how)
            .await
            .map_err(|e| context(format!("the script failed: {e}")))?;
    }
    let now = dir.inspect(from).await;
    let left = diff(&now, &after, &DiffOptions::default());
    if !left.is_empty() {
        return Err(context(format!("differences remain: {left:#?}")));
    }
    if case.same_text {
        let (got, want) = (dir.master(from), dir.master(to));
        if got != want {
            return Err(context(format!(
                "sqlite_master differs\n got: {got:#?}\nwant: {want:#?}"
            )));
        }
    } else {
        let names = |rows: Vec<(String, String, String, String)>| {
            rows.into_iter()
                .map(|r| (r.0, r.1, r.2))
                .collect::<Vec<_>>()
        };
        if names(dir.master(from)) != names(dir.master(to)) {
            return Err(context("sqlite_master objects differ".into()));
        }
    }
    for (query, want) in case.keep.iter().zip(kept) {
        let got = dir.rows(from, query);
        if got != *want {
            return Err(context(format!("{query}\n got: {got}\nwant: {want}")));
        }
    }
    let check = dir.rows(from, "PRAGMA foreign_key_check");
    if !check.trim().is_empty() {
        return Err(context(format!("foreign_key_check: {check}")));
    }
    Ok(plan)
}

/// The oracle: A → B, then back to A, each checked. The reverse plan is
/// returned even when it is not run.
pub async fn check(case: &Case<'_>) -> Result<(Plan, Plan), String> {
    let dir = Dir::new();
    dir.create("a", case.a);
    dir.create("b", case.b);
    dir.create("original", case.a);
    let kept: Vec<String> = case.keep.iter().map(|q| dir.rows("a", q)).collect();
    let forward = step(&dir, case, "a", "b", &kept, &case.renames.0).await?;
    if !case.reversible {
        let (now, original) = (dir.inspect("a").await, dir.inspect("original").await);
        let options = PlanOptions {
            diff: case.renames.1.clone(),
            ..PlanOptions::default()
        };
        return Ok((forward, plan(&now, &original, &options)));
    }
    let backward = step(&dir, case, "a", "original", &kept, &case.renames.1).await?;
    Ok((forward, backward))
}
