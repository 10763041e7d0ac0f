//! Client commands over the REST API.

use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum ClientCommand {}

pub async fn run(cmd: ClientCommand) -> anyhow::Result<ExitCode> {
    match cmd {}
}
