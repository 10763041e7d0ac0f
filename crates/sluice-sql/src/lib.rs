//! SQL text handling.
