//! The SQL dialects Sluice speaks, and the server flavours behind them.
//!
//! [`Dialect`] is the one definition every crate uses: it decides quoting,
//! statement splitting and DDL syntax. MySQL and MariaDB share a dialect
//! because their DDL and catalogs are nearly the same; where they differ, the
//! [`Flavor`] and version kept in [`ServerInfo`] say which server it was.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The SQL dialect of a database engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// PostgreSQL 12 and newer.
    Postgres,
    /// MySQL 8 and MariaDB 10.6+.
    Mysql,
    /// SQLite 3.
    Sqlite,
}

impl Dialect {
    /// Every dialect, in a fixed order (for tests and UI lists).
    pub const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite];

    /// The stable lowercase name used in JSON, URLs and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a dialect or flavour name that Sluice does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown dialect {0:?} (expected postgres, mysql or sqlite)")]
pub struct UnknownDialect(pub String);

impl FromStr for Dialect {
    type Err = UnknownDialect;

    /// Accepts the canonical names and the usual aliases (`postgresql`,
    /// `pg`, `mariadb`, `sqlite3`), case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => Ok(Dialect::Postgres),
            "mysql" | "mariadb" => Ok(Dialect::Mysql),
            "sqlite" | "sqlite3" => Ok(Dialect::Sqlite),
            _ => Err(UnknownDialect(s.to_string())),
        }
    }
}

/// The server product behind a dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavor {
    Postgres,
    Mysql,
    Mariadb,
    Sqlite,
}

impl Flavor {
    /// The dialect this flavour speaks.
    pub fn dialect(self) -> Dialect {
        match self {
            Flavor::Postgres => Dialect::Postgres,
            Flavor::Mysql | Flavor::Mariadb => Dialect::Mysql,
            Flavor::Sqlite => Dialect::Sqlite,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::Postgres => "postgres",
            Flavor::Mysql => "mysql",
            Flavor::Mariadb => "mariadb",
            Flavor::Sqlite => "sqlite",
        }
    }
}

impl fmt::Display for Flavor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which server a catalog was read from. Kept apart from [`Dialect`] so that
/// two catalogs of the same dialect compare equal schema-wise even when they
/// come from different server versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerInfo {
    pub flavor: Flavor,
    /// The version as the server reports it (`15.4`, `10.11.6-MariaDB`).
    pub version: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialect_names_round_trip() {
        for d in Dialect::ALL {
            assert_eq!(d.as_str().parse::<Dialect>().unwrap(), d);
        }
        assert_eq!("MariaDB".parse::<Dialect>().unwrap(), Dialect::Mysql);
        assert!("oracle".parse::<Dialect>().is_err());
        assert_eq!(Flavor::Mariadb.dialect(), Dialect::Mysql);
    }
}
