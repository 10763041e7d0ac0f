//! The Sluice metadata store.
//!
//! One store API, grouped by concern (workspace, principals, tokens,
//! environments, instances, projects, databases, audit, issues, pipelines,
//! tasks, changelog), over two backends:
//! embedded SQLite for a single server and PostgreSQL for HA. Both run the
//! same query text (`$N` placeholders work on both) against typed pools, so
//! booleans and integers decode natively on each; `AnyPool` cannot do that.
//! Each backend has its own migrations folder because their DDL differs
//! (identity columns, clock functions), while table and column names match.
//!
//! Timestamps are Unix milliseconds; enumerations are upper-case text.

mod backend;
mod error;
// `text_enum!` is shared with the modules below.
#[macro_use]
pub mod model;

mod audit;
mod changelog;
mod databases;
mod drift;
mod environments;
mod instances;
mod issues;
mod pipelines;
mod principals;
mod projects;
mod review_configs;
mod tasks;
mod tokens;
mod workspace;

pub use backend::Store;
pub use changelog::ChangelogReverse;
pub use drift::{
    DbEvent, DbEventKind, DriftFound, DriftRecord, DriftStatus, DriftTransition, DriftedDatabase,
};
pub use error::{StoreError, StoreResult};
pub use model::*;

/// Milliseconds since the Unix epoch, the store's clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// One page of a list: the items and the offset of the next page, if any.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_offset: Option<i64>,
}

/// Which slice of a list to read.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub offset: i64,
    pub limit: i64,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            offset: 0,
            limit: 100,
        }
    }
}

impl PageRequest {
    /// Everything (for internal use: small tables such as environments).
    pub const ALL: PageRequest = PageRequest {
        offset: 0,
        limit: i64::MAX / 2,
    };

    /// Cut a result fetched with `limit + 1` rows into a page.
    pub(crate) fn page<T>(self, mut rows: Vec<T>) -> Page<T> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        Page {
            items: rows,
            next_offset: more.then_some(self.offset + self.limit),
        }
    }

    pub(crate) fn fetch_limit(self) -> i64 {
        self.limit.saturating_add(1)
    }
}
