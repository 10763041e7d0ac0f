//! The in-process harness of the UI tests: the real router over a fresh
//! in-memory store, requests as a browser sends them (host, cookie, form
//! bodies, CSRF token), and the answers' status, headers and body.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use sluice_app::{App, AppConfig, Caller, SecretBox};
use sluice_server::{AppState, router};
use sluice_store::Store;
use tower::ServiceExt;

pub struct Ui {
    pub app: App,
    pub router: Router,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The notice cookie this answer sets, decoded.
    pub fn notice(&self) -> String {
        use base64::Engine as _;
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("sluice_notice="))
            .and_then(|v| v.split(';').next())
            .and_then(|v| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(v)
                    .ok()
            })
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// The `name=value` of the session cookie this answer sets.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("sluice_session=") && !v.starts_with("sluice_session=;"))
            .map(|v| v.split(';').next().unwrap_or_default().to_string())
    }
}

pub async fn ui() -> Ui {
    let store = Store::open_sqlite_memory().await.expect("store");
    let key = SecretBox::generate_key();
    let app = App::new(
        store,
        SecretBox::from_base64(&key).expect("key"),
        AppConfig::default(),
    );
    let router = router(AppState::new(app.clone(), false));
    Ui { app, router }
}

pub fn form_body(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).expect("encode form")
}

impl Ui {
    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Answer {
        let mut request = Request::get(path).header(header::HOST, "sluice.test");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    pub async fn post(&self, path: &str, cookie: Option<&str>, pairs: &[(&str, &str)]) -> Answer {
        let mut request = Request::post(path)
            .header(header::HOST, "sluice.test")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(form_body(pairs))).unwrap())
            .await
    }

    /// Post a form the way a browser does: with the page's CSRF token.
    pub async fn submit(&self, path: &str, cookie: &str, pairs: &[(&str, &str)]) -> Answer {
        let csrf = self.csrf(cookie).await;
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(pairs);
        self.post(path, Some(cookie), &all).await
    }

    pub async fn csrf(&self, cookie: &str) -> String {
        let home = self.get("/", Some(cookie)).await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.body);
        csrf_of(&home.body)
    }

    pub async fn sign_up(&self, email: &str, name: &str) -> String {
        let answer = self
            .post(
                "/signup",
                None,
                &[
                    ("name", name),
                    ("email", email),
                    ("password", "correct-horse"),
                ],
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        answer.session_cookie().expect("session cookie")
    }

    pub async fn log_in(&self, email: &str, password: &str) -> String {
        let answer = self
            .post("/login", None, &[("email", email), ("password", password)])
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        answer.session_cookie().expect("session cookie")
    }

    /// A page as the holder of `cookie` sees it.
    pub async fn get_as(&self, path: &str, cookie: &str) -> Answer {
        self.get(path, Some(cookie)).await
    }

    /// Keep `catalog` as the last synced schema of `instance`/`name`, as a
    /// successful sync would.
    pub async fn store_schema(&self, instance: &str, name: &str, catalog: &sluice_schema::Catalog) {
        let db = self.app.store.database(instance, name).await.unwrap();
        let json = serde_json::to_string(catalog).unwrap();
        let ddl = sluice_schema::render::ddl(catalog);
        self.app
            .store
            .record_schema_sync(db.id, Ok((&json, &ddl)))
            .await
            .unwrap();
    }

    pub async fn owner_caller(&self, cookie: &str) -> Caller {
        let token = cookie.trim_start_matches("sluice_session=");
        self.app.authenticate(token).await.expect("caller")
    }
}

pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a csrf field") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Runs `sql` on the SQLite file, creating it if needed.
pub async fn run_sql(file: &std::path::Path, sql: &str) {
    use sqlx::Connection;
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(true);
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .expect("open the SQLite file");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .expect("run SQL");
    conn.close().await.unwrap();
}

/// A SQLite instance in environment `env` on `dir`, added through the form,
/// whose database `shop` (a table `orders`) is moved to project `shop`.
pub async fn shop_database(
    ui: &Ui,
    owner: &str,
    caller: &Caller,
    instance: &str,
    env: &str,
    dir: &std::path::Path,
) {
    run_sql(
        &dir.join("shop.db"),
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER);",
    )
    .await;
    let r = ui
        .submit(
            "/instances",
            owner,
            &[
                ("id", instance),
                ("title", instance),
                ("engine", "SQLITE"),
                ("environment", env),
                ("database", dir.to_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    ui.app
        .store
        .upsert_database(instance, "shop")
        .await
        .unwrap();
    ui.app
        .update_database(caller, instance, "shop", Some("shop"), None)
        .await
        .unwrap();
}
