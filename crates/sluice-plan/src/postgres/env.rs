//! What the planner knows besides the Change at hand: both catalogs, the
//! Changes that come later, and the target server.

use sluice_schema::{Catalog, Change, MaterializedView, Table};

use crate::Ctx;

pub(super) struct Env<'a> {
    /// Every Change of the plan, for looking ahead.
    pub changes: &'a [Change],
    pub from: &'a Catalog,
    pub to: &'a Catalog,
    pub lock_safe: bool,
    /// The target's major version; `None` when unknown.
    pub major: Option<u32>,
}

impl<'a> Env<'a> {
    pub fn new(changes: &'a [Change], from: &'a Catalog, to: &'a Catalog, ctx: &Ctx) -> Self {
        Env {
            changes,
            from,
            to,
            lock_safe: ctx.options.lock_safe,
            major: ctx.server.and_then(|s| major_version(&s.version)),
        }
    }

    /// The same target seen the other way round, planning `changes` alone
    /// (for the reverse SQL of one Change).
    pub fn reversed(&self, changes: &'a [Change]) -> Env<'a> {
        Env {
            changes,
            from: self.to,
            to: self.from,
            lock_safe: self.lock_safe,
            major: self.major,
        }
    }

    /// The Changes after the `i`th.
    pub fn later(&self, i: usize) -> &'a [Change] {
        self.changes.get(i + 1..).unwrap_or(&[])
    }

    pub fn table_before(&self, schema: &str, table: &str) -> Option<&'a Table> {
        self.from.schema(schema).and_then(|s| s.table(table))
    }

    pub fn table_after(&self, schema: &str, table: &str) -> Option<&'a Table> {
        self.to.schema(schema).and_then(|s| s.table(table))
    }

    fn matview_before(&self, schema: &str, name: &str) -> Option<&'a MaterializedView> {
        self.from
            .schema(schema)
            .and_then(|s| s.materialized_views.iter().find(|v| v.name == name))
    }

    /// The table or materialized view exists before the plan runs, so it
    /// may hold rows and serve queries while the plan runs.
    pub fn existed(&self, schema: &str, relation: &str) -> bool {
        self.table_before(schema, relation).is_some()
            || self.matview_before(schema, relation).is_some()
    }

    /// A partitioned table, before or after: PostgreSQL refuses the
    /// concurrent and `NOT VALID` forms on those.
    pub fn partitioned(&self, schema: &str, table: &str) -> bool {
        let p = |t: Option<&Table>| t.is_some_and(|t| t.partitioning.is_some());
        p(self.table_before(schema, table)) || p(self.table_after(schema, table))
    }

    /// Whether the server is at least `major`. An unknown server is taken
    /// to be the oldest Sluice supports, so a plan never uses syntax it may
    /// lack.
    pub fn at_least(&self, major: u32) -> bool {
        self.major.unwrap_or(OLDEST_SUPPORTED) >= major
    }
}

/// The oldest PostgreSQL major version Sluice supports.
const OLDEST_SUPPORTED: u32 = 12;

/// `15.4` → 15, `16beta1` → 16, `12.19 (Debian …)` → 12.
fn major_version(version: &str) -> Option<u32> {
    let digits: String = version
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn major_versions() {
        assert_eq!(super::major_version("15.4"), Some(15));
        assert_eq!(super::major_version("16beta1"), Some(16));
        assert_eq!(super::major_version("nonsense"), None);
    }
}
