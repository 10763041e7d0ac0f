//! Drift detection: whether a database still has the schema Sluice last
//! recorded for it.
//!
//! The expected schema is the schema after the database's latest DONE
//! BASELINE or MIGRATE changelog entry; a database without one expects
//! nothing and never drifts. Every successful schema sync (on demand, by
//! an instance's background round, or after a change) compares the live
//! schema with it, and the store keeps the outcome: what differs as
//! Changes and as the DDL that was run behind Sluice's back, and since
//! when. A DBA may accept the live schema, which records it as a new
//! BASELINE entry.
//!
//! A sync that overlaps a change Sluice itself makes (a task RUNNING on
//! the database, or a changelog entry appended while the schema was being
//! inspected) does not compare: the live schema already holds the change
//! while its changelog entry, written with that same schema, is not in
//! yet, so the change would be mistaken for drift.

use crate::{App, AppError, AppResult, Caller, Permission};
use serde_json::{Value, json};
use sluice_plan::PlanOptions;
use sluice_schema::Catalog;
use sluice_store::{
    ChangelogStatus, ChangelogType, Database, DbEvent, DriftFound, DriftTransition,
    DriftedDatabase, NewChangelog, Page, PageRequest,
};

/// A database's drift, as the API and the UI show it.
#[derive(Debug, Clone)]
pub struct DriftView {
    /// IN_SYNC, DRIFTED, or UNKNOWN (never compared: no changelog entry
    /// yet, or no sync since there is one).
    pub status: &'static str,
    pub detected_at: Option<i64>,
    /// When the live schema was last compared.
    pub checked_at: Option<i64>,
    /// What differs, expected → live, as Changes (JSON objects).
    pub changes: Vec<Value>,
    /// The DDL that turns the expected schema into the live one.
    pub ddl: String,
    /// The changelog entry whose schema is expected.
    pub expected_version: Option<String>,
    pub expected_changelog_id: Option<i64>,
}

impl DriftView {
    pub fn is_drifted(&self) -> bool {
        self.status == "DRIFTED"
    }
}

/// What a sync saw of Sluice's own changes before it inspected the schema.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DriftProbe {
    change_running: bool,
    expected_entry: Option<i64>,
}

impl App {
    /// Taken before a sync inspects the schema; handed to
    /// [`App::check_drift`] after.
    pub(crate) async fn drift_probe(&self, db_id: i64) -> DriftProbe {
        let running = self.store.database_task_running(db_id).await;
        let expected = self.store.expected_schema_entry_id(db_id).await;
        match (running, expected) {
            (Ok(change_running), Ok(expected_entry)) => DriftProbe {
                change_running,
                expected_entry,
            },
            // Unknown is treated as busy: no comparison beats a false alarm.
            _ => DriftProbe {
                change_running: true,
                expected_entry: None,
            },
        }
    }

    /// Compare the schema a sync just kept with the expected one and keep
    /// the outcome. Never fails the sync: a failure is logged.
    pub(crate) async fn check_drift(
        &self,
        caller: &Caller,
        db: &Database,
        live: &Catalog,
        before: DriftProbe,
    ) {
        if let Err(err) = self.try_check_drift(caller, db, live, before).await {
            tracing::warn!(instance = %db.instance_id, database = %db.name, %err, "drift check failed");
        }
    }

    async fn try_check_drift(
        &self,
        caller: &Caller,
        db: &Database,
        live: &Catalog,
        before: DriftProbe,
    ) -> AppResult<()> {
        let after = self.drift_probe(db.id).await;
        if before.change_running
            || after.change_running
            || before.expected_entry != after.expected_entry
        {
            tracing::debug!(instance = %db.instance_id, database = %db.name,
                "a change was in flight during the sync: drift not compared");
            return Ok(());
        }
        let Some(entry) = self.store.expected_schema_entry(db.id).await? else {
            return Ok(());
        };
        if Some(entry.id) != before.expected_entry {
            return Ok(());
        }
        let Some(expected) = recorded_catalog(&entry.schema_after) else {
            return Ok(());
        };
        let found = compare(&expected, live)?;
        let transition = self
            .store
            .record_drift_check(db.id, entry.id, found.as_ref(), caller.id())
            .await?;
        if transition == DriftTransition::Detected {
            tracing::info!(instance = %db.instance_id, database = %db.name,
                summary = %found.as_ref().map(|f| f.summary.as_str()).unwrap_or(""), "schema drift detected");
        }
        Ok(())
    }

