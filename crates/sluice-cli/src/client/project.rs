//! `sluice project ...`: projects and their members.

use super::api::{Api, Result};
use super::output::{Column, Out, col};
use super::{fields, nothing_to_change};
use serde_json::{Value, json};

pub const COLUMNS: &[Column] = &[
    col!("ID", "id"),
    col!("TITLE", "title"),
    col!("KEY", "key"),
    col!("DEFAULT", "is_default"),
    col!("ARCHIVED", "archived"),
];

const MEMBER_COLUMNS: &[Column] = &[
    col!("USER ID", "user_id"),
    col!("EMAIL", "email"),
    col!("NAME", "name"),
    col!("ROLE", "role"),
];

const ROLES: [&str; 2] = ["OWNER", "DEVELOPER"];

#[derive(clap::Subcommand, Debug)]
pub enum ProjectCommand {
    /// List projects (all for workspace Owners and DBAs, otherwise yours).
    List {
        /// Include archived projects.
        #[arg(long)]
        archived: bool,
    },
    /// Show one project.
    Get { id: String },
    /// Create a project; you become its owner.
    Create {
        /// Resource id: lower-case letters, digits and dashes, e.g. `billing`.
        id: String,
        /// Display name.
        #[arg(long)]
        title: String,
        /// Short upper-case key used in issue names, e.g. `BILL`.
        #[arg(long)]
        key: String,
    },
    /// Change a project's title or key.
    Update {
        id: String,
        /// New display name.
        #[arg(long)]
        title: Option<String>,
        /// New key.
        #[arg(long)]
        key: Option<String>,
    },
    /// Archive a project (it can be restored).
    Archive { id: String },
    /// Restore an archived project.
    Restore { id: String },
    /// List a project's members and their roles.
    Members { id: String },
    /// Add a member to a project, or change their role.
    AddMember {
        id: String,
        /// The user's email address.
        #[arg(long)]
        email: String,
        /// Project role.
        #[arg(long, value_parser = ROLES, ignore_case = true)]
        role: String,
    },
    /// Remove a member from a project.
    RemoveMember {
        id: String,
        /// The user's email address.
        #[arg(long)]
        email: String,
    },
}

pub async fn run(api: &Api, out: Out, cmd: ProjectCommand) -> Result<()> {
    match cmd {
        ProjectCommand::List { archived } => {
            let query = if archived {
                vec![("show_archived", "true".to_string())]
            } else {
                vec![]
            };
            let v = api.list(&["v1", "projects"], &query, "projects").await?;
            out.list(
                &v,
                "projects",
                COLUMNS,
                "No projects yet; create one with `sluice project create`.",
            );
        }
        ProjectCommand::Get { id } => out.one(&api.get(&["v1", "projects", &id]).await?, COLUMNS),
        ProjectCommand::Create { id, title, key } => {
            let v = api
                .post(
                    &["v1", "projects"],
                    &json!({"id": id, "title": title, "key": key}),
                )
                .await?;
            out.done(&v, &format!("Created project {id}."));
        }
        ProjectCommand::Update { id, title, key } => {
            let body = fields(vec![
                ("title", title.map(Value::from)),
                ("key", key.map(Value::from)),
            ]);
            nothing_to_change(&body, "--title, --key")?;
            let v = api
                .patch(&["v1", "projects", &id], &Value::Object(body))
                .await?;
            out.done(&v, &format!("Updated project {id}."));
        }
        ProjectCommand::Archive { id } => {
            let v = api.delete(&["v1", "projects", &id]).await?;
            out.done(&v, &format!("Archived project {id}."));
        }
        ProjectCommand::Restore { id } => {
            let v = api
                .post(&["v1", "projects", &id, "restore"], &json!({}))
                .await?;
            out.done(&v, &format!("Restored project {id}."));
        }
        ProjectCommand::Members { id } => {
            let v = api.get(&["v1", "projects", &id, "members"]).await?;
            out.list(&v, "members", MEMBER_COLUMNS, "No members.");
        }
        ProjectCommand::AddMember { id, email, role } => {
            let body = json!({"email": email, "role": role.to_uppercase()});
            let v = api.put(&["v1", "projects", &id, "members"], &body).await?;
            out.list(&v, "members", MEMBER_COLUMNS, "No members.");
        }
        ProjectCommand::RemoveMember { id, email } => {
            let path = ["v1", "projects", &id, "members"];
            let v = api
                .send(reqwest::Method::DELETE, &path, &[("email", email)], None)
                .await?;
            out.list(&v, "members", MEMBER_COLUMNS, "No members left.");
        }
    }
    Ok(())
}
