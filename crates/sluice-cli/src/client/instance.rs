//! `sluice instance ...`: database servers and how to reach them.

use super::api::{Api, Error, Result};
use super::output::{Column, Out, col, print, table, text};
use super::{fields, nothing_to_change, read_stdin_secret};
use serde_json::{Map, Value, json};

pub const COLUMNS: &[Column] = &[
    col!("ID", "id"),
    col!("TITLE", "title"),
    col!("ENGINE", "engine"),
    col!("ENVIRONMENT", "environment"),
    col!("ADDRESS", |v| address(&admin(v))),
    col!("VERSION", "engine_version"),
    col!("ARCHIVED", "archived"),
];

/// Extra lines for `instance get`: one per data source.
const SOURCE_COLUMNS: &[Column] = &[
    col!("KIND", "kind"),
    col!("ADDRESS", |v| address(v)),
    col!("USERNAME", "username"),
    col!("DATABASE", "database"),
    col!("TLS", "tls_mode"),
    col!("PASSWORD", |v| if v["has_password"] == true {
        "set".into()
    } else {
        "-".into()
    }),
];

const ENGINES: [&str; 4] = ["POSTGRES", "MYSQL", "MARIADB", "SQLITE"];
const TLS_MODES: [&str; 3] = ["DISABLE", "PREFER", "REQUIRE"];

/// Connection settings of the admin data source, shared by create and update.
#[derive(clap::Args, Debug)]
pub struct Connection {
    /// Host name or IP address (not for SQLITE).
    #[arg(long)]
    host: Option<String>,
    /// Port (default: the engine's, 5432 or 3306).
    #[arg(long)]
    port: Option<u16>,
    /// User to connect as.
    #[arg(long)]
    username: Option<String>,
    /// Password (visible in the process list; prefer --password-stdin).
    #[arg(long, conflicts_with = "password_stdin")]
    password: Option<String>,
    /// Read the password from stdin.
    #[arg(long)]
    password_stdin: bool,
    /// Database to connect to; for SQLITE, the file path.
    #[arg(long)]
    database: Option<String>,
    /// TLS to the server (default: PREFER).
    #[arg(long, value_parser = TLS_MODES, ignore_case = true)]
    tls_mode: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
pub enum InstanceCommand {
    /// List instances.
    List {
        /// Include archived instances.
        #[arg(long)]
        archived: bool,
    },
    /// Show one instance and its data sources.
    Get { id: String },
    /// Register a database server.
    Create {
        /// Resource id: lower-case letters, digits and dashes, e.g. `pg-prod`.
        id: String,
        /// Display name.
        #[arg(long)]
        title: String,
        /// Database engine.
        #[arg(long, value_parser = ENGINES, ignore_case = true)]
        engine: String,
        /// Environment the instance belongs to.
        #[arg(long)]
        environment: String,
        #[command(flatten)]
        conn: Connection,
    },
    /// Change an instance's title, environment or connection settings.
    Update {
        id: String,
        /// New display name.
        #[arg(long)]
        title: Option<String>,
        /// Move it to another environment.
        #[arg(long)]
        environment: Option<String>,
        #[command(flatten)]
        conn: Connection,
    },
    /// Archive an instance (it can be restored).
    Archive { id: String },
    /// Restore an archived instance.
    Restore { id: String },
}

pub async fn run(api: &Api, out: Out, cmd: InstanceCommand) -> Result<()> {
    match cmd {
        InstanceCommand::List { archived } => {
            let query = if archived {
                vec![("show_archived", "true".to_string())]
            } else {
                vec![]
            };
            let v = api.list(&["v1", "instances"], &query, "instances").await?;
            out.list(
                &v,
                "instances",
                COLUMNS,
                "No instances yet; add one with `sluice instance create`.",
            );
        }
        InstanceCommand::Get { id } => {
            let v = api.get(&["v1", "instances", &id]).await?;
            out.one(&v, COLUMNS);
            let sources = v["data_sources"].as_array().filter(|s| !s.is_empty());
            if let (false, Some(sources)) = (out.json, sources) {
                print(&format!("\n{}", table(sources, SOURCE_COLUMNS)));
            }
        }
        InstanceCommand::Create {
            id,
            title,
            engine,
            environment,
            conn,
        } => {
            let mut body = conn.into_body()?;
            body.insert("id".into(), json!(id));
            body.insert("title".into(), json!(title));
            body.insert("engine".into(), json!(engine.to_uppercase()));
            body.insert("environment".into(), json!(environment));
            let v = api.post(&["v1", "instances"], &Value::Object(body)).await?;
            out.done(&v, &format!("Created instance {id}."));
        }
        InstanceCommand::Update {
            id,
            title,
            environment,
            conn,
        } => {
            let mut body = conn.into_body()?;
            body.extend(fields(vec![
                ("title", title.map(Value::from)),
                ("environment", environment.map(Value::from)),
            ]));
            nothing_to_change(
                &body,
                "--title, --environment, --host, --port, --username, --password, --database, --tls-mode",
            )?;
            let v = api
                .patch(&["v1", "instances", &id], &Value::Object(body))
                .await?;
            out.done(&v, &format!("Updated instance {id}."));
        }
        InstanceCommand::Archive { id } => {
            let v = api.delete(&["v1", "instances", &id]).await?;
            out.done(&v, &format!("Archived instance {id}."));
        }
        InstanceCommand::Restore { id } => {
            let v = api
                .post(&["v1", "instances", &id, "restore"], &json!({}))
                .await?;
            out.done(&v, &format!("Restored instance {id}."));
        }
    }
    Ok(())
}

impl Connection {
    fn into_body(self) -> Result<Map<String, Value>> {
        let password = if self.password_stdin {
            Some(read_stdin_secret()?)
        } else {
            self.password
        };
        if password.as_deref() == Some("") {
            return Err(Error::Usage("the password is empty".into()));
        }
        Ok(fields(vec![
            ("host", self.host.map(Value::from)),
            ("port", self.port.map(Value::from)),
            ("username", self.username.map(Value::from)),
            ("password", password.map(Value::from)),
            ("database", self.database.map(Value::from)),
            (
                "tls_mode",
                self.tls_mode.map(|m| Value::from(m.to_uppercase())),
            ),
        ]))
    }
}

fn admin(instance: &Value) -> Value {
    instance["data_sources"]
        .as_array()
        .and_then(|s| s.iter().find(|d| d["kind"] == "ADMIN").or(s.first()))
        .cloned()
        .unwrap_or(Value::Null)
}

/// `host:port`, or the file path for SQLite.
fn address(source: &Value) -> String {
    match (
        source["host"].as_str().filter(|h| !h.is_empty()),
        &source["port"],
    ) {
        (Some(host), Value::Number(port)) => format!("{host}:{port}"),
        (Some(host), _) => host.to_string(),
        (None, _) => text(&source["database"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_is_host_port_or_file() {
        let pg = json!({"data_sources": [{"kind": "ADMIN", "host": "db", "port": 5432}]});
        assert_eq!(address(&admin(&pg)), "db:5432");
        let lite =
            json!({"data_sources": [{"kind": "ADMIN", "host": null, "database": "/data/app.db"}]});
        assert_eq!(address(&admin(&lite)), "/data/app.db");
        assert_eq!(address(&admin(&json!({}))), "-");
    }
}