    /// The database's drift as last compared, brought up to date first
    /// when Sluice recorded a change since (see [`App::refresh_drift`]).
    pub async fn drift(&self, caller: &Caller, instance: &str, name: &str) -> AppResult<DriftView> {
        let db = self.database(caller, instance, name).await?;
        self.refresh_drift(&db).await;
        self.drift_view(db.id).await
    }

    /// The runner writes a change's changelog entry after its own sync,
    /// which therefore could not compare. Once the change is recorded, the
    /// schema kept by that sync is the one to compare with the new entry:
    /// this does it when the last comparison was against an older entry.
    /// Signed by the system bot; a failure is logged and the old outcome
    /// shown.
    async fn refresh_drift(&self, db: &Database) {
        let outdated = async {
            let expected = self.store.expected_schema_entry_id(db.id).await?;
            let compared = match self.store.drift(db.id).await? {
                Some(record) => record.expected_changelog_id,
                None => None,
            };
            Ok::<_, AppError>(expected.is_some() && expected != compared)
        };
        let refreshed = async {
            if !outdated.await? {
                return Ok(());
            }
            let probe = self.drift_probe(db.id).await;
            let Some(snapshot) = self.store.schema_snapshot(db.id).await? else {
                return Ok(());
            };
            let Some(live) = recorded_catalog(&snapshot.catalog) else {
                return Ok(());
            };
            let bot = self.system_bot().await?;
            self.try_check_drift(&bot, db, &live, probe).await
        };
        if let Err(err) = refreshed.await {
            tracing::warn!(instance = %db.instance_id, database = %db.name, %err, "drift refresh failed");
        }
    }

    async fn drift_view(&self, db_id: i64) -> AppResult<DriftView> {
        let Some(record) = self.store.drift(db_id).await? else {
            let expected = self.store.expected_schema_entry(db_id).await?;
            return Ok(DriftView {
                status: "UNKNOWN",
                detected_at: None,
                checked_at: None,
                changes: Vec::new(),
                ddl: String::new(),
                expected_version: expected.as_ref().map(|e| e.version.clone()),
                expected_changelog_id: expected.map(|e| e.id),
            });
        };
        let changes = match serde_json::from_str::<Value>(&record.changes) {
            Ok(Value::Array(changes)) => changes,
            _ => Vec::new(),
        };
        Ok(DriftView {
            status: record.status.as_str(),
            detected_at: record.detected_at,
            checked_at: Some(record.checked_at),
            changes,
            ddl: record.ddl,
            expected_version: record.expected_version,
            expected_changelog_id: record.expected_changelog_id,
        })
    }

