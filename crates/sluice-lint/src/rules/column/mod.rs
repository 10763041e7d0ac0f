//! column.*: rules about column definitions.

pub mod disallow_change_type;
pub mod maximum_varchar_length;
pub mod no_null;
pub mod require_default;
pub mod type_disallow_list;
