//! `sluice drift`: whether a database still has the schema Sluice recorded
//! for it (the exit code tells CI), accepting its live schema as a new
//! baseline, and the database's timeline.

use super::api::{Api, Error, Result};
use super::changelog;
use super::issue::when;
use super::output::{Column, Out, col, detail, print, text};
use serde_json::{Value, json};
use sluice_app::drift::{change_kind, change_subject};
use std::process::ExitCode;

/// Exit code of `sluice drift show` for a drifted database.
pub const EXIT_DRIFTED: u8 = 2;
/// Exit code of `sluice drift show` when nothing was compared yet.
pub const EXIT_UNKNOWN: u8 = 5;

const DRIFT: &[Column] = &[
    col!("DATABASE", "database"),
    col!("STATUS", "status"),
    col!("DETECTED AT", |v| when(&v["detected_at"])),
    col!("CHECKED AT", |v| when(&v["checked_at"])),
    col!("EXPECTED VERSION", "expected_version"),
];

const ACTIVITY: &[Column] = &[
    col!("CREATED", |v| when(&v["created_at"])),
    col!("KIND", "kind"),
    col!("BY", |v| text(&v["actor"]["name"])),
    col!("SUMMARY", "summary"),
];

#[derive(clap::Subcommand, Debug)]
pub enum DriftCommand {
    /// Show whether the database's schema drifted from the one Sluice
    /// recorded (exit code 2 when it did, for CI).
    ///
    /// The live schema, as found at the database's last sync, against the
    /// schema after its latest changelog entry: the status, since when,
    /// the expected version, each Change on a line, and the DDL that was
    /// run behind Sluice's back.
    #[command(
        after_help = "Exit codes, for CI: 0 IN_SYNC, 2 DRIFTED, 5 UNKNOWN (not compared yet: the \
                      database has no changelog entry, or no sync since its first one); \
                      1 the server refused, 3 not logged in or the server cannot be reached \
                      (2 also means bad usage, as for every command)."
    )]
    Show {
        /// The database's instance.
        instance: String,
        /// The database.
        database: String,
        /// Inspect the database's schema now (a schema sync) before showing,
        /// instead of using what the last sync found.
        #[arg(long)]
        sync: bool,
    },
    /// Accept the database's live schema as a new BASELINE changelog entry
    /// (workspace Owner and DBA).
    ///
    /// The schema kept at the database's last sync becomes what Sluice
    /// expects, and the drift is cleared. On a database without a changelog
    /// entry this records the first baseline, from which drift is watched.
    Accept {
        /// The database's instance.
        instance: String,
        /// The database.
        database: String,
    },
    /// The database's timeline, newest first: drift detected, resolved and
    /// accepted, and by whom.
    Timeline {
        /// The database's instance.
        instance: String,
        /// The database.
        database: String,
    },
}

