use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The kind of server an instance is, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum EngineKind {
    Postgres,
    Mysql,
    Mariadb,
    Sqlite,
}

/// Whether to encrypt the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tls {
    Disable,
    /// Use TLS when the server offers it.
    #[default]
    Prefer,
    Require,
}

impl ConnectionConfig {
    /// The TLS mode to ask the driver for. PREFER on a loopback address
    /// means no TLS: the traffic never leaves the machine, so encryption
    /// protects nothing there, while each handshake costs a connection
    /// about 80 ms with the driver's sockets (no TCP_NODELAY, so the
    /// handshake's last small writes wait out delayed ACKs). REQUIRE is
    /// always honoured.
    pub fn effective_tls(&self) -> Tls {
        match self.tls {
            Tls::Prefer if is_loopback(&self.host) => Tls::Disable,
            other => other,
        }
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// How to reach an instance. The password is in clear here: this struct
/// lives only for the length of one engine call and is never logged.
#[derive(Clone)]
pub struct ConnectionConfig {
    pub kind: EngineKind,
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: String,
    /// The database to connect to; for SQLite the file path.
    pub database: String,
    pub tls: Tls,
    pub connect_timeout: Duration,
    pub statement_timeout: Duration,
    pub lock_timeout: Duration,
}

impl std::fmt::Debug for ConnectionConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionConfig")
            .field("kind", &self.kind)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("database", &self.database)
            .field("tls", &self.tls)
            .finish()
    }
}

impl ConnectionConfig {
    /// A configuration with the usual timeouts: 10 s to connect, 5 min per
    /// statement, 10 s waiting for a lock.
    pub fn new(kind: EngineKind) -> ConnectionConfig {
        ConnectionConfig {
            kind,
            host: String::new(),
            port: 0,
            username: String::new(),
            password: String::new(),
            database: String::new(),
            tls: Tls::Prefer,
            connect_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(300),
            lock_timeout: Duration::from_secs(10),
        }
    }

    /// The same server, another database.
    pub fn with_database(&self, database: &str) -> ConnectionConfig {
        ConnectionConfig {
            database: database.to_string(),
            ..self.clone()
        }
    }
}

/// Engine options for CREATE DATABASE; each engine reads its own and
/// refuses the others' with a clear error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateDatabaseOptions {
    /// PostgreSQL: the owning role.
    pub owner: Option<String>,
    /// PostgreSQL: e.g. UTF8.
    pub encoding: Option<String>,
    /// PostgreSQL: e.g. template0.
    pub template: Option<String>,
    /// PostgreSQL: LC_COLLATE and LC_CTYPE.
    pub locale: Option<String>,
    /// MySQL/MariaDB: e.g. utf8mb4.
    pub charset: Option<String>,
    /// MySQL/MariaDB: e.g. utf8mb4_0900_ai_ci.
    pub collation: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefer_means_no_tls_only_on_loopback() {
        let mut c = ConnectionConfig::new(EngineKind::Postgres);
        for host in ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"] {
            c.host = host.into();
            c.tls = Tls::Prefer;
            assert_eq!(c.effective_tls(), Tls::Disable, "{host}");
            c.tls = Tls::Require;
            assert_eq!(c.effective_tls(), Tls::Require, "{host}");
        }
        for host in ["10.0.0.5", "db.example.com", "localhost.example.com"] {
            c.host = host.into();
            c.tls = Tls::Prefer;
            assert_eq!(c.effective_tls(), Tls::Prefer, "{host}");
        }
    }
}
