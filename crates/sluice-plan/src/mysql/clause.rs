//! One action of an `ALTER TABLE` and what it costs. MySQL needs some
//! actions in the same statement (see [`super::merge`]), so the actions
//! that may be joined are built as clauses first.

use super::Side;
use super::draft::Draft;
use super::online::{Algorithm, lock_name};
use super::tables::name;
use crate::Hazard;

#[derive(Debug)]
pub(super) struct Clause {
    body: String,
    algorithm: Algorithm,
    hazards: Vec<Hazard>,
    notes: Vec<String>,
}

impl Clause {
    pub fn new(body: impl Into<String>, algorithm: Algorithm) -> Clause {
        Clause {
            body: body.into(),
            algorithm,
            hazards: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn hazard(mut self, hazard: Hazard) -> Clause {
        if !self.hazards.contains(&hazard) {
            self.hazards.push(hazard);
        }
        self
    }

    pub fn hazards(self, hazards: impl IntoIterator<Item = Hazard>) -> Clause {
        hazards.into_iter().fold(self, Clause::hazard)
    }

    pub fn note(mut self, note: impl Into<String>) -> Clause {
        self.notes.push(note.into());
        self
    }

    /// Both actions in one statement, run as the worse of the two needs.
    pub fn join(mut self, other: Clause) -> Clause {
        self.body = format!("{}, {}", self.body, other.body);
        self.algorithm = self.algorithm.max(other.algorithm);
        self = other.hazards.into_iter().fold(self, Clause::hazard);
        self.notes.extend(other.notes);
        self
    }

    /// `ALTER TABLE table body`, with the algorithm clause when the plan
    /// is lock-safe, the lock it takes and the hazards it carries.
    pub fn into_alter(self, side: &Side, schema: &str, table: &str) -> Draft {
        let algorithm = self.algorithm.on(side.table_now(schema, table));
        let t = name(table);
        let written = side.lock_safe.then(|| algorithm.clause(", ")).flatten();
        let sql = match &written {
            Some(c) => format!("ALTER TABLE {t} {}, {c}", self.body),
            None => format!("ALTER TABLE {t} {}", self.body),
        };
        let draft = Draft::new(sql)
            .lock(
                lock_name(&t, algorithm, written.is_some()),
                algorithm.blocks(),
            )
            .hazards(algorithm.hazards())
            .hazards(self.hazards);
        self.notes.into_iter().fold(draft, Draft::note)
    }
}
