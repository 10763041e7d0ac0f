//! Drift through the API, on PostgreSQL, MariaDB and SQLite targets: a
//! change Sluice's runner makes is not drift; one made behind its back
//! (through a direct connection) is reported at the next sync with its
//! Changes and DDL, on /metrics and on the database's timeline; a
//! developer may not accept it, a DBA may, which records a BASELINE and
//! brings the database back in sync. Also: drift that goes away by itself,
//! a first baseline, refusals, and the PostgreSQL metadata store.

mod common;

use common::{Harness, Reply};
use serde_json::{Value, json};
use sluice_store::{PrincipalKind, ProjectRole, Store, WorkspaceRole};
use std::time::{Duration, Instant};

const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const MARIADB: &str = "mysql://root@127.0.0.1:3306/";

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        sluice_store::now_ms() % 1_000_000,
        N.fetch_add(1, Ordering::SeqCst)
    )
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    Postgres,
    Mariadb,
    Sqlite,
}

/// A database on one engine, reached directly (behind Sluice's back).
struct Db {
    target: Target,
    name: String,
    dir: tempfile::TempDir,
}

impl Db {
    async fn create(target: Target) -> Db {
        let db = Db {
            target,
            name: unique("drift"),
            dir: tempfile::tempdir().unwrap(),
        };
        match target {
            Target::Postgres => pg(PG_ADMIN, &format!("CREATE DATABASE {}", db.name)).await,
            Target::Mariadb => my(MARIADB, &format!("CREATE DATABASE {}", db.name)).await,
            Target::Sqlite => {}
        }
        db.run("CREATE TABLE item (id bigint PRIMARY KEY, name varchar(50))")
            .await;
        db
    }

    /// Run SQL on the database through a connection of its own.
    async fn run(&self, sql: &str) {
        match self.target {
            Target::Postgres => {
                pg(
                    &format!("postgres://postgres@127.0.0.1:5432/{}", self.name),
                    sql,
                )
                .await
            }
            Target::Mariadb => my(&format!("{MARIADB}{}", self.name), sql).await,
            Target::Sqlite => {
                use sqlx::Connection;
                let options = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(self.dir.path().join(format!("{}.db", self.name)))
                    .create_if_missing(true);
                let mut conn = sqlx::SqliteConnection::connect_with(&options)
                    .await
                    .unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                conn.close().await.unwrap();
            }
        }
    }

    /// The body of `POST /v1/instances` for an instance holding it.
    fn instance(&self, id: &str) -> Value {
        match self.target {
            Target::Postgres => {
                json!({"id": id, "title": id, "engine": "POSTGRES", "environment": "test",
                "host": "127.0.0.1", "port": 5432, "username": "postgres", "tls_mode": "DISABLE"})
            }
            Target::Mariadb => {
                json!({"id": id, "title": id, "engine": "MARIADB", "environment": "test",
                "host": "127.0.0.1", "port": 3306, "username": "root", "tls_mode": "DISABLE"})
            }
            Target::Sqlite => {
                json!({"id": id, "title": id, "engine": "SQLITE", "environment": "test",
                "database": self.dir.path()})
            }
        }
    }

    async fn drop(&self) {
        match self.target {
            Target::Postgres => {
                pg(
                    PG_ADMIN,
                    &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
                )
                .await
            }
            Target::Mariadb => my(MARIADB, &format!("DROP DATABASE IF EXISTS {}", self.name)).await,
            Target::Sqlite => {}
        }
    }
}

async fn pg(url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL must run on 127.0.0.1:5432: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap();
}

