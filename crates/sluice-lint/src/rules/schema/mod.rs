//! schema.*: rules about the schema as running code sees it.

pub mod backward_compatibility;
