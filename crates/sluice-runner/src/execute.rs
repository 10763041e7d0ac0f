//! Executing one claimed task: a run is opened, the change goes through
//! the engine with its statement log written as it happens, the claim is
//! renewed while it runs (and a lost claim cancels the statement on the
//! server), and the outcome, the run and the changelog entry are written
//! together, only while this worker still holds the task. A schema change
//! that is DONE then gets its reverse plan kept with its changelog entry.

use crate::Runner;
use crate::log::RunLog;
use serde_json::json;
use sluice_engine::{CancelHandle, ChangeRecord, Engine, ExecutionError, StatementEvent};
use sluice_store::{
    ActivityKind, ChangelogStatus, ChangelogType, NewChangelog, PageRequest, Task, TaskOutcome,
    TaskRun, TaskStatus, TaskType, now_ms,
};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often a growing log is written to the store.
const LOG_FLUSH: Duration = Duration::from_millis(250);

type AnyResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// How a task ended, before it is written.
pub(crate) struct Ending {
    pub status: TaskStatus,
    pub result: String,
    pub changelog: Option<NewChangelog>,
}

pub(crate) async fn run(runner: &Runner, task: Task) -> AnyResult<()> {
    let app = &runner.app;
    let creator = task.run_requested_by.unwrap_or(1);
    let run = app.store.start_task_run(task.id, creator).await?;
    app.store
        .append_issue_activity(
            task.issue_id,
            creator,
            ActivityKind::TaskStarted,
            &json!({"task_id": task.id, "target": target(&task), "attempt": run.attempt}),
        )
        .await?;
    let log = Arc::new(Mutex::new(RunLog::default()));
    let ending = match task.task_type {
        TaskType::CreateDatabase => create_database(runner, &task).await,
        TaskType::SchemaChange | TaskType::DataChange => apply(runner, &task, &run, &log).await,
    };
    let ending = ending.unwrap_or_else(|err| Ending {
        status: TaskStatus::Failed,
        result: err.to_string(),
        changelog: None,
    });
    finish(runner, &task, &run, &log, ending).await
}

/// Write the outcome with the run and the changelog entry; if the claim
/// was lost meanwhile (a user cancelled, another worker took over), only
/// the run is closed.
pub(crate) async fn finish(
    runner: &Runner,
    task: &Task,
    run: &TaskRun,
    log: &Arc<Mutex<RunLog>>,
    ending: Ending,
) -> AnyResult<()> {
    let app = &runner.app;
    let log_json = log.lock().unwrap_or_else(|p| p.into_inner()).to_json();
    let outcome = TaskOutcome {
        task_id: task.id,
        worker: runner.config.worker.clone(),
        run_id: run.id,
        status: ending.status,
        result: ending.result.clone(),
        log: log_json.clone(),
        changelog: ending.changelog,
    };
    let (kind, status) = if app.store.finish_task(&outcome).await? {
        if ending.status == TaskStatus::Done && outcome.changelog.is_some() {
            keep_reverse(runner, task, run).await;
        }
        let kind = match ending.status {
            TaskStatus::Done => ActivityKind::TaskDone,
            TaskStatus::Canceled => ActivityKind::TaskCanceled,
            _ => ActivityKind::TaskFailed,
        };
        (Some(kind), ending.status)
    } else {
        // The task left RUNNING under us: a person cancelled it (the
        // activity is theirs) or another worker holds it now.
        let run_status = match ending.status {
            TaskStatus::Done => sluice_store::TaskRunStatus::Done,
            TaskStatus::Failed => sluice_store::TaskRunStatus::Failed,
            _ => sluice_store::TaskRunStatus::Canceled,
        };
        app.store
            .finish_task_run(run.id, run_status, &ending.result, &log_json)
            .await?;
        (None, ending.status)
    };
    if let Some(kind) = kind {
        app.store
            .append_issue_activity(
                task.issue_id,
                1,
                kind,
                &json!({"task_id": task.id, "target": target(task), "status": status, "result": ending.result}),
            )
            .await?;
    }
    if status == TaskStatus::Done {
        app.complete_issue_if_done(task.issue_id).await?;
    }
    Ok(())
}

