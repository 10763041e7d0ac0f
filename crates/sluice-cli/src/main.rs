//! `sluice`: one binary that runs the server (`sluice serve`) and talks to
//! one as a client (`sluice login`, `sluice env list`, ...).

mod client;
mod diff;
mod inspect;
mod lint;
mod serve;

use clap::Parser;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "sluice",
    version,
    about = "Sluice: safe, reviewed database changes across environments"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Run the Sluice server (API, web UI) on an embedded or PostgreSQL metadata store.
    Serve(serve::ServeArgs),
    /// Print a database's schema as DDL (or the model as JSON), offline.
    Inspect(inspect::InspectArgs),
    /// Print the plan that turns one schema into another (databases or SQL files), offline.
    Diff(diff::DiffArgs),
    /// Review SQL files against a policy of rules (SQL review), offline.
    Lint(lint::LintArgs),
    #[command(flatten)]
    Client(client::ClientCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(args).await.map(|()| ExitCode::SUCCESS),
            Command::Inspect(args) => inspect::run(args).await,
            Command::Diff(args) => diff::run(args).await,
            Command::Lint(args) => lint::run(args).await,
            Command::Client(cmd) => client::run(cmd).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