async fn my(url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::MySqlConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("MariaDB must run on 127.0.0.1:3306: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap();
}

/// A workspace with environment `test` (automatic rollout), project
/// `shop`, the database on instance `inst` in it, and people: the Owner,
/// a DBA, and a developer of the project.
struct Estate {
    h: Harness,
    db: Db,
    owner: String,
    dba: String,
    dba_id: i64,
    dev: String,
    base: String,
}

async fn estate(target: Target, store: Store) -> Estate {
    let h = Harness::on(store).await;
    let owner = h.owner().await;
    let (dba_id, dba) = h
        .principal(
            PrincipalKind::EndUser,
            "dba@example.com",
            WorkspaceRole::Dba,
            None,
        )
        .await;
    let (dev_id, dev) = h
        .principal(
            PrincipalKind::EndUser,
            "dev@example.com",
            WorkspaceRole::Developer,
            None,
        )
        .await;
    let ok = |r: Reply, status: u16| {
        assert_eq!(r.status, status, "{}", r.text);
        r
    };
    ok(
        h.call(
            "POST",
            "/v1/environments",
            Some(&owner),
            Some(json!({"id": "test", "title": "Test"})),
        )
        .await,
        201,
    );
    ok(
        h.call(
            "POST",
            "/v1/projects",
            Some(&owner),
            Some(json!({"id": "shop", "title": "Shop", "key": "SHOP"})),
        )
        .await,
        201,
    );
    h.member("shop", dev_id, ProjectRole::Developer).await;
    let db = Db::create(target).await;
    ok(
        h.call(
            "POST",
            "/v1/instances",
            Some(&owner),
            Some(db.instance("inst")),
        )
        .await,
        201,
    );
    ok(
        h.call("POST", "/v1/instances/inst/sync", Some(&owner), None)
            .await,
        200,
    );
    let base = format!("/v1/instances/inst/databases/{}", db.name);
    ok(
        h.call(
            "PATCH",
            &base,
            Some(&owner),
            Some(json!({"project": "shop"})),
        )
        .await,
        200,
    );
    Estate {
        h,
        db,
        owner,
        dba,
        dba_id,
        dev,
        base,
    }
}

impl Estate {
    async fn sync(&self) {
        let r = self
            .h
            .call(
                "POST",
                &format!("{}/sync", self.base),
                Some(&self.dev),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }

    async fn drift(&self) -> Value {
        let r = self
            .h
            .call(
                "GET",
                &format!("{}/drift", self.base),
                Some(&self.dev),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()
    }

    async fn accept(&self, token: &str) -> Reply {
        self.h
            .call(
                "POST",
                &format!("{}/drift/accept", self.base),
                Some(token),
                None,
            )
            .await
    }

    /// The kinds on the database's timeline, newest first.
    async fn timeline(&self) -> Vec<String> {
        let r = self
            .h
            .call(
                "GET",
                &format!("{}/activity", self.base),
                Some(&self.dev),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()["activity"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap().to_string())
            .collect()
    }

    async fn metrics(&self) -> String {
        let r = self.h.call("GET", "/metrics", None, None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.text
    }

    fn gauge_line(&self) -> String {
        format!(
            "sluice_database_drift{{instance=\"inst\",database=\"{}\"}} 1",
            self.db.name
        )
    }

    /// File a schema change as the developer and let the runner roll it
    /// out (test rolls out by itself); its version.
    async fn change_through_sluice(&self, sql: &str) -> String {
        let target = format!("inst/{}", self.db.name);
        let r = self
            .h
            .call(
                "POST",
                "/v1/projects/shop/issues",
                Some(&self.dev),
                Some(json!({"title": "Add orders", "type": "SCHEMA_CHANGE", "statement": sql, "targets": [target]})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let issue = r.json();
        let number = issue["number"].as_i64().unwrap();
        let version = issue["pipeline"]["stages"][0]["tasks"][0]["version"]
            .as_str()
            .unwrap()
            .to_string();
        let runner = sluice_runner::Runner::new(
            self.h.app.clone(),
            sluice_runner::RunnerConfig {
                tick: Duration::from_millis(200),
                lease: Duration::from_secs(3),
                ..Default::default()
            },
        )
        .spawn();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let issue = self
                .h
                .call(
                    "GET",
                    &format!("/v1/projects/shop/issues/{number}"),
                    Some(&self.owner),
                    None,
                )
                .await
                .json();
            match issue["status"].as_str().unwrap() {
                "DONE" => break,
                "OPEN" => {}
                other => panic!("issue {other}: {issue}"),
            }
            let task = &issue["pipeline"]["stages"][0]["tasks"][0];
            assert_ne!(task["status"], "FAILED", "{issue}");
            assert!(Instant::now() < deadline, "not DONE after 60 s: {issue}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        runner.abort();
        version
    }
}

const CHANGE: &str = "CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(100))";

async fn drift_round_trip(target: Target) {
    let e = estate(target, Store::open_sqlite_memory().await.unwrap()).await;
    e.sync().await;
    // No changelog entry yet: nothing is expected, nothing can drift.
    let d = e.drift().await;
    assert_eq!(d["status"], "UNKNOWN", "{d}");

    // A change through Sluice's runner is not drift, neither at the
    // runner's own sync nor at the next one.
    let version = e.change_through_sluice(CHANGE).await;
    // The runner's own sync could not compare (its entry came after it);
    // the recorded change is compared with the schema that sync kept.
    let d = e.drift().await;
    assert_eq!(d["status"], "IN_SYNC", "{d}");
    assert_eq!(d["expected_version"], version.as_str(), "{d}");
    e.sync().await;
    let d = e.drift().await;
    assert_eq!(d["status"], "IN_SYNC", "{d}");
    assert_eq!(d["expected_version"], version.as_str(), "{d}");
    assert_eq!(d["changes"], json!([]));
    assert!(e.timeline().await.is_empty());

    // A column added behind Sluice's back is drift at the next sync.
    e.db.run("ALTER TABLE item ADD COLUMN sku varchar(32)")
        .await;
    e.sync().await;
    let d = e.drift().await;
    assert_eq!(d["status"], "DRIFTED", "{d}");
    let changes = d["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{d}");
    assert_eq!(changes[0]["change"], "add_column", "{d}");
    assert_eq!(changes[0]["table"], "item", "{d}");
    assert_eq!(changes[0]["column"]["name"], "sku", "{d}");
    let ddl = d["ddl"].as_str().unwrap().to_lowercase();
    assert!(
        ddl.contains("alter table") && ddl.contains("sku"),
        "the DDL shows what was done: {ddl}"
    );
    assert_eq!(d["expected_version"], version.as_str());
    let detected_at = d["detected_at"].as_str().unwrap().to_string();
    assert!(detected_at.ends_with('Z'), "RFC 3339: {detected_at}");

    // The same drift at the next sync keeps its detection time.
    tokio::time::sleep(Duration::from_millis(5)).await;
    e.sync().await;
    let d = e.drift().await;
    assert_eq!(d["status"], "DRIFTED");
    assert_eq!(d["detected_at"], detected_at.as_str());
    assert_eq!(e.timeline().await, vec!["DRIFT_DETECTED"]);
    let metrics = e.metrics().await;
    assert!(metrics.contains(&e.gauge_line()), "{metrics}");
    assert!(metrics.contains("sluice_databases_drifted 1"), "{metrics}");

    // A developer may not accept it; a DBA may.
    let r = e.accept(&e.dev).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.json()["code"], "permission_denied");
    let r = e.accept(&e.dba).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let accepted = r.json();
    assert_eq!(accepted["status"], "IN_SYNC", "{accepted}");
    let baseline_version = accepted["expected_version"].as_str().unwrap().to_string();
    assert_ne!(baseline_version, version);
    let r =
        e.h.call(
            "GET",
            &format!("{}/changelogs", e.base),
            Some(&e.owner),
            None,
        )
        .await;
    let latest = r.json()["changelogs"][0].clone();
    assert_eq!(latest["type"], "BASELINE", "{latest}");
    assert_eq!(latest["status"], "DONE", "{latest}");
    assert_eq!(latest["version"], baseline_version.as_str());
    assert_eq!(latest["creator_id"], e.dba_id, "{latest}");
    let entry =
        e.h.call(
            "GET",
            &format!("{}/changelogs/{}", e.base, latest["id"]),
            Some(&e.owner),
            None,
        )
        .await
        .json();
    assert!(
        entry["schema_after"].to_string().contains("sku"),
        "the baseline holds the live schema: {entry}"
    );
    let audit =
        e.h.call(
            "GET",
            "/v1/audit-logs?action=databases.drift.accept",
            Some(&e.owner),
            None,
        )
        .await
        .json();
    let outcomes: Vec<&str> = audit["audit_logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, vec!["SUCCESS", "DENIED"], "{audit}");

    // In sync at the next sync; the gauge is gone; nothing left to accept.
    e.sync().await;
    let d = e.drift().await;
    assert_eq!(d["status"], "IN_SYNC", "{d}");
    assert_eq!(d["expected_version"], baseline_version.as_str());
    let metrics = e.metrics().await;
    assert!(!metrics.contains(&e.gauge_line()), "{metrics}");
    assert!(metrics.contains("sluice_databases_drifted 0"), "{metrics}");
    assert_eq!(e.timeline().await, vec!["DRIFT_ACCEPTED", "DRIFT_DETECTED"]);
    let r = e.accept(&e.dba).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("no drift to accept"),
        "{}",
        r.text
    );
    e.db.drop().await;
}

#[tokio::test]
async fn drift_on_postgres() {
    drift_round_trip(Target::Postgres).await;
}

#[tokio::test]
async fn drift_on_mariadb() {
    drift_round_trip(Target::Mariadb).await;
}

#[tokio::test]
async fn drift_on_sqlite() {
    drift_round_trip(Target::Sqlite).await;
}

/// Drift that is undone by hand resolves itself at the next sync; a
/// database Sluice never changed gets its first baseline by accepting.
async fn resolve_and_first_baseline(store: Store) {
    let e = estate(Target::Sqlite, store).await;
    // Accepting before the first sync has nothing to record.
    let r = e.accept(&e.dba).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("sync its schema first"), "{}", r.text);
    e.sync().await;
    let r = e.accept(&e.dba).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["status"], "IN_SYNC");
    assert_eq!(e.timeline().await, vec!["DRIFT_ACCEPTED"]);

    e.db.run("CREATE TABLE extra (id integer PRIMARY KEY)")
        .await;
    e.sync().await;
    let d = e.drift().await;
    assert_eq!(d["status"], "DRIFTED", "{d}");
    assert_eq!(d["changes"][0]["change"], "create_table", "{d}");
    e.db.run("DROP TABLE extra").await;
    e.sync().await;
    let d = e.drift().await;
    assert_eq!(d["status"], "IN_SYNC", "{d}");
    assert!(d["detected_at"].is_null(), "{d}");
    assert_eq!(
        e.timeline().await,
        vec!["DRIFT_RESOLVED", "DRIFT_DETECTED", "DRIFT_ACCEPTED"]
    );
    let r =
        e.h.call("GET", &format!("{}/activity", e.base), Some(&e.dev), None)
            .await
            .json();
    assert_eq!(r["activity"][1]["actor"]["email"], "dev@example.com", "{r}");
    assert!(
        r["activity"][1]["summary"]
            .as_str()
            .unwrap()
            .contains("create_table main.extra"),
        "{r}"
    );
}

#[tokio::test]
async fn drift_resolves_and_a_first_baseline_is_accepted() {
    resolve_and_first_baseline(Store::open_sqlite_memory().await.unwrap()).await;
}

#[tokio::test]
async fn drift_on_a_postgres_metadata_store() {
    let name = unique("sluice_drift_store");
    pg(PG_ADMIN, &format!("CREATE DATABASE {name}")).await;
    let store = Store::open_postgres(&format!("postgres://postgres@127.0.0.1:5432/{name}"))
        .await
        .unwrap();
    resolve_and_first_baseline(store.clone()).await;
    store.close().await;
    pg(
        PG_ADMIN,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await;
}

#[tokio::test]
async fn unknown_databases_and_bad_requests() {
    let e = estate(Target::Sqlite, Store::open_sqlite_memory().await.unwrap()).await;
    for (method, path) in [
        ("GET", "/v1/instances/inst/databases/nope/drift"),
        ("POST", "/v1/instances/inst/databases/nope/drift/accept"),
        ("GET", "/v1/instances/inst/databases/nope/activity"),
        ("GET", "/v1/instances/ghost/databases/nope/drift"),
    ] {
        let r = e.h.call(method, path, Some(&e.dba), None).await;
        assert_eq!(r.status, 404, "{method} {path}: {}", r.text);
        assert_eq!(r.json()["code"], "not_found");
    }
    let r =
        e.h.call(
            "POST",
            &format!("{}/drift/accept", e.base),
            Some(&e.dba),
            Some(json!({"force": true})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r =
        e.h.call(
            "GET",
            &format!("{}/activity?page_size=0", e.base),
            Some(&e.dba),
            None,
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("page_size"), "{}", r.text);
}
