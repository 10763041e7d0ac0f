//! What the target server can do online, by flavour and version.
//!
//! Each question names the first versions that answer yes. An unknown
//! server answers as the oldest supported ones would (MySQL 8.0.0 and
//! MariaDB 10.6), so a plan for it runs everywhere.

use sluice_schema::{Flavor, ServerInfo};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Server {
    flavor: Option<Flavor>,
    version: (u32, u32, u32),
}

impl Server {
    pub fn new(info: Option<&ServerInfo>) -> Server {
        let Some(info) = info else {
            return Server::UNKNOWN;
        };
        let text = info.version.to_ascii_lowercase();
        // MariaDB behind the MySQL protocol prefixes its version with 5.5.5-.
        let text = text.strip_prefix("5.5.5-").unwrap_or(&text);
        let flavor = if text.contains("mariadb") || info.flavor == Flavor::Mariadb {
            Flavor::Mariadb
        } else {
            Flavor::Mysql
        };
        Server {
            flavor: Some(flavor),
            version: parse_version(text),
        }
    }

    pub const UNKNOWN: Server = Server {
        flavor: None,
        version: (0, 0, 0),
    };

    pub fn is_mariadb(&self) -> bool {
        self.flavor == Some(Flavor::Mariadb)
    }

    fn mysql_since(&self, v: (u32, u32, u32)) -> bool {
        self.flavor == Some(Flavor::Mysql) && self.version >= v
    }

    fn mariadb_since(&self, v: (u32, u32, u32)) -> bool {
        self.is_mariadb() && self.version >= v
    }

    /// `ADD COLUMN ..., ALGORITHM=INSTANT`: MySQL 8.0.12 at the end only,
    /// 8.0.29 anywhere; MariaDB 10.3 at the end, 10.4 anywhere.
    pub fn instant_add_column(&self, at_end: bool) -> bool {
        if at_end {
            self.mysql_since((8, 0, 12)) || self.mariadb_since((10, 3, 0))
        } else {
            self.mysql_since((8, 0, 29)) || self.mariadb_since((10, 4, 0))
        }
    }

    /// `DROP COLUMN ..., ALGORITHM=INSTANT`: MySQL 8.0.29, MariaDB 10.4.
    pub fn instant_drop_column(&self) -> bool {
        self.mysql_since((8, 0, 29)) || self.mariadb_since((10, 4, 0))
    }

    /// Moving a column or making it nullable without a rebuild: MariaDB
    /// 10.4 (MySQL rebuilds the table in place).
    pub fn instant_reshape_column(&self) -> bool {
        self.mariadb_since((10, 4, 0))
    }

    /// Changes kept in the data dictionary only (a default, values
    /// appended to an ENUM or SET): MySQL 8.0.12, MariaDB 10.3.
    pub fn instant_metadata(&self) -> bool {
        self.mysql_since((8, 0, 12)) || self.mariadb_since((10, 3, 0))
    }

    /// A column comment changed in the dictionary only: MariaDB.
    pub fn instant_comment(&self) -> bool {
        self.is_mariadb()
    }

    /// `RENAME COLUMN ..., ALGORITHM=INSTANT`: MySQL 8.0.28, MariaDB 10.5.
    pub fn instant_rename_column(&self) -> bool {
        self.mysql_since((8, 0, 28)) || self.mariadb_since((10, 5, 0))
    }

    /// `CREATE OR REPLACE FUNCTION|PROCEDURE`: MariaDB only.
    pub fn replaces_routines(&self) -> bool {
        self.is_mariadb()
    }

    /// `DROP CHECK` (MySQL 8.0.16 to 8.0.18) rather than `DROP CONSTRAINT`.
    pub fn drops_checks_by_check(&self) -> bool {
        self.flavor == Some(Flavor::Mysql) && self.version < (8, 0, 19)
    }
}

/// The leading `major.minor.patch` of a version string; missing parts are 0.
fn parse_version(text: &str) -> (u32, u32, u32) {
    let mut parts = text
        .split(|c: char| !c.is_ascii_digit())
        .take_while(|p| !p.is_empty())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(flavor: Flavor, version: &str) -> Server {
        Server::new(Some(&ServerInfo {
            flavor,
            version: version.into(),
        }))
    }

    #[test]
    fn versions() {
        let maria = server(Flavor::Mariadb, "10.11.6-MariaDB-0+deb12u1");
        assert!(maria.is_mariadb() && maria.instant_drop_column());
        let proto = server(Flavor::Mysql, "5.5.5-10.6.2-MariaDB");
        assert!(proto.is_mariadb() && proto.instant_add_column(false));
        let old = server(Flavor::Mysql, "8.0.20");
        assert!(old.instant_add_column(true) && !old.instant_add_column(false));
        assert!(!old.instant_drop_column());
        assert!(server(Flavor::Mysql, "8.4.0").instant_drop_column());
        assert!(!Server::UNKNOWN.instant_metadata());
        assert_eq!(parse_version("garbage"), (0, 0, 0));
    }
}
