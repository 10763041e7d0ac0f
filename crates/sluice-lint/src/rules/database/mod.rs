//! database.*: rules about whole databases.

pub mod drop_empty_database;
