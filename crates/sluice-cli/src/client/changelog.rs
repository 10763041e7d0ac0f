//! `sluice changelog`: the changes applied to a database, newest first.

use super::api::{Api, Error, Result};
use super::issue::when;
use super::output::{Column, Out, col, print};

pub const COLUMNS: &[Column] = &[
    col!("ID", "id"),
    col!("VERSION", "version"),
    col!("TYPE", "type"),
    col!("STATUS", "status"),
    col!("ISSUE ID", "issue_id"),
    col!("RUN ID", "task_run_id"),
    col!("DURATION", |v| match v["duration_ms"].as_i64() {
        Some(ms) if ms < 1000 => format!("{ms}ms"),
        Some(ms) => format!("{:.2}s", ms as f64 / 1000.0),
        None => "-".into(),
    }),
    col!("CREATED", |v| when(&v["created_at"])),
];

#[derive(clap::Args, Debug)]
pub struct ChangelogArgs {
    /// The database's instance (or write --db INSTANCE/DB).
    #[arg(long)]
    instance: Option<String>,
    /// The database.
    #[arg(long, value_name = "DB")]
    db: String,
    /// Show one entry with its statement and the schema before and after.
    #[arg(long, value_name = "ID")]
    id: Option<i64>,
}

pub async fn run(api: &Api, out: Out, args: ChangelogArgs) -> Result<()> {
    let (instance, db) = match (args.instance, args.db.split_once('/')) {
        (Some(instance), _) => (instance, args.db.clone()),
        (None, Some((i, d))) if !i.is_empty() && !d.is_empty() => (i.to_string(), d.to_string()),
        (None, _) => {
            return Err(Error::Usage(
                "name the database with --instance INSTANCE --db DB (or --db INSTANCE/DB)".into(),
            ));
        }
    };
    let path = ["v1", "instances", &instance, "databases", &db, "changelogs"];
    match args.id {
        None => {
            let v = api.list(&path, &[], "changelogs").await?;
            out.list(
                &v,
                "changelogs",
                COLUMNS,
                &format!("No changes recorded for {instance}/{db} yet."),
            );
        }
        Some(id) => {
            let id = id.to_string();
            let v = api.get(&[path.as_slice(), &[id.as_str()]].concat()).await?;
            out.one(&v, COLUMNS);
            if !out.json {
                for (title, field) in [
                    ("Statement", "statement"),
                    ("Schema before", "schema_before"),
                    ("Schema after", "schema_after"),
                ] {
                    let body = v[field].as_str().unwrap_or_default().trim_end();
                    print(&format!("\n{title}:\n{body}\n"));
                }
            }
        }
    }
    Ok(())
}
