//! table.*: rules about tables as a whole.

pub mod no_foreign_key;
pub mod require_pk;
