//! column.*: rules about column definitions.

pub mod auto_increment_initial_value;
pub mod auto_increment_must_integer;
pub mod auto_increment_must_unsigned;
pub mod comment;
pub mod current_time_count_limit;
pub mod default_disallow_volatile;
pub mod disallow_change_type;
pub mod disallow_changing_order;
pub mod disallow_drop_in_index;
pub mod maximum_character_length;
pub mod maximum_varchar_length;
pub mod no_null;
pub mod primary_key_bigint;
pub mod require_default;
pub mod required;
pub mod set_default_for_not_null;
pub mod set_not_null_needs_check;
pub mod type_disallow_list;
