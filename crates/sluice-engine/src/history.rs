//! The record of changes kept on the target itself, `sluice_history`.
//!
//! Sluice's metadata store has its own changelog, but the target's table is
//! the one that can be written in the same transaction as the change
//! (PostgreSQL, SQLite): after a crash it tells, without guessing, whether a
//! change is on the database. On MySQL, where DDL commits implicitly, a
//! PENDING row is written before the script and updated after it, so an
//! interrupted run is at least visible and is never re-applied blindly.
//!
//! Each engine keeps the table in its own place (schema `sluice` on
//! PostgreSQL, database `sluice` on MySQL, a table in the SQLite file) and
//! selects the same columns in the same order, [`HistoryRow`], so one
//! conversion serves all three.

use crate::{EngineError, ErrorKind};
use serde::Serialize;

/// The state of one run of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HistoryStatus {
    /// Running, or interrupted: a person must look before it runs again.
    Pending,
    Done,
    /// Stopped part way; on PostgreSQL and SQLite only a statement that runs
    /// outside the transaction can leave this (a failure inside it rolls
    /// the row back with the change).
    Failed,
}

impl HistoryStatus {
    /// How a finished run ends: DONE without an error, FAILED with one.
    pub(crate) fn finished(error: Option<&crate::EngineError>) -> HistoryStatus {
        match error {
            None => HistoryStatus::Done,
            Some(_) => HistoryStatus::Failed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            HistoryStatus::Pending => "PENDING",
            HistoryStatus::Done => "DONE",
            HistoryStatus::Failed => "FAILED",
        }
    }

    fn parse(text: &str) -> Option<HistoryStatus> {
        match text {
            "PENDING" => Some(HistoryStatus::Pending),
            "DONE" => Some(HistoryStatus::Done),
            "FAILED" => Some(HistoryStatus::Failed),
            _ => None,
        }
    }
}

/// One row of `sluice_history`: one run of one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub version: String,
    pub description: String,
    /// SHA-256 of the script, lowercase hex.
    pub checksum: String,
    pub who: String,
    /// Unix time in milliseconds, by the target's clock.
    pub started_at_ms: i64,
    pub finished_at_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub status: HistoryStatus,
    pub error: Option<String>,
    /// How many statements of the script are committed.
    pub statements_applied: i64,
}

impl HistoryEntry {
    /// When the run finished (or started, if it has not), as RFC 3339 UTC.
    pub fn when(&self) -> String {
        utc(self.finished_at_ms.unwrap_or(self.started_at_ms))
    }
}

/// The columns every engine's history queries select, in this order.
pub(crate) type HistoryRow = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    String,
    Option<String>,
    i64,
);

pub(crate) fn entry(row: HistoryRow) -> Result<HistoryEntry, EngineError> {
    let (id, version, description, checksum, who, started, finished, duration, status, error, n) =
        row;
    let status = HistoryStatus::parse(&status).ok_or_else(|| {
        EngineError::new(
            ErrorKind::Other,
            format!("sluice_history row {id} has an unknown status {status:?}"),
        )
    })?;
    Ok(HistoryEntry {
        id,
        version,
        description,
        checksum,
        who,
        started_at_ms: started,
        finished_at_ms: finished,
        duration_ms: duration,
        status,
        error,
        statements_applied: n,
    })
}

/// Unix milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ` (proleptic Gregorian,
/// days-from-civil inverted as in H. Hinnant's date algorithms).
pub(crate) fn utc(ms: i64) -> String {
    let (days, rest) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s, milli) = (
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000,
    );
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formats_known_instants() {
        assert_eq!(utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(utc(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(utc(1_735_689_599_999), "2024-12-31T23:59:59.999Z");
        assert_eq!(utc(-1), "1969-12-31T23:59:59.999Z");
    }
}
