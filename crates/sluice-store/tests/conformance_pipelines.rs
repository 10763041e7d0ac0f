//! Conformance of issues and pipelines: filing with stages and tasks,
//! numbers, status and approval moves, lists, comments, the activity
//! timeline and plan checks. Every test runs on SQLite (a temporary file
//! and in memory) and on PostgreSQL, and must behave the same on each.

#[macro_use]
mod common;

use anyhow::Result;
use common::Ctx;
use common::pipelines::*;
use sluice_store::*;

on_every_backend!(
    create_issue_with_pipeline,
    create_issue_is_all_or_nothing,
    issue_numbers_count_per_project,
    concurrent_issue_creation_gets_distinct_numbers,
    issue_status_and_approval_moves,
    issue_list_filters_and_pages,
    comments_activity_and_plan_checks,
);

// ---------------------------------------------------------------- issues

async fn create_issue_with_pipeline(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let fx = fixture(store).await?;
    let mut new = schema_change(&fx, "Add table t");
    new.description = "Adds t.".into();
    new.risk = RiskLevel::Moderate;
    new.assignee_id = Some(fx.owner);
    new.approval_status = ApprovalStatus::Pending;
    new.subscribers = vec![fx.owner, fx.dev, fx.owner];
    new.stages[1].tasks.push(NewTask {
        db_id: None,
        instance_id: "prod-pg".into(),
        task_type: TaskType::CreateDatabase,
        statement: "CREATE DATABASE reports".into(),
        version: String::new(),
        payload: serde_json::json!({"name": "reports"}),
        status: TaskStatus::NotStarted,
    });
    let issue = store.create_issue(&new).await?;
    assert_eq!(issue.number, 1);
    assert_eq!(issue.project_id, "shop");
    assert_eq!(
        (issue.title.as_str(), issue.description.as_str()),
        ("Add table t", "Adds t.")
    );
    assert_eq!(issue.issue_type, IssueType::SchemaChange);
    assert_eq!(issue.status, IssueStatus::Open);
    assert_eq!(issue.risk, RiskLevel::Moderate);
    assert_eq!(
        (issue.creator_id, issue.assignee_id),
        (fx.dev, Some(fx.owner))
    );
    assert_eq!(issue.approval_status, ApprovalStatus::Pending);
    assert_eq!(store.issue_by_number("shop", 1).await?.id, issue.id);
    assert_eq!(store.issue(issue.id).await?.title, "Add table t");

    let pipeline = store.pipeline_of_issue(issue.id).await?;
    assert_eq!(pipeline.issue_id, issue.id);
    let envs: Vec<_> = pipeline
        .stages
        .iter()
        .map(|s| s.environment_id.as_str())
        .collect();
    assert_eq!(envs, ["test", "prod"]);
    let positions: Vec<_> = pipeline.stages.iter().map(|s| s.position).collect();
    assert_eq!(positions, [1, 2]);
    assert_eq!(
        statuses(&pipeline),
        [
            vec![TaskStatus::Pending],
            vec![TaskStatus::NotStarted, TaskStatus::NotStarted]
        ]
    );
    let test_task = &pipeline.stages[0].tasks[0];
    assert_eq!(test_task.db_id, Some(fx.test_db.id));
    assert_eq!(test_task.database_name.as_deref(), Some("shop"));
    assert_eq!(test_task.instance_id, "test-pg");
    assert_eq!(
        (test_task.issue_id, test_task.environment_id.as_str()),
        (issue.id, "test")
    );
    assert_eq!(pipeline.stages[1].tasks[0].environment_id, "prod");
    assert_eq!(test_task.task_type, TaskType::SchemaChange);
    assert_eq!(test_task.statement, "CREATE TABLE t (id INT)");
    assert_eq!(test_task.version, "20260101000000");
    assert_eq!(
        (test_task.claimed_by.as_deref(), test_task.lease_expires_at),
        (None, None)
    );
    let create = &pipeline.stages[1].tasks[1];
    assert_eq!(
        (create.db_id, create.database_name.as_deref()),
        (None, None)
    );
    assert_eq!(create.task_type, TaskType::CreateDatabase);
    let payload: serde_json::Value = serde_json::from_str(&create.payload)?;
    assert_eq!(payload, serde_json::json!({"name": "reports"}));
    assert_eq!(store.task(create.id).await?.instance_id, "prod-pg");

    assert_eq!(store.issue_subscribers(issue.id).await?, {
        let mut ids = vec![fx.owner, fx.dev];
        ids.sort();
        ids
    });
    let activity = store
        .list_issue_activity(issue.id, PageRequest::default())
        .await?;
    assert_eq!(activity.items.len(), 1);
    assert_eq!(activity.items[0].kind, ActivityKind::Created);
    assert_eq!(activity.items[0].principal_id, fx.dev);

    assert_err!(store.issue(issue.id + 100).await, NotFound);
    assert_err!(store.issue_by_number("shop", 2).await, NotFound);
    assert_err!(store.pipeline_of_issue(issue.id + 100).await, NotFound);
    assert_err!(store.task(999_999).await, NotFound);
    Ok(())
}

