//! Sync schema on each engine: a source with an extra table and column,
//! two targets that lack them (one also holds a table the source does not
//! have), and one already in sync. The preview plans each target; filing
//! refuses the dropping plan until its hazard is allowed, leaves the
//! target in sync out, and files one issue with a task per differing
//! target; once it has rolled out, every target matches the source. A
//! target of another engine is refused.

mod common;

use common::*;
use sluice_app::AppError;
use sluice_app::schema_sync::{
    Hazard, HazardAllowance, SchemaOrigin, SchemaSyncFiling, SchemaSyncRequest,
};
use sluice_store::{DataSourceKind, Engine, IssueStatus, IssueType, PlanCheckLevel, TaskStatus};

const BASE: &str = "CREATE TABLE customers (id bigint PRIMARY KEY, name varchar(100) NOT NULL);";
const SOURCE_EXTRA: &str = "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric(10,2));\n\
                            ALTER TABLE customers ADD COLUMN email varchar(200);";
const MARIADB_TRIGGER: &str = "CREATE TRIGGER orders_total BEFORE INSERT ON orders FOR EACH ROW \
                               BEGIN SET NEW.total = COALESCE(NEW.total, 0); SET NEW.customer_id = ABS(NEW.customer_id); END";
const LEGACY: &str = "CREATE TABLE legacy (id bigint PRIMARY KEY);";

