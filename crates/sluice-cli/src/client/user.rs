//! `sluice user ...` and `sluice service-account ...`: who may act in the
//! workspace.

use super::api::{Api, Result};
use super::output::{Column, Out, col, print};
use super::{fields, nothing_to_change, prompt_secret, read_stdin_secret};
use serde_json::{Value, json};

pub const COLUMNS: &[Column] = &[
    col!("ID", "id"),
    col!("EMAIL", "email"),
    col!("NAME", "name"),
    col!("KIND", "kind"),
    col!("ROLE", "role"),
    col!("ACTIVE", "active"),
];

const ROLES: [&str; 3] = ["OWNER", "DBA", "DEVELOPER"];

#[derive(clap::Subcommand, Debug)]
pub enum UserCommand {
    /// List users.
    List,
    /// Show one user by numeric id.
    Get { id: u64 },
    /// Add a user with a password (asked for unless --password-stdin).
    Create {
        /// Email address, used to log in.
        #[arg(long)]
        email: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Workspace role.
        #[arg(long, value_parser = ROLES, ignore_case = true)]
        role: String,
        /// Read the new user's password from stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change a user's workspace role or name.
    Update {
        id: u64,
        /// New workspace role.
        #[arg(long, value_parser = ROLES, ignore_case = true)]
        role: Option<String>,
        /// New full name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Deactivate a user; their sessions end at once.
    Archive { id: u64 },
}

#[derive(clap::Subcommand, Debug)]
pub enum ServiceAccountCommand {
    /// List service accounts.
    List,
    /// Create a service account and print its token (shown only once).
    Create {
        /// Email-like identifier, e.g. ci@example.com.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Workspace role.
        #[arg(long, value_parser = ROLES, ignore_case = true)]
        role: String,
    },
}

pub async fn run(api: &Api, out: Out, cmd: UserCommand) -> Result<()> {
    match cmd {
        UserCommand::List => {
            let v = api.list(&["v1", "users"], &[], "users").await?;
            out.list(&v, "users", COLUMNS, "No users.");
        }
        UserCommand::Get { id } => {
            out.one(&api.get(&["v1", "users", &id.to_string()]).await?, COLUMNS)
        }
        UserCommand::Create {
            email,
            name,
            role,
            password_stdin,
        } => {
            let password = if password_stdin {
                read_stdin_secret()?
            } else {
                prompt_secret(&format!("Password for {email}: "))?
            };
            let body = json!({"email": email, "name": name, "password": password, "role": role.to_uppercase()});
            let v = api.post(&["v1", "users"], &body).await?;
            out.done(
                &v,
                &format!(
                    "Created user {email} (id {}).",
                    super::output::text(&v["id"])
                ),
            );
        }
        UserCommand::Update { id, role, name } => {
            let body = fields(vec![
                ("role", role.map(|r| Value::from(r.to_uppercase()))),
                ("name", name.map(Value::from)),
            ]);
            nothing_to_change(&body, "--role, --name")?;
            let v = api
                .patch(&["v1", "users", &id.to_string()], &Value::Object(body))
                .await?;
            out.done(&v, &format!("Updated user {id}."));
        }
        UserCommand::Archive { id } => {
            let v = api.delete(&["v1", "users", &id.to_string()]).await?;
            out.done(&v, &format!("Deactivated user {id}."));
        }
    }
    Ok(())
}

pub async fn run_service_account(api: &Api, out: Out, cmd: ServiceAccountCommand) -> Result<()> {
    match cmd {
        ServiceAccountCommand::List => {
            let v = api
                .list(&["v1", "service-accounts"], &[], "service_accounts")
                .await?;
            out.list(&v, "service_accounts", COLUMNS, "No service accounts.");
        }
        ServiceAccountCommand::Create { email, name, role } => {
            let body = json!({"email": email, "name": name, "role": role.to_uppercase()});
            let v = api.post(&["v1", "service-accounts"], &body).await?;
            if out.json {
                out.json(&v);
            } else {
                // Only the token on stdout, so `TOKEN=$(sluice service-account create ...)` works.
                eprintln!(
                    "Created service account {email}. Its token is shown only now; store it safely:"
                );
                print(&format!("{}\n", super::output::text(&v["token"])));
            }
        }
    }
    Ok(())
}
