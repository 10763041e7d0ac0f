//! The database page's tabs driven in-process through the router: create a
//! database by form on a SQLite instance, sync its schema, browse it, draw
//! its diagram, read its DDL; and who may see each of them.

use axum::http::StatusCode;
use sluice_schema::{Catalog, Column, Dialect, ForeignKey, PrimaryKey, Schema, Table};
use sluice_store::WorkspaceRole;

mod ui_common;

use ui_common::*;

/// An Owner with environment `test` and a SQLite instance `lite` whose
/// databases are the files of a temporary directory, added by form.
async fn sqlite_estate(ui: &Ui, dir: &std::path::Path) -> String {
    let owner = ui.sign_up("owner@example.com", "Olive Owner").await;
    let r = ui
        .submit(
            "/environments",
            &owner,
            &[("id", "test"), ("title", "Test")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let path = dir.to_str().unwrap();
    let r = ui
        .submit(
            "/instances",
            &owner,
            &[
                ("id", "lite"),
                ("title", "Local SQLite"),
                ("engine", "SQLITE"),
                ("environment", "test"),
                ("database", path),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    owner
}

async fn run_sql(file: &std::path::Path, sql: String) {
    use sqlx::Connection;
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(file);
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .expect("open the SQLite file");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .expect("run SQL");
    conn.close().await.unwrap();
}

/// `(x, y, width, height)` of every `<rect>` in an SVG.
fn rects(svg: &str) -> Vec<(i64, i64, i64, i64)> {
    svg.split("<rect ")
        .skip(1)
        .map(|r| {
            let tag = r.split('>').next().unwrap();
            let attr = |name: &str| -> i64 {
                let key = format!(" {name}=\"");
                let at = format!(" {tag}").find(&key).expect(name) + key.len() - 1;
                tag[at..].split('"').next().unwrap().parse().unwrap()
            };
            (attr("x"), attr("y"), attr("width"), attr("height"))
        })
        .collect()
}

fn assert_no_overlap(boxes: &[(i64, i64, i64, i64)]) {
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            let apart =
                a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
            assert!(apart, "{a:?} overlaps {b:?}");
        }
    }
}

/// The SVG is well-formed enough: one root, tags balanced, no raw `<` or
/// `&` left unescaped in text.
fn assert_xmlish(svg: &str) {
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>"));
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..];
            assert!(
                ["&lt;", "&gt;", "&amp;", "&quot;", "&#39;"]
                    .iter()
                    .any(|e| entity.starts_with(e)),
                "raw & in text: {}",
                &entity[..entity.len().min(20)]
            );
        }
        let close = rest[open..].find('>').expect("tag closes") + open;
        let tag = &rest[open + 1..close];
        assert!(!tag.contains('<'), "a < inside a tag: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "unbalanced </{name}>");
        } else if !tag.ends_with('/') {
            let name = tag.split([' ', '>']).next().unwrap().to_string();
            stack.push(name);
        }
        rest = &rest[close + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

/// The part of a page between `<main` and `</main>`.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").unwrap_or(0);
    let end = html.find("</main>").unwrap_or(html.len());
    &html[start..end]
}

#[tokio::test]
async fn create_by_form_sync_browse_draw_and_dump_a_sqlite_database() {
    let ui = ui().await;
    let dir = tempfile::tempdir().unwrap();
    let owner = sqlite_estate(&ui, dir.path()).await;

    // The instance page offers "Create database"; the form has no options
    // for SQLite.
    let page = ui.get_as("/instances/lite", &owner).await;
    assert!(page.body.contains("href=\"/instances/lite/databases\""));
    let form = ui.get_as("/instances/lite/databases", &owner).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("name=\"name\""));
    assert!(!form.body.contains("name=\"encoding\"") && !form.body.contains("name=\"charset\""));

    // Errors next to the field, what was typed kept.
    let r = ui
        .submit("/instances/lite/databases", &owner, &[("name", "")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("id=\"f-name-error\""), "{}", r.body);
    let r = ui
        .submit("/instances/lite/databases", &owner, &[("name", "shop")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/instances/lite/databases/shop");
    assert!(r.notice().contains("created"));
    let r = ui
        .submit("/instances/lite/databases", &owner, &[("name", "shop")])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("id=\"f-name-error\""), "{}", r.body);
    assert!(r.body.contains("value=\"shop\""), "what was typed is kept");
    let file = dir.path().join("shop.db");
    assert!(file.is_file());

    // Before any sync, each tab says so and offers the button.
    for tab in ["schema", "diagram", "ddl"] {
        let page = ui
            .get_as(&format!("/instances/lite/databases/shop/{tab}"), &owner)
            .await;
        assert_eq!(page.status, StatusCode::OK, "{tab}: {}", page.body);
        assert!(page.body.contains("Not synced yet"), "{tab}");
        assert!(
            page.body
                .contains("action=\"/instances/lite/databases/shop/sync\"")
        );
    }
    let overview = ui.get_as("/instances/lite/databases/shop", &owner).await;
    assert!(overview.body.contains("Sync schema"));
    assert!(overview.body.contains("aria-current=\"page\">Overview"));

    run_sql(
        &file,
        r#"CREATE TABLE account (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, created TEXT DEFAULT CURRENT_TIMESTAMP);
           CREATE TABLE product (sku TEXT PRIMARY KEY, price REAL NOT NULL CHECK (price >= 0)) WITHOUT ROWID;
           CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT,
                                account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
                                sku TEXT REFERENCES product (sku));
           CREATE INDEX orders_by_account ON orders (account_id);
           CREATE TABLE "<b>&""x" (id INTEGER PRIMARY KEY, "a<i>" TEXT, order_id INTEGER REFERENCES orders (id));
           CREATE VIEW big_orders AS SELECT * FROM orders WHERE id > 100;
           CREATE TRIGGER orders_audit AFTER INSERT ON orders BEGIN SELECT 1; END;"#
            .into(),
    )
    .await;

    let r = ui
        .submit(
            "/instances/lite/databases/shop/sync",
            &owner,
            &[("back", "schema")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/instances/lite/databases/shop/schema");
    assert!(
        r.notice().starts_with("Schema synced: 4 tables"),
        "{}",
        r.notice()
    );

    // Schema: tables, columns, the FK linking to its table, the view, the
    // trigger; the odd name escaped.
    let page = ui
        .get_as("/instances/lite/databases/shop/schema", &owner)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = main_of(&page.body);
    for text in [
        "id=\"t-main-account\"",
        "id=\"t-main-orders\"",
        "<code>account_id</code>",
        "<code>email</code>",
        "href=\"#t-main-account\"",
        "ON DELETE CASCADE",
        "orders_by_account",
        "big_orders",
        "orders_audit",
        "WITHOUT ROWID",
        "CHECK (price &#62;= 0)",
    ] {
        assert!(body.contains(text), "missing {text}: {body}");
    }
    // Askama escapes with numeric entities.
    assert!(body.contains("&#60;b&#62;&#38;&#34;x"), "{body}");
    assert!(!body.contains("<b>&\"x"), "the odd table name is escaped");
    assert!(!body.contains("<code>a<i></code>"));

    // The filter keeps matching tables only.
    let page = ui
        .get_as("/instances/lite/databases/shop/schema?q=ACC", &owner)
        .await;
    let body = main_of(&page.body);
    assert!(body.contains("id=\"t-main-account\""));
    assert!(!body.contains("id=\"t-main-orders\""));

    // Diagram: the page embeds it, the SVG stands alone.
    let page = ui
        .get_as("/instances/lite/databases/shop/diagram", &owner)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<svg xmlns="));
    let svg = ui
        .get_as("/instances/lite/databases/shop/diagram.svg", &owner)
        .await;
    assert_eq!(svg.status, StatusCode::OK);
    assert!(svg.content_type().starts_with("image/svg+xml"));
    assert_xmlish(&svg.body);
    assert_eq!(svg.body.matches("<rect ").count(), 4, "one box per table");
    assert_eq!(svg.body.matches("<g class=\"er-table\"").count(), 4);
    assert_eq!(
        svg.body.matches("class=\"er-fk\"").count(),
        3,
        "one line per foreign key"
    );
    assert!(svg.body.contains(">&lt;b&gt;&amp;&quot;x</text>"));
    assert!(svg.body.contains(">a&lt;i&gt;</text>"));
    assert!(!svg.body.contains("<b>") && !svg.body.contains("<i>"));
    assert_no_overlap(&rects(&svg.body));

    // DDL: shown with line numbers, and as a file.
    let page = ui
        .get_as("/instances/lite/databases/shop/ddl", &owner)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<span class=\"ln\">CREATE TABLE"));
    let sql = ui
        .get_as("/instances/lite/databases/shop/schema.sql", &owner)
        .await;
    assert_eq!(sql.status, StatusCode::OK);
    assert!(sql.content_type().starts_with("text/plain"));
    assert!(sql.body.contains("CREATE TABLE") && sql.body.contains("orders"));

    // Overview: when and what.
    let page = ui.get_as("/instances/lite/databases/shop", &owner).await;
    assert!(page.body.contains("4 tables, 1 view"), "{}", page.body);

    // Fifty tables with foreign keys: no two boxes overlap.
    let r = ui
        .submit("/instances/lite/databases", &owner, &[("name", "big")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut sql = String::new();
    for i in 0..50 {
        sql.push_str(&format!(
            "CREATE TABLE t{i:02} (id INTEGER PRIMARY KEY, name TEXT"
        ));
        if i >= 5 {
            sql.push_str(&format!(
                ", a INTEGER REFERENCES t{:02} (id), b INTEGER REFERENCES t{:02} (id)",
                i % 5,
                i / 2
            ));
        }
        sql.push_str(");\n");
    }
    run_sql(&dir.path().join("big.db"), sql).await;
    let r = ui
        .submit("/instances/lite/databases/big/sync", &owner, &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/instances/lite/databases/big");
    let svg = ui
        .get_as("/instances/lite/databases/big/diagram.svg", &owner)
        .await;
    assert_xmlish(&svg.body);
    let boxes = rects(&svg.body);
    assert_eq!(boxes.len(), 50);
    assert_no_overlap(&boxes);
    assert_eq!(svg.body.matches("class=\"er-fk\"").count(), 90);
}

fn table(name: &str, refs: &[&str]) -> Table {
    let mut t = Table::new(name)
        .with_column(Column::new("id", "integer").not_null())
        .with_primary_key(PrimaryKey::new(None, ["id"]));
    for r in refs {
        let col = format!("{r}_id");
        t = t
            .with_column(Column::new(&col, "integer"))
            .with_foreign_key(ForeignKey::new(None, [col.as_str()], "public", *r, ["id"]));
    }
    t
}

/// The tabs render any stored model, independently of the engines:
/// several schemas, every object kind, escaping, and a 50-table diagram.
#[tokio::test]
async fn tabs_render_a_stored_model() {
    let ui = ui().await;
    let dir = tempfile::tempdir().unwrap();
    let owner = sqlite_estate(&ui, dir.path()).await;
    ui.app.store.upsert_database("lite", "model").await.unwrap();

    let mut public = Schema::new("public")
        .with_table(table("account", &[]))
        .with_table(table("orders", &["account"]))
        .with_table(
            table("<b>&\"x", &["orders"]).with_comment("a comment with <script>alert(1)</script>"),
        )
        .with_view(sluice_schema::View::new(
            "v<1>",
            "SELECT 1 WHERE 2 > 1 AND '<' <> '&'",
        ))
        .with_function({
            let mut f = sluice_schema::Function::new(sluice_schema::RoutineKind::Function, "touch");
            f.signature = "touch()".into();
            f.returns = Some("trigger".into());
            f.language = "plpgsql".into();
            f.body = "BEGIN NEW.at := now(); IF 1 < 2 THEN RETURN NEW; END IF; END".into();
            f
        })
        .with_enum(sluice_schema::EnumType::new("mood", ["sad", "ok"]))
        .with_sequence(sluice_schema::Sequence::new("counter"));
    let mut trigger = sluice_schema::Trigger::new("orders_touch", "orders");
    trigger.events = vec![sluice_schema::TriggerEvent::Update];
    trigger.function = Some("touch()".into());
    public = public.with_trigger(trigger);
    let mut audit = Schema::new("audit");
    for i in 0..47 {
        let refs: Vec<String> = if i < 3 {
            vec![]
        } else {
            vec![format!("a{:02}", i / 3)]
        };
        let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
        let mut t = table(&format!("a{i:02}"), &[]);
        for r in refs {
            t = t
                .with_column(Column::new(format!("{r}_id"), "bigint"))
                .with_foreign_key(ForeignKey::new(
                    None,
                    [format!("{r}_id")],
                    "audit",
                    r,
                    ["id"],
                ));
        }
        audit = audit.with_table(t);
    }
    let catalog = Catalog::new("model", Dialect::Postgres)
        .with_schema(public)
        .with_schema(audit);
    ui.store_schema("lite", "model", &catalog).await;

    let page = ui
        .get_as("/instances/lite/databases/model/schema", &owner)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = main_of(&page.body);
    assert!(!body.contains("<script>alert"), "comments are escaped");
    assert!(body.contains("&#60;script&#62;"));
    assert!(!body.contains("v<1>"));
    assert!(
        body.contains("IF 1 &#60; 2 THEN"),
        "function bodies are escaped"
    );
    assert!(body.contains("<pre class=\"code\">"));
    assert!(body.contains("Schema <code>audit</code>"));
    assert!(
        body.contains("href=\"#t-audit-a00\""),
        "FKs link across the page"
    );
    assert!(body.contains("EXECUTE FUNCTION touch()"));
    assert!(body.contains("id=\"t-public-.3cb.3e.26.22x\""));
    assert!(body.contains("<span class=\"tag\">sad</span>"));
    assert!(body.contains("counter"));

    let svg = ui
        .get_as("/instances/lite/databases/model/diagram.svg", &owner)
        .await;
    assert_eq!(svg.status, StatusCode::OK);
    assert_xmlish(&svg.body);
    let boxes = rects(&svg.body);
    assert_eq!(boxes.len(), 50);
    assert_no_overlap(&boxes);
    assert_eq!(svg.body.matches("class=\"er-fk\"").count(), 2 + 44);
    assert!(svg.body.contains(">public.&lt;b&gt;&amp;&quot;x</text>"));
    let filtered = ui
        .get_as("/instances/lite/databases/model/diagram.svg?q=a0", &owner)
        .await;
    assert_eq!(filtered.body.matches("<rect ").count(), 10);

    let page = ui
        .get_as("/instances/lite/databases/model/diagram", &owner)
        .await;
    assert!(
        page.body.contains("50 tables, 46 foreign keys"),
        "{}",
        page.body
    );
    let page = ui
        .get_as("/instances/lite/databases/model/ddl", &owner)
        .await;
    assert!(page.body.contains("CREATE TABLE"));
}

#[tokio::test]
async fn a_failed_sync_shows_its_reason_on_the_page() {
    let ui = ui().await;
    let dir = tempfile::tempdir().unwrap();
    let owner = sqlite_estate(&ui, dir.path()).await;
    // Known to Sluice, but no file behind it.
    ui.app.store.upsert_database("lite", "gone").await.unwrap();
    let r = ui
        .submit("/instances/lite/databases/gone/sync", &owner, &[])
        .await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "{}", r.body);
    assert!(r.body.contains("Schema sync failed"), "{}", r.body);
    assert!(r.body.contains("cannot inspect gone"), "{}", r.body);
    // The error stays on the overview until a sync succeeds.
    let page = ui.get_as("/instances/lite/databases/gone", &owner).await;
    assert!(page.body.contains("Schema sync error"), "{}", page.body);
    // Without the CSRF token nothing happens.
    let r = ui
        .post("/instances/lite/databases/gone/sync", Some(&owner), &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_developer_outside_the_project_sees_no_tab() {
    let ui = ui().await;
    let dir = tempfile::tempdir().unwrap();
    let owner = sqlite_estate(&ui, dir.path()).await;
    let caller = ui.owner_caller(&owner).await;
    ui.app
        .create_project(&caller, "shop", "Shop", "SHOP")
        .await
        .unwrap();
    for name in ["orders", "stock"] {
        ui.app.store.upsert_database("lite", name).await.unwrap();
        ui.app
            .update_database(&caller, "lite", name, Some("shop"), None)
            .await
            .unwrap();
        ui.store_schema(
            "lite",
            name,
            &Catalog::new(name, Dialect::Sqlite)
                .with_schema(Schema::new("main").with_table(table("t", &[]))),
        )
        .await;
    }
    for (email, member) in [("out@example.com", false), ("in@example.com", true)] {
        ui.app
            .create_user(
                &caller,
                email,
                "Dev",
                "dev-password",
                WorkspaceRole::Developer,
            )
            .await
            .unwrap();
        if member {
            ui.app
                .set_project_member(&caller, "shop", email, sluice_store::ProjectRole::Developer)
                .await
                .unwrap();
        }
    }
    let outsider = ui.log_in("out@example.com", "dev-password").await;
    let member = ui.log_in("in@example.com", "dev-password").await;
    let base = "/instances/lite/databases/orders";
    for path in [
        base.to_string(),
        format!("{base}/schema"),
        format!("{base}/diagram"),
        format!("{base}/diagram.svg"),
        format!("{base}/ddl"),
        format!("{base}/schema.sql"),
    ] {
        let r = ui.get_as(&path, &outsider).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
        assert!(!r.body.contains("CREATE TABLE"), "{path}");
        let r = ui.get_as(&path, &member).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    }
    let r = ui.submit(&format!("{base}/sync"), &outsider, &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // A project Developer may sync, but not create databases.
    let page = ui.get_as(&format!("{base}/schema"), &member).await;
    assert!(page.body.contains("Sync schema"));
    let page = ui.get_as("/instances/lite", &member).await;
    assert!(!page.body.contains("Create database"));
    let r = ui.get_as("/instances/lite/databases", &member).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = ui
        .submit("/instances/lite/databases", &member, &[("name", "x")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!dir.path().join("x.db").exists());
}