/// Keep the way back from a schema change with the changelog entry its
/// run wrote. A failure here is logged, never the task's: the change is
/// applied either way, and the entry then simply has no reverse.
async fn keep_reverse(runner: &Runner, task: &Task, run: &TaskRun) {
    if task.task_type != TaskType::SchemaChange {
        return;
    }
    let app = &runner.app;
    let entry = match app.store.changelog_of_run(run.id).await {
        Ok(Some(entry)) => entry,
        Ok(None) => return,
        Err(err) => {
            tracing::warn!(task = task.id, %err, "cannot read the changelog entry to plan its reverse");
            return;
        }
    };
    match app.keep_reverse(&entry).await {
        Ok(reverse) if reverse.statement.is_empty() => {
            tracing::info!(task = task.id, changelog = entry.id, note = %reverse.note, "no reverse plan")
        }
        Ok(_) => {}
        Err(err) => {
            tracing::warn!(task = task.id, changelog = entry.id, %err, "cannot keep the reverse plan")
        }
    }
}

/// Apply a schema or data change through the engine.
async fn apply(
    runner: &Runner,
    task: &Task,
    run: &TaskRun,
    log: &Arc<Mutex<RunLog>>,
) -> AnyResult<Ending> {
    let app = &runner.app;
    let database = task
        .database_name
        .clone()
        .ok_or("the task names no database")?;
    let instance = app.store.instance(&task.instance_id).await?;
    let engine = app.admin_engine(&instance).await?;
    let db = app.store.database(&task.instance_id, &database).await?;
    let schema_before = schema_json(runner, &task.instance_id, &database, db.id).await;
    record_baseline(runner, task, db.id, &schema_before).await?;

    let issue = app.store.issue(task.issue_id).await?;
    let who = app.store.principal(run.creator_id).await?;
    let change = ChangeRecord {
        version: task.version.clone(),
        description: format!("{}#{} {}", issue.project_id, issue.number, issue.title),
        who: if who.email.is_empty() {
            who.name
        } else {
            who.email
        },
    };
    let handle = CancelHandle::new();
    let started = Instant::now();
    let outcome = {
        let log_for_events = log.clone();
        let mut progress = move |event: StatementEvent| {
            log_for_events
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .on_event(event);
        };
        let execution = engine.execute(&database, &task.statement, &change, &handle, &mut progress);
        tokio::pin!(execution);
        watch(runner, task, run, log, &engine, &handle, execution).await
    };
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let changelog_type = match task.task_type {
        TaskType::DataChange => ChangelogType::Data,
        _ => ChangelogType::Migrate,
    };
    let entry = |checksum: String, schema_after: String| NewChangelog {
        db_id: db.id,
        version: task.version.clone(),
        changelog_type,
        statement: task.statement.clone(),
        checksum,
        schema_before: schema_before.clone(),
        schema_after,
        issue_id: Some(task.issue_id),
        task_run_id: Some(run.id),
        creator_id: run.creator_id,
        status: ChangelogStatus::Done,
        duration_ms,
    };
    Ok(match outcome {
        Ok(report) => {
            log.lock()
                .unwrap_or_else(|p| p.into_inner())
                .on_report(&report);
            let schema_after = schema_after(runner, task, &database, &schema_before).await;
            Ending {
                status: TaskStatus::Done,
                result: format!(
                    "applied {} statement(s) in {} ms",
                    report.statements.len(),
                    report.duration.as_millis()
                ),
                changelog: Some(entry(report.checksum, schema_after)),
            }
        }
        Err(ExecutionError::AlreadyApplied(prior)) => {
            let checksum = sluice_engine::checksum(&task.statement);
            if prior.status == sluice_engine::HistoryStatus::Done && prior.checksum == checksum {
                let note = format!(
                    "version {} is already applied on {} (sluice_history row {}, {}): not run again",
                    prior.version,
                    target(task),
                    prior.id,
                    prior.when()
                );
                log.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .note(note.clone());
                let recorded = app
                    .store
                    .applied_version(db.id, &task.version)
                    .await?
                    .is_some();
                let schema_after = schema_after(runner, task, &database, &schema_before).await;
                Ending {
                    status: TaskStatus::Done,
                    result: note,
                    changelog: (!recorded).then(|| entry(checksum, schema_after)),
                }
            } else {
                Ending {
                    status: TaskStatus::Failed,
                    result: format!(
                        "{}: {}",
                        ExecutionError::AlreadyApplied(prior.clone()),
                        if prior.status == sluice_engine::HistoryStatus::Done {
                            "with a different script; give this change a new version"
                        } else {
                            "check the database by hand, then skip this task or fix the row"
                        }
                    ),
                    changelog: None,
                }
            }
        }
        Err(ExecutionError::NotStarted(err)) => Ending {
            status: TaskStatus::Failed,
            result: format!("not started: {err}; nothing was applied"),
            changelog: None,
        },
        Err(ExecutionError::Stopped(stopped)) => {
            log.lock()
                .unwrap_or_else(|p| p.into_inner())
                .on_stopped(&stopped);
            let applied = stopped.report.applied();
            let what_applied = if applied.is_empty() {
                "nothing was applied".to_string()
            } else {
                format!(
                    "statement(s) {} were applied before it stopped",
                    applied
                        .iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let status = if stopped.canceled {
                TaskStatus::Canceled
            } else {
                TaskStatus::Failed
            };
            let why = match &stopped.statement {
                Some(s) => format!(
                    "statement {} (line {}) failed: {}",
                    s.number, s.line, stopped.error
                ),
                None if stopped.canceled => "cancelled".to_string(),
                None => stopped.error.to_string(),
            };
            Ending {
                status,
                result: format!("{why}; {what_applied}"),
                changelog: None,
            }
        }
    })
}

/// Drive an execution to its end while writing the log as it grows and
/// renewing the claim; a claim that cannot be renewed (cancelled by a
/// person, or taken over) cancels the statement on the server.
async fn watch<F, T>(
    runner: &Runner,
    task: &Task,
    run: &TaskRun,
    log: &Arc<Mutex<RunLog>>,
    engine: &Engine,
    handle: &CancelHandle,
    mut execution: std::pin::Pin<&mut F>,
) -> T
where
    F: std::future::Future<Output = T>,
{
    let store = &runner.app.store;
    let renew_every = runner.config.lease / 3;
    let mut last_renewal = Instant::now();
    let mut cancelled = false;
    loop {
        tokio::select! {
            result = &mut execution => {
                return result;
            }
            _ = tokio::time::sleep(LOG_FLUSH) => {}
        }
        let snapshot = {
            let mut log = log.lock().unwrap_or_else(|p| p.into_inner());
            std::mem::take(&mut log.dirty).then(|| log.to_json())
        };
        if let Some(json) = snapshot
            && let Err(err) = store.set_task_run_log(run.id, &json).await
        {
            tracing::warn!(task = task.id, %err, "cannot write the task log");
        }
        // Check the claim often (a cancel should act within a second) but
        // extend it only every third of the lease.
        if !cancelled && last_renewal.elapsed() >= Duration::from_secs(1).min(renew_every) {
            last_renewal = Instant::now();
            match store
                .renew_lease(task.id, &runner.config.worker, runner.config.lease)
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    cancelled = true;
                    tracing::info!(
                        task = task.id,
                        "task no longer ours: cancelling its statement"
                    );
                    if let Err(err) = engine.cancel(handle).await {
                        tracing::warn!(task = task.id, %err, "cannot cancel the running statement");
                    }
                }
                Err(err) => tracing::warn!(task = task.id, %err, "cannot renew the task's lease"),
            }
        }
    }
}

