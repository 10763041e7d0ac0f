//! The neutral schema model.