/// Run `sql` on the database `target` ("instance/database") directly.
async fn exec(w: &World, target: &str, sql: &str) {
    let (instance, name) = target.split_once('/').unwrap();
    match w.engine {
        Engine::Postgres => pg(name, sql).await,
        Engine::Mysql | Engine::Mariadb => my(&format!("USE {name};\n{sql}")).await,
        Engine::Sqlite => {
            use sqlx::Connection;
            let inst = w.app.store.instance(instance).await.unwrap();
            let dir = &inst
                .data_source(DataSourceKind::Admin)
                .unwrap()
                .database_name;
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(std::path::Path::new(dir).join(format!("{name}.db")));
            let mut conn = sqlx::SqliteConnection::connect_with(&options)
                .await
                .unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}

/// A new database on `instance`, in project shop; its name is kept for
/// cleaning up.
async fn new_database(w: &mut World, instance: &str, suffix: &str) -> String {
    let name = format!("{}_{suffix}", w.names[0].trim_end_matches("_t"));
    w.app
        .create_database(&w.owner, instance, &name, &Default::default())
        .await
        .unwrap();
    w.app
        .update_database(&w.owner, instance, &name, Some("shop"), None)
        .await
        .unwrap();
    w.names.push(name.clone());
    format!("{instance}/{name}")
}

/// A database of another engine in project shop: SQLite in a temporary
/// directory, or PostgreSQL when the world is SQLite.
async fn foreign_database(w: &mut World, dir: &std::path::Path) -> (String, Option<String>) {
    use sluice_app::{DataSourceInput, InstanceInput};
    let (engine, admin, name) = if w.engine == Engine::Sqlite {
        let name = unique("sync_foreign");
        pg("postgres", &format!("CREATE DATABASE {name}")).await;
        let admin = DataSourceInput {
            host: Some("127.0.0.1".into()),
            port: Some(5432),
            username: Some("postgres".into()),
            ..Default::default()
        };
        (Engine::Postgres, admin, name)
    } else {
        let file = dir.join("foreign.db");
        std::fs::write(&file, b"").unwrap();
        let admin = DataSourceInput {
            database: Some(dir.display().to_string()),
            ..Default::default()
        };
        (Engine::Sqlite, admin, "foreign".to_string())
    };
    w.app
        .create_instance(
            &w.owner,
            InstanceInput {
                id: "foreign".into(),
                title: "Foreign".into(),
                engine,
                environment: "test".into(),
                admin,
                read_only: None,
            },
        )
        .await
        .unwrap();
    w.app.sync_instance(&w.owner, "foreign").await.unwrap();
    w.app
        .update_database(&w.owner, "foreign", &name, Some("shop"), None)
        .await
        .unwrap();
    let dropped = (engine == Engine::Postgres).then(|| name.clone());
    (format!("foreign/{name}"), dropped)
}

fn request(source: &str, targets: &[&str]) -> SchemaSyncRequest {
    SchemaSyncRequest {
        source: source.into(),
        changelog: None,
        targets: targets.iter().map(|t| t.to_string()).collect(),
        sync: true,
    }
}

async fn sync_schema(engine: Engine) {
    let mut w = World::new(engine).await;
    w.runner().spawn();
    let test_instance = w.test_db.split_once('/').unwrap().0.to_string();
    let source = new_database(&mut w, &test_instance, "src").await;
    let same = new_database(&mut w, &test_instance, "same").await;
    let (test_db, prod_db) = (w.test_db.clone(), w.prod_db.clone());
    for db in [&source, &same, &test_db, &prod_db] {
        exec(&w, db, BASE).await;
    }
    for db in [&source, &same] {
        exec(&w, db, SOURCE_EXTRA).await;
        if engine == Engine::Mariadb {
            // A trigger with a body: its plan step is wrapped in DELIMITER
            // lines, which filing, the checks and the engine all take.
            exec(&w, db, MARIADB_TRIGGER).await;
        }
    }
    exec(&w, &prod_db, LEGACY).await;

    // The preview: a plan per target; the one in sync has none.
    let targets = [test_db.as_str(), prod_db.as_str(), same.as_str()];
    let preview = w
        .app
        .preview_schema_sync(&w.dev, "shop", &request(&source, &targets))
        .await
        .unwrap();
    assert_eq!(preview.source.origin, SchemaOrigin::SyncedNow);
    assert!(
        preview.source.ddl.contains("orders"),
        "{}",
        preview.source.ddl
    );
    assert_eq!(preview.targets.len(), 3);
    for plan in &preview.targets[..2] {
        assert!(!plan.in_sync, "{} should differ", plan.database);
        assert!(!plan.ddl.contains("orders"), "{}", plan.ddl);
        assert!(plan.statement.contains("orders"), "{}", plan.statement);
        assert!(plan.statement.contains("email"), "{}", plan.statement);
        if engine == Engine::Mariadb {
            assert!(
                plan.statement.contains("DELIMITER ;;"),
                "{}",
                plan.statement
            );
        }
    }
    assert!(
        preview.targets[0].hazards.is_empty(),
        "{:?}",
        preview.targets[0].plan
    );
    assert!(
        preview.targets[1].hazards.contains(&Hazard::DeletesData),
        "{:?}",
        preview.targets[1].plan
    );
    assert!(preview.targets[2].in_sync, "{:?}", preview.targets[2].plan);
    assert!(preview.targets[2].statement.is_empty());

    // Dropping legacy needs its hazard allowed, by name.
    let mut filing = SchemaSyncFiling {
        request: request(&source, &targets),
        ..Default::default()
    };
    let err = w
        .app
        .file_schema_sync(&w.dev, "shop", &filing)
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, AppError::InvalidArgument { .. }), "{err}");
    assert!(
        message.contains(&prod_db) && message.contains("DELETES_DATA"),
        "{message}"
    );
    assert!(!message.contains(&test_db), "{message}");
    filing.allow_hazards = HazardAllowance::parse(&["deletes-data"]).unwrap();
    let (issue, _) = w
        .app
        .file_schema_sync(&w.dev, "shop", &filing)
        .await
        .unwrap();
    let view = w.view(issue.number).await;
    assert_eq!(view.summary.issue_type, IssueType::SchemaChange);
    let tasks: Vec<_> = view.pipeline.stages.iter().flat_map(|s| &s.tasks).collect();
    assert_eq!(tasks.len(), 2, "the target in sync gets no task");
    assert_eq!(tasks[0].target, test_db);
    assert_eq!(tasks[1].target, prod_db);
    assert_ne!(tasks[0].statement, tasks[1].statement);
    assert!(tasks[1].statement.contains("legacy"));
    assert!(!tasks[0].statement.contains("legacy"));

    // Rolled out the usual way: test by itself, prod approved and started.
    w.wait_for(issue.number, "the test stage", |v| {
        task_status(v, 0) == TaskStatus::Done
    })
    .await;
    w.app
        .approve_issue(&w.dba, "shop", issue.number)
        .await
        .unwrap();
    // Prod's strict review refuses dropping a table not named for deletion;
    // a DBA who checked that nothing reads legacy lets it run.
    let view = w.wait_for(issue.number, "prod's checks", checks_done).await;
    let prod = &view.pipeline.stages[1].tasks[0];
    assert_eq!(prod.checks_level, "ERROR", "{:?}", prod.checks);
    w.app
        .override_checks(
            &w.dba,
            "shop",
            issue.number,
            prod.id,
            "legacy is read by nothing",
        )
        .await
        .unwrap();
    w.app
        .run_stage(&w.dba, "shop", issue.number, "prod")
        .await
        .unwrap();
    w.wait_for(issue.number, "the issue to be DONE", |v| {
        v.summary.status == IssueStatus::Done
    })
    .await;

    // Every target now matches the source.
    let after = w
        .app
        .preview_schema_sync(&w.dev, "shop", &request(&source, &targets))
        .await
        .unwrap();
    for plan in &after.targets {
        assert!(
            plan.in_sync,
            "{} still differs: {}",
            plan.database, plan.statement
        );
    }
    let err = w
        .app
        .file_schema_sync(&w.dev, "shop", &filing)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::FailedPrecondition(_)), "{err}");
    assert!(err.to_string().contains("already in sync"), "{err}");

    // A target of another engine is refused, named.
    let dir = tempfile::tempdir().unwrap();
    let (foreign, foreign_pg) = foreign_database(&mut w, dir.path()).await;
    let err = w
        .app
        .preview_schema_sync(&w.dev, "shop", &request(&source, &[&test_db, &foreign]))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::InvalidArgument { .. }), "{err}");
    assert!(
        err.to_string().contains(&foreign) && err.to_string().contains("same engine"),
        "{err}"
    );
    // So is a database of another project, and an outsider.
    let err = w
        .app
        .preview_schema_sync(&w.outsider, "shop", &request(&source, &[&test_db]))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::PermissionDenied(_)), "{err}");
    w.app
        .update_database(
            &w.owner,
            &test_instance,
            same.split_once('/').unwrap().1,
            Some("other"),
            None,
        )
        .await
        .unwrap();
    let err = w
        .app
        .preview_schema_sync(&w.dev, "shop", &request(&source, &[&same]))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("belongs to project other"),
        "{err}"
    );

    if let Some(name) = foreign_pg {
        pg(
            "postgres",
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )
        .await;
    }
    w.drop_databases().await;
}