/// The database's schema as kept at the last sync (as catalog JSON);
/// synced now if it never was.
async fn schema_json(runner: &Runner, instance: &str, database: &str, db_id: i64) -> String {
    let app = &runner.app;
    if let Ok(Some(snapshot)) = app.store.schema_snapshot(db_id).await {
        return snapshot.catalog;
    }
    sync(runner, instance, database).await.unwrap_or_default()
}

/// Sync the database's schema now; its catalog JSON.
async fn sync(runner: &Runner, instance: &str, database: &str) -> Option<String> {
    let app = &runner.app;
    let bot = app.system_bot().await.ok()?;
    match app.sync_database(&bot, instance, database).await {
        Ok(schema) => serde_json::to_string(&schema.catalog).ok(),
        Err(err) => {
            tracing::warn!(instance, database, %err, "cannot sync the schema after a change");
            None
        }
    }
}

/// The schema after a change: a schema change is synced at once; a data
/// change leaves it as it was.
pub(crate) async fn schema_after(
    runner: &Runner,
    task: &Task,
    database: &str,
    before: &str,
) -> String {
    match task.task_type {
        TaskType::SchemaChange => sync(runner, &task.instance_id, database)
            .await
            .unwrap_or_default(),
        _ => before.to_string(),
    }
}

