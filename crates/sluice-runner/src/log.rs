//! A task run's statement-level log, built from the engine's progress
//! events and written to the store as it grows.

use serde::Serialize;
use sluice_engine::{ExecutionReport, StatementEvent, Stopped};
use sluice_store::now_ms;

/// One line of the log: a statement, or a note from Sluice.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Entry {
    Statement(StatementLog),
    Note {
        note: String,
        at: i64,
    },
    /// What an earlier worker logged for this run, kept as it was.
    Earlier(serde_json::Value),
}

#[derive(Debug, Clone, Serialize)]
pub struct StatementLog {
    pub number: usize,
    pub line: usize,
    pub text: String,
    /// RUNNING, DONE or FAILED.
    pub status: &'static str,
    pub started_at: i64,
    pub duration_ms: Option<f64>,
    pub rows_affected: Option<u64>,
    /// Committed on the target.
    pub applied: bool,
    pub error: Option<String>,
}

#[derive(Debug, Default)]
pub struct RunLog {
    entries: Vec<Entry>,
    /// Changed since the last write to the store.
    pub dirty: bool,
}

impl RunLog {
    /// A log that goes on from what is stored for a run.
    pub fn resume(stored: &str) -> RunLog {
        let entries = serde_json::from_str::<Vec<serde_json::Value>>(stored)
            .unwrap_or_default()
            .into_iter()
            .map(Entry::Earlier)
            .collect();
        RunLog {
            entries,
            dirty: false,
        }
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.entries.push(Entry::Note {
            note: note.into(),
            at: now_ms(),
        });
        self.dirty = true;
    }

    fn statement(&mut self, number: usize) -> Option<&mut StatementLog> {
        self.entries.iter_mut().rev().find_map(|e| match e {
            Entry::Statement(s) if s.number == number => Some(s),
            _ => None,
        })
    }

    pub fn on_event(&mut self, event: StatementEvent) {
        match event {
            StatementEvent::Started { number, line, text } => {
                self.entries.push(Entry::Statement(StatementLog {
                    number,
                    line,
                    text,
                    status: "RUNNING",
                    started_at: now_ms(),
                    duration_ms: None,
                    rows_affected: None,
                    applied: false,
                    error: None,
                }))
            }
            StatementEvent::Finished(result) => {
                if let Some(s) = self.statement(result.number) {
                    s.status = "DONE";
                    s.duration_ms = Some(result.duration.as_secs_f64() * 1000.0);
                    s.rows_affected = Some(result.rows_affected);
                    s.applied = result.applied;
                }
            }
            StatementEvent::Committed { .. } => {
                for e in &mut self.entries {
                    if let Entry::Statement(s) = e
                        && s.status == "DONE"
                    {
                        s.applied = true;
                    }
                }
            }
        }
        self.dirty = true;
    }

    /// Settle the log on the final report: what is applied is what the
    /// engine says is committed.
    pub fn on_report(&mut self, report: &ExecutionReport) {
        let applied = report.applied();
        for e in &mut self.entries {
            if let Entry::Statement(s) = e {
                s.applied = applied.contains(&s.number);
            }
        }
        self.dirty = true;
    }

    /// Mark the statement that failed with the server's error, and settle
    /// what was applied before it.
    pub fn on_stopped(&mut self, stopped: &Stopped) {
        self.on_report(&stopped.report);
        if let Some(failed) = &stopped.statement {
            let error = stopped.error.to_string();
            match self.statement(failed.number) {
                Some(s) => {
                    s.status = "FAILED";
                    s.error = Some(error);
                    s.duration_ms = Some((now_ms() - s.started_at) as f64);
                }
                None => self.entries.push(Entry::Statement(StatementLog {
                    number: failed.number,
                    line: failed.line,
                    text: failed.text.clone(),
                    status: "FAILED",
                    started_at: now_ms(),
                    duration_ms: None,
                    rows_affected: None,
                    applied: false,
                    error: Some(error),
                })),
            }
        }
        self.dirty = true;
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.entries).unwrap_or_default()
    }
}