async fn create_issue_is_all_or_nothing(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let fx = fixture(store).await?;
    let mut new = schema_change(&fx, "bad");
    new.project_id = "nope".into();
    assert_err!(store.create_issue(&new).await, NotFound);

    // A stage naming a missing environment fails after the issue row was
    // written: nothing of it remains and its number is not used up.
    let mut new = schema_change(&fx, "bad");
    new.stages[1].environment_id = "staging".into();
    assert_err!(store.create_issue(&new).await, FailedPrecondition);
    let mut new = schema_change(&fx, "bad");
    new.stages[0].tasks[0].status = TaskStatus::Running;
    assert_err!(store.create_issue(&new).await, FailedPrecondition);
    let all = store
        .list_issues(&IssueFilter::default(), PageRequest::default())
        .await?;
    assert!(all.items.is_empty());

    let issue = store.create_issue(&schema_change(&fx, "good")).await?;
    assert_eq!(issue.number, 1);
    Ok(())
}

async fn issue_numbers_count_per_project(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let fx = fixture(store).await?;
    store.create_project("ops", "Ops", "OPS", fx.owner).await?;
    let mut numbers = Vec::new();
    for i in 0..3 {
        numbers.push(
            store
                .create_issue(&schema_change(&fx, &format!("shop {i}")))
                .await?
                .number,
        );
    }
    assert_eq!(numbers, [1, 2, 3]);
    let mut ops = schema_change(&fx, "ops");
    ops.project_id = "ops".into();
    assert_eq!(store.create_issue(&ops).await?.number, 1);
    assert_eq!(
        store
            .create_issue(&schema_change(&fx, "shop 4"))
            .await?
            .number,
        4
    );
    assert_eq!(store.issue_by_number("ops", 1).await?.title, "ops");
    Ok(())
}

async fn concurrent_issue_creation_gets_distinct_numbers(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let fx = fixture(store).await?;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            let new = schema_change(&fx, &format!("racer {i}"));
            tokio::spawn(async move { store.create_issue(&new).await })
        })
        .collect();
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.expect("create task")?.number);
    }
    numbers.sort();
    assert_eq!(numbers, (1..=8).collect::<Vec<i64>>());
    Ok(())
}