/// Before the first change Sluice makes to a database, record the schema
/// it found there as a BASELINE, so that every later change has a before.
async fn record_baseline(runner: &Runner, task: &Task, db_id: i64, schema: &str) -> AnyResult<()> {
    let store = &runner.app.store;
    let first = PageRequest {
        offset: 0,
        limit: 1,
    };
    if !store.list_changelogs(db_id, first).await?.items.is_empty() {
        return Ok(());
    }
    let ddl = serde_json::from_str::<sluice_schema::Catalog>(schema)
        .map(|c| sluice_schema::render::ddl(&c))
        .unwrap_or_default();
    store
        .append_changelog(&NewChangelog {
            db_id,
            version: format!("baseline-{}", now_ms()),
            changelog_type: ChangelogType::Baseline,
            checksum: sluice_engine::checksum(&ddl),
            statement: ddl,
            schema_before: String::new(),
            schema_after: schema.to_string(),
            issue_id: Some(task.issue_id),
            task_run_id: None,
            creator_id: 1,
            status: ChangelogStatus::Done,
            duration_ms: 0,
        })
        .await?;
    Ok(())
}

/// Create the database a CREATE_DATABASE task names, then register it in
/// the issue's project and sync its schema.
async fn create_database(runner: &Runner, task: &Task) -> AnyResult<Ending> {
    #[derive(serde::Deserialize)]
    struct Payload {
        name: String,
        #[serde(default)]
        options: sluice_engine::CreateDatabaseOptions,
    }
    let app = &runner.app;
    let payload: Payload = serde_json::from_str(&task.payload)?;
    let instance = app.store.instance(&task.instance_id).await?;
    let engine = app.admin_engine(&instance).await?;
    if let Err(err) = engine
        .create_database(&payload.name, &payload.options)
        .await
    {
        return Ok(Ending {
            status: TaskStatus::Failed,
            result: format!("cannot create database {}: {err}", payload.name),
            changelog: None,
        });
    }
    register_database(runner, task, &payload.name).await?;
    Ok(Ending {
        status: TaskStatus::Done,
        result: format!("created database {} on {}", payload.name, task.instance_id),
        changelog: None,
    })
}

/// Put a database created by a task in its issue's project, and sync it.
pub(crate) async fn register_database(runner: &Runner, task: &Task, name: &str) -> AnyResult<()> {
    let app = &runner.app;
    let issue = app.store.issue(task.issue_id).await?;
    app.store.upsert_database(&task.instance_id, name).await?;
    app.store
        .update_database(&task.instance_id, name, Some(&issue.project_id), None)
        .await?;
    sync(runner, &task.instance_id, name).await;
    Ok(())
}

pub(crate) fn target(task: &Task) -> String {
    sluice_app::issues::target(task)
}
