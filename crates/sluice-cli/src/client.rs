//! Client commands: talk to a Sluice server over its REST API.
//!
//! Exit codes: 0 success, 1 the server refused the request, 2 bad usage,
//! 3 not logged in or the server cannot be reached, 4 `sluice issue wait`
//! gave up. `sluice drift show` answers with the drift: 0 in sync, 2
//! drifted, 5 not compared yet.

mod api;
mod auth;
mod changelog;
mod config;
mod database;
mod drift;
mod env;
mod instance;
mod issue;
mod output;
mod project;
mod schema_sync;
mod user;

use api::{Api, Error, Result};
use output::Out;
use std::io::Read;
use std::process::ExitCode;

/// Options every client command takes, after the command name
/// (`sluice env list --json`).
#[derive(clap::Args, Debug, Clone)]
#[command(next_help_heading = "Global options")]
pub struct GlobalOpts {
    /// Server URL; overrides the saved login.
    #[arg(
        long,
        global = true,
        env = "SLUICE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    url: Option<String>,
    /// API token; overrides the saved login.
    #[arg(
        long,
        global = true,
        env = "SLUICE_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    token: Option<String>,
    /// Print the server's JSON instead of a table.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(clap::Subcommand, Debug)]
pub enum ClientCommand {
    /// Log in to a Sluice server and save the token for later commands.
    Login(auth::LoginArgs),
    /// End the session on the server and forget the saved login.
    Logout(GlobalOpts),
    /// Show who you are logged in as.
    Whoami(GlobalOpts),
    /// Manage environments, the ordered stages of the pipeline.
    #[command(name = "env")]
    Env {
        #[command(flatten)]
        opts: GlobalOpts,
        #[command(subcommand)]
        cmd: env::EnvCommand,
    },
    /// Manage database instances (servers) and their connection settings.
    Instance {
        #[command(flatten)]
        opts: GlobalOpts,
        #[command(subcommand)]
        cmd: instance::InstanceCommand,
    },
    /// Manage projects and their members.
    Project {
        #[command(flatten)]
        opts: GlobalOpts,
        #[command(subcommand)]
        cmd: project::ProjectCommand,
    },
    /// Manage users of the workspace.
    User {
        #[command(flatten)]
        opts: GlobalOpts,
        #[command(subcommand)]
        cmd: user::UserCommand,
    },
    /// Manage service accounts, the API identities for CI.
    ServiceAccount {
        #[command(flatten)]
        opts: GlobalOpts,
        #[command(subcommand)]
        cmd: user::ServiceAccountCommand,
    },
    /// List databases and assign them to projects.
    Database {
        #[command(flatten)]
        opts: GlobalOpts,
        #[command(subcommand)]
        cmd: database::DatabaseCommand,
    },
    /// File issues (changes rolled out stage by stage), follow and act on them.
    Issue {
        #[command(flatten)]
        opts: GlobalOpts,
        #[command(subcommand)]
        cmd: issue::IssueCommand,
    },
    /// List the changes applied to a database.
    Changelog {
        #[command(flatten)]
        opts: GlobalOpts,
        #[command(flatten)]
        args: changelog::ChangelogArgs,
    },
    /// Make databases of a project match a source schema: preview the plans, or file them as an issue.
    SchemaSync {
        #[command(flatten)]
        opts: GlobalOpts,
        #[command(flatten)]
        args: Box<schema_sync::SchemaSyncArgs>,
    },
    /// Show a database's schema drift (changes made behind Sluice's back); accept it as a baseline.
    Drift {
        #[command(flatten)]
        opts: GlobalOpts,
        #[command(subcommand)]
        cmd: drift::DriftCommand,
    },
}

pub async fn run(cmd: ClientCommand) -> anyhow::Result<ExitCode> {
    // Errors are printed here rather than in main, which knows one exit code only.
    match dispatch(cmd).await {
        Ok(code) => Ok(code),
        Err(err) => {
            eprintln!("{err}");
            Ok(ExitCode::from(err.exit_code()))
        }
    }
}

async fn dispatch(cmd: ClientCommand) -> Result<ExitCode> {
    let done = match cmd {
        ClientCommand::Login(args) => auth::login(args).await,
        ClientCommand::Logout(opts) => auth::logout(&opts).await,
        ClientCommand::Whoami(opts) => auth::whoami(&connect(&opts)?, out(&opts)).await,
        ClientCommand::Env { opts, cmd } => env::run(&connect(&opts)?, out(&opts), cmd).await,
        ClientCommand::Instance { opts, cmd } => {
            instance::run(&connect(&opts)?, out(&opts), cmd).await
        }
        ClientCommand::Project { opts, cmd } => {
            project::run(&connect(&opts)?, out(&opts), cmd).await
        }
        ClientCommand::User { opts, cmd } => user::run(&connect(&opts)?, out(&opts), cmd).await,
        ClientCommand::ServiceAccount { opts, cmd } => {
            user::run_service_account(&connect(&opts)?, out(&opts), cmd).await
        }
        ClientCommand::Database { opts, cmd } => {
            database::run(&connect(&opts)?, out(&opts), cmd).await
        }
        ClientCommand::Issue { opts, cmd } => issue::run(&connect(&opts)?, out(&opts), cmd).await,
        ClientCommand::Changelog { opts, args } => {
            changelog::run(&connect(&opts)?, out(&opts), args).await
        }
        ClientCommand::SchemaSync { opts, args } => {
            schema_sync::run(&connect(&opts)?, out(&opts), *args).await
        }
        // Its exit code tells the drift status.
        ClientCommand::Drift { opts, cmd } => {
            return drift::run(&connect(&opts)?, out(&opts), cmd).await;
        }
    };
    done.map(|()| ExitCode::SUCCESS)
}

fn out(opts: &GlobalOpts) -> Out {
    Out { json: opts.json }
}

/// Server and token from flags or environment, else from the saved login.
fn connect(opts: &GlobalOpts) -> Result<Api> {
    if let (Some(url), Some(token)) = (&opts.url, &opts.token) {
        return Api::new(url, Some(token.clone()));
    }
    let saved = config::load()?;
    let url = match (&opts.url, &saved) {
        (Some(url), _) => url.clone(),
        (None, Some(creds)) => creds.url.clone(),
        (None, None) => {
            return Err(Error::NotLoggedIn(
                "not logged in: run `sluice login --url URL --email EMAIL`, or set SLUICE_URL and SLUICE_TOKEN"
                    .into(),
            ));
        }
    };
    // The saved token goes only to the server it came from.
    let token = opts
        .token
        .clone()
        .or_else(|| saved.filter(|c| same_server(&c.url, &url)).map(|c| c.token));
    let Some(token) = token else {
        return Err(Error::NotLoggedIn(format!(
            "not logged in to {url}: run `sluice login --url {url} --email EMAIL`, or set SLUICE_TOKEN"
        )));
    };
    Api::new(&url, Some(token))
}

fn same_server(a: &str, b: &str) -> bool {
    match (api::parse_base_url(a), api::parse_base_url(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// A secret piped on stdin (`--password-stdin`): the first line, without
/// its line ending, so `echo pw | sluice ...` works.
fn read_stdin_secret() -> Result<String> {
    let mut buf = String::new();
    std::io::stdin()
        .read_to_string(&mut buf)
        .map_err(|e| Error::Usage(format!("cannot read the password from stdin: {e}")))?;
    let secret = buf.lines().next().unwrap_or_default().to_string();
    if secret.is_empty() {
        return Err(Error::Usage("no password on stdin".into()));
    }
    Ok(secret)
}

/// Asks on the terminal without echo.
fn prompt_secret(prompt: &str) -> Result<String> {
    let secret = rpassword::prompt_password(prompt).map_err(|e| {
        Error::Usage(format!(
            "cannot read the password ({e}); pipe it with --password-stdin"
        ))
    })?;
    if secret.is_empty() {
        return Err(Error::Usage("the password is empty".into()));
    }
    Ok(secret)
}

/// Builds a JSON object from the fields that were given, for PATCH bodies.
fn fields(
    pairs: Vec<(&str, Option<serde_json::Value>)>,
) -> serde_json::Map<String, serde_json::Value> {
    pairs
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect()
}

/// A PATCH with nothing to change is a mistake worth telling about.
fn nothing_to_change(body: &serde_json::Map<String, serde_json::Value>, flags: &str) -> Result<()> {
    if body.is_empty() {
        return Err(Error::Usage(format!(
            "nothing to change: give at least one of {flags}"
        )));
    }
    Ok(())
}
