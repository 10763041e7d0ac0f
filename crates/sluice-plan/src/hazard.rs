//! Hazards: what can go wrong when a statement runs on a live database.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A risk a statement carries. A plan with a hazard runs only when the
/// hazard is allowed explicitly (`--allow-hazards`, or a confirmation in
/// the UI).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Hazard {
    /// Stored data is lost: a dropped table, column, partition or schema.
    DeletesData,
    /// The server rewrites the whole table (a type conversion, a volatile
    /// default on old servers, a MySQL `ALGORITHM=COPY`).
    TableRewrite,
    /// A lock that blocks reads or writes for as long as the statement
    /// scans or rewrites the table.
    LongLock,
    /// An index is built: it scans the table and loads the server, even
    /// when concurrent.
    IndexBuild,
    /// An index is dropped: queries that used it may slow down.
    IndexDropped,
    /// Values are converted to another type and may fail to convert or be
    /// truncated.
    TypeConversion,
    /// The statement cannot be undone by SQL (an enum label cannot be
    /// removed in place).
    Irreversible,
}

impl Hazard {
    pub const ALL: [Hazard; 7] = [
        Hazard::DeletesData,
        Hazard::TableRewrite,
        Hazard::LongLock,
        Hazard::IndexBuild,
        Hazard::IndexDropped,
        Hazard::TypeConversion,
        Hazard::Irreversible,
    ];

    /// The name used in JSON, scripts and `--allow-hazards`.
    pub fn as_str(self) -> &'static str {
        match self {
            Hazard::DeletesData => "DELETES_DATA",
            Hazard::TableRewrite => "TABLE_REWRITE",
            Hazard::LongLock => "LONG_LOCK",
            Hazard::IndexBuild => "INDEX_BUILD",
            Hazard::IndexDropped => "INDEX_DROPPED",
            Hazard::TypeConversion => "TYPE_CONVERSION",
            Hazard::Irreversible => "IRREVERSIBLE",
        }
    }
}

impl fmt::Display for Hazard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A hazard name Sluice does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown hazard {0:?} (expected all or one of DELETES_DATA, TABLE_REWRITE, LONG_LOCK, INDEX_BUILD, INDEX_DROPPED, TYPE_CONVERSION, IRREVERSIBLE)"
)]
pub struct UnknownHazard(pub String);

impl FromStr for Hazard {
    type Err = UnknownHazard;

    /// Case-insensitive; `-` and `_` are the same (`deletes-data`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_uppercase().replace('-', "_");
        Hazard::ALL
            .into_iter()
            .find(|h| h.as_str() == wanted)
            .ok_or_else(|| UnknownHazard(s.to_string()))
    }
}

/// Which hazards the person running a plan accepted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HazardAllowance {
    pub all: bool,
    pub hazards: Vec<Hazard>,
}

impl HazardAllowance {
    pub fn all() -> Self {
        HazardAllowance {
            all: true,
            hazards: Vec::new(),
        }
    }

    /// Parses names as `--allow-hazards` takes them: `all`, or hazard
    /// names, each argument possibly a comma-separated list.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Self, UnknownHazard> {
        let mut out = HazardAllowance::default();
        for name in names
            .iter()
            .flat_map(|n| n.as_ref().split(','))
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            if name.eq_ignore_ascii_case("all") {
                out.all = true;
            } else {
                out.hazards.push(name.parse()?);
            }
        }
        Ok(out)
    }

    pub fn allows(&self, hazard: Hazard) -> bool {
        self.all || self.hazards.contains(&hazard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_accept_dashes_and_case() {
        for h in Hazard::ALL {
            assert_eq!(h.as_str().parse::<Hazard>().unwrap(), h);
            assert_eq!(
                serde_json::to_string(&h).unwrap(),
                format!("\"{}\"", h.as_str())
            );
        }
        assert_eq!(
            "deletes-data".parse::<Hazard>().unwrap(),
            Hazard::DeletesData
        );
        let err = "DELETE_DATA".parse::<Hazard>().unwrap_err();
        assert!(err.to_string().contains("\"DELETE_DATA\""), "{err}");
    }

    #[test]
    fn allowance_takes_all_lists_and_repeats() {
        let a = HazardAllowance::parse(&["DELETES_DATA,index_build", " "]).unwrap();
        assert!(a.allows(Hazard::DeletesData) && a.allows(Hazard::IndexBuild));
        assert!(!a.allows(Hazard::LongLock));
        assert!(
            HazardAllowance::parse(&["ALL"])
                .unwrap()
                .allows(Hazard::LongLock)
        );
        assert!(HazardAllowance::parse(&["nope"]).is_err());
        assert!(!HazardAllowance::default().allows(Hazard::IndexDropped));
    }
}
