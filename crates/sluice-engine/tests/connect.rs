//! Connecting, testing, listing and creating databases on real servers:
//! PostgreSQL at 127.0.0.1:5432 and MariaDB at 127.0.0.1:3306, and SQLite
//! files. Every failure comes back as its kind, within the timeout.

use sluice_engine::{ConnectionConfig, CreateDatabaseOptions, Engine, EngineKind, ErrorKind};
use std::time::{Duration, Instant};

fn postgres() -> ConnectionConfig {
    let mut c = ConnectionConfig::new(EngineKind::Postgres);
    c.host = "127.0.0.1".into();
    c.port = 5432;
    c.username = "postgres".into();
    c
}

fn mariadb() -> ConnectionConfig {
    let mut c = ConnectionConfig::new(EngineKind::Mariadb);
    c.host = "127.0.0.1".into();
    c.port = 3306;
    c.username = "root".into();
    c
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

async fn fails_with(config: ConnectionConfig, kind: ErrorKind) -> String {
    let started = Instant::now();
    let limit = config.connect_timeout + Duration::from_secs(2);
    let err = Engine::new(config)
        .test()
        .await
        .expect_err("expected a failure");
    assert_eq!(err.kind, kind, "{err:?}");
    assert!(started.elapsed() < limit, "took {:?}", started.elapsed());
    err.message
}

#[tokio::test]
async fn postgres_test_list_create() {
    let info = Engine::new(postgres())
        .test()
        .await
        .expect("PostgreSQL must run on 127.0.0.1:5432");
    assert_eq!(info.flavor, EngineKind::Postgres);
    assert!(
        info.version.chars().next().unwrap().is_ascii_digit(),
        "{}",
        info.version
    );

    let name = unique("sluice_eng");
    let engine = Engine::new(postgres());
    let options = CreateDatabaseOptions {
        encoding: Some("UTF8".into()),
        template: Some("template0".into()),
        ..Default::default()
    };
    engine.create_database(&name, &options).await.unwrap();
    let listed = engine.list_databases().await.unwrap();
    assert!(listed.contains(&name), "{listed:?}");
    assert!(!listed.iter().any(|d| d.starts_with("template")));
    let again = engine.create_database(&name, &options).await.unwrap_err();
    assert_eq!(
        (again.kind, again.code.as_deref()),
        (ErrorKind::Query, Some("42P04"))
    );
    drop_pg(&name).await;
}

async fn drop_pg(name: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect("postgres://postgres@127.0.0.1:5432/postgres")
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
}

#[tokio::test]
async fn postgres_failures_are_sorted() {
    let mut c = postgres();
    c.username = "no_such_role_here".into();
    fails_with(c, ErrorKind::AuthenticationFailed).await;

    let mut c = postgres();
    c.database = "no_such_database_here".into();
    let message = fails_with(c, ErrorKind::DatabaseMissing).await;
    assert!(message.contains("no_such_database_here"), "{message}");

    let mut c = postgres();
    c.port = closed_port();
    fails_with(c, ErrorKind::Unreachable).await;

    // A role without CREATEDB may connect but not create.
    let role = unique("sluice_norole");
    pg_exec(&format!("CREATE ROLE {role} LOGIN")).await;
    let mut c = postgres();
    c.username = role.clone();
    let err = Engine::new(c)
        .create_database(&unique("sluice_denied"), &Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::PermissionDenied, "{err:?}");
    pg_exec(&format!("DROP ROLE {role}")).await;
}

async fn pg_exec(sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect("postgres://postgres@127.0.0.1:5432/postgres")
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn unreachable_hosts_time_out() {
    // A server that accepts and never answers: the connect timeout must fire.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(2).collect();
        std::thread::sleep(Duration::from_secs(10));
        drop(held);
    });
    for mut c in [postgres(), mariadb()] {
        c.port = port;
        c.connect_timeout = Duration::from_secs(1);
        let message = fails_with(c, ErrorKind::Unreachable).await;
        assert!(message.contains("did not answer"), "{message}");
    }

    let mut c = mariadb();
    c.host = "no-such-host.invalid".into();
    c.connect_timeout = Duration::from_secs(3);
    fails_with(c, ErrorKind::Unreachable).await;
}

