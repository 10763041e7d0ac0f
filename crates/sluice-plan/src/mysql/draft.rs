//! A statement being written, before it knows its Change.

use crate::{Hazard, Step};

#[derive(Debug, Default)]
pub(super) struct Draft {
    pub sql: String,
    lock: Option<(String, String)>,
    hazards: Vec<Hazard>,
    notes: Vec<String>,
    compound: bool,
}

impl Draft {
    pub fn new(sql: impl Into<String>) -> Draft {
        Draft {
            sql: sql.into(),
            ..Default::default()
        }
    }

    pub fn lock(mut self, name: impl Into<String>, blocks: impl Into<String>) -> Draft {
        self.lock = Some((name.into(), blocks.into()));
        self
    }

    pub fn hazard(mut self, hazard: Hazard) -> Draft {
        if !self.hazards.contains(&hazard) {
            self.hazards.push(hazard);
        }
        self
    }

    pub fn hazards(self, hazards: impl IntoIterator<Item = Hazard>) -> Draft {
        hazards.into_iter().fold(self, Draft::hazard)
    }

    pub fn note(mut self, note: impl Into<String>) -> Draft {
        self.notes.push(note.into());
        self
    }

    /// A routine or trigger whose body holds semicolons.
    pub fn compound_if_needed(mut self) -> Draft {
        self.compound = self.sql.contains(';');
        self
    }

    pub fn into_step(self, change: usize) -> Step {
        let mut step = Step::new(self.sql, change);
        if let Some((name, blocks)) = self.lock {
            step = step.lock(name, blocks);
        }
        step = self.hazards.into_iter().fold(step, Step::hazard);
        step = self.notes.into_iter().fold(step, Step::note);
        if self.compound {
            step = step.compound();
        }
        step
    }
}
