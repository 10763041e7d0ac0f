//! Plans for postgres.

use sluice_schema::Change;

use crate::{Ctx, Step};

/// The statements for `changes`, in order.
pub(crate) fn steps(changes: &[Change], ctx: &Ctx) -> Vec<Step> {
    let _ = (changes, ctx);
    Vec::new()
}