async fn issue_status_and_approval_moves(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let fx = fixture(store).await?;
    let issue = store.create_issue(&schema_change(&fx, "i")).await?;
    for &from in IssueStatus::ALL {
        for &to in IssueStatus::ALL {
            if !from.can_move_to(to) {
                assert_err!(
                    store.move_issue(issue.id, from, to).await,
                    FailedPrecondition
                );
            }
        }
    }
    assert!(
        store
            .move_issue(issue.id, IssueStatus::Open, IssueStatus::Canceled)
            .await?
    );
    assert!(
        !store
            .move_issue(issue.id, IssueStatus::Open, IssueStatus::Done)
            .await?
    );
    assert!(
        store
            .move_issue(issue.id, IssueStatus::Canceled, IssueStatus::Open)
            .await?
    );
    assert!(
        store
            .move_issue(issue.id, IssueStatus::Open, IssueStatus::Done)
            .await?
    );
    assert_eq!(store.issue(issue.id).await?.status, IssueStatus::Done);
    assert!(
        !store
            .move_issue(issue.id, IssueStatus::Canceled, IssueStatus::Open)
            .await?
    );

    use ApprovalStatus as A;
    assert_err!(
        store
            .move_issue_approval(issue.id, A::NotRequired, A::Approved)
            .await,
        FailedPrecondition
    );
    assert!(
        store
            .move_issue_approval(issue.id, A::NotRequired, A::Pending)
            .await?
    );
    assert!(
        store
            .move_issue_approval(issue.id, A::Pending, A::Approved)
            .await?
    );
    assert!(
        !store
            .move_issue_approval(issue.id, A::Pending, A::Rejected)
            .await?
    );
    assert_eq!(store.issue(issue.id).await?.approval_status, A::Approved);
    assert!(
        store
            .move_issue_approval(issue.id, A::Approved, A::Pending)
            .await?
    );

    let update = |title: Option<&str>, description: Option<&str>, assignee_id| IssueUpdate {
        title: title.map(Into::into),
        description: description.map(Into::into),
        risk: None,
        assignee_id,
    };
    let updated = store
        .update_issue(
            issue.id,
            &update(Some("Renamed"), None, Some(Some(fx.owner))),
        )
        .await?;
    assert_eq!(
        (updated.title.as_str(), updated.assignee_id),
        ("Renamed", Some(fx.owner))
    );
    let updated = store
        .update_issue(
            issue.id,
            &IssueUpdate {
                risk: Some(RiskLevel::High),
                ..update(None, Some("why"), None)
            },
        )
        .await?;
    assert_eq!(
        (updated.description.as_str(), updated.assignee_id),
        ("why", Some(fx.owner))
    );
    assert_eq!(updated.risk, RiskLevel::High);
    let updated = store
        .update_issue(issue.id, &update(None, None, Some(None)))
        .await?;
    assert_eq!(
        (updated.title.as_str(), updated.assignee_id),
        ("Renamed", None)
    );
    assert_eq!(updated.risk, RiskLevel::High);
    assert_err!(
        store
            .update_issue(issue.id + 100, &update(Some("x"), None, None))
            .await,
        NotFound
    );
    Ok(())
}

// ---------------------------------------------------------------- lists

