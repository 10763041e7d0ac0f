//! SQL review for Sluice: a schema-aware lint engine.
//!
//! A script is split into statements with `sluice-sql`, each statement is
//! parsed with sqlparser for its dialect, and the rules a [`Policy`] turns
//! on look at each parsed statement together with the schema as it stands
//! just before it ([`Workspace`], replayed from the database's synced
//! [`sluice_schema::Catalog`]). Findings are [`Diagnostic`]s with exact
//! file positions and a concrete help text.
//!
//! Layout, one job per module:
//! - [`rule`]: what a rule is (identity, doc, typed options, check);
//! - [`registry`]: the one table listing every rule;
//! - `rules/<category>/<rule>.rs`: one rule per file with its tests;
//! - [`policy`]: levels and config per rule, templates, JSON loading;
//! - [`engine`]: split, parse, run, recover from syntax errors;
//! - [`schema`]: the schema replay.
//!
//! Everything is synchronous and free of I/O, so the same code runs in
//! `sluice lint`, in the server's plan checks and in tests. The few rules
//! that need the live database (row estimates, dry runs) ask a
//! [`RowEstimator`] the caller passes to [`Linter::lint_with`]; without one
//! they check nothing.
//!
//! ```
//! use sluice_lint::{Dialect, Policy, lint};
//!
//! let found = lint(Dialect::Postgres, "DELETE FROM users;", &Policy::strict_production(), None);
//! assert_eq!(found[0].rule, "statement.where.require-update-delete");
//! assert_eq!((found[0].line, found[0].column), (1, 1));
//! ```

pub mod context;
pub mod diagnostic;
pub mod engine;
pub mod policy;
pub mod registry;
pub mod rule;
pub mod rules;
pub mod schema;

pub use context::{Context, RowEstimator, Source};
pub use diagnostic::{Diagnostic, Level, render_text};
pub use engine::{Linter, lint};
pub use policy::{Policy, PolicyError, Setting, TEMPLATES};
pub use registry::{RULES, find};
pub use rule::{DefaultValue, Doc, OptionSpec, Rule, RuleConfig};
pub use schema::{TableState, Workspace};
pub use sluice_schema::Dialect;
