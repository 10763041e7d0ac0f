//! Migration plans: the [`Change`]s of a schema diff as DDL statements.
//!
//! A plan is what Sluice shows before it touches a database: every
//! statement with the Change it comes from, whether it can run inside a
//! transaction, the lock it takes and what that lock blocks, its hazards,
//! and the SQL that undoes it where there is one. The same plan renders as
//! a script (`psql` or `mariadb` runs it as it is, hazards and locks as
//! comments above each statement) and as JSON.
//!
//! The diff already orders the Changes so they apply (see
//! [`sluice_schema::diff::order`]); a dialect module turns each into the
//! statements its server needs, choosing lock-safe forms where the server
//! has them ([`PlanOptions::lock_safe`]): on PostgreSQL `CREATE INDEX
//! CONCURRENTLY`, constraints added `NOT VALID` and validated after, `SET
//! NOT NULL` through a validated check; on MySQL and MariaDB `ALGORITHM`
//! and `LOCK` clauses the server version supports. SQLite, whose `ALTER
//! TABLE` does little, rebuilds a table the documented way (create the new
//! table, copy, drop, rename).
//!
//! Plans live in their own crate rather than in the engine: they are pure
//! functions of two catalogs and a server version, tested and benchmarked
//! without a connection; the engine only runs what they produce.

mod hazard;
mod mysql;
mod postgres;
mod script;
mod sqlite;

pub use hazard::{Hazard, HazardAllowance, UnknownHazard};

use serde::{Deserialize, Serialize};
use sluice_schema::{Catalog, Change, Dialect, DiffOptions, ServerInfo, diff};

/// How to plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanOptions {
    /// Use the forms that hold the weakest locks (see the crate docs).
    /// Off, a plan uses the plain statements (fewer, and all transactional).
    pub lock_safe: bool,
    /// The lock timeout set before the first DDL statement, in
    /// milliseconds (PostgreSQL `lock_timeout`, MySQL `lock_wait_timeout`
    /// rounded up to seconds), so a statement queued behind a long
    /// transaction fails instead of blocking every query behind it.
    /// `None` sets nothing.
    pub lock_timeout_ms: Option<u64>,
    /// The target server, when known: which lock-safe forms it supports
    /// depends on its flavour and version. Defaults to the `from`
    /// catalog's server.
    pub server: Option<ServerInfo>,
    /// Declared renames, passed to the diff.
    pub diff: DiffOptions,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            lock_safe: true,
            lock_timeout_ms: Some(5_000),
            server: None,
            diff: DiffOptions::default(),
        }
    }
}

/// A lock a statement takes, in the server's own words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// The lock and its object: `ACCESS EXCLUSIVE on public.orders`,
    /// `metadata lock (ALGORITHM=INPLACE, LOCK=NONE) on orders`.
    pub name: String,
    /// What waits while it is held: `reads and writes`, `writes`, `nothing`.
    pub blocks: String,
}

/// One statement of a plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The statement, without a trailing semicolon.
    pub sql: String,
    /// The index in [`Plan::changes`] of the Change it comes from; `None`
    /// for session settings (the lock timeout).
    pub change: Option<usize>,
    /// False for statements the server refuses inside a transaction block
    /// (`CREATE INDEX CONCURRENTLY`, `ALTER TYPE … ADD VALUE` before
    /// PostgreSQL 12, …).
    pub transactional: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<Lock>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hazards: Vec<Hazard>,
    /// The SQL that undoes this statement, where one exists. Undoing a
    /// drop recreates the definition, not the data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse: Option<String>,
    /// Anything else a reviewer should know (why a form was chosen).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// A MySQL routine or trigger whose body holds semicolons: a script
    /// changes the delimiter around it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub compound: bool,
}

impl Step {
    /// A transactional statement for Change `change`, with nothing else set.
    pub fn new(sql: impl Into<String>, change: usize) -> Step {
        Step {
            sql: sql.into(),
            change: Some(change),
            transactional: true,
            lock: None,
            hazards: Vec::new(),
            reverse: None,
            notes: Vec::new(),
            compound: false,
        }
    }