    /// Accept the database's live schema (as kept at its last sync) as
    /// what Sluice expects: a BASELINE changelog entry with that schema
    /// after and the expected one before, versioned by the time. Refused
    /// while a task changes the database, before its first sync, and
    /// when nothing differs.
    pub async fn accept_drift(
        &self,
        caller: &Caller,
        instance: &str,
        name: &str,
    ) -> AppResult<DriftView> {
        let db = self.store.database(instance, name).await?;
        self.authorize(
            caller,
            Permission::DatabasesDriftAccept,
            Some(&db.project_id),
        )
        .await?;
        let version = chrono::Utc::now().format("%Y%m%d%H%M%S%3f").to_string();
        self.audited(
            caller,
            "databases.drift.accept",
            &format!("instances/{instance}/databases/{name}"),
            json!({"version": version}),
            async {
                if self.store.database_task_running(db.id).await? {
                    return Err(AppError::FailedPrecondition(format!(
                        "a task is changing database {name} now: accept its live schema once the task ends"
                    )));
                }
                let snapshot = self.store.schema_snapshot(db.id).await?.ok_or_else(|| {
                    AppError::FailedPrecondition(format!(
                        "database {name} was never synced: sync its schema first"
                    ))
                })?;
                let live: Catalog = serde_json::from_str(&snapshot.catalog)
                    .map_err(|e| AppError::Internal(format!("stored schema: {e}")))?;
                let expected = self.store.expected_schema_entry(db.id).await?;
                let expected_catalog = expected
                    .as_ref()
                    .and_then(|e| recorded_catalog(&e.schema_after));
                let differences = match (&expected, &expected_catalog) {
                    (Some(entry), Some(before)) => match compare(before, &live)? {
                        Some(found) => change_count(&found.changes),
                        None => {
                            return Err(AppError::FailedPrecondition(format!(
                                "the schema of {name} at its last sync matches version {}: there is no drift to accept",
                                entry.version
                            )));
                        }
                    },
                    // Nothing readable is expected: this is the first baseline.
                    _ => 0,
                };
                let schema_before = expected.map(|e| e.schema_after).unwrap_or_default();
                let ddl = sluice_schema::render::ddl(&live);
                let baseline = NewChangelog {
                    db_id: db.id,
                    version: version.clone(),
                    changelog_type: ChangelogType::Baseline,
                    checksum: sluice_engine::checksum(&ddl),
                    statement: ddl,
                    schema_before,
                    schema_after: snapshot.catalog,
                    issue_id: None,
                    task_run_id: None,
                    creator_id: caller.id(),
                    status: ChangelogStatus::Done,
                    duration_ms: 0,
                };
                let summary = match differences {
                    0 => format!("recorded the live schema as baseline {version}"),
                    n => format!("accepted the live schema as baseline {version} ({n} change(s))"),
                };
                self.store.accept_drift(&baseline, &summary).await?;
                self.drift_view(db.id).await
            },
        )
        .await
    }

    /// The database's timeline, newest first, with who acted.
    pub async fn database_events(
        &self,
        caller: &Caller,
        instance: &str,
        name: &str,
        page: PageRequest,
    ) -> AppResult<Page<(DbEvent, crate::issues::PrincipalRef)>> {
        let db = self.database(caller, instance, name).await?;
        let events = self.store.list_db_events(db.id, page).await?;
        let people = self
            .principal_refs(events.items.iter().map(|e| e.principal_id).collect())
            .await?;
        Ok(Page {
            items: events
                .items
                .into_iter()
                .filter_map(|e| {
                    let who = people.get(&e.principal_id)?.clone();
                    Some((e, who))
                })
                .collect(),
            next_offset: events.next_offset,
        })
    }

    /// Every drifted database of the active instances (for the metrics
    /// page, which names them to whoever may scrape it).
    pub async fn drifted_databases(&self) -> AppResult<Vec<DriftedDatabase>> {
        Ok(self.store.list_drifted_databases().await?)
    }
}

/// A schema kept in a changelog entry, when one was recorded and reads.
fn recorded_catalog(json: &str) -> Option<Catalog> {
    if json.trim().is_empty() {
        return None;
    }
    serde_json::from_str(json)
        .inspect_err(|err| tracing::warn!(%err, "a recorded schema cannot be read"))
        .ok()
}

/// What turns `expected` into `live`, if anything. The DDL uses the plain
/// statements, not the lock-safe forms: it says what was done, not how
/// to do it again.
fn compare(expected: &Catalog, live: &Catalog) -> AppResult<Option<DriftFound>> {
    let options = PlanOptions {
        lock_safe: false,
        lock_timeout_ms: None,
        ..PlanOptions::default()
    };
    let plan = sluice_plan::plan(expected, live, &options);
    if plan.is_empty() {
        return Ok(None);
    }
    let changes = serde_json::to_string(&plan.changes)
        .map_err(|e| AppError::Internal(format!("changes: {e}")))?;
    let described: Vec<Value> = plan
        .changes
        .iter()
        .filter_map(|c| serde_json::to_value(c).ok())
        .collect();
    Ok(Some(DriftFound {
        summary: summary(&described),
        ddl: plan.to_sql(),
        changes,
    }))
}

