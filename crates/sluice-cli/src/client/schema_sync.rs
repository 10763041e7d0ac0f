//! `sluice schema-sync`: make databases of a project match a source schema
//! (a database, or the schema one of its changelog entries left). With
//! `--preview` it prints each target's plan; otherwise it files them as
//! one schema change issue, a task per target that differs.

use super::api::{Api, Result};
use super::output::{Out, print, text};
use serde_json::{Value, json};

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Sync options")]
pub struct SchemaSyncArgs {
    /// The project whose databases to sync.
    #[arg(long)]
    project: String,
    /// The source: INSTANCE/DB, or INSTANCE/DB@ID for the schema changelog entry ID left.
    #[arg(long, value_name = "INSTANCE/DB[@ID]", value_parser = parse_source)]
    source: Source,
    /// Target databases as INSTANCE/DB (several after one flag, or the flag repeated).
    #[arg(long = "target", value_name = "INSTANCE/DB", required = true, num_args = 1.., value_parser = parse_db)]
    targets: Vec<String>,
    /// Hazards the plans may carry: `all`, or names such as DELETES_DATA (comma-separated or repeated).
    #[arg(long = "allow-hazards", value_name = "HAZARD", num_args = 1.., value_delimiter = ',')]
    allow_hazards: Vec<String>,
    /// Print each target's schema plan and file nothing.
    #[arg(long)]
    preview: bool,
    /// Plan from the schemas kept at the last sync instead of inspecting the databases now.
    #[arg(long)]
    no_sync: bool,
    /// Title of the issue (default: "Sync schema from" the source).
    #[arg(long, conflicts_with = "preview")]
    title: Option<String>,
    /// Longer description of the issue.
    #[arg(long, conflicts_with = "preview")]
    description: Option<String>,
}

#[derive(Debug, Clone)]
struct Source {
    database: String,
    changelog: Option<i64>,
}

fn parse_source(s: &str) -> std::result::Result<Source, String> {
    let (database, changelog) = match s.rsplit_once('@') {
        Some((db, id)) => {
            let id = id.trim().parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                format!("{id:?} is not a changelog entry id: write INSTANCE/DB@ID, e.g. prod-pg/shop@12")
            })?;
            (db, Some(id))
        }
        None => (s, None),
    };
    Ok(Source {
        database: parse_db(database)?,
        changelog,
    })
}

fn parse_db(s: &str) -> std::result::Result<String, String> {
    match s.split_once('/') {
        Some((i, d)) if !i.trim().is_empty() && !d.trim().is_empty() => Ok(s.trim().to_string()),
        _ => Err("write a database as INSTANCE/DATABASE, e.g. prod-pg/shop".into()),
    }
}

pub async fn run(api: &Api, out: Out, a: SchemaSyncArgs) -> Result<()> {
    let mut body = json!({
        "source": a.source.database,
        "changelog": a.source.changelog,
        "targets": a.targets,
        "sync": !a.no_sync,
    });
    if a.preview {
        let v = api
            .post(
                &["v1", "projects", &a.project, "schema-sync", "preview"],
                &body,
            )
            .await?;
        if out.json {
            out.json(&v);
        } else {
            print(&render_preview(&v));
        }
        return Ok(());
    }
    body["allow_hazards"] = json!(a.allow_hazards);
    if let Some(title) = a.title {
        body["title"] = json!(title);
    }
    if let Some(description) = a.description {
        body["description"] = json!(description);
    }
    let v = api
        .post(&["v1", "projects", &a.project, "schema-sync"], &body)
        .await?;
    if out.json {
        out.json(&v);
    } else {
        let mut s = format!(
            "Created issue #{} in project {}: {}\n",
            text(&v["number"]),
            a.project,
            text(&v["title"])
        );
        for task in tasks(&v) {
            s.push_str(&format!(
                "  {}  {}\n",
                text(&task["target"]),
                text(&task["status"])
            ));
        }
        s.push_str(&format!(
            "Follow it with `sluice issue wait --project {} {}`.\n",
            a.project,
            text(&v["number"])
        ));
        print(&s);
    }
    Ok(())
}

fn tasks(issue: &Value) -> impl Iterator<Item = &Value> {
    issue["pipeline"]["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["tasks"].as_array().into_iter().flatten())
}

/// Each target: in sync, or its plan as the script its task would run.
fn render_preview(v: &Value) -> String {
    let source = &v["source"];
    let mut s = format!(
        "Source {}{} ({})\n",
        text(&source["database"]),
        match source["changelog"].as_i64() {
            Some(id) => format!(" as of changelog entry {id}"),
            None => String::new(),
        },
        origin_words(&source["origin"])
    );
    for t in v["targets"].as_array().into_iter().flatten() {
        let hazards: Vec<String> = t["hazards"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        s.push_str(&format!(
            "\n{} ({}): {}{}\n",
            text(&t["database"]),
            text(&t["environment"]),
            if t["in_sync"].as_bool() == Some(true) {
                "in sync, no task".to_string()
            } else {
                format!(
                    "{} statement(s)",
                    t["plan"]["steps"].as_array().map_or(0, Vec::len)
                )
            },
            if hazards.is_empty() {
                String::new()
            } else {
                format!(", hazards {}", hazards.join(", "))
            }
        ));
        let script = t["statement"].as_str().unwrap_or_default();
        if !script.is_empty() {
            for line in script.lines() {
                s.push_str(&format!("    {line}\n"));
            }
        }
    }
    s
}

fn origin_words(origin: &Value) -> &'static str {
    match origin.as_str() {
        Some("SYNCED_NOW") => "inspected just now",
        Some("LAST_SYNC") => "as kept at its last sync",
        Some("CHANGELOG") => "as the changelog entry left it",
        _ => "schema",
    }
}
