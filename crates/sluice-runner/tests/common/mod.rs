//! A Sluice world for runner tests: an app on an in-memory store, people
//! with each role, environments test and prod (prod protected), one
//! database per environment on a real server, and a running runner.

#![allow(dead_code)]

use sluice_app::issues::{IssueInput, IssueView};
use sluice_app::{App, AppConfig, Caller, DataSourceInput, InstanceInput, SecretBox};
use sluice_runner::{Runner, RunnerConfig};
use sluice_store::{Engine, IssueType, ProjectRole, Store, TaskStatus, WorkspaceRole};
use std::time::{Duration, Instant};

pub const PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
pub const MY_URL: &str = "mysql://root@127.0.0.1:3306/";

pub fn pg_url(database: &str) -> String {
    format!("postgres://postgres@127.0.0.1:5432/{database}")
}

pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        sluice_store::now_ms() % 1_000_000,
        N.fetch_add(1, Ordering::SeqCst)
    )
}

pub async fn pg(database: &str, sql: &str) {
    use sqlx::Connection;
    let url = pg_url(database);
    let mut conn = sqlx::PgConnection::connect(&url)
        .await
        .expect("PostgreSQL on 127.0.0.1:5432");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap();
}

pub async fn pg_scalar(database: &str, sql: &str) -> i64 {
    use sqlx::Connection;
    let url = pg_url(database);
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

pub async fn my(sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::MySqlConnection::connect(MY_URL)
        .await
        .expect("MariaDB on 127.0.0.1:3306");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap();
}

pub async fn my_scalar(sql: &str) -> i64 {
    use sqlx::Connection;
    let mut conn = sqlx::MySqlConnection::connect(MY_URL).await.unwrap();
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

pub struct World {
    pub app: App,
    pub owner: Caller,
    pub dba: Caller,
    pub dev: Caller,
    pub project_owner: Caller,
    pub outsider: Caller,
    pub engine: Engine,
    /// "instance/database" in test and in prod.
    pub test_db: String,
    pub prod_db: String,
    /// The database names on the servers, to clean up.
    pub names: Vec<String>,
    _dir: tempfile::TempDir,
}

pub async fn login(app: &App, email: &str) -> Caller {
    let session = app.log_in(email, "correct horse battery").await.unwrap();
    app.authenticate(&session.token).await.unwrap()
}

impl World {
    pub async fn new(engine: Engine) -> World {
        World::with_store(engine, Store::open_sqlite_memory().await.unwrap()).await
    }

    pub async fn with_store(engine: Engine, store: Store) -> World {
        let app = App::new(
            store,
            SecretBox::from_base64(&SecretBox::generate_key()).unwrap(),
            AppConfig::default(),
        );
        let session = app
            .sign_up("owner@example.com", "correct horse battery", "Olive Owner")
            .await
            .unwrap();
        let owner = app.authenticate(&session.token).await.unwrap();
        for (email, name, role) in [
            ("dba@example.com", "Dana DBA", WorkspaceRole::Dba),
            (
                "dev@example.com",
                "Devi Developer",
                WorkspaceRole::Developer,
            ),
            ("lead@example.com", "Lee Lead", WorkspaceRole::Developer),
            ("out@example.com", "Otto Outsider", WorkspaceRole::Developer),
        ] {
            app.create_user(&owner, email, name, "correct horse battery", role)
                .await
                .unwrap();
        }
        let dba = login(&app, "dba@example.com").await;
        let dev = login(&app, "dev@example.com").await;
        let project_owner = login(&app, "lead@example.com").await;
        let outsider = login(&app, "out@example.com").await;
        app.create_environment(&owner, "test", "Test", false)
            .await
            .unwrap();
        app.create_environment(&owner, "prod", "Prod", true)
            .await
            .unwrap();
        app.create_project(&owner, "shop", "Shop", "SHOP")
            .await
            .unwrap();
        app.create_project(&owner, "other", "Other", "OTHER")
            .await
            .unwrap();
        app.set_project_member(&owner, "shop", "dev@example.com", ProjectRole::Developer)
            .await
            .unwrap();
        app.set_project_member(&owner, "shop", "lead@example.com", ProjectRole::Owner)
            .await
            .unwrap();
        app.set_project_member(&owner, "other", "out@example.com", ProjectRole::Owner)
            .await
            .unwrap();

        let dir = tempfile::tempdir().unwrap();
        let base = unique("run");
        let names = vec![format!("{base}_t"), format!("{base}_p")];
        let mut targets = Vec::new();
        for (env, name) in ["test", "prod"].iter().zip(&names) {
            let instance = format!("{}-{env}", engine_word(engine));
            let admin = match engine {
                Engine::Postgres => {
                    pg("postgres", &format!("CREATE DATABASE {name}")).await;
                    DataSourceInput {
                        host: Some("127.0.0.1".into()),
                        port: Some(5432),
                        username: Some("postgres".into()),
                        ..Default::default()
                    }
                }
                Engine::Mysql | Engine::Mariadb => {
                    my(&format!("CREATE DATABASE {name}")).await;
                    DataSourceInput {
                        host: Some("127.0.0.1".into()),
                        port: Some(3306),
                        username: Some("root".into()),
                        ..Default::default()
                    }
                }
                Engine::Sqlite => {
                    let env_dir = dir.path().join(env);
                    std::fs::create_dir_all(&env_dir).unwrap();
                    let file = env_dir.join(format!("{name}.db"));
                    let options = sqlx::sqlite::SqliteConnectOptions::new()
                        .filename(&file)
                        .create_if_missing(true);
                    use sqlx::ConnectOptions;
                    let conn = options.connect().await.unwrap();
                    drop(conn);
                    DataSourceInput {
                        database: Some(env_dir.display().to_string()),
                        ..Default::default()
                    }
                }
            };
            app.create_instance(
                &owner,
                InstanceInput {
                    id: instance.clone(),
                    title: instance.clone(),
                    engine,
                    environment: env.to_string(),
                    admin,
                    read_only: None,
                },
            )
            .await
            .unwrap();
            app.sync_instance(&owner, &instance).await.unwrap();
            app.update_database(&owner, &instance, name, Some("shop"), None)
                .await
                .unwrap();
            app.sync_database(&owner, &instance, name).await.unwrap();
            targets.push(format!("{instance}/{name}"));
        }
        World {
            app,
            owner,
            dba,
            dev,
            project_owner,
            outsider,
            engine,
            test_db: targets[0].clone(),
            prod_db: targets[1].clone(),
            names,
            _dir: dir,
        }
    }

    pub fn runner(&self) -> Runner {
        Runner::new(
            self.app.clone(),
            RunnerConfig {
                tick: Duration::from_millis(200),
                lease: Duration::from_secs(3),
                ..Default::default()
            },
        )
    }

    pub async fn file(&self, who: &Caller, issue_type: IssueType, sql: &str) -> i64 {
        let input = IssueInput {
            title: "Add orders".into(),
            description: String::new(),
            issue_type,
            statement: sql.into(),
            targets: vec![self.test_db.clone(), self.prod_db.clone()],
            version: None,
            database: None,
        };
        self.app
            .create_issue(who, "shop", &input)
            .await
            .unwrap()
            .number
    }

    pub async fn view(&self, number: i64) -> IssueView {
        self.app
            .issue_view(&self.owner, "shop", number)
            .await
            .unwrap()
    }

    /// Wait until `done` holds for the issue (at most 30 s).
    pub async fn wait_for(
        &self,
        number: i64,
        what: &str,
        done: impl Fn(&IssueView) -> bool,
    ) -> IssueView {
        let start = Instant::now();
        loop {
            let view = self.view(number).await;
            if done(&view) {
                return view;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!(
                    "timed out waiting for {what}: {}",
                    serde_json::to_string_pretty(&view).unwrap()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn drop_databases(&self) {
        for name in &self.names {
            match self.engine {
                Engine::Postgres => {
                    pg(
                        "postgres",
                        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    )
                    .await
                }
                Engine::Mysql | Engine::Mariadb => {
                    my(&format!("DROP DATABASE IF EXISTS {name}")).await
                }
                Engine::Sqlite => {}
            }
        }
    }
}

pub fn engine_word(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => "pg",
        Engine::Mysql => "mysql",
        Engine::Mariadb => "maria",
        Engine::Sqlite => "lite",
    }
}

/// The status of the one task of a stage.
pub fn task_status(view: &IssueView, stage: usize) -> TaskStatus {
    view.pipeline.stages[stage].tasks[0].status
}

pub fn checks_done(view: &IssueView) -> bool {
    view.pipeline
        .stages
        .iter()
        .flat_map(|s| &s.tasks)
        .all(|t| !t.checks.is_empty() && t.checks_level != "RUNNING")
}
