//! The store conformance suite: every test runs on SQLite (a temporary file
//! and in memory) and on PostgreSQL, and must behave the same on each.
//!
//! PostgreSQL must be reachable at `postgres://postgres@127.0.0.1:5432/`
//! (or `SLUICE_TEST_PG_URL`); the suite fails, never skips, when it is not.

#[macro_use]
mod common;

use anyhow::Result;
use common::{Backend, Ctx};
use sluice_store::*;
use std::collections::BTreeMap;

on_every_backend!(
    fresh_store,
    system_bot_is_principal_one,
    sign_up_roles_and_duplicates,
    principals_update_and_roles,
    tokens_lifecycle,
    environments_lifecycle,
    environments_reorder,
    instances_lifecycle,
    instances_list_order_and_archive,
    projects_lifecycle,
    project_members,
    databases_upsert_and_update,
    databases_list_filters_and_pages,
    audit_append_and_list,
    audit_resource_filter_is_an_exact_prefix,
    text_round_trips_unchanged,
    concurrent_first_sign_ups_make_one_owner,
    concurrent_open_sign_ups_make_one_owner,
    concurrent_environment_creates_get_distinct_positions,
);

// An in-memory store lives in its one connection and cannot be reopened.
backend_tests!(sqlite_file_reopen, SqliteFile: migrations_are_idempotent);
backend_tests!(postgres_reopen, Postgres: migrations_are_idempotent);

// ---------------------------------------------------------------- helpers

fn data_source(kind: DataSourceKind, host: &str) -> DataSource {
    DataSource {
        kind,
        host: host.into(),
        port: 5432,
        username: format!("{}_user", kind.as_str().to_lowercase()),
        password_sealed: format!("sealed:{host}"),
        database_name: "postgres".into(),
        tls_mode: TlsMode::Require,
    }
}

