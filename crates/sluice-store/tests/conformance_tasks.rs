//! Conformance of tasks, task runs and the changelog: the state machine
//! move by move, compare-and-set, claims and leases, attempts, applied
//! versions. Every test runs on SQLite (a temporary file and in memory) and
//! on PostgreSQL, and must behave the same on each.

#[macro_use]
mod common;

use anyhow::Result;
use common::Ctx;
use common::pipelines::*;
use sluice_store::*;
use std::time::Duration;

on_every_backend!(
    every_task_transition_in_the_store,
    compare_and_set_loses_when_the_status_changed,
    concurrent_claims_make_one_winner,
    expired_lease_lets_another_worker_take_over,
    one_running_task_per_database,
    task_runs_count_attempts,
    finish_task_writes_task_run_and_changelog_together,
    changelog_and_applied_version,
);

// ---------------------------------------------------------------- state machines

/// DESIGN.md section 4, plus PENDING → CANCELED (withdraw a queued task).
fn task_move_allowed(from: TaskStatus, to: TaskStatus) -> bool {
    use TaskStatus::*;
    [
        (NotStarted, Pending),
        (Pending, Running),
        (Pending, Canceled),
        (Running, Done),
        (Running, Failed),
        (Running, Canceled),
        (Failed, Pending),
        (Canceled, Pending),
        (NotStarted, Skipped),
        (Failed, Skipped),
        (Canceled, Skipped),
    ]
    .contains(&(from, to))
}

#[test]
fn state_machines_match_the_design() {
    for &from in TaskStatus::ALL {
        for &to in TaskStatus::ALL {
            assert_eq!(
                from.can_move_to(to),
                task_move_allowed(from, to),
                "task {from} → {to}"
            );
        }
    }
    assert!(TaskStatus::Done.is_final() && TaskStatus::Skipped.is_final());
    assert!(!TaskStatus::Failed.is_final());

    use IssueStatus as I;
    let issue = [
        (I::Open, I::Done),
        (I::Open, I::Canceled),
        (I::Canceled, I::Open),
    ];
    for &from in I::ALL {
        for &to in I::ALL {
            assert_eq!(
                from.can_move_to(to),
                issue.contains(&(from, to)),
                "issue {from} → {to}"
            );
        }
    }

    use TaskRunStatus as R;
    let run = [
        (R::Pending, R::Running),
        (R::Pending, R::Canceled),
        (R::Running, R::Done),
        (R::Running, R::Failed),
        (R::Running, R::Canceled),
    ];
    for &from in R::ALL {
        for &to in R::ALL {
            assert_eq!(
                from.can_move_to(to),
                run.contains(&(from, to)),
                "run {from} → {to}"
            );
        }
    }

    use ApprovalStatus as A;
    let approval = [
        (A::NotRequired, A::Pending),
        (A::Pending, A::NotRequired),
        (A::Pending, A::Approved),
        (A::Pending, A::Rejected),
        (A::Approved, A::Pending),
        (A::Rejected, A::Pending),
    ];
    for &from in A::ALL {
        for &to in A::ALL {
            assert_eq!(
                from.can_move_to(to),
                approval.contains(&(from, to)),
                "approval {from} → {to}"
            );
        }
    }
}

// ---------------------------------------------------------------- tasks

/// Bring a NOT_STARTED task to `status` through the store's own moves.
async fn drive_to(store: &Store, id: i64, status: TaskStatus) -> Result<()> {
    use TaskStatus::*;
    let moved = match status {
        NotStarted => true,
        Pending => store.move_task(id, NotStarted, Pending).await?,
        Running => {
            store.move_task(id, NotStarted, Pending).await?
                && store.claim_task(id, "driver", LEASE).await? == Claim::Started
        }
        Done | Failed | Canceled => {
            store.move_task(id, NotStarted, Pending).await?
                && store.claim_task(id, "driver", LEASE).await? == Claim::Started
                && store.release_task(id, "driver", status).await?
        }
        Skipped => store.skip_task(id, NotStarted, "not needed").await?,
    };
    anyhow::ensure!(moved, "could not bring task {id} to {status}");
    assert_eq!(store.task(id).await?.status, status);
    Ok(())
}

