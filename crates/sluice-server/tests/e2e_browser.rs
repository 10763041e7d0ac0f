//! The web UI as a person uses it: headless Chromium, driven through
//! chromedriver, against the real server on a socket. Signs up, builds a
//! small estate through the forms, checks the lists, and saves screenshots
//! of the main pages for a reviewer.
//!
//! Needs the Debian packages `chromium` and `chromium-driver`; without them
//! the test fails and says so (it never skips).

use fantoccini::{Client, ClientBuilder, Locator};
use sluice_app::{App, AppConfig, SecretBox};
use sluice_server::AppState;
use sluice_store::Store;
use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Kills chromedriver and removes the browser profile however the test ends.
struct Driver {
    child: Child,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .expect("bind a free port")
        .local_addr()
        .unwrap()
        .port()
}

fn start_chromedriver() -> (Driver, u16) {
    assert!(
        Path::new(CHROMIUM).is_file(),
        "{CHROMIUM} is missing: install the Debian packages chromium and chromium-driver \
         (apt-get install -y chromium chromium-driver) to run the browser test"
    );
    let chromedriver = find_program("chromedriver").unwrap_or_else(|| {
        panic!(
            "chromedriver is not on PATH: install the Debian package chromium-driver \
             (apt-get install -y chromium chromium-driver) to run the browser test"
        )
    });
    let port = free_port();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let profile = std::env::temp_dir().join(format!(
        "sluice-e2e-chromium-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&profile).expect("browser profile directory");
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
    let driver = Driver { child, profile };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on port {port} within 20 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (driver, port)
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir
}

struct Browser {
    client: Client,
    base: String,
    shots: PathBuf,
    saved: Vec<PathBuf>,
}

impl Browser {
    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    async fn source(&self) -> String {
        self.client.source().await.expect("page source")
    }

    async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("current url")
            .path()
            .to_string()
    }

    /// Wait until the page shows `text` (after a submit navigates).
    async fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let source = self.source().await;
            if source.contains(text) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the page never showed {text:?}; it shows:\n{source}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Type into the input labelled by `f-<name>`, as a person would.
    async fn fill(&self, name: &str, value: &str) {
        let input = self
            .client
            .find(Locator::Id(&format!("f-{name}")))
            .await
            .unwrap_or_else(|e| panic!("input {name}: {e}"));
        input.clear().await.expect("clear");
        input.send_keys(value).await.expect("type");
    }

    async fn choose(&self, name: &str, value: &str) {
        let select = self
            .client
            .find(Locator::Id(&format!("f-{name}")))
            .await
            .unwrap_or_else(|e| panic!("select {name}: {e}"));
        select
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("choose {value} in {name}: {e}"));
    }

    async fn click(&self, css: &str) {
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"));
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Press the form's primary button and wait for the next page.
    async fn submit(&self, then_shows: &str) {
        self.click("main form button.primary[type=submit]").await;
        self.wait_for(then_shows).await;
    }

    async fn shot(&mut self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        self.saved.push(path);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_builds_an_estate_in_the_browser() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (driver, driver_port) = start_chromedriver();

    // The real server on a socket.
    let store = Store::open_sqlite_memory().await.expect("store");
    let secrets = SecretBox::from_base64(&SecretBox::generate_key()).expect("key");
    let app = App::new(store, secrets, AppConfig::default());
    let state = AppState::new(app.clone(), false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sluice_server::serve(listener, state, async {
        let _ = stopped.await;
    }));

    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,900",
                format!("--user-data-dir={}", driver.profile.display()),
            ]
        }),
    );
    let client = ClientBuilder::rustls()
        .expect("TLS roots for the webdriver client")
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .unwrap_or_else(|e| panic!("cannot start Chromium through chromedriver: {e}"));
    let mut b = Browser {
        client,
        base,
        shots: screenshot_dir(),
        saved: Vec::new(),
    };

    // Nobody here yet: the first visit leads to sign-up.
    b.goto("/").await;
    b.wait_for("Create your account").await;
    assert_eq!(b.path().await, "/signup");
    b.fill("name", "Olive Owner").await;
    b.fill("email", "olive@example.com").await;
    b.fill("password", "correct-horse").await;
    b.shot("01-signup").await;
    b.submit("Welcome to Sluice").await;
    assert_eq!(b.path().await, "/");
    b.shot("02-home-empty").await;

    // Environments test and prod.
    b.goto("/environments/new").await;
    b.fill("title", "Test").await;
    b.fill("id", "test").await;
    b.submit("Environment Test created.").await;
    b.goto("/environments/new").await;
    b.fill("title", "Production").await;
    b.fill("id", "prod").await;
    b.click("#f-protected").await;
    b.submit("Environment Production created.").await;
    assert_eq!(b.path().await, "/environments/prod");

    // An instance: a mistake first, shown next to its field, then fixed.
    b.goto("/instances/new").await;
    b.fill("title", "Orders PG").await;
    b.fill("id", "orders-pg").await;
    b.choose("engine", "POSTGRES").await;
    b.choose("environment", "test").await;
    b.fill("host", "127.0.0.1").await;
    b.fill("port", "54x32").await;
    b.fill("username", "postgres").await;
    b.fill("password", "browser-secret").await;
    b.submit("is not a number").await;
    let source = b.source().await;
    assert!(
        source.contains("value=\"Orders PG\""),
        "typed values are kept"
    );
    assert!(
        !source.contains("browser-secret"),
        "the password is not echoed"
    );
    b.shot("03-instance-form-error").await;
    b.fill("port", "5432").await;
    b.fill("password", "browser-secret").await;
    b.submit("Instance Orders PG added.").await;
    assert_eq!(b.path().await, "/instances/orders-pg");
    b.shot("04-instance").await;

    // A project.
    b.goto("/projects/new").await;
    b.fill("title", "Shop").await;
    b.fill("id", "shop").await;
    b.fill("key", "SHOP").await;
    b.submit("Project Shop created.").await;
    assert_eq!(b.path().await, "/projects/shop");

    // The home page shows it all, environments in order.
    b.goto("/").await;
    let home = b.source().await;
    for text in ["Test", "Production", "Orders PG", "127.0.0.1:5432", "Shop"] {
        assert!(home.contains(text), "home shows {text}");
    }
    assert!(
        home.find(">Test<").unwrap() < home.find(">Production<").unwrap(),
        "test before prod"
    );
    b.shot("05-home").await;

    // The lists, and a reorder with the up button.
    b.goto("/environments").await;
    b.click("button[aria-label='Move Production up']").await;
    b.wait_for("Moved Production up.").await;
    let envs = b.source().await;
    assert!(
        envs.find(">Production<").unwrap() < envs.find(">Test<").unwrap(),
        "prod moved first"
    );
    b.shot("06-environments").await;
    b.click("button[aria-label='Move Production down']").await;
    b.wait_for("Moved Production down.").await;

    b.goto("/instances").await;
    let instances = b.source().await;
    assert!(
        instances.contains("Orders PG")
            && instances.contains("127.0.0.1:5432")
            && instances.contains("PostgreSQL")
    );
    b.shot("07-instances").await;

    // The connection works: test it, then create a real database on the
    // PostgreSQL here, give it tables, and sync its schema.
    b.goto("/instances/orders-pg").await;
    b.click("form[action='/instances/orders-pg/test'] button")
        .await;
    b.wait_for("connected: PostgreSQL").await;
    b.shot("04b-instance-tested").await;
    let db_name = format!(
        "sluice_e2e_{}_{}",
        std::process::id(),
        sluice_store::now_ms()
    );
    let _drop = DropPgDatabase(db_name.clone());
    b.goto("/instances/orders-pg/databases").await;
    b.fill("name", &db_name).await;
    b.submit(&format!("Database {db_name}")).await;
    pg_exec(&db_name, SHOP_SCHEMA).await;
    b.goto("/instances/orders-pg").await;
    b.click("form[action='/instances/orders-pg/sync'] button")
        .await;
    b.wait_for("Synced:").await;
    let page = format!("/instances/orders-pg/databases/{db_name}");
    b.goto(&page).await;
    b.click(&format!("form[action='{page}/sync'] button")).await;
    b.wait_for("Schema synced").await;

    // Moved into the project with labels through its page.
    b.goto(&page).await;
    b.choose("project", "shop").await;
    b.fill("labels", "tier=gold\nteam=payments").await;
    b.submit("Database saved.").await;
    let db = b.source().await;
    assert!(
        db.contains("tier=gold") && db.contains(">Shop<"),
        "moved and labelled"
    );
    b.shot("08a-database").await;

    // The schema as synced: the browser, the diagram, the DDL.
    b.goto(&format!("{page}/schema#t-public-orders")).await;
    b.wait_for("Referenced by").await;
    b.shot("08d-database-schema").await;
    b.goto(&format!("{page}/diagram")).await;
    b.wait_for("foreign keys").await;
    b.shot("08e-database-diagram").await;
    b.goto(&format!("{page}/ddl")).await;
    b.wait_for("CREATE TABLE").await;
    b.shot("08f-database-ddl").await;
    b.goto("/databases?project=shop").await;
    assert!(b.source().await.contains(&db_name));
    b.shot("08b-databases").await;

    b.goto("/projects").await;
    assert!(b.source().await.contains("Shop"));
    b.shot("08c-projects").await;

    b.goto("/projects/shop/members").await;
    assert!(b.source().await.contains("olive@example.com"));
    b.shot("09-project-members").await;

    // Narrow screens stack the navigation above the content.
    b.client
        .set_window_size(420, 900)
        .await
        .expect("narrow window");
    b.goto("/").await;
    b.shot("10-home-narrow").await;
    b.client
        .set_window_size(1280, 900)
        .await
        .expect("wide window");
    b.goto("/settings/users").await;
    b.shot("11-settings-users").await;
    b.goto("/audit-logs").await;
    assert!(b.source().await.contains("instances.create"));
    b.shot("12-audit-log").await;

    // Archiving sits behind a confirmation that needs no script.
    b.goto("/instances/orders-pg").await;
    b.click("details.confirm summary").await;
    b.shot("13-instance-archive-confirm").await;
    b.click("details.confirm button.danger").await;
    b.wait_for("Instance Orders PG archived.").await;

    // Sign out.
    b.click("header form button").await;
    b.wait_for("Sign in").await;
    assert_eq!(b.path().await, "/login");

    println!("screenshots saved in {}:", b.shots.display());
    for path in &b.saved {
        println!("  {}", path.display());
    }
    b.client.close().await.expect("close the browser");
    let _ = stop.send(());
    let _ = server.await;
    drop(driver);
}