fn new_instance(id: &str, environment_id: &str) -> NewInstance {
    NewInstance {
        id: id.into(),
        title: format!("Instance {id}"),
        engine: Engine::Postgres,
        environment_id: environment_id.into(),
        data_sources: vec![data_source(DataSourceKind::Admin, &format!("{id}.db"))],
    }
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    Labels(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> String) -> Vec<String> {
    items.iter().map(id).collect()
}

async fn env_ids(store: &Store, show_archived: bool) -> Result<Vec<String>> {
    let envs = store.list_environments(show_archived).await?;
    Ok(ids(&envs, |e| e.id.clone()))
}

/// The first person to sign up, who becomes workspace Owner.
async fn sign_up_owner(store: &Store) -> Result<Principal> {
    Ok(store
        .sign_up("owner@example.com", "Owner", "hash-owner")
        .await?)
}

/// A second person (opens sign-up first).
async fn sign_up_developer(store: &Store, email: &str) -> Result<Principal> {
    store.update_workspace(None, Some(true)).await?;
    Ok(store.sign_up(email, "Developer", "hash-dev").await?)
}

// ---------------------------------------------------------------- workspace

async fn fresh_store(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let expected = match cx.backend {
        Backend::SqliteFile | Backend::SqliteMemory => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(store.backend_name(), expected);
    store.ping().await?;

    let ws = store.workspace().await?;
    assert_eq!(ws.name, "Sluice");
    assert!(!ws.signup_open);
    assert!(ws.created_at > 0 && ws.updated_at >= ws.created_at);

    let ws = store.update_workspace(Some("Acme"), None).await?;
    assert_eq!(ws.name, "Acme");
    assert!(!ws.signup_open);
    let ws = store.update_workspace(None, Some(true)).await?;
    assert_eq!(ws.name, "Acme");
    assert!(ws.signup_open);
    let ws = store.update_workspace(None, None).await?;
    assert_eq!((ws.name.as_str(), ws.signup_open), ("Acme", true));
    assert_eq!(store.workspace().await?.name, "Acme");

    assert!(store.list_environments(true).await?.is_empty());
    assert!(store.list_instances(true).await?.is_empty());
    let projects = store.list_projects(true, None).await?;
    assert_eq!(ids(&projects, |p| p.id.clone()), ["default"]);
    Ok(())
}

async fn migrations_are_idempotent(cx: Ctx) -> Result<()> {
    cx.store.create_environment("prod", "Prod", true).await?;
    let owner = sign_up_owner(&cx.store).await?;

    // Open the same store twice more: migrations must find nothing to do
    // and leave the data alone.
    for _ in 0..2 {
        let again = cx.reopen().await;
        assert_eq!(again.workspace().await?.name, "Sluice");
        assert_eq!(env_ids(&again, true).await?, ["prod"]);
        assert_eq!(again.principal(owner.id).await?.email, owner.email);
        let bots = again
            .list_principals(PrincipalKind::SystemBot, PageRequest::default())
            .await?;
        assert_eq!(ids(&bots.items, |p| p.id.to_string()), ["1"]);
        assert_eq!(
            ids(&again.list_projects(true, None).await?, |p| p.id.clone()),
            ["default"]
        );
        again.close().await;
    }

    // The first store still works, and ids go on from where they were.
    let second = sign_up_developer(&cx.store, "second@example.com").await?;
    assert_eq!(second.id, owner.id + 1);
    Ok(())
}

// ---------------------------------------------------------------- principals

async fn system_bot_is_principal_one(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let bot = store.principal(1).await?;
    assert_eq!(bot.id, 1);
    assert_eq!(bot.kind, PrincipalKind::SystemBot);
    assert_eq!(bot.name, "Sluice");
    assert_eq!(bot.password_hash, None);
    assert_eq!(bot.role, WorkspaceRole::Owner);
    assert!(bot.active);

    let bots = store
        .list_principals(PrincipalKind::SystemBot, PageRequest::default())
        .await?;
    assert_eq!(bots.items.len(), 1);
    assert_eq!(bots.next_offset, None);
    // The bot cannot manage the workspace, so it is no Owner to count.
    assert_eq!(store.count_active_owners().await?, 0);

    let first = sign_up_owner(store).await?;
    assert_eq!(first.id, 2);
    assert_err!(store.principal(99).await, NotFound);
    Ok(())
}

async fn sign_up_roles_and_duplicates(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let owner = store
        .sign_up("ada@example.com", "Ada", "argon2:ada")
        .await?;
    assert_eq!(owner.id, 2);
    assert_eq!(owner.kind, PrincipalKind::EndUser);
    assert_eq!(owner.role, WorkspaceRole::Owner);
    assert_eq!(owner.password_hash.as_deref(), Some("argon2:ada"));
    assert!(owner.active);

    // Sign-up is closed by default once somebody is in.
    assert_err!(
        store.sign_up("bob@example.com", "Bob", "argon2:bob").await,
        FailedPrecondition
    );
    assert!(store.principal_by_email("bob@example.com").await?.is_none());

    assert!(store.update_workspace(None, Some(true)).await?.signup_open);
    let bob = store
        .sign_up("bob@example.com", "Bob", "argon2:bob")
        .await?;
    assert_eq!(bob.role, WorkspaceRole::Developer);
    assert_eq!(bob.kind, PrincipalKind::EndUser);

    assert_err!(
        store.sign_up("bob@example.com", "Bob 2", "argon2:x").await,
        AlreadyExists
    );
    assert_err!(
        store
            .create_principal(&NewPrincipal {
                kind: PrincipalKind::ServiceAccount,
                email: "ada@example.com".into(),
                name: "CI".into(),
                password_hash: None,
                role: WorkspaceRole::Developer,
            })
            .await,
        AlreadyExists
    );

    let found = store.principal_by_email("bob@example.com").await?.unwrap();
    assert_eq!((found.id, found.name.as_str()), (bob.id, "Bob"));
    assert_eq!(store.count_active_owners().await?, 1);

    let people = store
        .list_principals(PrincipalKind::EndUser, PageRequest::default())
        .await?;
    assert_eq!(
        ids(&people.items, |p| p.email.clone()),
        ["ada@example.com", "bob@example.com"]
    );

    // Closing sign-up again shuts the door on newcomers only.
    store.update_workspace(None, Some(false)).await?;
    assert_err!(
        store.sign_up("cy@example.com", "Cy", "argon2:cy").await,
        FailedPrecondition
    );
    Ok(())
}

async fn principals_update_and_roles(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let owner = sign_up_owner(store).await?;
    let ci = store
        .create_principal(&NewPrincipal {
            kind: PrincipalKind::ServiceAccount,
            email: "ci@service.sluice".into(),
            name: "CI".into(),
            password_hash: None,
            role: WorkspaceRole::Dba,
        })
        .await?;
    assert_eq!(ci.kind, PrincipalKind::ServiceAccount);
    assert_eq!(ci.role, WorkspaceRole::Dba);
    assert_eq!(ci.password_hash, None);

    let dev = sign_up_developer(store, "dev@example.com").await?;
    let dev = store
        .set_principal_role(dev.id, WorkspaceRole::Owner)
        .await?;
    assert_eq!(dev.role, WorkspaceRole::Owner);
    assert_eq!(store.count_active_owners().await?, 2);

    let dev = store
        .update_principal(dev.id, Some("Dev Renamed"), Some(false), Some("argon2:new"))
        .await?;
    assert_eq!(dev.name, "Dev Renamed");
    assert!(!dev.active);
    assert_eq!(dev.password_hash.as_deref(), Some("argon2:new"));
    assert_eq!(store.count_active_owners().await?, 1);

    // None keeps every field.
    let same = store.update_principal(dev.id, None, None, None).await?;
    assert_eq!(same.name, "Dev Renamed");
    assert!(!same.active);
    assert_eq!(same.password_hash.as_deref(), Some("argon2:new"));
    assert_eq!(same.role, WorkspaceRole::Owner);

    // A service account Owner does not count as a person who can manage.
    store
        .set_principal_role(ci.id, WorkspaceRole::Owner)
        .await?;
    assert_eq!(store.count_active_owners().await?, 1);

    assert_err!(
        store.set_principal_role(999, WorkspaceRole::Dba).await,
        NotFound
    );
    assert_err!(
        store.update_principal(999, Some("x"), None, None).await,
        NotFound
    );

    let accounts = store
        .list_principals(PrincipalKind::ServiceAccount, PageRequest::default())
        .await?;
    assert_eq!(
        ids(&accounts.items, |p| p.id.to_string()),
        [ci.id.to_string()]
    );

    // Pages of principals.
    for i in 0..3 {
        store
            .sign_up(&format!("p{i}@example.com"), "P", "h")
            .await?;
    }
    let first = store
        .list_principals(
            PrincipalKind::EndUser,
            PageRequest {
                offset: 0,
                limit: 3,
            },
        )
        .await?;
    assert_eq!(first.items.len(), 3);
    assert_eq!(first.items[0].id, owner.id);
    assert_eq!(first.next_offset, Some(3));
    let rest = store
        .list_principals(
            PrincipalKind::EndUser,
            PageRequest {
                offset: 3,
                limit: 3,
            },
        )
        .await?;
    assert_eq!(rest.items.len(), 2);
    assert_eq!(rest.next_offset, None);
    Ok(())
}

// ---------------------------------------------------------------- tokens

async fn tokens_lifecycle(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let ada = sign_up_owner(store).await?;
    let bob = sign_up_developer(store, "bob@example.com").await?;
    let now = now_ms();

    store
        .insert_token(
            "live",
            ada.id,
            TokenKind::Session,
            "csrf-1",
            Some(now + 3_600_000),
        )
        .await?;
    store
        .insert_token(
            "expired",
            ada.id,
            TokenKind::Session,
            "csrf-2",
            Some(now - 1_000),
        )
        .await?;
    store
        .insert_token("forever", ada.id, TokenKind::ServiceAccount, "csrf-3", None)
        .await?;
    store
        .insert_token(
            "bobs",
            bob.id,
            TokenKind::Session,
            "csrf-4",
            Some(now + 3_600_000),
        )
        .await?;

    let live = store.token("live").await?.expect("live token is found");
    assert_eq!(live.token_hash, "live");
    assert_eq!(live.principal_id, ada.id);
    assert_eq!(live.kind, TokenKind::Session);
    assert_eq!(live.csrf_token, "csrf-1");
    assert_eq!(live.expires_at, Some(now + 3_600_000));
    assert!(live.created_at >= now);

    assert!(
        store.token("expired").await?.is_none(),
        "expired token is not found"
    );
    let forever = store.token("forever").await?.expect("token without expiry");
    assert_eq!(
        (forever.kind, forever.expires_at),
        (TokenKind::ServiceAccount, None)
    );
    assert!(store.token("nope").await?.is_none());
    assert_err!(
        store
            .insert_token("live", bob.id, TokenKind::Session, "csrf-x", None)
            .await,
        AlreadyExists
    );
    assert_eq!(store.token("live").await?.unwrap().principal_id, ada.id);
    assert_err!(
        store
            .insert_token("orphan", 999, TokenKind::Session, "csrf-x", None)
            .await,
        FailedPrecondition
    );

    assert_eq!(store.delete_expired_tokens().await?, 1);
    assert_eq!(store.delete_expired_tokens().await?, 0);

    store.delete_token("live").await?;
    assert!(store.token("live").await?.is_none());
    store.delete_token("live").await?; // deleting twice is fine

    store
        .insert_token("live2", ada.id, TokenKind::Session, "csrf-5", None)
        .await?;
    store.delete_tokens_of(ada.id).await?;
    assert!(store.token("live2").await?.is_none());
    assert!(store.token("forever").await?.is_none());
    assert!(
        store.token("bobs").await?.is_some(),
        "other principals keep theirs"
    );
    Ok(())
}

// ---------------------------------------------------------------- environments

async fn environments_lifecycle(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let test = store.create_environment("test", "Test", false).await?;
    let staging = store
        .create_environment("staging", "Staging", false)
        .await?;
    let prod = store.create_environment("prod", "Prod", true).await?;
    assert_eq!((test.position, staging.position, prod.position), (1, 2, 3));
    assert_eq!(prod.title, "Prod");
    assert!(prod.protected && !test.protected);
    assert!(!prod.archived);
    assert_eq!(env_ids(store, false).await?, ["test", "staging", "prod"]);

    assert_err!(
        store.create_environment("prod", "Again", false).await,
        AlreadyExists
    );
    assert_err!(store.environment("nope").await, NotFound);
    assert_eq!(store.list_environments(true).await?.len(), 3);

    let updated = store
        .update_environment("staging", Some("Pre-prod"), Some(true))
        .await?;
    assert_eq!(updated.title, "Pre-prod");
    assert!(updated.protected);
    assert_eq!(updated.position, 2);
    let same = store.update_environment("staging", None, None).await?;
    assert_eq!((same.title.as_str(), same.protected), ("Pre-prod", true));
    assert_err!(
        store.update_environment("nope", Some("x"), None).await,
        NotFound
    );

    let archived = store.set_environment_archived("staging", true).await?;
    assert!(archived.archived);
    assert_eq!(env_ids(store, false).await?, ["test", "prod"]);
    // Archived ones come last when asked for.
    assert_eq!(env_ids(store, true).await?, ["test", "prod", "staging"]);
    assert!(store.environment("staging").await?.archived);
    // The id stays taken while archived.
    assert_err!(
        store.create_environment("staging", "x", false).await,
        AlreadyExists
    );

    // A new one goes after every other, archived or not.
    let dev = store.create_environment("dev", "Dev", false).await?;
    assert_eq!(dev.position, 4);

    let restored = store.set_environment_archived("staging", false).await?;
    assert!(!restored.archived);
    assert_eq!(restored.position, 5, "a restored environment goes last");
    assert_eq!(
        env_ids(store, false).await?,
        ["test", "prod", "dev", "staging"]
    );
    assert_err!(store.set_environment_archived("nope", true).await, NotFound);
    Ok(())
}

async fn environments_reorder(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    for id in ["test", "staging", "prod", "old"] {
        store.create_environment(id, id, false).await?;
    }
    store.set_environment_archived("old", true).await?;

    let order: Vec<String> = ["prod", "test", "staging"].map(String::from).to_vec();
    let envs = store.reorder_environments(&order).await?;
    assert_eq!(ids(&envs, |e| e.id.clone()), order);
    assert_eq!(
        envs.iter().map(|e| e.position).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(env_ids(store, false).await?, order);

    let before = store.list_environments(true).await?;
    let invalid: [&[&str]; 6] = [
        &["prod", "test"],                    // one missing
        &["prod", "test", "staging", "nope"], // an unknown one
        &["prod", "test", "staging", "old"],  // an archived one
        &["prod", "test", "test"],            // a duplicate instead of one
        &["prod", "test", "staging", "test"], // a duplicate on top
        &[],                                  // nothing
    ];
    for ids_given in invalid {
        let given: Vec<String> = ids_given.iter().map(|s| s.to_string()).collect();
        assert_err!(store.reorder_environments(&given).await, FailedPrecondition);
        let after = store.list_environments(true).await?;
        assert_eq!(
            after
                .iter()
                .map(|e| (&e.id, e.position, e.updated_at))
                .collect::<Vec<_>>(),
            before
                .iter()
                .map(|e| (&e.id, e.position, e.updated_at))
                .collect::<Vec<_>>(),
            "a refused reorder {ids_given:?} changes nothing"
        );
    }
    Ok(())
}

// ---------------------------------------------------------------- instances

async fn instances_lifecycle(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    store.create_environment("test", "Test", false).await?;
    store.create_environment("prod", "Prod", true).await?;
    store.create_environment("old", "Old", false).await?;
    store.set_environment_archived("old", true).await?;

    let admin = DataSource {
        kind: DataSourceKind::Admin,
        host: "db.internal".into(),
        port: 6543,
        username: "sluice_admin".into(),
        password_sealed: "v1:nonce:ciphertext==".into(),
        database_name: "postgres".into(),
        tls_mode: TlsMode::Require,
    };
    let read_only = DataSource {
        kind: DataSourceKind::ReadOnly,
        host: "replica.internal".into(),
        port: 5432,
        username: "reader".into(),
        password_sealed: String::new(),
        database_name: "app".into(),
        tls_mode: TlsMode::Disable,
    };
    let new = NewInstance {
        id: "pg-prod".into(),
        title: "Prod PostgreSQL".into(),
        engine: Engine::Postgres,
        environment_id: "prod".into(),
        // Given READ_ONLY first: the store returns them by kind.
        data_sources: vec![read_only.clone(), admin.clone()],
    };
    let created = store.create_instance(&new).await?;
    assert_eq!(created.id, "pg-prod");
    assert_eq!(created.title, "Prod PostgreSQL");
    assert_eq!(created.engine, Engine::Postgres);
    assert_eq!(created.environment_id, "prod");
    assert_eq!(created.engine_version, "");
    assert!(!created.archived);
    assert_eq!(created.data_sources, vec![admin.clone(), read_only.clone()]);
    assert_eq!(
        created.data_source(DataSourceKind::ReadOnly),
        Some(&read_only)
    );
    let fetched = store.instance("pg-prod").await?;
    assert_eq!(fetched.data_sources, created.data_sources);

    for env in ["nope", "old"] {
        let mut bad = new_instance("elsewhere", env);
        bad.data_sources = vec![admin.clone()];
        assert_err!(store.create_instance(&bad).await, FailedPrecondition);
        assert_err!(store.instance("elsewhere").await, NotFound);
    }
    assert_err!(store.create_instance(&new).await, AlreadyExists);

    // Two data sources of one kind: refused, and nothing is left behind.
    let mut twice = new_instance("twice", "test");
    twice.data_sources = vec![admin.clone(), admin.clone()];
    assert_err!(store.create_instance(&twice).await, AlreadyExists);
    assert_err!(store.instance("twice").await, NotFound);

    // Update replaces the data sources wholesale.
    let moved_admin = DataSource {
        host: "new-primary.internal".into(),
        tls_mode: TlsMode::Prefer,
        ..admin.clone()
    };
    let updated = store
        .update_instance(
            "pg-prod",
            &InstanceUpdate {
                title: Some("Primary".into()),
                environment_id: Some("test".into()),
                engine_version: Some("16.4".into()),
                sync_interval_secs: Some(120),
                data_sources: Some(vec![moved_admin.clone()]),
            },
        )
        .await?;
    assert_eq!(updated.title, "Primary");
    assert_eq!(updated.environment_id, "test");
    assert_eq!(updated.engine_version, "16.4");
    assert_eq!(updated.sync_interval_secs, 120);
    assert_eq!(updated.data_sources, vec![moved_admin.clone()]);

    // An empty update changes nothing but the clock.
    let same = store
        .update_instance("pg-prod", &InstanceUpdate::default())
        .await?;
    assert_eq!(
        (
            same.title.as_str(),
            same.environment_id.as_str(),
            same.engine_version.as_str()
        ),
        ("Primary", "test", "16.4")
    );
    assert_eq!(same.data_sources, vec![moved_admin.clone()]);

    for env in ["nope", "old"] {
        let update = InstanceUpdate {
            environment_id: Some(env.into()),
            data_sources: Some(vec![]),
            ..InstanceUpdate::default()
        };
        assert_err!(
            store.update_instance("pg-prod", &update).await,
            FailedPrecondition
        );
    }
    // The refused updates left the data sources alone.
    assert_eq!(
        store.instance("pg-prod").await?.data_sources,
        vec![moved_admin]
    );
    assert_err!(
        store
            .update_instance(
                "nope",
                &InstanceUpdate {
                    title: Some("x".into()),
                    ..Default::default()
                }
            )
            .await,
        NotFound
    );
    assert_err!(store.instance("nope").await, NotFound);
    Ok(())
}

async fn instances_list_order_and_archive(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    store.create_environment("test", "Test", false).await?;
    store.create_environment("prod", "Prod", true).await?;
    store
        .create_instance(&new_instance("a-prod", "prod"))
        .await?;
    store
        .create_instance(&new_instance("z-test", "test"))
        .await?;
    store
        .create_instance(&new_instance("b-test", "test"))
        .await?;
    let mut mysql = new_instance("m-prod", "prod");
    mysql.engine = Engine::Mysql;
    mysql
        .data_sources
        .push(data_source(DataSourceKind::ReadOnly, "m-ro"));
    store.create_instance(&mysql).await?;

    let list = store.list_instances(false).await?;
    assert_eq!(
        ids(&list, |i| i.id.clone()),
        ["b-test", "z-test", "a-prod", "m-prod"]
    );
    let m = list.iter().find(|i| i.id == "m-prod").unwrap();
    assert_eq!(m.engine, Engine::Mysql);
    assert_eq!(
        m.data_sources.iter().map(|d| d.kind).collect::<Vec<_>>(),
        [DataSourceKind::Admin, DataSourceKind::ReadOnly]
    );
    assert_eq!(m.data_sources, store.instance("m-prod").await?.data_sources);

    // The order follows the environments' order.
    store
        .reorder_environments(&["prod".to_string(), "test".to_string()])
        .await?;
    let list = store.list_instances(false).await?;
    assert_eq!(
        ids(&list, |i| i.id.clone()),
        ["a-prod", "m-prod", "b-test", "z-test"]
    );

    assert_eq!(store.count_instances_in("prod").await?, 2);
    let archived = store.set_instance_archived("a-prod", true).await?;
    assert!(archived.archived);
    assert_eq!(archived.data_sources.len(), 1);
    assert_eq!(store.count_instances_in("prod").await?, 1);
    let list = store.list_instances(false).await?;
    assert_eq!(ids(&list, |i| i.id.clone()), ["m-prod", "b-test", "z-test"]);
    let all = store.list_instances(true).await?;
    assert_eq!(
        ids(&all, |i| i.id.clone()),
        ["m-prod", "b-test", "z-test", "a-prod"]
    );
    assert_eq!(all[3].data_sources.len(), 1);

    let restored = store.set_instance_archived("a-prod", false).await?;
    assert!(!restored.archived);
    assert_eq!(store.list_instances(false).await?.len(), 4);
    assert_err!(store.set_instance_archived("nope", true).await, NotFound);
    Ok(())
}

// ---------------------------------------------------------------- projects

async fn projects_lifecycle(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let owner = sign_up_owner(store).await?;
    let dev = sign_up_developer(store, "dev@example.com").await?;

    let default = store.project("default").await?;
    assert!(default.is_default);
    assert!(!default.archived);
    assert_eq!(default.key, "DEFAULT");
    assert_err!(
        store.set_project_archived("default", true).await,
        FailedPrecondition
    );
    assert!(!store.project("default").await?.archived);

    let payments = store
        .create_project("payments", "Payments", "PAY", owner.id)
        .await?;
    assert_eq!(
        (payments.title.as_str(), payments.key.as_str()),
        ("Payments", "PAY")
    );
    assert!(!payments.is_default && !payments.archived);
    let members = store.project_members("payments").await?;
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].principal_id, owner.id);
    assert_eq!(members[0].email, owner.email);
    assert_eq!(members[0].name, owner.name);
    assert_eq!(members[0].role, ProjectRole::Owner);
    assert_eq!(
        store.project_role("payments", owner.id).await?,
        Some(ProjectRole::Owner)
    );
    assert_eq!(store.project_role("payments", dev.id).await?, None);

    assert_err!(
        store
            .create_project("payments", "Other", "OTHER", owner.id)
            .await,
        AlreadyExists
    );
    assert_err!(
        store
            .create_project("other", "Other", "PAY", owner.id)
            .await,
        AlreadyExists
    );
    assert_err!(
        store
            .create_project("other", "Other", "DEFAULT", owner.id)
            .await,
        AlreadyExists
    );
    assert_err!(store.project("other").await, NotFound);
    // An owner who does not exist: refused, and no project is left behind.
    assert_err!(
        store.create_project("other", "Other", "OTH", 999).await,
        FailedPrecondition
    );
    assert_err!(store.project("other").await, NotFound);

    store
        .create_project("analytics", "Analytics", "ANA", dev.id)
        .await?;
    store
        .create_project("billing", "Billing", "BIL", owner.id)
        .await?;

    let all = store.list_projects(false, None).await?;
    assert_eq!(
        ids(&all, |p| p.id.clone()),
        ["default", "analytics", "billing", "payments"]
    );
    let mine = store.list_projects(false, Some(dev.id)).await?;
    assert_eq!(ids(&mine, |p| p.id.clone()), ["analytics"]);
    let theirs = store.list_projects(false, Some(owner.id)).await?;
    assert_eq!(ids(&theirs, |p| p.id.clone()), ["billing", "payments"]);
    assert!(store.list_projects(true, Some(999)).await?.is_empty());

    let renamed = store
        .update_project("billing", Some("Billing & Invoices"), Some("BILL"))
        .await?;
    assert_eq!(
        (renamed.title.as_str(), renamed.key.as_str()),
        ("Billing & Invoices", "BILL")
    );
    let same = store.update_project("billing", None, None).await?;
    assert_eq!(
        (same.title.as_str(), same.key.as_str()),
        ("Billing & Invoices", "BILL")
    );
    assert_err!(
        store.update_project("billing", None, Some("PAY")).await,
        AlreadyExists
    );
    assert_err!(
        store.update_project("nope", Some("x"), None).await,
        NotFound
    );

    let archived = store.set_project_archived("billing", true).await?;
    assert!(archived.archived);
    assert_eq!(
        ids(&store.list_projects(false, None).await?, |p| p.id.clone()),
        ["default", "analytics", "payments"]
    );
    assert_eq!(
        ids(&store.list_projects(true, None).await?, |p| p.id.clone()),
        ["default", "analytics", "payments", "billing"]
    );
    assert_eq!(
        ids(&store.list_projects(true, Some(owner.id)).await?, |p| p
            .id
            .clone()),
        ["payments", "billing"]
    );
    assert!(!store.set_project_archived("billing", false).await?.archived);
    assert_err!(store.set_project_archived("nope", true).await, NotFound);
    Ok(())
}

async fn project_members(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let owner = sign_up_owner(store).await?;
    let dev = sign_up_developer(store, "a-dev@example.com").await?;
    let other = store.sign_up("zed@example.com", "Zed", "h").await?;
    store
        .create_project("payments", "Payments", "PAY", owner.id)
        .await?;

    store
        .set_project_member("payments", dev.id, ProjectRole::Developer)
        .await?;
    store
        .set_project_member("payments", other.id, ProjectRole::Developer)
        .await?;
    let members = store.project_members("payments").await?;
    // Owners first, then by email.
    assert_eq!(
        members
            .iter()
            .map(|m| (m.email.as_str(), m.role))
            .collect::<Vec<_>>(),
        [
            ("owner@example.com", ProjectRole::Owner),
            ("a-dev@example.com", ProjectRole::Developer),
            ("zed@example.com", ProjectRole::Developer),
        ]
    );
    assert!(members.iter().all(|m| m.project_id == "payments"));
    assert_eq!(
        store.project_role("payments", dev.id).await?,
        Some(ProjectRole::Developer)
    );

    // Setting again changes the role in place.
    store
        .set_project_member("payments", dev.id, ProjectRole::Owner)
        .await?;
    assert_eq!(
        store.project_role("payments", dev.id).await?,
        Some(ProjectRole::Owner)
    );
    assert_eq!(store.project_members("payments").await?.len(), 3);

    store.remove_project_member("payments", dev.id).await?;
    assert_eq!(store.project_role("payments", dev.id).await?, None);
    assert_err!(
        store.remove_project_member("payments", dev.id).await,
        NotFound
    );
    assert_eq!(store.project_members("payments").await?.len(), 2);
    assert!(store.list_projects(false, Some(dev.id)).await?.is_empty());

    assert_err!(
        store
            .set_project_member("payments", 999, ProjectRole::Developer)
            .await,
        FailedPrecondition
    );
    assert_err!(
        store
            .set_project_member("nope", dev.id, ProjectRole::Developer)
            .await,
        FailedPrecondition
    );
    assert!(store.project_members("nope").await?.is_empty());
    Ok(())
}

// ---------------------------------------------------------------- databases

async fn databases_upsert_and_update(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let owner = sign_up_owner(store).await?;
    store.create_environment("prod", "Prod", true).await?;
    let mut new = new_instance("pg", "prod");
    new.engine = Engine::Mariadb;
    store.create_instance(&new).await?;
    store
        .create_project("payments", "Payments", "PAY", owner.id)
        .await?;

    let before = now_ms();
    let db = store.upsert_database("pg", "app").await?;
    assert_eq!(db.instance_id, "pg");
    assert_eq!(db.name, "app");
    assert_eq!(db.project_id, "default");
    assert_eq!(db.labels, Labels::default());
    assert_eq!(db.sync_state, SyncState::Ok);
    assert!(db.synced_at.unwrap() >= before);
    assert_eq!(db.environment_id, "prod");
    assert_eq!(db.engine, Engine::Mariadb);
    assert_eq!(store.database("pg", "app").await?.id, db.id);

    let tagged = labels(&[("tier", "gold"), ("app", "checkout"), ("Zone", "eu-1")]);
    let moved = store
        .update_database("pg", "app", Some("payments"), Some(&tagged))
        .await?;
    assert_eq!(moved.project_id, "payments");
    assert_eq!(moved.labels, tagged);
    assert_eq!(
        moved
            .labels
            .0
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        ["Zone", "app", "tier"]
    );

    // Seen again at the next sync: keeps its project and labels.
    store
        .set_database_sync_state("pg", "app", SyncState::NotFound)
        .await?;
    assert_eq!(
        store.database("pg", "app").await?.sync_state,
        SyncState::NotFound
    );
    let again = store.upsert_database("pg", "app").await?;
    assert_eq!(again.id, db.id);
    assert_eq!(again.project_id, "payments");
    assert_eq!(again.labels, tagged);
    assert_eq!(again.sync_state, SyncState::Ok);

    // None keeps a field; an empty map clears the labels.
    let same = store.update_database("pg", "app", None, None).await?;
    assert_eq!(
        (same.project_id.as_str(), &same.labels),
        ("payments", &tagged)
    );
    let cleared = store
        .update_database("pg", "app", Some("default"), Some(&Labels::default()))
        .await?;
    assert_eq!(cleared.project_id, "default");
    assert!(cleared.labels.0.is_empty());

    assert_err!(
        store.update_database("pg", "app", Some("nope"), None).await,
        FailedPrecondition
    );
    assert_eq!(store.database("pg", "app").await?.project_id, "default");
    assert_err!(
        store.update_database("pg", "nope", None, None).await,
        NotFound
    );
    assert_err!(store.database("pg", "nope").await, NotFound);
    assert_err!(
        store.upsert_database("nope", "app").await,
        FailedPrecondition
    );
    // Marking a database that does not exist is a no-op.
    store
        .set_database_sync_state("pg", "nope", SyncState::NotFound)
        .await?;
    Ok(())
}

async fn databases_list_filters_and_pages(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let owner = sign_up_owner(store).await?;
    let dev = sign_up_developer(store, "dev@example.com").await?;
    store.create_environment("test", "Test", false).await?;
    store.create_environment("prod", "Prod", true).await?;
    store
        .create_instance(&new_instance("pg-prod", "prod"))
        .await?;
    store
        .create_instance(&new_instance("pg-test", "test"))
        .await?;
    store.create_instance(&new_instance("gone", "test")).await?;
    store
        .create_project("payments", "Payments", "PAY", owner.id)
        .await?;
    store
        .set_project_member("payments", dev.id, ProjectRole::Developer)
        .await?;

    for (instance, name) in [
        ("pg-prod", "orders"),
        ("pg-prod", "billing"),
        ("pg-test", "orders"),
        ("pg-test", "billing"),
        ("pg-test", "scratch"),
        ("gone", "old"),
    ] {
        store.upsert_database(instance, name).await?;
    }
    store
        .update_database("pg-prod", "billing", Some("payments"), None)
        .await?;
    store
        .update_database("pg-test", "billing", Some("payments"), None)
        .await?;
    store.set_instance_archived("gone", true).await?;

    let list = |filter: DatabaseFilter| async move {
        let page = store
            .list_databases(&filter, PageRequest::default())
            .await?;
        assert_eq!(page.next_offset, None);
        anyhow::Ok(ids(&page.items, |d| {
            format!("{}/{}", d.instance_id, d.name)
        }))
    };

    // Environment order, then instance, then name; archived instances hidden.
    assert_eq!(
        list(DatabaseFilter::default()).await?,
        [
            "pg-test/billing",
            "pg-test/orders",
            "pg-test/scratch",
            "pg-prod/billing",
            "pg-prod/orders"
        ]
    );
    assert_eq!(
        list(DatabaseFilter {
            instance_id: Some("pg-prod".into()),
            ..Default::default()
        })
        .await?,
        ["pg-prod/billing", "pg-prod/orders"]
    );
    assert_eq!(
        list(DatabaseFilter {
            project_id: Some("payments".into()),
            ..Default::default()
        })
        .await?,
        ["pg-test/billing", "pg-prod/billing"]
    );
    assert_eq!(
        list(DatabaseFilter {
            environment_id: Some("prod".into()),
            ..Default::default()
        })
        .await?,
        ["pg-prod/billing", "pg-prod/orders"]
    );
    assert_eq!(
        list(DatabaseFilter {
            member: Some(dev.id),
            ..Default::default()
        })
        .await?,
        ["pg-test/billing", "pg-prod/billing"]
    );
    assert_eq!(
        list(DatabaseFilter {
            project_id: Some("payments".into()),
            environment_id: Some("test".into()),
            member: Some(owner.id),
            ..Default::default()
        })
        .await?,
        ["pg-test/billing"]
    );
    assert!(
        list(DatabaseFilter {
            instance_id: Some("gone".into()),
            ..Default::default()
        })
        .await?
        .is_empty()
    );
    assert!(
        list(DatabaseFilter {
            member: Some(999),
            ..Default::default()
        })
        .await?
        .is_empty()
    );

    // Pages of two.
    let mut seen = Vec::new();
    let mut offset = 0;
    let mut pages = 0;
    loop {
        let page = store
            .list_databases(&DatabaseFilter::default(), PageRequest { offset, limit: 2 })
            .await?;
        pages += 1;
        assert!(page.items.len() <= 2);
        seen.extend(
            page.items
                .iter()
                .map(|d| format!("{}/{}", d.instance_id, d.name)),
        );
        match page.next_offset {
            Some(next) => {
                assert_eq!(next, offset + 2);
                offset = next;
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, list(DatabaseFilter::default()).await?);
    // A page that ends exactly at the last row has no next page.
    let exact = store
        .list_databases(
            &DatabaseFilter::default(),
            PageRequest {
                offset: 0,
                limit: 5,
            },
        )
        .await?;
    assert_eq!((exact.items.len(), exact.next_offset), (5, None));
    let past = store
        .list_databases(
            &DatabaseFilter::default(),
            PageRequest {
                offset: 10,
                limit: 5,
            },
        )
        .await?;
    assert!(past.items.is_empty() && past.next_offset.is_none());
    Ok(())
}

// ---------------------------------------------------------------- audit

fn audit(principal_id: i64, action: &str, resource: &str, outcome: Outcome) -> NewAuditEntry {
    NewAuditEntry {
        principal_id,
        action: action.into(),
        resource: resource.into(),
        outcome,
        detail: serde_json::json!({ "resource": resource, "n": [1, 2, 3] }),
    }
}

async fn audit_append_and_list(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let owner = sign_up_owner(store).await?;
    let before = now_ms();
    let entries = [
        audit(
            owner.id,
            "instance.create",
            "instances/pg-prod",
            Outcome::Success,
        ),
        audit(
            1,
            "database.sync",
            "instances/pg-prod/databases/app",
            Outcome::Success,
        ),
        audit(
            owner.id,
            "project.create",
            "projects/payments",
            Outcome::Success,
        ),
        audit(
            owner.id,
            "instance.create",
            "instances/pg-test",
            Outcome::Failed,
        ),
        audit(
            owner.id,
            "instance.delete",
            "instances/pg-prod",
            Outcome::Denied,
        ),
    ];
    for entry in &entries {
        store.append_audit(entry).await?;
    }

    let all = store
        .list_audit(&AuditFilter::default(), PageRequest::default())
        .await?;
    assert_eq!(all.next_offset, None);
    assert_eq!(all.items.len(), 5);
    // Newest first.
    assert!(all.items.windows(2).all(|w| w[0].id > w[1].id));
    assert!(
        all.items
            .windows(2)
            .all(|w| w[0].created_at >= w[1].created_at)
    );
    let newest = &all.items[0];
    assert_eq!(newest.action, "instance.delete");
    assert_eq!(newest.resource, "instances/pg-prod");
    assert_eq!(newest.outcome, Outcome::Denied);
    assert_eq!(newest.principal_id, owner.id);
    assert_eq!(newest.actor_email, owner.email);
    assert!(newest.created_at >= before);
    let detail: serde_json::Value = serde_json::from_str(&newest.detail)?;
    assert_eq!(detail, entries[4].detail);
    assert_eq!(all.items[3].actor_email, store.principal(1).await?.email);
    assert_eq!(
        all.items.iter().map(|e| e.outcome).collect::<Vec<_>>(),
        [
            Outcome::Denied,
            Outcome::Failed,
            Outcome::Success,
            Outcome::Success,
            Outcome::Success
        ]
    );

    let list = |filter: AuditFilter| async move {
        let page = store.list_audit(&filter, PageRequest::default()).await?;
        anyhow::Ok(ids(&page.items, |e| format!("{} {}", e.action, e.resource)))
    };
    assert_eq!(
        list(AuditFilter {
            principal_id: Some(1),
            ..Default::default()
        })
        .await?,
        ["database.sync instances/pg-prod/databases/app"]
    );
    assert_eq!(
        list(AuditFilter {
            action: Some("instance.create".into()),
            ..Default::default()
        })
        .await?,
        [
            "instance.create instances/pg-test",
            "instance.create instances/pg-prod"
        ]
    );
    assert_eq!(
        list(AuditFilter {
            resource: Some("instances/pg-prod".into()),
            ..Default::default()
        })
        .await?,
        [
            "instance.delete instances/pg-prod",
            "database.sync instances/pg-prod/databases/app",
            "instance.create instances/pg-prod"
        ]
    );
    assert_eq!(
        list(AuditFilter {
            principal_id: Some(owner.id),
            action: Some("instance.create".into()),
            resource: Some("instances/".into()),
        })
        .await?,
        [
            "instance.create instances/pg-test",
            "instance.create instances/pg-prod"
        ]
    );
    assert!(
        list(AuditFilter {
            principal_id: Some(999),
            ..Default::default()
        })
        .await?
        .is_empty()
    );

    // Pages.
    let first = store
        .list_audit(
            &AuditFilter::default(),
            PageRequest {
                offset: 0,
                limit: 2,
            },
        )
        .await?;
    assert_eq!(first.next_offset, Some(2));
    assert_eq!(
        ids(&first.items, |e| e.id.to_string()),
        ids(&all.items[..2], |e| e.id.to_string())
    );
    let second = store
        .list_audit(
            &AuditFilter::default(),
            PageRequest {
                offset: 2,
                limit: 2,
            },
        )
        .await?;
    assert_eq!(second.next_offset, Some(4));
    assert_eq!(
        ids(&second.items, |e| e.id.to_string()),
        ids(&all.items[2..4], |e| e.id.to_string())
    );
    let last = store
        .list_audit(
            &AuditFilter::default(),
            PageRequest {
                offset: 4,
                limit: 2,
            },
        )
        .await?;
    assert_eq!(last.next_offset, None);
    assert_eq!(
        ids(&last.items, |e| e.id.to_string()),
        [all.items[4].id.to_string()]
    );
    Ok(())
}

/// The resource filter matches a literal prefix, case and all: `%` and `_`
/// in it are characters, not wildcards, on every backend.
async fn audit_resource_filter_is_an_exact_prefix(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    for resource in [
        "instances/a_b",
        "instances/aXb",
        "instances/100%",
        "instances/1000",
        "Instances/upper",
        "projects/ünï",
    ] {
        store
            .append_audit(&audit(1, "x", resource, Outcome::Success))
            .await?;
    }
    let list = |prefix: &'static str| async move {
        let filter = AuditFilter {
            resource: Some(prefix.into()),
            ..Default::default()
        };
        let page = store.list_audit(&filter, PageRequest::default()).await?;
        let mut found = ids(&page.items, |e| e.resource.clone());
        found.sort();
        anyhow::Ok(found)
    };
    assert_eq!(list("instances/a_").await?, ["instances/a_b"]);
    assert_eq!(list("instances/100%").await?, ["instances/100%"]);
    assert_eq!(list("Instances/").await?, ["Instances/upper"]);
    assert_eq!(
        list("instances/").await?,
        [
            "instances/100%",
            "instances/1000",
            "instances/aXb",
            "instances/a_b"
        ]
    );
    assert_eq!(list("projects/ün").await?, ["projects/ünï"]);
    assert!(list("projects/ÜN").await?.is_empty());
    assert_eq!(list("").await?.len(), 6);
    Ok(())
}

// ---------------------------------------------------------------- text

async fn text_round_trips_unchanged(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let nasty = "O'Brien \"x\" ; DROP TABLE principal; -- \\ % _ \t\n Ünïcödé 日本語 🚀 ''";

    store.update_workspace(Some(nasty), None).await?;
    assert_eq!(store.workspace().await?.name, nasty);

    let owner = store
        .sign_up("o'brien+\"x\"@exämple.com", nasty, nasty)
        .await?;
    assert_eq!(owner.name, nasty);
    assert_eq!(owner.password_hash.as_deref(), Some(nasty));
    let found = store
        .principal_by_email("o'brien+\"x\"@exämple.com")
        .await?
        .expect("found by an email with quotes");
    assert_eq!(found.id, owner.id);

    let env = store.create_environment("env'; --", nasty, false).await?;
    assert_eq!(env.title, nasty);
    assert_eq!(store.environment("env'; --").await?.title, nasty);

    let mut new = new_instance("inst\"ance", "env'; --");
    new.title = nasty.into();
    new.data_sources[0].password_sealed = nasty.into();
    new.data_sources[0].username = "u'ser".into();
    let instance = store.create_instance(&new).await?;
    assert_eq!(instance.title, nasty);
    assert_eq!(instance.data_sources, new.data_sources);

    let project = store
        .create_project("p'1", nasty, "K'\"EY", owner.id)
        .await?;
    assert_eq!(
        (project.title.as_str(), project.key.as_str()),
        (nasty, "K'\"EY")
    );
    let members = store.project_members("p'1").await?;
    assert_eq!(members[0].name, nasty);

    let db = store.upsert_database("inst\"ance", nasty).await?;
    assert_eq!(db.name, nasty);
    let tagged = labels(&[
        (nasty, nasty),
        ("emoji 🚀", "\"quoted\" 'single'"),
        ("", ""),
    ]);
    let db = store
        .update_database("inst\"ance", nasty, Some("p'1"), Some(&tagged))
        .await?;
    assert_eq!(db.labels, tagged);
    assert_eq!(store.database("inst\"ance", nasty).await?.labels, tagged);

    let detail = serde_json::json!({ "title": nasty, "list": [nasty] });
    store
        .append_audit(&NewAuditEntry {
            principal_id: owner.id,
            action: nasty.into(),
            resource: format!("projects/{nasty}"),
            outcome: Outcome::Success,
            detail: detail.clone(),
        })
        .await?;
    let entries = store
        .list_audit(
            &AuditFilter {
                action: Some(nasty.into()),
                ..Default::default()
            },
            PageRequest::default(),
        )
        .await?;
    assert_eq!(entries.items.len(), 1);
    assert_eq!(entries.items[0].resource, format!("projects/{nasty}"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&entries.items[0].detail)?,
        detail
    );

    // The tables are all still there.
    assert_eq!(store.principal(1).await?.name, "Sluice");
    assert_eq!(
        store
            .list_principals(PrincipalKind::EndUser, PageRequest::default())
            .await?
            .items
            .len(),
        1
    );
    Ok(())
}

// ---------------------------------------------------------------- concurrency

async fn race_sign_ups(store: &Store) -> Vec<Result<Principal, StoreError>> {
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .sign_up(&format!("racer{i}@example.com"), &format!("Racer {i}"), "h")
                    .await
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("sign-up task"));
    }
    results
}

