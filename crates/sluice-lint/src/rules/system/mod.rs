//! system.*: rules about server-side code and settings.

pub mod function_disallow_create;
pub mod procedure_disallow_create;