    pub fn lock(mut self, name: impl Into<String>, blocks: impl Into<String>) -> Step {
        self.lock = Some(Lock {
            name: name.into(),
            blocks: blocks.into(),
        });
        self
    }

    pub fn hazard(mut self, hazard: Hazard) -> Step {
        if !self.hazards.contains(&hazard) {
            self.hazards.push(hazard);
        }
        self
    }

    pub fn reverse(mut self, sql: impl Into<String>) -> Step {
        self.reverse = Some(sql.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Step {
        self.notes.push(note.into());
        self
    }

    pub fn outside_transaction(mut self) -> Step {
        self.transactional = false;
        self
    }

    pub fn compound(mut self) -> Step {
        self.compound = true;
        self
    }
}

/// The statements that turn one schema into another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub dialect: Dialect,
    /// The diff, in the order it applies.
    pub changes: Vec<Change>,
    /// The statements, in the order they run.
    pub steps: Vec<Step>,
}

impl Plan {
    /// True when the two schemas are the same: nothing to run.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Every hazard of the plan, each once, in [`Hazard`] order.
    pub fn hazards(&self) -> Vec<Hazard> {
        let mut all: Vec<Hazard> = self.steps.iter().flat_map(|s| s.hazards.clone()).collect();
        all.sort();
        all.dedup();
        all
    }

    /// The hazards `allowed` does not cover, each once.
    pub fn unallowed_hazards(&self, allowed: &HazardAllowance) -> Vec<Hazard> {
        self.hazards()
            .into_iter()
            .filter(|h| !allowed.allows(*h))
            .collect()
    }

    /// The plan as a script its server's own client runs as it is, each
    /// statement's hazards, lock and notes as comments above it.
    pub fn to_sql(&self) -> String {
        script::render(self)
    }
}

/// The plan that turns `from` into `to`: diff, then statements.
pub fn plan(from: &Catalog, to: &Catalog, options: &PlanOptions) -> Plan {
    let changes = diff(from, to, &options.diff);
    plan_changes(changes, from, to, options)
}

/// Statements for Changes already computed by [`diff`] between `from` and
/// `to` (the catalogs give planners what a Change leaves out, such as the
/// whole table SQLite rebuilds).
pub fn plan_changes(
    changes: Vec<Change>,
    from: &Catalog,
    to: &Catalog,
    options: &PlanOptions,
) -> Plan {
    let dialect = to.dialect;
    let server = options
        .server
        .clone()
        .or_else(|| from.server.clone())
        .or_else(|| to.server.clone());
    let ctx = Ctx {
        from,
        to,
        options,
        server: server.as_ref(),
    };
    let mut steps = Vec::new();
    if !changes.is_empty() {
        if let Some(ms) = options.lock_timeout_ms {
            steps.extend(lock_timeout(dialect, ms));
        }
        steps.extend(match dialect {
            Dialect::Postgres => postgres::steps(&changes, &ctx),
            Dialect::Mysql => mysql::steps(&changes, &ctx),
            Dialect::Sqlite => sqlite::steps(&changes, &ctx),
        });
    }
    Plan {
        dialect,
        changes,
        steps,
    }
}

/// What a dialect planner sees besides the Changes.
pub(crate) struct Ctx<'a> {
    pub from: &'a Catalog,
    pub to: &'a Catalog,
    pub options: &'a PlanOptions,
    /// The target server, if known.
    pub server: Option<&'a ServerInfo>,
}

fn lock_timeout(dialect: Dialect, ms: u64) -> Option<Step> {
    let sql = match dialect {
        Dialect::Postgres => format!("SET lock_timeout = '{ms}ms'"),
        Dialect::Mysql => format!(
            "SET SESSION lock_wait_timeout = {}",
            ms.div_ceil(1000).max(1)
        ),
        Dialect::Sqlite => return None,
    };
    Some(
        Step {
            change: None,
            ..Step::new(sql, 0)
        }
        .note("fail fast instead of queueing every query behind a blocked DDL statement"),
    )
}
