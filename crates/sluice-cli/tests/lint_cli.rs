//! `sluice lint` as CI runs it: exit codes and the three output formats.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn sluice(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("sluice-lint-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn files(name: &str) -> (TempDir, String, String) {
    let dir = TempDir::new(name);
    let bad = dir.path().join("bad.sql");
    std::fs::write(&bad, "SELECT 1;\nDELETE FROM sessions;\n").unwrap();
    let good = dir.path().join("good.sql");
    std::fs::write(&good, "DELETE FROM sessions WHERE expired;\n").unwrap();
    let (bad, good) = (bad.display().to_string(), good.display().to_string());
    (dir, bad, good)
}

#[test]
fn text_format_and_exit_codes() {
    let (_dir, bad, good) = files("text_format_and_exit_codes");
    let out = sluice(&["lint", "--dialect", "postgres", &bad, &good], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        format!(
            "{bad}:2:1: error[statement.where.require-update-delete] DELETE of sessions has no WHERE clause: it deletes every row\n  \
             help: add a WHERE clause selecting the rows to change; write WHERE true if every row is meant\n"
        )
    );
    let out = sluice(&["lint", "--dialect", "postgres", &good], None);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "");
}

#[test]
fn warnings_alone_exit_zero() {
    let out = sluice(
        &["lint", "--dialect", "sqlite", "-"],
        Some("SELECT * FROM t;"),
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("<stdin>:1:8: warning[statement.select.no-select-all]"));
}

#[test]
fn json_format() {
    let (_dir, bad, _good) = files("json_format");
    let out = sluice(
        &["lint", "--dialect", "mysql", "--format", "json", &bad],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v[0];
    assert_eq!(d["file"], bad.as_str());
    assert_eq!(d["rule"], "statement.where.require-update-delete");
    assert_eq!(d["code"], 101);
    assert_eq!(d["level"], "ERROR");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(2), Some(21))
    );
}

#[test]
fn github_format() {
    let out = sluice(
        &["lint", "--dialect", "postgres", "--format", "github"],
        Some("CREATE INDEX idx_t_a ON t (a);"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "::error file=<stdin>,line=1,col=1,endLine=1,endColumn=30,title=index.create-concurrently::\
         creating index idx_t_a without CONCURRENTLY takes a SHARE lock on t: INSERT, UPDATE and DELETE on t \
         are blocked until the index is built%0Ahelp: use CREATE INDEX CONCURRENTLY, outside a transaction block (as its own change)\n"
    );
}

#[test]
fn sarif_format() {
    let (_dir, bad, good) = files("sarif_format");
    let out = sluice(
        &[
            "lint",
            "--dialect",
            "postgres",
            "--format",
            "sarif",
            &bad,
            &good,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "sluice-lint");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = rules
        .iter()
        .find(|r| r["id"] == "statement.where.require-update-delete")
        .expect("the reporting rule is described");
    assert_eq!(
        rule["shortDescription"]["text"],
        "UPDATE and DELETE must have a WHERE clause"
    );
    assert!(rule.get("helpUri").is_none());
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:?}");
    let r = &results[0];
    assert_eq!(r["ruleId"], "statement.where.require-update-delete");
    assert_eq!(r["level"], "error");
    assert_eq!(
        rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
        r["ruleId"]
    );
    assert!(
        r["message"]["text"].as_str().unwrap().contains("sessions"),
        "{r}"
    );
    let location = &r["locations"][0]["physicalLocation"];
    assert!(
        location["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("file:///")
    );
    assert!(
        location["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("/bad.sql")
    );
    let region = &location["region"];
    assert_eq!(
        (
            region["startLine"].as_u64(),
            region["startColumn"].as_u64(),
            region["endLine"].as_u64(),
            region["endColumn"].as_u64()
        ),
        (Some(2), Some(1), Some(2), Some(21))
    );

    // A clean run is still a valid log, with no results and exit 0.
    let out = sluice(
        &["lint", "--dialect", "sqlite", "--format", "sarif"],
        Some("SELECT 1;"),
    );
    assert_eq!(out.status.code(), Some(0));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(0));
}

#[test]
fn config_file_and_usage_errors() {
    let (dir, bad, _good) = files("config_file_and_usage_errors");
    let config = dir.path().join("policy.json");
    std::fs::write(
        &config,
        r#"{"rules": {"statement.where.require-update-delete": "WARNING"}}"#,
    )
    .unwrap();
    let config = config.display().to_string();
    let out = sluice(
        &["lint", "--dialect", "postgres", "--config", &config, &bad],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("warning[statement.where.require-update-delete]"));

    std::fs::write(
        dir.path().join("broken.json"),
        r#"{"rules": {"nope": "ERROR"}}"#,
    )
    .unwrap();
    let broken = dir.path().join("broken.json").display().to_string();
    let out = sluice(
        &["lint", "--dialect", "postgres", "--config", &broken, &bad],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rule nope: no such rule"));

    assert_eq!(sluice(&["lint", &bad], None).status.code(), Some(2));
    assert_eq!(
        sluice(&["lint", "--dialect", "oracle", &bad], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        sluice(
            &["lint", "--dialect", "postgres", "--format", "xml", &bad],
            None
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        sluice(&["lint", "--dialect", "postgres", "/no/such.sql"], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        sluice(&["lint", "--explain", "nope"], None).status.code(),
        Some(2)
    );
}

#[test]
fn schema_from_a_model_file() {
    let dir = TempDir::new("model");
    let model = dir.path().join("schema.json");
    std::fs::write(
        &model,
        r#"{"name": "app", "dialect": "postgres", "schemas": [{"name": "public", "tables": [
            {"name": "users", "columns": [{"name": "id", "position": 1, "data_type": "bigint", "nullable": false}],
             "primary_key": {"columns": ["id"]}}]}]}"#,
    )
    .unwrap();
    let model = model.display().to_string();
    let sql = "ALTER TABLE users DROP COLUMN id;\nALTER TABLE users DROP COLUMN ghost;";
    let out = sluice(
        &[
            "lint",
            "--dialect",
            "postgres",
            "--schema-from",
            &model,
            "--format",
            "json",
        ],
        Some(sql),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let compat: Vec<_> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "schema.backward-compatibility")
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    // Only the column that exists in the model is reported.
    assert_eq!(compat, [1]);
}

#[test]
fn list_rules_and_explain() {
    let out = sluice(&["lint", "--list-rules"], None);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.lines().next().unwrap().starts_with("RULE"));
    assert!(text.contains("index.create-concurrently"));
    let row = text
        .lines()
        .find(|l| l.starts_with("table.no-foreign-key"))
        .unwrap();
    assert!(row.contains("WARNING"), "{row}");
    let out = sluice(&["lint", "--list-rules", "--all-rules"], None);
    assert!(!stdout(&out).contains("DISABLED"));
    let out = sluice(&["lint", "--explain", "naming.index.idx"], None);
    let text = stdout(&out);
    assert!(text.starts_with("naming.index.idx (code 403)"));
    assert!(text.contains("format (naming pattern, default \"^idx_{{table}}_{{column_list}}$\")"));
}
