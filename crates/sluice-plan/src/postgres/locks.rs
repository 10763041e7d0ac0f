//! The table locks PostgreSQL DDL takes, and what each makes others wait
//! for.

use crate::Step;

#[derive(Clone, Copy)]
pub(super) enum Mode {
    /// Most `ALTER TABLE` forms, `DROP`: nothing else may touch the table.
    AccessExclusive,
    /// Plain `CREATE INDEX`: reads go on, writes wait.
    Share,
    /// Adding a foreign key, creating a trigger: reads go on, writes wait.
    ShareRowExclusive,
    /// `VALIDATE CONSTRAINT`, concurrent index builds: only other DDL and
    /// `VACUUM` wait.
    ShareUpdateExclusive,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::AccessExclusive => "ACCESS EXCLUSIVE",
            Mode::Share => "SHARE",
            Mode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            Mode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
        }
    }

    fn blocks(self) -> &'static str {
        match self {
            Mode::AccessExclusive => "reads and writes",
            Mode::Share | Mode::ShareRowExclusive => "writes",
            Mode::ShareUpdateExclusive => "nothing",
        }
    }
}

/// `step` takes `mode` on `object` (`public.orders`).
pub(super) fn takes(step: Step, mode: Mode, object: &str) -> Step {
    step.lock(format!("{} on {object}", mode.name()), mode.blocks())
}
