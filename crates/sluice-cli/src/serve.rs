//! `sluice serve`: configuration, wiring and graceful shutdown.

#[derive(clap::Args, Debug)]
pub struct ServeArgs {}

pub async fn run(_args: ServeArgs) -> anyhow::Result<()> {
    anyhow::bail!("not wired yet")
}
