//! The web UI as a person uses it: headless Chromium, driven through
//! chromedriver, against the real server on a socket. Signs up, builds a
//! small estate through the forms, checks the lists, then takes a schema
//! change from filing to production: the owner files it, the runner applies
//! it to test by itself, a DBA approves and runs prod, and the changelog
//! shows what changed. Saves screenshots of the main pages for a reviewer.
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
        self.wait_until(&format!("the page to show {text:?}"), 10, |s| {
            s.contains(text)
        })
        .await;
    }

    /// Wait, without reloading, until the page's current content passes
    /// `ok`: what a person sees when they leave the page open.
    async fn wait_until(&self, what: &str, secs: u64, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let source = self.source().await;
            if ok(&source) {
                return source;
            }
            assert!(
                Instant::now() < deadline,
                "waited {secs} s for {what}; the page shows:\n{source}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Reload the page every half second until its content passes `ok`.
    async fn reload_until(&self, what: &str, secs: u64, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let source = self.source().await;
            if ok(&source) {
                return source;
            }
            assert!(
                Instant::now() < deadline,
                "reloaded for {secs} s waiting for {what}; the page shows:\n{source}"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
            self.client.refresh().await.expect("reload");
        }
    }

    async fn sign_in(&self, email: &str, password: &str, then_shows: &str) {
        self.goto("/login").await;
        self.wait_for("Sign in").await;
        self.fill("email", email).await;
        self.fill("password", password).await;
        self.submit(then_shows).await;
    }

    async fn sign_out(&self) {
        self.click("header form button").await;
        self.wait_for("Sign in").await;
        assert_eq!(self.path().await, "/login");
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

    /// Scroll the first element matching `css` to the top of the window.
    async fn scroll_to(&self, css: &str) {
        self.client
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView()",
                vec![serde_json::json!(css)],
            )
            .await
            .unwrap_or_else(|e| panic!("scroll to {css}: {e}"));
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
    // The task runner, as the server binary runs it, on a short tick.
    let runner = sluice_runner::Runner::new(
        app.clone(),
        sluice_runner::RunnerConfig {
            tick: Duration::from_millis(200),
            ..Default::default()
        },
    )
    .spawn();
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
    // PostgreSQL here, give it tables, and sync its schema. (Not the whole
    // instance: that visits every database on the shared server, which other
    // tests fill.)
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

    // ---------------------------------------------------------------------
    // A schema change from filing to production.

    // Production gets its own instance (the same PostgreSQL server here)
    // and a database shaped like the test one, moved into the project.
    b.goto("/instances/new").await;
    b.fill("title", "Orders PG prod").await;
    b.fill("id", "orders-pg-prod").await;
    b.choose("engine", "POSTGRES").await;
    b.choose("environment", "prod").await;
    b.fill("host", "127.0.0.1").await;
    b.fill("port", "5432").await;
    b.fill("username", "postgres").await;
    b.fill("password", "browser-secret").await;
    b.submit("Instance Orders PG prod added.").await;
    assert_eq!(b.path().await, "/instances/orders-pg-prod");
    let prod_db = format!("{db_name}_prod");
    let _drop_prod = DropPgDatabase(prod_db.clone());
    b.goto("/instances/orders-pg-prod/databases").await;
    b.fill("name", &prod_db).await;
    b.submit(&format!("Database {prod_db}")).await;
    pg_exec(&prod_db, SHOP_SCHEMA).await;
    let prod_page = format!("/instances/orders-pg-prod/databases/{prod_db}");
    b.goto(&prod_page).await;
    b.click(&format!("form[action='{prod_page}/sync'] button"))
        .await;
    b.wait_for("Schema synced").await;
    b.goto(&prod_page).await;
    b.choose("project", "shop").await;
    b.submit("Database saved.").await;
    assert!(b.source().await.contains(">Shop<"), "prod database moved");
    b.shot("14-database-prod").await;

    // A second person, a DBA, to approve what the owner files.
    b.goto("/settings/users").await;
    b.fill("name", "Dana DBA").await;
    b.fill("email", "dana@example.com").await;
    b.fill("password", "dba-password-1").await;
    b.choose("role", "DBA").await;
    b.submit("User dana@example.com created as DBA.").await;
    assert!(b.source().await.contains("Dana DBA"));
    b.shot("15-settings-user-created").await;

    // The owner files the change for both databases, grouped by stage.
    b.goto("/projects/shop/issues/new").await;
    let form = b.source().await;
    assert!(
        form.find(&db_name).unwrap() < form.find(&prod_db).unwrap(),
        "the test database is listed before prod"
    );
    b.choose("type", "SCHEMA_CHANGE").await;
    b.fill("title", "Add refunds").await;
    b.click(&format!("input[name=target][value='orders-pg/{db_name}']"))
        .await;
    b.click(&format!(
        "input[name=target][value='orders-pg-prod/{prod_db}']"
    ))
    .await;
    b.fill("statement", REFUNDS).await;
    b.shot("16-issue-new").await;

    // Another session holds the name `refunds` in the test database, so
    // the change cannot finish before the issue page is open: the page
    // must then follow it by itself.
    let blocker = pg_hold_name(&db_name).await;
    b.submit("Issue #1 filed.").await;
    assert_eq!(b.path().await, "/projects/shop/issues/1");
    let filed = b.source().await;
    for text in [
        "Add refunds",
        "Olive Owner",
        "Test",
        "Production",
        "approval required",
    ] {
        assert!(filed.contains(text), "the issue page shows {text}");
    }
    assert!(
        filed.contains("refreshes by itself"),
        "the page says it follows the work"
    );
    assert!(
        !stage_of(&filed, "Test").contains(">DONE<"),
        "nothing is done while the name is held"
    );
    b.shot("17-issue-filed").await;
    pg_release(blocker).await;

    // Left open, the page updates itself until the test task is done.
    b.wait_until("the test task to be DONE (live refresh)", 60, |s| {
        stage_of(s, "Test").contains("badge done\">DONE<")
    })
    .await;

    // The test task's runs, with the statement log.
    b.click("ol.pipeline li.stage:first-child a.task-target")
        .await;
    let test_done = b
        .wait_until("the log of the test task", 10, |s| {
            s.contains("Attempt 1") && s.contains("class=\"log\"")
        })
        .await;
    assert!(
        log_of(&test_done).contains("CREATE TABLE refunds"),
        "the log shows the statement"
    );
    assert!(test_done.contains(&format!("Task <code>orders-pg/{db_name}</code>")));
    // Prod waits for an approval.
    let prod = stage_of(&test_done, "Production");
    assert!(
        prod.contains("approval"),
        "the prod stage waits for approval: {prod}"
    );
    assert!(!prod.contains(">DONE<"));
    b.shot("18-issue-test-done").await;
    b.scroll_to("section.task-detail h3:last-of-type").await;
    b.shot("19-issue-test-log").await;

    // The owner filed it, so by default they may not approve it.
    assert!(
        !test_done.contains("action=\"/projects/shop/issues/1/approve\""),
        "the creator is not offered to approve their own issue"
    );

    // The DBA signs in, sees it waiting on the home page, approves and
    // runs the prod stage.
    b.sign_out().await;
    b.sign_in("dana@example.com", "dba-password-1", "Dana DBA")
        .await;
    let home = b.source().await;
    assert!(
        home.contains("Add refunds") && home.contains("to approve"),
        "the DBA's home page lists the issue waiting for them"
    );
    b.shot("20-home-dba").await;
    b.goto("/projects/shop/issues/1").await;
    b.wait_for("Approval").await;
    b.shot("21-issue-waiting-approval").await;
    b.click("form[action='/projects/shop/issues/1/approve'] button")
        .await;
    b.wait_for("Approved by").await;
    let approved = b.source().await;
    assert!(
        approval_box(&approved).contains("Dana DBA"),
        "the approval names the DBA"
    );
    assert!(approval_box(&approved).contains("APPROVED"));
    b.shot("22-issue-approved").await;
    b.click("form[action='/projects/shop/issues/1/stages/prod/run'] button")
        .await;
    b.wait_for("Stage prod started").await;
    b.wait_until("the prod task to be DONE", 60, |s| {
        stage_of(s, "Production").contains("badge done\">DONE<")
    })
    .await;
    let done = b
        .reload_until("the issue to be DONE", 30, |s| issue_badge(s) == "DONE")
        .await;
    assert!(log_of(&done).contains("CREATE TABLE refunds"));
    assert!(done.contains(&format!("Task <code>orders-pg-prod/{prod_db}</code>")));
    assert!(done.contains("by Dana DBA"), "the DBA ran prod");
    b.shot("23-issue-done").await;

    // The prod database's changelog: the entry, its statement and the
    // schema before and after.
    b.goto(&prod_page).await;
    b.click("nav.tabs a[href$='/changelog']").await;
    b.wait_for("Add refunds").await;
    b.shot("24-database-changelog").await;
    b.click("table a[href*='/changelog/']").await;
    let entry = b
        .wait_until("the changelog entry", 10, |s| {
            s.contains("Schema before and after")
        })
        .await;
    assert!(entry.contains("CREATE TABLE refunds"), "the statement");
    assert!(entry.contains("Dana DBA"), "who applied it");
    assert!(
        entry.contains("class=\"d-add\"") && entry.contains("refunds"),
        "the diff adds the refunds table"
    );
    b.shot("25-changelog-entry").await;

    // Back to the owner to tidy up.
    b.sign_out().await;
    b.sign_in("olive@example.com", "correct-horse", "Olive Owner")
        .await;

    // Archiving sits behind a confirmation that needs no script.
    b.goto("/instances/orders-pg").await;
    b.click("details.confirm summary").await;
    b.shot("13-instance-archive-confirm").await;
    b.click("details.confirm button.danger").await;
    b.wait_for("Instance Orders PG archived.").await;

    // Sign out.
    b.sign_out().await;

    println!("screenshots saved in {}:", b.shots.display());
    for path in &b.saved {
        println!("  {}", path.display());
    }
    b.client.close().await.expect("close the browser");
    let _ = stop.send(());
    let _ = server.await;
    runner.abort();
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

const REFUNDS: &str = "CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint NOT NULL, amount numeric(10,2) NOT NULL);";

/// The part of the issue page for the stage titled `title`.
fn stage_of<'a>(page: &'a str, title: &str) -> &'a str {
    let head = format!("<h3>{title}</h3>");
    page.split("<li class=\"stage ")
        .find(|s| s.contains(&head))
        .map(|s| s.split("</ul>").next().unwrap_or(s))
        .unwrap_or("")
}

/// The statement log of the selected task's runs.
fn log_of(page: &str) -> &str {
    page.split("<h3>Runs</h3>").nth(1).unwrap_or("")
}

fn approval_box(page: &str) -> &str {
    page.split("id=\"approval-h\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap_or("")
}

/// The issue's status badge at the top of its page.
fn issue_badge(page: &str) -> &str {
    page.split("<p class=\"issue-facts\">")
        .nth(1)
        .and_then(|s| s.split("</span>").next())
        .and_then(|s| s.rsplit('>').next())
        .unwrap_or("")
}

/// Another session creating `refunds` in an open transaction: anyone else
/// creating that name waits until it ends.
async fn pg_hold_name(database: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    let url = format!("postgres://postgres@127.0.0.1:5432/{database}");
    let mut conn = sqlx::PgConnection::connect(&url)
        .await
        .expect("PostgreSQL on 127.0.0.1:5432");
    sqlx::raw_sql(sqlx::AssertSqlSafe(
        "BEGIN; CREATE TABLE refunds (held int);".to_string(),
    ))
    .execute(&mut conn)
    .await
    .expect("hold the name refunds");
    conn
}

async fn pg_release(mut conn: sqlx::PgConnection) {
    sqlx::raw_sql(sqlx::AssertSqlSafe("ROLLBACK".to_string()))
        .execute(&mut conn)
        .await
        .expect("release the name refunds");
}

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
