//! How an `ALTER TABLE` runs: the algorithm, the lock it holds, and what a
//! plan says about both.
//!
//! Without an `ALGORITHM` clause the server picks the cheapest algorithm it
//! can; with one, it fails instead of falling back to a worse one. A
//! lock-safe plan writes the clause wherever the target is known to
//! support it, so a statement that would lock the table fails fast.

use sluice_schema::{IndexMethod, Table};

use crate::Hazard;

/// The algorithm, cheapest first (`max` is the worse of two).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Algorithm {
    /// The data dictionary only.
    Instant,
    /// In place with concurrent reads and writes; `rebuild` when the
    /// table is rebuilt all the same.
    Online { rebuild: bool },
    /// In place, writes blocked (a FULLTEXT or SPATIAL index build, or a
    /// rebuild of a table that has one).
    InPlaceShared { rebuild: bool },
    /// Whatever the server picks: no clause is written.
    ServerChoice,
    /// An engine without online DDL (MyISAM, Aria, …) copies the table; no
    /// clause is written, since it accepts none better.
    EngineCopy,
    /// The table is copied, writes blocked throughout.
    Copy,
}

impl Algorithm {
    /// The clause a lock-safe plan writes; `None` for [`ServerChoice`].
    ///
    /// [`ServerChoice`]: Algorithm::ServerChoice
    pub fn clause(self, separator: &str) -> Option<String> {
        let (algorithm, lock) = match self {
            Algorithm::Instant => return Some("ALGORITHM=INSTANT".into()),
            Algorithm::Online { .. } => ("INPLACE", "NONE"),
            Algorithm::InPlaceShared { .. } => ("INPLACE", "SHARED"),
            Algorithm::Copy => ("COPY", "SHARED"),
            Algorithm::ServerChoice | Algorithm::EngineCopy => return None,
        };
        Some(format!("ALGORITHM={algorithm}{separator}LOCK={lock}"))
    }

    /// What waits while the statement runs.
    pub fn blocks(self) -> &'static str {
        match self {
            Algorithm::Instant => "nothing",
            Algorithm::Online { .. } => "nothing (exclusive only briefly at start and end)",
            Algorithm::InPlaceShared { .. } | Algorithm::EngineCopy | Algorithm::Copy => {
                "writes, until the statement ends"
            }
            Algorithm::ServerChoice => "writes, if the server copies the table",
        }
    }

    pub fn hazards(self) -> Vec<Hazard> {
        match self {
            Algorithm::Instant | Algorithm::Online { rebuild: false } => Vec::new(),
            Algorithm::Online { rebuild: true } => vec![Hazard::TableRewrite],
            Algorithm::InPlaceShared { rebuild: false } => vec![Hazard::LongLock],
            Algorithm::ServerChoice => Vec::new(),
            Algorithm::InPlaceShared { rebuild: true }
            | Algorithm::EngineCopy
            | Algorithm::Copy => {
                vec![Hazard::TableRewrite, Hazard::LongLock]
            }
        }
    }

    /// The same change on `table`: engines other than InnoDB copy the
    /// table for anything but dictionary changes, and InnoDB rebuilds a
    /// table with a FULLTEXT or SPATIAL index only with writes blocked.
    pub fn on(self, table: Option<&Table>) -> Algorithm {
        let Some(table) = table else { return self };
        if !is_innodb(table) {
            return match self {
                // A dictionary-only change may stay one.
                Algorithm::Instant | Algorithm::ServerChoice => Algorithm::ServerChoice,
                Algorithm::Copy => Algorithm::Copy,
                _ => Algorithm::EngineCopy,
            };
        }
        match self {
            Algorithm::Online { rebuild: true } if has_special_index(Some(table)) => {
                Algorithm::InPlaceShared { rebuild: true }
            }
            _ => self,
        }
    }
}

/// InnoDB, or no engine named (the server default).
pub(super) fn is_innodb(table: &Table) -> bool {
    table
        .options
        .mysql()
        .and_then(|o| o.engine.as_deref())
        .is_none_or(|e| e.eq_ignore_ascii_case("innodb"))
}

/// `table` has a FULLTEXT or SPATIAL index, which rules out instant
/// column changes that touch the row format.
pub(super) fn has_special_index(table: Option<&Table>) -> bool {
    table.is_some_and(|t| {
        t.indexes
            .iter()
            .any(|i| matches!(i.method, IndexMethod::Fulltext | IndexMethod::Spatial))
    })
}

/// The lock line of a step: the table's metadata lock and how the
/// statement runs, as written (or expected, without a clause).
pub(super) fn lock_name(table: &str, algorithm: Algorithm, written: bool) -> String {
    let how = match (algorithm.clause(", "), written) {
        (Some(c), true) => c,
        (Some(c), false) => format!("no clause; expected {c}"),
        (None, _) if algorithm == Algorithm::EngineCopy => {
            "a copy (the engine has no online DDL)".into()
        }
        (None, _) => "algorithm chosen by the server".into(),
    };
    format!("metadata lock on {table}, {how}")
}
