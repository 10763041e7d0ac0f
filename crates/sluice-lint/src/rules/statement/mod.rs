//! statement.*: rules about what a statement does.

pub mod add_check_not_valid;
pub mod add_foreign_key_not_valid;
pub mod create_specify_schema;
pub mod disallow_add_column_with_default;
pub mod disallow_add_not_null;
pub mod disallow_commit;
pub mod disallow_limit;
pub mod disallow_on_del_cascade;
pub mod disallow_order_by;
pub mod disallow_rm_tbl_cascade;
pub mod disallow_truncate;
pub mod insert_disallow_order_by_rand;
pub mod insert_must_specify_column;
pub mod insert_row_limit;
pub mod merge_alter_table;
pub mod non_transactional;
pub mod require_algorithm_option;
pub mod require_lock_option;
pub mod select_no_select_all;
pub mod where_disallow_functions_and_calculations;
pub mod where_no_leading_wildcard_like;
pub mod where_require_select;
pub mod where_require_update_delete;