/// SQLite cannot make a column NOT NULL in place: the plan rebuilds the
/// table, copying its rows, and that copy is part of the schema change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_rebuild_keeps_the_rows() {
    let mut w = World::new(Engine::Sqlite).await;
    w.runner().spawn();
    let test_instance = w.test_db.split_once('/').unwrap().0.to_string();
    let source = new_database(&mut w, &test_instance, "src").await;
    let target = w.test_db.clone();
    exec(
        &w,
        &source,
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
    )
    .await;
    exec(
        &w,
        &target,
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);\n\
         INSERT INTO customers VALUES (7, 'Ada');",
    )
    .await;
    let filing = SchemaSyncFiling {
        request: request(&source, &[&target]),
        allow_hazards: HazardAllowance::all(),
        ..Default::default()
    };
    let (issue, preview) = w
        .app
        .file_schema_sync(&w.dev, "shop", &filing)
        .await
        .unwrap();
    let script = &preview.targets[0].statement;
    assert!(script.contains("INSERT INTO"), "{script}");
    // The statement type check takes the row copy as part of the change.
    let view = w.wait_for(issue.number, "the checks", checks_done).await;
    let task = &view.pipeline.stages[0].tasks[0];
    let kind = |k: &str| {
        task.checks
            .iter()
            .find(|c| c.kind.to_string() == k)
            .unwrap()
    };
    assert_ne!(
        kind("STATEMENT_TYPE").level,
        PlanCheckLevel::Error,
        "{:?}",
        task.checks
    );
    // The rebuild's PRAGMA passes the SYNTAX check: nothing blocks it.
    assert_ne!(
        kind("SYNTAX").level,
        PlanCheckLevel::Error,
        "{:?}",
        task.checks
    );
    let view = w
        .wait_for(issue.number, "the rebuild", |v| {
            task_status(v, 0) == TaskStatus::Done
        })
        .await;
    assert_eq!(view.summary.status, IssueStatus::Done);
    let after = w
        .app
        .preview_schema_sync(&w.dev, "shop", &request(&source, &[&target]))
        .await
        .unwrap();
    assert!(after.targets[0].in_sync, "{}", after.targets[0].statement);
    let schema = w
        .app
        .database_schema(&w.dev, &test_instance, target.split_once('/').unwrap().1)
        .await
        .unwrap();
    assert!(schema.ddl.contains("NOT NULL"), "{}", schema.ddl);
    let inst = w.app.store.instance(&test_instance).await.unwrap();
    let dir = &inst
        .data_source(DataSourceKind::Admin)
        .unwrap()
        .database_name;
    let name = target.split_once('/').unwrap().1;
    use sqlx::Connection;
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(std::path::Path::new(dir).join(format!("{name}.db")));
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .unwrap();
    let kept: String = sqlx::query_scalar("SELECT name FROM customers WHERE id = 7")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(kept, "Ada");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_schema_postgres() {
    sync_schema(Engine::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_schema_mariadb() {
    sync_schema(Engine::Mariadb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_schema_sqlite() {
    sync_schema(Engine::Sqlite).await;
}