/// A small shop: customers, orders, their lines and products, a view.
const SHOP_SCHEMA: &str = "
CREATE TABLE customer (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL);
CREATE TABLE product (id bigint PRIMARY KEY, sku text NOT NULL UNIQUE, price numeric(10,2) NOT NULL CHECK (price >= 0));
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customer (id),
    placed_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE order_line (order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id bigint NOT NULL REFERENCES product (id), quantity int NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, product_id));
CREATE INDEX orders_customer_idx ON orders (customer_id, placed_at DESC);
CREATE VIEW order_total AS SELECT l.order_id, sum(l.quantity * p.price) AS total
    FROM order_line l JOIN product p ON p.id = l.product_id GROUP BY l.order_id;
";

async fn pg_exec(database: &str, sql: &str) {
    use sqlx::Connection;
    let url = format!("postgres://postgres@127.0.0.1:5432/{database}");
    let mut conn = sqlx::PgConnection::connect(&url)
        .await
        .expect("PostgreSQL on 127.0.0.1:5432");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .expect("apply the shop schema");
}

/// Drops the test's PostgreSQL database when the test ends, pass or fail.
struct DropPgDatabase(String);

impl Drop for DropPgDatabase {
    fn drop(&mut self) {
        let _ = std::process::Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-q",
                "-c",
            ])
            .arg(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.0
            ))
            .status();
    }
}