fn change_count(changes_json: &str) -> usize {
    serde_json::from_str::<Vec<Value>>(changes_json)
        .map(|c| c.len())
        .unwrap_or(0)
}

/// "2 changes outside Sluice: add_column public.orders.note, ...".
pub fn summary(changes: &[Value]) -> String {
    const SHOWN: usize = 3;
    let mut text = format!(
        "{} change{} outside Sluice: ",
        changes.len(),
        if changes.len() == 1 { "" } else { "s" }
    );
    let named: Vec<String> = changes
        .iter()
        .take(SHOWN)
        .map(|c| format!("{} {}", change_kind(c), change_subject(c)))
        .collect();
    text.push_str(&named.join(", "));
    if changes.len() > SHOWN {
        text.push_str(&format!(" and {} more", changes.len() - SHOWN));
    }
    text
}

/// A Change's kind, as its JSON tag spells it (`add_column`).
pub fn change_kind(change: &Value) -> &str {
    change
        .get("change")
        .and_then(Value::as_str)
        .unwrap_or("change")
}

/// The object a Change is about, dotted (`public.orders.note`), from the
/// names its JSON carries.
pub fn change_subject(change: &Value) -> String {
    const NAMED: [&str; 16] = [
        "schema",
        "table",
        "column",
        "name",
        "index",
        "unique",
        "check",
        "foreign_key",
        "primary_key",
        "view",
        "function",
        "trigger",
        "sequence",
        "enum_type",
        "partition",
        "extension",
    ];
    let name_of = |v: &Value| -> Option<String> {
        v.as_str()
            .or_else(|| v.get("name").and_then(Value::as_str))
            .filter(|n| !n.is_empty())
            .map(str::to_string)
    };
    let scope = change.get("target").unwrap_or(change);
    let mut parts: Vec<String> = NAMED
        .iter()
        .filter_map(|key| scope.get(*key).and_then(name_of))
        .collect();
    match (change.get("from"), change.get("to")) {
        (Some(Value::String(from)), Some(Value::String(to))) => {
            parts.push(format!("{from} → {to}"))
        }
        (Some(from), _) if from.is_object() => parts.extend(name_of(from)),
        _ => {}
    }
    if let Some(value) = change.get("value").and_then(Value::as_str) {
        parts.push(format!("'{value}'"));
    }
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_name_the_object() {
        let add = json!({"change": "add_column", "schema": "public", "table": "orders",
            "column": {"name": "note", "type": "text"}});
        assert_eq!(change_subject(&add), "public.orders.note");
        let rename = json!({"change": "rename_table", "schema": "shop", "from": "a", "to": "b"});
        assert_eq!(change_subject(&rename), "shop.a → b");
        let view = json!({"change": "replace_view", "schema": "public",
            "from": {"name": "v"}, "to": {"name": "v"}});
        assert_eq!(change_subject(&view), "public.v");
        let comment = json!({"change": "set_comment",
            "target": {"kind": "table", "schema": "public", "name": "t"}, "from": null, "to": "x"});
        assert_eq!(change_subject(&comment), "public.t");
    }

    #[test]
    fn summaries_count_and_cut() {
        let one = vec![json!({"change": "create_table", "schema": "main", "table": {"name": "t"}})];
        assert_eq!(
            summary(&one),
            "1 change outside Sluice: create_table main.t"
        );
        let five: Vec<Value> = (0..5)
            .map(|i| json!({"change": "drop_index", "schema": "s", "table": "t", "index": {"name": format!("i{i}")}}))
            .collect();
        assert_eq!(
            summary(&five),
            "5 changes outside Sluice: drop_index s.t.i0, drop_index s.t.i1, drop_index s.t.i2 and 2 more"
        );
    }
}
