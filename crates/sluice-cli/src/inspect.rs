//! `sluice inspect URL`: read a database's schema offline, without a
//! server, and print it as DDL (default) or as the neutral model (`--json`).

use anyhow::{Context, bail};
use percent_encoding::percent_decode_str;
use sluice_engine::{ConnectionConfig, Engine, EngineKind, Tls};
use std::path::Path;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct InspectArgs {
    /// The database: postgres://user:pass@host:port/db, mysql://… or
    /// mariadb://…, sqlite:///path/to/file.db (or a plain file path).
    url: String,
    /// Print the model as JSON instead of DDL.
    #[arg(long)]
    json: bool,
    /// Seconds to wait for the server to answer.
    #[arg(long, default_value_t = 10)]
    connect_timeout: u64,
}

pub async fn run(args: InspectArgs) -> anyhow::Result<ExitCode> {
    let (mut config, database) = parse(&args.url)?;
    config.connect_timeout = std::time::Duration::from_secs(args.connect_timeout.max(1));
    let catalog = Engine::new(config)
        .inspect(&database)
        .await
        .with_context(|| format!("cannot inspect {database}"))?;
    if args.json {
        println!("{}", catalog.to_json_pretty());
    } else {
        print!("{}", sluice_schema::render::ddl(&catalog));
    }
    Ok(ExitCode::SUCCESS)
}

/// A connection configuration and the database name from a URL.
pub(crate) fn parse(text: &str) -> anyhow::Result<(ConnectionConfig, String)> {
    if let Some(path) = text
        .strip_prefix("sqlite://")
        .or_else(|| text.strip_prefix("sqlite:"))
    {
        return sqlite(path);
    }
    if !text.contains("://") {
        return sqlite(text);
    }
    let url = url::Url::parse(text).with_context(|| format!("{text:?} is not a database URL"))?;
    let (kind, default_port) = match url.scheme() {
        "postgres" | "postgresql" => (EngineKind::Postgres, 5432),
        "mysql" => (EngineKind::Mysql, 3306),
        "mariadb" => (EngineKind::Mariadb, 3306),
        other => bail!(
            "unsupported scheme {other:?}: use postgres://, mysql://, mariadb:// or sqlite://"
        ),
    };
    let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
    let mut config = ConnectionConfig::new(kind);
    config.host = url
        .host_str()
        .unwrap_or("127.0.0.1")
        .trim_matches(['[', ']'])
        .to_string();
    config.port = url.port().unwrap_or(default_port);
    config.username = decode(url.username());
    if config.username.is_empty() {
        config.username = if kind == EngineKind::Postgres {
            "postgres".into()
        } else {
            "root".into()
        };
    }
    config.password = url.password().map(decode).unwrap_or_default();
    for (key, value) in url.query_pairs() {
        match (key.as_ref(), value.as_ref()) {
            ("sslmode" | "tls", "disable") => config.tls = Tls::Disable,
            ("sslmode" | "tls", "prefer" | "preferred") => config.tls = Tls::Prefer,
            ("sslmode" | "tls", "require" | "required") => config.tls = Tls::Require,
            (key, value) => {
                bail!("unsupported URL option {key}={value}: only sslmode=disable|prefer|require")
            }
        }
    }
    let database = decode(url.path().trim_start_matches('/'));
    if database.is_empty() {
        bail!(
            "name the database in the URL, e.g. {}://host/dbname",
            url.scheme()
        );
    }
    config.database = database.clone();
    Ok((config, database))
}

fn sqlite(path: &str) -> anyhow::Result<(ConnectionConfig, String)> {
    let path = Path::new(path);
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .context("name a SQLite file, e.g. sqlite:///var/lib/app.db")?;
    let mut config = ConnectionConfig::new(EngineKind::Sqlite);
    config.database = path.to_string_lossy().into_owned();
    Ok((config, name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let (c, db) = parse("postgres://app:p%40ss@db.example:6432/shop?sslmode=require").unwrap();
        assert_eq!(
            (
                c.kind,
                c.host.as_str(),
                c.port,
                c.username.as_str(),
                c.password.as_str()
            ),
            (EngineKind::Postgres, "db.example", 6432, "app", "p@ss")
        );
        assert_eq!((db.as_str(), c.tls), ("shop", Tls::Require));
        let (c, db) = parse("mariadb://127.0.0.1/inventory").unwrap();
        assert_eq!(
            (c.kind, c.port, c.username.as_str(), db.as_str()),
            (EngineKind::Mariadb, 3306, "root", "inventory")
        );
        let (c, db) = parse("sqlite:///tmp/x/app.db").unwrap();
        assert_eq!(
            (c.kind, c.database.as_str(), db.as_str()),
            (EngineKind::Sqlite, "/tmp/x/app.db", "app")
        );
        assert!(
            parse("oracle://x/y")
                .unwrap_err()
                .to_string()
                .contains("unsupported scheme")
        );
        assert!(
            parse("postgres://x")
                .unwrap_err()
                .to_string()
                .contains("name the database")
        );
        assert!(parse("postgres://x/db?foo=bar").is_err());
    }
}
