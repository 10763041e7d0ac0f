//! `sluice changelog`: the changes applied to a database, newest first;
//! one entry with its reverse plan; `sluice changelog rollback` files that
//! reverse plan as a new issue.

use super::api::{Api, Error, Result};
use super::issue::when;
use super::output::{Column, Out, col, print, text};
use serde_json::{Value, json};

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
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ChangelogArgs {
    #[command(subcommand)]
    cmd: Option<ChangelogCommand>,
    /// The database's instance (or write --db INSTANCE/DB).
    #[arg(long)]
    instance: Option<String>,
    /// The database.
    #[arg(long, value_name = "DB", required = true)]
    db: Option<String>,
    /// Show one entry with its statement, the schema before and after, and
    /// the reverse plan of a schema change.
    #[arg(long, value_name = "ID")]
    id: Option<i64>,
}

#[derive(clap::Subcommand, Debug)]
pub enum ChangelogCommand {
    /// Undo a schema change: file its reverse plan as a new issue on the
    /// database (checked, approved and rolled out like any change).
    Rollback(RollbackArgs),
}

#[derive(clap::Args, Debug)]
pub struct RollbackArgs {
    /// The database's instance (or write --db INSTANCE/DB).
    #[arg(long)]
    instance: Option<String>,
    /// The database.
    #[arg(long, value_name = "DB")]
    db: String,
    /// The changelog entry to roll back (`sluice changelog --db …` lists them).
    #[arg(long, value_name = "ID")]
    id: i64,
    /// Hazards the reverse plan may carry: `all`, or names such as
    /// DELETES_DATA (comma-separated or repeated). Without them a plan
    /// with hazards is refused, naming them.
    #[arg(long = "allow-hazards", value_name = "HAZARD", num_args = 1.., value_delimiter = ',')]
    allow_hazards: Vec<String>,
    /// The issue's title; "Roll back VERSION" by default.
    #[arg(long)]
    title: Option<String>,
}

/// The instance and database from `--instance I --db D` or `--db I/D`.
fn database(instance: Option<String>, db: &str) -> Result<(String, String)> {
    match (instance, db.split_once('/')) {
        (Some(instance), _) => Ok((instance, db.to_string())),
        (None, Some((i, d))) if !i.is_empty() && !d.is_empty() => {
            Ok((i.to_string(), d.to_string()))
        }
        (None, _) => Err(Error::Usage(
            "name the database with --instance INSTANCE --db DB (or --db INSTANCE/DB)".into(),
        )),
    }
}

pub async fn run(api: &Api, out: Out, args: ChangelogArgs) -> Result<()> {
    if let Some(ChangelogCommand::Rollback(a)) = args.cmd {
        return rollback(api, out, a).await;
    }
    let (instance, db) = database(args.instance, args.db.as_deref().unwrap_or_default())?;
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
                if let Some(reverse) = v.get("reverse").filter(|r| !r.is_null()) {
                    print(&format!("\n{}", render_reverse(reverse)));
                }
            }
        }
    }
    Ok(())
}

/// The reverse plan: its hazards, then the script (which marks each
/// statement's hazards in comments), or why there is none.
fn render_reverse(reverse: &Value) -> String {
    let statement = reverse["statement"].as_str().unwrap_or_default().trim_end();
    if statement.is_empty() {
        return format!("Reverse plan: none ({})\n", text(&reverse["note"]));
    }
    let hazards: Vec<&str> = reverse["hazards"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let hazards = if hazards.is_empty() {
        "none".to_string()
    } else {
        hazards.join(", ")
    };
    format!("Reverse plan (hazards: {hazards}):\n{statement}\n")
}

async fn rollback(api: &Api, out: Out, a: RollbackArgs) -> Result<()> {
    let (instance, db) = database(a.instance, &a.db)?;
    let id = a.id.to_string();
    let mut body = json!({"allow_hazards": a.allow_hazards});
    if let Some(title) = a.title {
        body["title"] = json!(title);
    }
    let path = [
        "v1",
        "instances",
        &instance,
        "databases",
        &db,
        "changelogs",
        &id,
        "rollback",
    ];
    let v = api.post(&path, &body).await?;
    if out.json {
        out.json(&v);
        return Ok(());
    }
    let project = text(&v["project"]);
    let number = text(&v["number"]);
    print(&format!(
        "Created issue #{number} in project {project}: {}\n\
         It rolls back changelog entry {id} of {instance}/{db} and runs like any change.\n\
         Follow it with `sluice issue wait --project {project} {number}`.\n",
        text(&v["title"])
    ));
    Ok(())
}