/// Runs a drift command; `show` answers with the drift status as its exit code.
pub async fn run(api: &Api, out: Out, cmd: DriftCommand) -> Result<ExitCode> {
    match cmd {
        DriftCommand::Show {
            instance,
            database,
            sync,
        } => {
            let path = ["v1", "instances", &instance, "databases", &database];
            if sync {
                api.post(&[path.as_slice(), &["sync"]].concat(), &json!({}))
                    .await?;
            }
            let v = api.get(&[path.as_slice(), &["drift"]].concat()).await?;
            if out.json {
                out.json(&v);
            } else {
                print(&render(&instance, &database, &v));
            }
            Ok(ExitCode::from(match v["status"].as_str() {
                Some("IN_SYNC") => 0,
                Some("DRIFTED") => EXIT_DRIFTED,
                _ => EXIT_UNKNOWN,
            }))
        }
        DriftCommand::Accept { instance, database } => {
            let path = ["v1", "instances", &instance, "databases", &database];
            let v = api
                .post(
                    &[path.as_slice(), &["drift", "accept"]].concat(),
                    &json!({}),
                )
                .await
                .map_err(|e| match e {
                    Error::Api {
                        status: 403,
                        code,
                        message,
                    } => Error::Api {
                        status: 403,
                        code,
                        message: format!(
                            "{message}: accepting drift takes a workspace Owner or DBA"
                        ),
                    },
                    e => e,
                })?;
            if out.json {
                out.json(&v);
                return Ok(ExitCode::SUCCESS);
            }
            let version = v["expected_version"].as_str().unwrap_or_default();
            let mut s = format!(
                "Accepted the live schema of {instance}/{database} as baseline {version}.\n"
            );
            // The entry itself, from the newest ones; the acceptance stands
            // even if it cannot be read back.
            let changelogs = [path.as_slice(), &["changelogs"]].concat();
            let entry = api
                .send(
                    reqwest::Method::GET,
                    &changelogs,
                    &[("page_size", "20".to_string())],
                    None,
                )
                .await
                .ok()
                .and_then(|list| {
                    list["changelogs"]
                        .as_array()?
                        .iter()
                        .find(|e| e["version"] == version && e["type"] == "BASELINE")
                        .cloned()
                });
            if let Some(entry) = entry {
                s.push('\n');
                s.push_str(&detail(&entry, changelog::COLUMNS));
                s.push_str(&format!(
                    "\nIts statement: `sluice changelog --db {instance}/{database} --id {}`.\n",
                    text(&entry["id"])
                ));
            }
            print(&s);
            Ok(ExitCode::SUCCESS)
        }
        DriftCommand::Timeline { instance, database } => {
            let v = api
                .list(
                    &[
                        "v1",
                        "instances",
                        &instance,
                        "databases",
                        &database,
                        "activity",
                    ],
                    &[],
                    "activity",
                )
                .await?;
            out.list(
                &v,
                "activity",
                ACTIVITY,
                &format!("Nothing happened to {instance}/{database} yet."),
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The drift for people: the fields, then each Change on a line of its own
/// and the DDL.
fn render(instance: &str, database: &str, drift: &Value) -> String {
    let mut item = drift.clone();
    item["database"] = json!(format!("{instance}/{database}"));
    let mut s = detail(&item, DRIFT);
    match drift["status"].as_str() {
        Some("IN_SYNC") => s.push_str("\nThe live schema is the one Sluice recorded.\n"),
        Some("DRIFTED") => {
            let changes = drift["changes"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            s.push_str(&format!("\nChanges ({}):\n", changes.len()));
            for change in changes {
                s.push_str(&format!(
                    "  {} {}\n",
                    change_kind(change),
                    change_subject(change)
                ));
            }
            let ddl = drift["ddl"].as_str().unwrap_or_default().trim_end();
            s.push_str(&format!("\nDDL:\n{ddl}\n"));
            s.push_str(&format!(
                "\nAccept the live schema with `sluice drift accept {instance} {database}` (Owner or DBA), \
                 or undo these statements.\n"
            ));
        }
        _ => s.push_str(&format!(
            "\nNot compared yet: {}.\n",
            if drift["expected_version"].is_null() {
                format!(
                    "there is no changelog entry to compare with (record the first baseline with \
                     `sluice drift accept {instance} {database}`)"
                )
            } else {
                "there was no schema sync since the expected entry was recorded".to_string()
            }
        )),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drift_lists_each_change_and_the_ddl() {
        let drift = json!({
            "status": "DRIFTED",
            "detected_at": "2026-01-02T03:04:05.000Z",
            "checked_at": "2026-01-02T03:05:00.000Z",
            "changes": [
                {"change": "add_column", "schema": "main", "table": "customers",
                 "column": {"name": "note", "type": "text"}},
                {"change": "create_index", "schema": "main", "table": "customers",
                 "index": {"name": "customers_note"}},
            ],
            "ddl": "ALTER TABLE customers ADD COLUMN note text;\nCREATE INDEX customers_note ON customers (note);\n",
            "expected_version": "20260101000000000",
        });
        let s = render("lite", "shop", &drift);
        assert!(
            s.starts_with("Database:         lite/shop\nStatus:           DRIFTED\n"),
            "{s}"
        );
        assert!(
            s.contains("Detected at:      2026-01-02 03:04:05Z\n"),
            "{s}"
        );
        assert!(s.contains("Expected version: 20260101000000000\n"), "{s}");
        assert!(
            s.contains(
                "Changes (2):\n  add_column main.customers.note\n  create_index main.customers.customers_note\n"
            ),
            "{s}"
        );
        assert!(
            s.contains("DDL:\nALTER TABLE customers ADD COLUMN note text;\nCREATE INDEX"),
            "{s}"
        );
        assert!(s.contains("sluice drift accept lite shop"), "{s}");
    }

    #[test]
    fn unknown_says_why() {
        let never =
            json!({"status": "UNKNOWN", "changes": [], "ddl": "", "expected_version": null});
        let s = render("lite", "shop", &never);
        assert!(s.contains("Detected at:      -\n"), "{s}");
        assert!(s.contains("no changelog entry"), "{s}");
        let unsynced =
            json!({"status": "UNKNOWN", "changes": [], "ddl": "", "expected_version": "1"});
        assert!(render("lite", "shop", &unsynced).contains("no schema sync"));
    }
}
