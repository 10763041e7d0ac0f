//! statement.*: rules about what a statement does.

pub mod add_check_not_valid;
pub mod add_foreign_key_not_valid;
pub mod disallow_add_not_null;
pub mod disallow_commit;
pub mod disallow_on_del_cascade;
pub mod disallow_rm_tbl_cascade;
pub mod disallow_truncate;
pub mod insert_must_specify_column;
pub mod select_no_select_all;
pub mod where_require_update_delete;
