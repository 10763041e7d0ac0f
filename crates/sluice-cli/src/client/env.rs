//! `sluice env ...`: environments, the ordered stages of the pipeline.

use super::api::{Api, Result};
use super::output::{Column, Out, col};
use super::{fields, nothing_to_change};
use serde_json::{Value, json};

pub const COLUMNS: &[Column] = &[
    col!("ID", "id"),
    col!("TITLE", "title"),
    col!("ORDER", "order"),
    col!("PROTECTED", "protected"),
    col!("ARCHIVED", "archived"),
];

#[derive(clap::Subcommand, Debug)]
pub enum EnvCommand {
    /// List environments in pipeline order.
    List {
        /// Include archived environments.
        #[arg(long)]
        archived: bool,
    },
    /// Show one environment.
    Get { id: String },
    /// Create an environment; it goes last in the pipeline.
    Create {
        /// Resource id: lower-case letters, digits and dashes, e.g. `prod`.
        id: String,
        /// Display name.
        #[arg(long)]
        title: String,
        /// Mark it protected (e.g. production).
        #[arg(long)]
        protected: bool,
    },
    /// Change an environment's title or protection.
    Update {
        id: String,
        /// New display name.
        #[arg(long)]
        title: Option<String>,
        /// Protected or not.
        #[arg(long, value_name = "true|false")]
        protected: Option<bool>,
    },
    /// Archive an environment (it can be restored).
    Archive { id: String },
    /// Restore an archived environment.
    Restore { id: String },
    /// Set the pipeline order: name every active environment once, first stage first.
    Reorder {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
}

pub async fn run(api: &Api, out: Out, cmd: EnvCommand) -> Result<()> {
    match cmd {
        EnvCommand::List { archived } => {
            let query = if archived {
                vec![("show_archived", "true".to_string())]
            } else {
                vec![]
            };
            let v = api
                .list(&["v1", "environments"], &query, "environments")
                .await?;
            out.list(
                &v,
                "environments",
                COLUMNS,
                "No environments yet; create one with `sluice env create`.",
            );
        }
        EnvCommand::Get { id } => out.one(&api.get(&["v1", "environments", &id]).await?, COLUMNS),
        EnvCommand::Create {
            id,
            title,
            protected,
        } => {
            let body = json!({"id": id, "title": title, "protected": protected});
            let v = api.post(&["v1", "environments"], &body).await?;
            out.done(&v, &format!("Created environment {id}."));
        }
        EnvCommand::Update {
            id,
            title,
            protected,
        } => {
            let body = fields(vec![
                ("title", title.map(Value::from)),
                ("protected", protected.map(Value::from)),
            ]);
            nothing_to_change(&body, "--title, --protected")?;
            let v = api
                .patch(&["v1", "environments", &id], &Value::Object(body))
                .await?;
            out.done(&v, &format!("Updated environment {id}."));
        }
        EnvCommand::Archive { id } => {
            let v = api.delete(&["v1", "environments", &id]).await?;
            out.done(&v, &format!("Archived environment {id}."));
        }
        EnvCommand::Restore { id } => {
            let v = api
                .post(&["v1", "environments", &id, "restore"], &json!({}))
                .await?;
            out.done(&v, &format!("Restored environment {id}."));
        }
        EnvCommand::Reorder { ids } => {
            let v = api
                .put(&["v1", "environments-order"], &json!({"ids": ids}))
                .await?;
            out.list(&v, "environments", COLUMNS, "No environments.");
        }
    }
    Ok(())
}