async fn concurrent_first_sign_ups_make_one_owner(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let results = race_sign_ups(store).await;
    let mut owners = 0;
    for result in &results {
        match result {
            Ok(p) => {
                assert_eq!(p.role, WorkspaceRole::Owner);
                owners += 1;
            }
            Err(StoreError::FailedPrecondition(_)) => {}
            Err(other) => panic!("unexpected sign-up error: {other:?}"),
        }
    }
    assert_eq!(owners, 1, "exactly one racer becomes Owner: {results:?}");
    assert_eq!(store.count_active_owners().await?, 1);
    let people = store
        .list_principals(PrincipalKind::EndUser, PageRequest::default())
        .await?;
    assert_eq!(people.items.len(), 1);
    Ok(())
}

async fn concurrent_open_sign_ups_make_one_owner(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    store.update_workspace(None, Some(true)).await?;
    let results = race_sign_ups(store).await;
    let mut roles = BTreeMap::new();
    for result in results {
        let principal = result.map_err(|e| anyhow::anyhow!("sign-up failed: {e:?}"))?;
        *roles.entry(principal.role.as_str()).or_insert(0) += 1;
    }
    assert_eq!(roles, BTreeMap::from([("DEVELOPER", 7), ("OWNER", 1)]));
    assert_eq!(store.count_active_owners().await?, 1);
    Ok(())
}

async fn concurrent_environment_creates_get_distinct_positions(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .create_environment(&format!("env{i}"), "E", false)
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("create task")?;
    }
    let mut positions: Vec<i64> = store
        .list_environments(true)
        .await?
        .iter()
        .map(|e| e.position)
        .collect();
    positions.sort();
    assert_eq!(
        positions,
        (1..=8).collect::<Vec<_>>(),
        "each environment has its own place"
    );

    // Restored ones go last, each to a place of its own.
    for i in 0..4 {
        store
            .set_environment_archived(&format!("env{i}"), true)
            .await?;
    }
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .set_environment_archived(&format!("env{i}"), false)
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("restore task")?;
    }
    let mut restored: Vec<i64> = store
        .list_environments(false)
        .await?
        .iter()
        .filter(|e| ["env0", "env1", "env2", "env3"].contains(&e.id.as_str()))
        .map(|e| e.position)
        .collect();
    restored.sort();
    assert_eq!(restored, [9, 10, 11, 12]);
    Ok(())
}
