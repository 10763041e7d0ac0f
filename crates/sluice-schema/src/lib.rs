//! The neutral schema model of Sluice.
//!
//! Every engine inspects its database into the same plain data ([`Catalog`]
//! → [`Schema`] → [`Table`] → [`Column`], indexes, constraints, views,
//! sequences, enums, functions, triggers), and everything above the engines
//! (the schema browser, the DDL dump, the diff, drift detection) works on
//! that data alone. The model is synchronous, free of I/O, and serializes to
//! stable JSON: after [`Catalog::normalize`], two catalogs of the same
//! schema are equal and print the same, whatever order the server listed
//! objects in.
//!
//! What differs between engines is kept in typed per-dialect extensions
//! ([`TableOptions`]) rather than open-ended attribute bags, so every option
//! is named and compared exactly. Values are stored as the server spells
//! them (types, expressions, definitions), which keeps inspection a matter
//! of copying and leaves normalization of equivalent spellings to narrow,
//! per-dialect questions in the diff.

pub mod dialect;
pub mod diff;
mod keywords;
pub mod model;
pub mod quote;
pub mod render;

pub use dialect::{Dialect, Flavor, ServerInfo, UnknownDialect};
pub use diff::{
    Change, ColumnChange, CommentTarget, DialectRules, DiffOptions, EnumPosition, Rename, diff,
};
pub use model::*;
pub use quote::{quote_ident, quote_literal, quote_qualified};
