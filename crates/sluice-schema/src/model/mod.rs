//! The neutral schema model: plain data from [`Catalog`] down to columns.
//!
//! Every object is identified by its name within its parent (functions by
//! name and signature, triggers by table and name), and every collection is
//! a `Vec` kept sorted by that identity by [`Catalog::normalize`]. Sorted
//! vectors, rather than maps, keep the JSON a readable list of objects
//! that each carry their own name, and make two catalogs read in any order
//! compare and serialize identically once normalized; the diff can index
//! them by name when it needs to.

mod catalog;
mod constraint;
mod index;
mod normalize;
mod objects;
mod table;

pub use catalog::{Catalog, Schema};
pub use constraint::{
    Check, Deferral, ForeignKey, MatchType, PrimaryKey, ReferentialAction, UniqueConstraint,
};
pub use index::{Index, IndexKey, IndexMethod, IndexPart, NullsOrder, SortOrder};
pub use objects::{
    CheckOption, ColumnRef, EnumType, Extension, Function, MaterializedView, RoutineKind, Sequence,
    Trigger, TriggerEvent, TriggerLevel, TriggerTiming, View, ViewSecurity, Volatility,
};
pub use table::{
    Column, Generated, GeneratedKind, Identity, IdentityKind, MysqlTableOptions, Partition,
    PartitionStrategy, Partitioning, PostgresTableOptions, QualifiedName, SequenceOptions,
    SqliteTableOptions, Table, TableOptions,
};
