//! Database engines.
