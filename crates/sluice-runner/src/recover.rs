//! Resolving a task whose worker died: its lease expired while it was
//! RUNNING, and this runner has taken the claim over. Whether the change
//! is on the target is read from the target's own `sluice_history`
//! (written in the change's transaction on PostgreSQL and SQLite, before
//! and after it on MySQL), never guessed, and nothing runs again here:
//! a change found applied is DONE, one not found is FAILED "interrupted"
//! and can be retried, and a retry is refused by the engine if the
//! history says the version is applied.

use crate::Runner;
use crate::execute::{Ending, finish, register_database, schema_after, target};
use crate::log::RunLog;
use sluice_engine::HistoryStatus;
use sluice_store::{
    ChangelogStatus, ChangelogType, NewChangelog, Task, TaskRunStatus, TaskStatus, TaskType,
};
use std::sync::{Arc, Mutex};

type AnyResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub(crate) async fn resolve(runner: &Runner, task: Task) -> AnyResult<()> {
    let app = &runner.app;
    // The dead worker's run, or a new one if it died before opening one.
    let runs = app.store.list_task_runs(task.id).await?;
    let run = match runs
        .into_iter()
        .rev()
        .find(|r| r.status == TaskRunStatus::Running)
    {
        Some(run) => run,
        None => app.store.start_task_run(task.id, 1).await?,
    };
    let log = Arc::new(Mutex::new(RunLog::resume(&run.log)));
    let instance = app.store.instance(&task.instance_id).await?;
    let engine = app.admin_engine(&instance).await?;
    let ending = match task.task_type {
        TaskType::CreateDatabase => {
            let name: String = serde_json::from_str::<serde_json::Value>(&task.payload)?["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            // Unreachable target: leave the claim to expire and try later.
            let existing = engine.list_databases().await?;
            if existing.contains(&name) {
                register_database(runner, &task, &name).await?;
                Ending {
                    status: TaskStatus::Done,
                    result: format!(
                        "the server running this task stopped; database {name} exists on {}, so it was created",
                        task.instance_id
                    ),
                    changelog: None,
                }
            } else {
                interrupted(&task)
            }
        }
        TaskType::SchemaChange | TaskType::DataChange => {
            let database = task
                .database_name
                .clone()
                .ok_or("the task names no database")?;
            let history = engine.history(&database).await?;
            let entry = history.iter().rev().find(|e| e.version == task.version);
            match entry {
                Some(e) if e.status == HistoryStatus::Done => {
                    let db = app.store.database(&task.instance_id, &database).await?;
                    let before = app
                        .store
                        .schema_snapshot(db.id)
                        .await?
                        .map(|s| s.catalog)
                        .unwrap_or_default();
                    let recorded = app
                        .store
                        .applied_version(db.id, &task.version)
                        .await?
                        .is_some();
                    let after = schema_after(runner, &task, &database, &before).await;
                    let changelog = (!recorded).then(|| NewChangelog {
                        db_id: db.id,
                        version: task.version.clone(),
                        changelog_type: if task.task_type == TaskType::DataChange {
                            ChangelogType::Data
                        } else {
                            ChangelogType::Migrate
                        },
                        statement: task.statement.clone(),
                        checksum: e.checksum.clone(),
                        schema_before: before,
                        schema_after: after,
                        issue_id: Some(task.issue_id),
                        task_run_id: Some(run.id),
                        creator_id: run.creator_id,
                        status: ChangelogStatus::Done,
                        duration_ms: e.duration_ms.unwrap_or(0),
                    });
                    Ending {
                        status: TaskStatus::Done,
                        result: format!(
                            "the server running this task stopped; sluice_history row {} on {} says version {} was applied at {}, so it is DONE and was not run again",
                            e.id,
                            target(&task),
                            e.version,
                            e.when()
                        ),
                        changelog,
                    }
                }
                Some(e) if e.status == HistoryStatus::Pending => Ending {
                    status: TaskStatus::Failed,
                    result: format!(
                        "interrupted: the server running this task stopped and sluice_history row {} on {} is still PENDING, so part of the change may be applied (this engine commits each DDL statement); check the database, then skip this task or fix the row",
                        e.id,
                        target(&task)
                    ),
                    changelog: None,
                },
                _ => interrupted(&task),
            }
        }
    };
    log.lock()
        .unwrap_or_else(|p| p.into_inner())
        .note(ending.result.clone());
    finish(runner, &task, &run, &log, ending).await
}

fn interrupted(task: &Task) -> Ending {
    Ending {
        status: TaskStatus::Failed,
        result: format!(
            "interrupted: the server running this task stopped before the change committed on {}; nothing was applied, retry to run it",
            target(task)
        ),
        changelog: None,
    }
}