#[tokio::test]
async fn a_server_that_hangs_up_is_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(2) {
            drop(stream);
        }
    });
    for mut c in [postgres(), mariadb()] {
        c.port = port;
        c.connect_timeout = Duration::from_secs(3);
        let err = Engine::new(c).test().await.unwrap_err();
        assert!(
            matches!(err.kind, ErrorKind::ConnectionLost | ErrorKind::Unreachable),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn mariadb_test_list_create() {
    let info = Engine::new(mariadb())
        .test()
        .await
        .expect("MariaDB must run on 127.0.0.1:3306");
    assert_eq!(info.flavor, EngineKind::Mariadb, "{}", info.version);

    let engine = Engine::new(mariadb());
    let name = unique("sluice_eng");
    let options = CreateDatabaseOptions {
        charset: Some("utf8mb4".into()),
        collation: Some("utf8mb4_bin".into()),
        ..Default::default()
    };
    engine.create_database(&name, &options).await.unwrap();
    let listed = engine.list_databases().await.unwrap();
    assert!(listed.contains(&name));
    assert!(
        !listed
            .iter()
            .any(|d| d == "mysql" || d == "information_schema")
    );
    let pg_options = CreateDatabaseOptions {
        owner: Some("x".into()),
        ..Default::default()
    };
    assert_eq!(
        engine
            .create_database("x", &pg_options)
            .await
            .unwrap_err()
            .kind,
        ErrorKind::InvalidInput
    );

    let mut c = mariadb();
    c.database = name.clone();
    Engine::new(c).test().await.unwrap();
    {
        use sqlx::Connection;
        let mut conn = sqlx::MySqlConnection::connect("mysql://root@127.0.0.1:3306/")
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE `{name}`")))
            .execute(&mut conn)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn mariadb_failures_are_sorted() {
    let mut c = mariadb();
    c.username = "no_such_user_here".into();
    c.password = "wrong".into();
    fails_with(c, ErrorKind::AuthenticationFailed).await;
    let mut c = mariadb();
    c.database = "no_such_database_here".into();
    fails_with(c, ErrorKind::DatabaseMissing).await;
    let mut c = mariadb();
    c.port = closed_port();
    fails_with(c, ErrorKind::Unreachable).await;
}

#[tokio::test]
async fn sqlite_files_and_directories() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = ConnectionConfig::new(EngineKind::Sqlite);
    c.database = dir.path().to_string_lossy().into_owned();
    let engine = Engine::new(c.clone());
    assert_eq!(engine.test().await.unwrap().flavor, EngineKind::Sqlite);
    assert!(engine.list_databases().await.unwrap().is_empty());
    engine
        .create_database("shop", &Default::default())
        .await
        .unwrap();
    engine
        .create_database("audit", &Default::default())
        .await
        .unwrap();
    assert_eq!(
        engine.list_databases().await.unwrap(),
        vec!["audit", "shop"]
    );
    assert_eq!(
        engine
            .create_database("shop", &Default::default())
            .await
            .unwrap_err()
            .kind,
        ErrorKind::Query
    );
    assert_eq!(
        engine
            .create_database("../evil", &Default::default())
            .await
            .unwrap_err()
            .kind,
        ErrorKind::InvalidInput
    );

    // A single file is an instance with one database.
    let mut file = c.clone();
    file.database = dir.path().join("shop.db").to_string_lossy().into_owned();
    let single = Engine::new(file);
    single.test().await.unwrap();
    assert_eq!(single.list_databases().await.unwrap(), vec!["shop"]);

    let mut missing = c.clone();
    missing.database = dir.path().join("nope.db").to_string_lossy().into_owned();
    fails_with(missing, ErrorKind::DatabaseMissing).await;

    let junk = dir.path().join("junk.db");
    std::fs::write(
        &junk,
        b"this is not a database at all, just some text long enough",
    )
    .unwrap();
    let mut not_db = c;
    not_db.database = junk.to_string_lossy().into_owned();
    let err = Engine::new(not_db).test().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput, "{err:?}");
}

fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
