//! `sluice database ...`: databases found on instances, and their project.

use super::api::{Api, Result};
use super::output::{Column, Out, col};
use super::{fields, nothing_to_change};
use serde_json::{Map, Value};

pub const COLUMNS: &[Column] = &[
    col!("INSTANCE", "instance"),
    col!("NAME", "name"),
    col!("PROJECT", "project"),
    col!("ENVIRONMENT", "environment"),
    col!("ENGINE", "engine"),
    col!("LABELS", "labels"),
    col!("SYNC", "sync_state"),
    col!("SYNCED AT", "synced_at"),
];

#[derive(clap::Subcommand, Debug)]
pub enum DatabaseCommand {
    /// List databases, optionally only those of an instance, project or environment.
    List {
        #[arg(long)]
        instance: Option<String>,
        #[arg(long)]
        project: Option<String>,
        #[arg(long)]
        environment: Option<String>,
    },
    /// Show one database.
    Get { instance: String, name: String },
    /// Move a database to a project or set its labels.
    Update {
        instance: String,
        name: String,
        /// Project to move the database to.
        #[arg(long)]
        project: Option<String>,
        /// A label as key=value; repeat for several. Replaces all current labels.
        #[arg(long = "label", value_name = "KEY=VALUE", value_parser = parse_label)]
        labels: Vec<(String, String)>,
        /// Remove all labels.
        #[arg(long, conflicts_with = "labels")]
        clear_labels: bool,
    },
}

pub async fn run(api: &Api, out: Out, cmd: DatabaseCommand) -> Result<()> {
    match cmd {
        DatabaseCommand::List {
            instance,
            project,
            environment,
        } => {
            let query: Vec<(&str, String)> = [
                ("instance", instance),
                ("project", project),
                ("environment", environment),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
            let v = api.list(&["v1", "databases"], &query, "databases").await?;
            out.list(&v, "databases", COLUMNS, "No databases found.");
        }
        DatabaseCommand::Get { instance, name } => out.one(
            &api.get(&["v1", "instances", &instance, "databases", &name])
                .await?,
            COLUMNS,
        ),
        DatabaseCommand::Update {
            instance,
            name,
            project,
            labels,
            clear_labels,
        } => {
            let labels = (clear_labels || !labels.is_empty()).then(|| {
                Value::Object(
                    labels
                        .into_iter()
                        .map(|(k, v)| (k, Value::from(v)))
                        .collect::<Map<_, _>>(),
                )
            });
            let body = fields(vec![
                ("project", project.map(Value::from)),
                ("labels", labels),
            ]);
            nothing_to_change(&body, "--project, --label, --clear-labels")?;
            let v = api
                .patch(
                    &["v1", "instances", &instance, "databases", &name],
                    &Value::Object(body),
                )
                .await?;
            out.done(&v, &format!("Updated database {name} on {instance}."));
        }
    }
    Ok(())
}

fn parse_label(s: &str) -> std::result::Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_label;

    #[test]
    fn labels_are_key_equals_value() {
        assert_eq!(parse_label("team=core"), Ok(("team".into(), "core".into())));
        assert_eq!(parse_label("url=a=b"), Ok(("url".into(), "a=b".into())));
        assert_eq!(parse_label("empty="), Ok(("empty".into(), String::new())));
        assert!(parse_label("=x").is_err());
        assert!(parse_label("nolabel").is_err());
    }
}
