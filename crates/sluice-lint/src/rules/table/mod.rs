//! table.*: rules about tables as a whole.

pub mod add_unique_needs_index;
pub mod comment;
pub mod disallow_partition;
pub mod disallow_trigger;
pub mod drop_naming_convention;
pub mod no_duplicate_index;
pub mod no_foreign_key;
pub mod require_charset;
pub mod require_collation;
pub mod require_pk;