async fn issue_list_filters_and_pages(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let fx = fixture(store).await?;
    store.create_project("ops", "Ops", "OPS", fx.owner).await?;
    // shop: 1 dev schema (test+prod), 2 owner data (prod only), 3 dev schema
    // canceled; ops: 1 owner schema.
    store.create_issue(&schema_change(&fx, "s1")).await?;
    let mut data = schema_change(&fx, "s2");
    data.issue_type = IssueType::DataChange;
    data.creator_id = fx.owner;
    data.stages.remove(0);
    store.create_issue(&data).await?;
    let third = store.create_issue(&schema_change(&fx, "s3")).await?;
    assert!(
        store
            .move_issue(third.id, IssueStatus::Open, IssueStatus::Canceled)
            .await?
    );
    let mut ops = schema_change(&fx, "o1");
    ops.project_id = "ops".into();
    ops.creator_id = fx.owner;
    store.create_issue(&ops).await?;

    let titles = |page: &Page<Issue>| {
        page.items
            .iter()
            .map(|i| i.title.clone())
            .collect::<Vec<_>>()
    };
    let all = PageRequest::default();
    let list = |filter: IssueFilter| async move { store.list_issues(&filter, all).await };
    assert_eq!(
        titles(&list(IssueFilter::default()).await?),
        ["o1", "s3", "s2", "s1"]
    );
    let shop = IssueFilter {
        project_id: Some("shop".into()),
        ..IssueFilter::default()
    };
    assert_eq!(titles(&list(shop.clone()).await?), ["s3", "s2", "s1"]);
    let open = IssueFilter {
        status: Some(IssueStatus::Open),
        ..shop.clone()
    };
    assert_eq!(titles(&list(open).await?), ["s2", "s1"]);
    let data_changes = IssueFilter {
        issue_type: Some(IssueType::DataChange),
        ..IssueFilter::default()
    };
    assert_eq!(titles(&list(data_changes).await?), ["s2"]);
    let by_owner = IssueFilter {
        creator_id: Some(fx.owner),
        ..IssueFilter::default()
    };
    assert_eq!(titles(&list(by_owner).await?), ["o1", "s2"]);
    let on_test_db = IssueFilter {
        db_id: Some(fx.test_db.id),
        project_id: Some("shop".into()),
        ..IssueFilter::default()
    };
    assert_eq!(titles(&list(on_test_db).await?), ["s3", "s1"]);
    // The developer filed in shop without being a member of it; the
    // member filter follows membership, not authorship.
    let dev_sees = IssueFilter {
        member: Some(fx.dev),
        ..IssueFilter::default()
    };
    assert!(list(dev_sees.clone()).await?.items.is_empty());
    store
        .set_project_member("ops", fx.dev, ProjectRole::Developer)
        .await?;
    assert_eq!(titles(&list(dev_sees).await?), ["o1"]);
    let owner_sees = IssueFilter {
        member: Some(fx.owner),
        ..IssueFilter::default()
    };
    assert_eq!(titles(&list(owner_sees).await?), ["o1", "s3", "s2", "s1"]);
    let nothing = IssueFilter {
        status: Some(IssueStatus::Done),
        ..IssueFilter::default()
    };
    assert!(list(nothing).await?.items.is_empty());

    let first = store
        .list_issues(
            &shop,
            PageRequest {
                offset: 0,
                limit: 2,
            },
        )
        .await?;
    assert_eq!(
        (titles(&first), first.next_offset),
        (vec!["s3".into(), "s2".into()], Some(2))
    );
    let second = store
        .list_issues(
            &shop,
            PageRequest {
                offset: 2,
                limit: 2,
            },
        )
        .await?;
    assert_eq!(
        (titles(&second), second.next_offset),
        (vec!["s1".to_string()], None)
    );
    Ok(())
}

// ---------------------------------------------------------------- timeline and checks