/// Every pair of task statuses, from the enum's ALL × ALL: an allowed move
/// succeeds and lands, a forbidden one is refused and changes nothing.
async fn every_task_transition_in_the_store(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let fx = fixture(store).await?;
    let pairs: Vec<(TaskStatus, TaskStatus)> = TaskStatus::ALL
        .iter()
        .flat_map(|&from| TaskStatus::ALL.iter().map(move |&to| (from, to)))
        .collect();
    // A database per task: only one task may run on a database at a time.
    let mut new = schema_change(&fx, "transitions");
    new.stages.truncate(1);
    new.stages[0].tasks.clear();
    for i in 0..pairs.len() {
        let db = store.upsert_database("test-pg", &format!("t{i}")).await?;
        new.stages[0]
            .tasks
            .push(task_on(&db, TaskStatus::NotStarted));
    }
    let issue = store.create_issue(&new).await?;
    let tasks = store.pipeline_of_issue(issue.id).await?.stages[0]
        .tasks
        .clone();
    assert_eq!(tasks.len(), pairs.len());

    let (mut allowed, mut refused) = (0, 0);
    for (task, &(from, to)) in tasks.iter().zip(&pairs) {
        drive_to(store, task.id, from).await?;
        let what = format!("{from} → {to}");
        if !task_move_allowed(from, to) {
            refused += 1;
            assert_err!(store.move_task(task.id, from, to).await, FailedPrecondition);
            assert_eq!(
                store.task(task.id).await?.status,
                from,
                "{what} changed nothing"
            );
        } else if to == TaskStatus::Running {
            allowed += 1;
            // Only a claim enters RUNNING, so that it always has a lease.
            assert_err!(store.move_task(task.id, from, to).await, FailedPrecondition);
            assert_eq!(store.claim_task(task.id, "w", LEASE).await?, Claim::Started);
            let task = store.task(task.id).await?;
            assert_eq!(task.status, TaskStatus::Running);
            assert_eq!(task.claimed_by.as_deref(), Some("w"));
            assert!(task.lease_expires_at.is_some());
        } else {
            allowed += 1;
            let moved = if to == TaskStatus::Skipped {
                store.skip_task(task.id, from, "covered elsewhere").await?
            } else {
                store.move_task(task.id, from, to).await?
            };
            assert!(moved, "{what} moves");
            let task = store.task(task.id).await?;
            assert_eq!(task.status, to, "{what} lands");
            assert_eq!(
                (task.claimed_by, task.lease_expires_at),
                (None, None),
                "{what} holds no claim"
            );
            if to == TaskStatus::Skipped {
                assert_eq!(task.skip_reason, "covered elsewhere");
            }
        }
    }
    assert_eq!((allowed, refused), (11, pairs.len() - 11));
    Ok(())
}

async fn compare_and_set_loses_when_the_status_changed(cx: Ctx) -> Result<()> {
    use TaskStatus::*;
    let store = &cx.store;
    let fx = fixture(store).await?;
    let task = single_task(store, &fx, NotStarted).await?;
    assert!(store.move_task(task.id, NotStarted, Pending).await?);
    // A second mover that still believes the task is NOT_STARTED loses.
    assert!(!store.move_task(task.id, NotStarted, Pending).await?);
    assert!(!store.skip_task(task.id, NotStarted, "late").await?);
    assert_eq!(store.task(task.id).await?.skip_reason, "");
    assert!(store.move_task(task.id, Pending, Canceled).await?);
    assert!(!store.move_task(task.id, Pending, Canceled).await?);
    // A claim of a task that is no longer PENDING loses too.
    assert_eq!(store.claim_task(task.id, "w", LEASE).await?, Claim::Lost);
    assert!(!store.move_task(task.id, Failed, Pending).await?);
    assert!(store.move_task(task.id, Canceled, Pending).await?);
    assert_eq!(store.task(task.id).await?.status, Pending);
    assert!(!store.move_task(999_999, Canceled, Pending).await?);

    // The statement changes only from the status the caller saw.
    assert!(
        store
            .update_task_statement(task.id, Pending, "SELECT 1", "v2")
            .await?
    );
    assert!(
        !store
            .update_task_statement(task.id, NotStarted, "SELECT 2", "v3")
            .await?
    );
    assert_err!(
        store
            .update_task_statement(task.id, Running, "SELECT 3", "v4")
            .await,
        FailedPrecondition
    );
    let task = store.task(task.id).await?;
    assert_eq!(
        (task.statement.as_str(), task.version.as_str()),
        ("SELECT 1", "v2")
    );
    Ok(())
}

async fn concurrent_claims_make_one_winner(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let fx = fixture(store).await?;
    let task = single_task(store, &fx, TaskStatus::Pending).await?;
    let racers: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let worker = format!("worker-{i}");
                let claim = store.claim_task(task.id, &worker, LEASE).await;
                (worker, claim)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for racer in racers {
        let (worker, claim) = racer.await.expect("claim task");
        let claim = claim?;
        match claim {
            Claim::Started => winners.push(worker),
            Claim::Lost => {}
            Claim::TakenOver | Claim::Busy => anyhow::bail!("{worker}: unexpected {claim:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one claim wins: {winners:?}");
    let winner = &winners[0];
    let loser = if winner == "worker-0" {
        "worker-1"
    } else {
        "worker-0"
    };
    let held = store.task(task.id).await?;
    assert_eq!(held.status, TaskStatus::Running);
    assert_eq!(held.claimed_by.as_deref(), Some(winner.as_str()));

    assert!(!store.renew_lease(task.id, loser, LEASE).await?);
    assert!(store.renew_lease(task.id, winner, LEASE).await?);
    assert!(!store.release_task(task.id, loser, TaskStatus::Done).await?);
    assert_err!(
        store
            .release_task(task.id, winner, TaskStatus::Pending)
            .await,
        FailedPrecondition
    );
    assert!(store.list_expired_tasks(now_ms()).await?.is_empty());

    // A user cancels the running task: the claim is dropped, so the worker
    // learns it lost when it renews or releases.
    assert!(
        store
            .move_task(task.id, TaskStatus::Running, TaskStatus::Canceled)
            .await?
    );
    assert!(!store.renew_lease(task.id, winner, LEASE).await?);
    assert!(
        !store
            .release_task(task.id, winner, TaskStatus::Done)
            .await?
    );
    assert_eq!(store.task(task.id).await?.status, TaskStatus::Canceled);
    Ok(())
}

async fn expired_lease_lets_another_worker_take_over(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let fx = fixture(store).await?;
    let task = single_task(store, &fx, TaskStatus::Pending).await?;
    assert_eq!(
        store.claim_task(task.id, "crashed", Duration::ZERO).await?,
        Claim::Started
    );
    tokio::time::sleep(Duration::from_millis(5)).await;
    let expired = store.list_expired_tasks(now_ms()).await?;
    assert_eq!(expired.iter().map(|t| t.id).collect::<Vec<_>>(), [task.id]);

    assert_eq!(
        store.claim_task(task.id, "rescuer", LEASE).await?,
        Claim::TakenOver
    );
    // Now the lease holds again: nobody else gets it.
    assert_eq!(
        store.claim_task(task.id, "third", LEASE).await?,
        Claim::Lost
    );
    assert!(store.list_expired_tasks(now_ms()).await?.is_empty());
    assert!(!store.renew_lease(task.id, "crashed", LEASE).await?);
    assert!(
        !store
            .release_task(task.id, "crashed", TaskStatus::Done)
            .await?
    );
    let held = store.task(task.id).await?;
    assert_eq!(
        (held.status, held.claimed_by.as_deref()),
        (TaskStatus::Running, Some("rescuer"))
    );

    // The rescuer resolves it (say, not applied: FAILED, retryable).
    assert!(
        store
            .release_task(task.id, "rescuer", TaskStatus::Failed)
            .await?
    );
    let done = store.task(task.id).await?;
    assert_eq!(
        (done.status, done.claimed_by, done.lease_expires_at),
        (TaskStatus::Failed, None, None)
    );
    Ok(())
}

async fn one_running_task_per_database(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let fx = fixture(store).await?;
    // Eight issues, each with a queued task on the test database, and
    // eight workers racing for them: one runs, the others find it busy.
    let mut ids = Vec::new();
    for _ in 0..8 {
        ids.push(single_task(store, &fx, TaskStatus::Pending).await?.id);
    }
    let racers: Vec<_> = ids
        .iter()
        .map(|&id| {
            let store = store.clone();
            tokio::spawn(async move { (id, store.claim_task(id, &format!("w{id}"), LEASE).await) })
        })
        .collect();
    let (mut started, mut busy) = (Vec::new(), 0);
    for racer in racers {
        let (id, claim) = racer.await.expect("claim task");
        match claim? {
            Claim::Started => started.push(id),
            Claim::Busy => busy += 1,
            other => anyhow::bail!("task {id}: unexpected {other:?}"),
        }
    }
    assert_eq!(
        (started.len(), busy),
        (1, 7),
        "one task runs on the database"
    );
    let running = started[0];
    let waiting = *ids
        .iter()
        .find(|&&id| id != running)
        .expect("a waiting task");
    assert_eq!(store.task(waiting).await?.status, TaskStatus::Pending);
    assert_eq!(
        store.claim_task(waiting, "again", LEASE).await?,
        Claim::Busy
    );

    // Another database is not held up.
    let mut prod = schema_change(&fx, "prod only");
    prod.stages.remove(0);
    prod.stages[0].tasks[0].status = TaskStatus::Pending;
    let prod = store.create_issue(&prod).await?;
    let prod_task = store.pipeline_of_issue(prod.id).await?.stages[0].tasks[0].id;
    assert_eq!(
        store.claim_task(prod_task, "p", LEASE).await?,
        Claim::Started
    );

    // Once the running task ends, the next one may start.
    assert!(
        store
            .release_task(running, &format!("w{running}"), TaskStatus::Done)
            .await?
    );
    assert_eq!(
        store.claim_task(waiting, "again", LEASE).await?,
        Claim::Started
    );
    Ok(())
}

async fn task_runs_count_attempts(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let fx = fixture(store).await?;
    let task = single_task(store, &fx, TaskStatus::Pending).await?;
    let first = store.start_task_run(task.id, 1).await?;
    assert_eq!(
        (first.attempt, first.status, first.creator_id),
        (1, TaskRunStatus::Running, 1)
    );
    assert!(first.started_at.is_some() && first.ended_at.is_none());
    assert_eq!(first.log, "[]");
    let log = serde_json::json!([{"statement": "CREATE TABLE t (id INT)", "duration_ms": 3}]);
    assert!(store.set_task_run_log(first.id, &log).await?);
    assert_err!(
        store
            .finish_task_run(first.id, TaskRunStatus::Pending, "", &log)
            .await,
        FailedPrecondition
    );
    let failed_log =
        serde_json::json!([{"statement": "CREATE TABLE t (id INT)", "error": "exists"}]);
    assert!(
        store
            .finish_task_run(
                first.id,
                TaskRunStatus::Failed,
                "relation t exists",
                &failed_log
            )
            .await?
    );
    assert!(
        !store
            .finish_task_run(first.id, TaskRunStatus::Done, "", &log)
            .await?
    );
    assert!(!store.set_task_run_log(first.id, &log).await?);
    let first = store.task_run(first.id).await?;
    assert_eq!(
        (first.status, first.result.as_str()),
        (TaskRunStatus::Failed, "relation t exists")
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&first.log)?,
        failed_log
    );
    assert!(first.ended_at.is_some());

    let second = store.start_task_run(task.id, fx.owner).await?;
    assert_eq!((second.attempt, second.creator_id), (2, fx.owner));
    assert!(
        store
            .finish_task_run(second.id, TaskRunStatus::Done, "ok", &log)
            .await?
    );
    let pipeline_runs = store.list_pipeline_task_runs(task.pipeline_id).await?;
    assert_eq!(
        pipeline_runs.iter().map(|r| r.attempt).collect::<Vec<_>>(),
        [1, 2]
    );
    let other = single_task(store, &fx, TaskStatus::Pending).await?;
    store.start_task_run(other.id, 1).await?;
    assert_eq!(
        store.list_pipeline_task_runs(task.pipeline_id).await?.len(),
        2
    );
    let runs = store.list_task_runs(task.id).await?;
    let seen: Vec<_> = runs.iter().map(|r| (r.attempt, r.status)).collect();
    assert_eq!(seen, [(1, TaskRunStatus::Failed), (2, TaskRunStatus::Done)]);
    assert_err!(store.start_task_run(999_999, 1).await, NotFound);
    assert_err!(store.task_run(999_999).await, NotFound);
    Ok(())
}

fn outcome(task: &Task, worker: &str, run: &TaskRun, status: TaskStatus) -> TaskOutcome {
    TaskOutcome {
        task_id: task.id,
        worker: worker.into(),
        run_id: run.id,
        status,
        result: format!("{status}"),
        log: serde_json::json!([{"statement": "CREATE TABLE t (id INT)"}]),
        changelog: None,
    }
}

async fn finish_task_writes_task_run_and_changelog_together(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let fx = fixture(store).await?;
    let task = single_task(store, &fx, TaskStatus::Pending).await?;
    assert_eq!(
        store.claim_task(task.id, "w1", LEASE).await?,
        Claim::Started
    );
    let run = store.start_task_run(task.id, 1).await?;
    let mut done = outcome(&task, "w1", &run, TaskStatus::Done);
    let mut entry = change(&fx, "v1", ChangelogStatus::Done);
    entry.task_run_id = Some(run.id);
    entry.issue_id = Some(task.issue_id);
    done.changelog = Some(entry);
    assert_err!(
        store
            .finish_task(&TaskOutcome {
                status: TaskStatus::Skipped,
                ..done.clone()
            })
            .await,
        FailedPrecondition
    );
    assert!(store.finish_task(&done).await?);
    let finished = store.task(task.id).await?;
    assert_eq!(
        (finished.status, finished.claimed_by),
        (TaskStatus::Done, None)
    );
    let run = store.task_run(run.id).await?;
    assert_eq!(
        (run.status, run.result.as_str()),
        (TaskRunStatus::Done, "DONE")
    );
    assert!(run.ended_at.is_some());
    let applied = store
        .applied_version(fx.test_db.id, "v1")
        .await?
        .expect("v1 recorded");
    assert_eq!(
        (applied.task_run_id, applied.issue_id),
        (Some(run.id), Some(task.issue_id))
    );
    assert!(!store.finish_task(&done).await?, "a task ends once");

    // A worker whose lease expired and was taken over writes nothing.
    let task = single_task(store, &fx, TaskStatus::Pending).await?;
    assert_eq!(
        store.claim_task(task.id, "slow", Duration::ZERO).await?,
        Claim::Started
    );
    let run = store.start_task_run(task.id, 1).await?;
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(
        store.claim_task(task.id, "rescuer", LEASE).await?,
        Claim::TakenOver
    );
    let mut late = outcome(&task, "slow", &run, TaskStatus::Done);
    late.changelog = Some(change(&fx, "v2", ChangelogStatus::Done));
    assert!(!store.finish_task(&late).await?);
    assert!(store.applied_version(fx.test_db.id, "v2").await?.is_none());
    assert_eq!(store.task_run(run.id).await?.status, TaskRunStatus::Running);
    let held = store.task(task.id).await?;
    assert_eq!(
        (held.status, held.claimed_by.as_deref()),
        (TaskStatus::Running, Some("rescuer"))
    );

    // The holder's run already ended elsewhere: the task move is rolled
    // back with the rest.
    assert!(
        store
            .finish_task_run(
                run.id,
                TaskRunStatus::Failed,
                "interrupted",
                &serde_json::json!([])
            )
            .await?
    );
    assert!(
        !store
            .finish_task(&outcome(&task, "rescuer", &run, TaskStatus::Failed))
            .await?
    );
    let held = store.task(task.id).await?;
    assert_eq!(
        (held.status, held.claimed_by.as_deref()),
        (TaskStatus::Running, Some("rescuer"))
    );
    assert!(
        store
            .release_task(task.id, "rescuer", TaskStatus::Failed)
            .await?
    );
    Ok(())
}

// ---------------------------------------------------------------- changelog

fn change(fx: &Fixture, version: &str, status: ChangelogStatus) -> NewChangelog {
    NewChangelog {
        db_id: fx.test_db.id,
        version: version.into(),
        changelog_type: ChangelogType::Migrate,
        statement: format!("-- {version}"),
        checksum: format!("sha256:{version}"),
        schema_before: "before".into(),
        schema_after: String::new(),
        issue_id: None,
        task_run_id: None,
        creator_id: 1,
        status,
        duration_ms: 7,
    }
}

async fn changelog_and_applied_version(cx: Ctx) -> Result<()> {
    use ChangelogStatus::*;
    let store = &cx.store;
    let fx = fixture(store).await?;
    let task = single_task(store, &fx, TaskStatus::Pending).await?;
    let run = store.start_task_run(task.id, 1).await?;
    let issue = store
        .list_issues(&IssueFilter::default(), PageRequest::default())
        .await?
        .items[0]
        .id;

    let mut baseline = change(&fx, "0000", Done);
    baseline.changelog_type = ChangelogType::Baseline;
    store.append_changelog(&baseline).await?;
    let mut v1 = change(&fx, "v1", Done);
    v1.issue_id = Some(issue);
    v1.task_run_id = Some(run.id);
    v1.schema_after = "after".into();
    let v1 = store.append_changelog(&v1).await?;
    assert_eq!((v1.issue_id, v1.task_run_id), (Some(issue), Some(run.id)));
    assert_eq!(
        (v1.changelog_type, v1.status, v1.duration_ms),
        (ChangelogType::Migrate, Done, 7)
    );
    assert_eq!(
        (v1.schema_before.as_str(), v1.schema_after.as_str()),
        ("before", "after")
    );
    assert_eq!(v1.checksum, "sha256:v1");

    let applied = store
        .applied_version(fx.test_db.id, "v1")
        .await?
        .expect("v1 applied");
    assert_eq!(applied.id, v1.id);
    assert!(
        store.applied_version(fx.prod_db.id, "v1").await?.is_none(),
        "per database"
    );
    assert!(store.applied_version(fx.test_db.id, "v9").await?.is_none());

    let v2 = store.append_changelog(&change(&fx, "v2", Pending)).await?;
    assert!(
        store.applied_version(fx.test_db.id, "v2").await?.is_none(),
        "pending is not applied"
    );
    assert_err!(
        store.finish_changelog(v2.id, Pending, "", 0).await,
        FailedPrecondition
    );
    assert!(store.finish_changelog(v2.id, Done, "after v2", 12).await?);
    assert!(!store.finish_changelog(v2.id, Failed, "", 0).await?);
    let v2 = store
        .applied_version(fx.test_db.id, "v2")
        .await?
        .expect("v2 applied");
    assert_eq!((v2.schema_after.as_str(), v2.duration_ms), ("after v2", 12));
    store.append_changelog(&change(&fx, "v3", Failed)).await?;
    assert!(
        store.applied_version(fx.test_db.id, "v3").await?.is_none(),
        "failed is not applied"
    );

    let first = store
        .list_changelogs(
            fx.test_db.id,
            PageRequest {
                offset: 0,
                limit: 3,
            },
        )
        .await?;
    let versions: Vec<_> = first.items.iter().map(|c| c.version.as_str()).collect();
    assert_eq!(versions, ["v3", "v2", "v1"]);
    assert_eq!(first.next_offset, Some(3));
    let rest = store
        .list_changelogs(
            fx.test_db.id,
            PageRequest {
                offset: 3,
                limit: 3,
            },
        )
        .await?;
    assert_eq!(
        rest.items
            .iter()
            .map(|c| c.version.as_str())
            .collect::<Vec<_>>(),
        ["0000"]
    );
    assert_eq!(rest.items[0].changelog_type, ChangelogType::Baseline);
    assert_eq!(rest.next_offset, None);
    assert!(
        store
            .list_changelogs(fx.prod_db.id, PageRequest::default())
            .await?
            .items
            .is_empty()
    );

    let mut orphan = change(&fx, "v4", Done);
    orphan.db_id = 999_999;
    assert_err!(store.append_changelog(&orphan).await, FailedPrecondition);
    assert_err!(store.changelog(999_999).await, NotFound);
    Ok(())
}