async fn comments_activity_and_plan_checks(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let fx = fixture(store).await?;
    let issue = store.create_issue(&schema_change(&fx, "talk")).await?;

    let c1 = store
        .add_issue_comment(issue.id, fx.dev, "Please review")
        .await?;
    assert_eq!(
        (c1.issue_id, c1.principal_id, c1.body.as_str()),
        (issue.id, fx.dev, "Please review")
    );
    store
        .add_issue_comment(issue.id, fx.owner, "Looks good, 'quoted' ✓")
        .await?;
    let comments = store
        .list_issue_comments(issue.id, PageRequest::default())
        .await?;
    let bodies: Vec<_> = comments.items.iter().map(|c| c.body.as_str()).collect();
    assert_eq!(bodies, ["Please review", "Looks good, 'quoted' ✓"]);
    let page = store
        .list_issue_comments(
            issue.id,
            PageRequest {
                offset: 1,
                limit: 1,
            },
        )
        .await?;
    assert_eq!((page.items.len(), page.next_offset), (1, None));
    assert_err!(
        store.add_issue_comment(999_999, fx.dev, "x").await,
        FailedPrecondition
    );

    store
        .append_issue_activity(
            issue.id,
            fx.dev,
            ActivityKind::Commented,
            &serde_json::json!({"comment": c1.id}),
        )
        .await?;
    let approved = store
        .append_issue_activity(
            issue.id,
            fx.owner,
            ActivityKind::Approved,
            &serde_json::json!({}),
        )
        .await?;
    assert_eq!(
        (approved.kind, approved.principal_id),
        (ActivityKind::Approved, fx.owner)
    );
    store
        .append_issue_activity(
            issue.id,
            1,
            ActivityKind::TaskStarted,
            &serde_json::json!({"task": 1}),
        )
        .await?;
    let timeline = store
        .list_issue_activity(issue.id, PageRequest::default())
        .await?;
    let kinds: Vec<_> = timeline
        .items
        .iter()
        .map(|a| (a.kind, a.principal_id))
        .collect();
    assert_eq!(
        kinds,
        [
            (ActivityKind::Created, fx.dev),
            (ActivityKind::Commented, fx.dev),
            (ActivityKind::Approved, fx.owner),
            (ActivityKind::TaskStarted, 1),
        ]
    );
    let payload: serde_json::Value = serde_json::from_str(&timeline.items[1].payload)?;
    assert_eq!(payload, serde_json::json!({"comment": c1.id}));

    store.subscribe_issue(issue.id, fx.owner).await?;
    store.subscribe_issue(issue.id, fx.owner).await?;
    assert_eq!(store.issue_subscribers(issue.id).await?, [fx.owner]);
    store.unsubscribe_issue(issue.id, fx.owner).await?;
    assert!(store.issue_subscribers(issue.id).await?.is_empty());

    let pipeline = store.pipeline_of_issue(issue.id).await?;
    let (t1, t2) = (
        pipeline.stages[0].tasks[0].id,
        pipeline.stages[1].tasks[0].id,
    );
    let check = |task_id, kind, level, results: serde_json::Value| NewPlanCheckRun {
        task_id,
        kind,
        status: PlanCheckStatus::Done,
        level,
        results,
    };
    let syntax = store
        .put_plan_check_run(&check(
            t1,
            PlanCheckKind::Syntax,
            PlanCheckLevel::Error,
            serde_json::json!([{"error": "near x"}]),
        ))
        .await?;
    assert_eq!((syntax.task_id, syntax.level), (t1, PlanCheckLevel::Error));
    store
        .put_plan_check_run(&check(
            t1,
            PlanCheckKind::Risk,
            PlanCheckLevel::Warning,
            serde_json::json!([]),
        ))
        .await?;
    store
        .put_plan_check_run(&check(
            t2,
            PlanCheckKind::Syntax,
            PlanCheckLevel::Success,
            serde_json::json!([]),
        ))
        .await?;
    // The SQL was fixed: the syntax check runs again and replaces the first.
    let again = store
        .put_plan_check_run(&check(
            t1,
            PlanCheckKind::Syntax,
            PlanCheckLevel::Success,
            serde_json::json!([]),
        ))
        .await?;
    assert_eq!(
        (again.level, again.results.as_str()),
        (PlanCheckLevel::Success, "[]")
    );
    let of_t1 = store.list_plan_check_runs(t1).await?;
    let seen: Vec<_> = of_t1.iter().map(|c| (c.kind, c.level)).collect();
    assert_eq!(
        seen,
        [
            (PlanCheckKind::Risk, PlanCheckLevel::Warning),
            (PlanCheckKind::Syntax, PlanCheckLevel::Success)
        ]
    );
    let of_pipeline = store.list_pipeline_plan_check_runs(pipeline.id).await?;
    let seen: Vec<_> = of_pipeline.iter().map(|c| (c.task_id, c.kind)).collect();
    assert_eq!(
        seen,
        [
            (t1, PlanCheckKind::Risk),
            (t1, PlanCheckKind::Syntax),
            (t2, PlanCheckKind::Syntax)
        ]
    );
    Ok(())
}
