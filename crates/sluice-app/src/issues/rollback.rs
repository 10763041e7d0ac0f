//! Reverse migrations and "Roll back".
//!
//! When a schema change is DONE, the runner asks for its reverse: the plan
//! from the schema after the change back to the schema before it, kept
//! with the changelog entry (the script, its hazards, the plan). Rolling
//! back files that script as a new SCHEMA_CHANGE issue on the same
//! database, so it goes through the checks, approval and rollout every
//! change does. It is refused when a later change was applied on top, and
//! when the script carries hazards (a dropped table loses its rows) the
//! caller did not accept by name.

use super::IssueInput;
use crate::{App, AppError, AppResult, Caller, Permission, validate};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sluice_plan::{Hazard, HazardAllowance, Plan, PlanOptions};
use sluice_schema::Catalog;
use sluice_store::{Changelog, ChangelogReverse, ChangelogStatus, ChangelogType, Issue, IssueType};

/// A reverse plan, as the API and the UI show it.
#[derive(Debug, Clone, Serialize)]
pub struct ReverseView {
    /// The script that undoes the change; empty when there is none.
    pub statement: String,
    /// Its hazards, each once.
    pub hazards: Vec<Hazard>,
    /// The plan (its changes and steps, each step with its hazards).
    pub plan: Option<Plan>,
    /// Why there is no script, when there is none.
    pub note: String,
    /// When it was computed (Unix ms).
    pub computed_at: i64,
}

impl From<&ChangelogReverse> for ReverseView {
    fn from(r: &ChangelogReverse) -> ReverseView {
        ReverseView {
            statement: r.statement.clone(),
            hazards: serde_json::from_str(&r.hazards).unwrap_or_default(),
            plan: serde_json::from_str(&r.plan).ok(),
            note: r.note.clone(),
            computed_at: r.created_at,
        }
    }
}

/// How to roll a change back.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RollbackInput {
    /// Defaults to "Roll back {version}".
    pub title: Option<String>,
    /// The hazards the caller accepts: names, or "all".
    pub allow_hazards: Vec<String>,
}

/// The reverse of a changelog entry, planned from the schemas it kept.
/// Never fails: without a reverse, the note says why.
pub fn compute_reverse(entry: &Changelog) -> ChangelogReverse {
    let mut reverse = ChangelogReverse {
        changelog_id: entry.id,
        statement: String::new(),
        hazards: "[]".into(),
        plan: String::new(),
        note: String::new(),
        created_at: 0,
    };
    match reverse_plan(entry) {
        Ok(plan) => {
            reverse.statement = plan.to_sql();
            reverse.hazards =
                serde_json::to_string(&plan.hazards()).unwrap_or_else(|_| "[]".into());
            reverse.plan = serde_json::to_string(&plan).unwrap_or_default();
        }
        Err(why) => reverse.note = why,
    }
    reverse
}

fn reverse_plan(entry: &Changelog) -> Result<Plan, String> {
    if entry.changelog_type != ChangelogType::Migrate {
        return Err("only a schema change (MIGRATE) has a reverse".into());
    }
    let before = kept_schema("before", &entry.schema_before)?;
    let after = kept_schema("after", &entry.schema_after)?;
    let options = PlanOptions {
        server: after.server.clone(),
        ..Default::default()
    };
    let plan = sluice_plan::plan(&after, &before, &options);
    if plan.is_empty() {
        return Err(
            "the schema after the change reads the same as before it: there is nothing to reverse"
                .into(),
        );
    }
    Ok(plan)
}

fn kept_schema(which: &str, json: &str) -> Result<Catalog, String> {
    if json.trim().is_empty() {
        return Err(format!(
            "no schema was kept {which} the change (the database could not be inspected then), so no reverse could be planned"
        ));
    }
    serde_json::from_str(json)
        .map_err(|e| format!("the schema kept {which} the change cannot be read ({e})"))
}

impl App {
    /// Plan and keep the reverse of a DONE schema change. The planning runs
    /// off the async threads, and a planner that fails, even by panicking,
    /// leaves a note instead of a reverse: the change itself stays DONE.
    pub async fn keep_reverse(&self, entry: &Changelog) -> AppResult<ChangelogReverse> {
        let owned = entry.clone();
        let reverse = tokio::task::spawn_blocking(move || compute_reverse(&owned))
            .await
            .unwrap_or_else(|err| ChangelogReverse {
                changelog_id: entry.id,
                statement: String::new(),
                hazards: "[]".into(),
                plan: String::new(),
                note: format!("planning the reverse failed: {err}"),
                created_at: 0,
            });
        self.store.set_changelog_reverse(&reverse).await?;
        Ok(reverse)
    }

    /// One changelog entry of a database with its reverse plan, if one
    /// was computed.
    pub async fn changelog_entry(
        &self,
        caller: &Caller,
        instance: &str,
        name: &str,
        id: i64,
    ) -> AppResult<(Changelog, Option<ReverseView>)> {
        let entry = self.changelog(caller, instance, name, id).await?;
        let reverse = self.store.changelog_reverse(entry.id).await?;
        Ok((entry, reverse.as_ref().map(ReverseView::from)))
    }

    /// File the reverse of a changelog entry as a new SCHEMA_CHANGE issue
    /// on its database, in the database's project.
    pub async fn roll_back_changelog(
        &self,
        caller: &Caller,
        instance: &str,
        name: &str,
        id: i64,
        input: &RollbackInput,
    ) -> AppResult<Issue> {
        let entry = self.changelog(caller, instance, name, id).await?;
        let db = self.store.database(instance, name).await?;
        self.authorize(caller, Permission::IssuesCreate, Some(&db.project_id))
            .await?;
        let allowed = HazardAllowance::parse(&input.allow_hazards)
            .map_err(|e| AppError::invalid("allow_hazards", e.to_string()))?;
        let title = match input.title.as_deref().filter(|t| !t.trim().is_empty()) {
            Some(t) => validate::title("title", t)?,
            None => format!("Roll back {}", entry.version)
                .chars()
                .take(200)
                .collect(),
        };
        let target = format!("{instance}/{name}");
        let detail = json!({"changelog": id, "version": entry.version, "allow_hazards": input.allow_hazards});
        let resource = format!("instances/{instance}/databases/{name}/changelogs/{id}");
        self.audited(caller, "changelogs.rollback", &resource, detail, async {
            let reverse = self.reversible(&entry, &target).await?;
            refuse_unallowed(&entry, &reverse, &allowed)?;
            let input = IssueInput {
                title,
                description: self.rollback_description(&entry, &target).await,
                issue_type: IssueType::SchemaChange,
                statement: reverse.statement.clone(),
                targets: vec![target.clone()],
                version: rollback_version(&entry.version),
                database: None,
            };
            self.create_issue(caller, &db.project_id, &input).await
        })
        .await
    }

    /// The entry's reverse, if the entry may be rolled back now: a DONE
    /// schema change with a reverse, and the last schema change of its
    /// database (a reverse planned against a schema that has moved on
    /// would undo the wrong thing).
    async fn reversible(&self, entry: &Changelog, target: &str) -> AppResult<ReverseView> {
        let what = format!("changelog entry {} (version {})", entry.id, entry.version);
        if entry.changelog_type != ChangelogType::Migrate || entry.status != ChangelogStatus::Done {
            return Err(AppError::FailedPrecondition(format!(
                "{what} is a {} {} entry: only a DONE schema change (MIGRATE) can be rolled back",
                entry.status, entry.changelog_type
            )));
        }
        let reverse = self
            .store
            .changelog_reverse(entry.id)
            .await?
            .map(|r| ReverseView::from(&r))
            .ok_or_else(|| {
                AppError::FailedPrecondition(format!(
                    "{what} has no reverse plan: it was recorded before Sluice kept them"
                ))
            })?;
        if reverse.statement.trim().is_empty() {
            return Err(AppError::FailedPrecondition(format!(
                "{what} has no reverse plan: {}",
                reverse.note
            )));
        }
        if let Some(latest) = self.store.latest_schema_changelog(entry.db_id).await?
            && latest.id != entry.id
        {
            return Err(AppError::FailedPrecondition(format!(
                "{what} is not the last schema change of {target}: version {} (changelog entry {}, {}) came after it; roll that back first",
                latest.version, latest.id, latest.changelog_type
            )));
        }
        Ok(reverse)
    }

    /// What the rollback issue says: which change it undoes, and where
    /// that change came from.
    async fn rollback_description(&self, entry: &Changelog, target: &str) -> String {
        let origin = match entry.issue_id {
            Some(issue_id) => match self.store.issue(issue_id).await {
                Ok(issue) => format!(
                    ", applied by issue #{} \"{}\" (/projects/{}/issues/{})",
                    issue.number, issue.title, issue.project_id, issue.number
                ),
                Err(_) => format!(", applied by issue id {issue_id}"),
            },
            None => String::new(),
        };
        format!(
            "Rolls back version {} on {target} (changelog entry {}){origin}.\n\n\
             The SQL is the reverse plan Sluice computed when that change was done: \
             it takes the schema back to what it was before. Undoing a drop recreates \
             the definition, not the data.",
            entry.version, entry.id
        )
    }
}

/// The version a rollback of `version` carries: one per change, so that a
/// second rollback filed before the first ran is found applied on the
/// target and not run again. None (a time) when it would be too long.
fn rollback_version(version: &str) -> Option<String> {
    let rollback = format!("{version}-rollback");
    (rollback.len() <= 255).then_some(rollback)
}

/// Refuse a reverse whose hazards the caller did not accept, naming them.
fn refuse_unallowed(
    entry: &Changelog,
    reverse: &ReverseView,
    allowed: &HazardAllowance,
) -> AppResult<()> {
    let refused: Vec<&str> = reverse
        .hazards
        .iter()
        .filter(|h| !allowed.allows(**h))
        .map(|h| h.as_str())
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    Err(AppError::invalid(
        "allow_hazards",
        format!(
            "rolling back version {} carries hazards that were not allowed: {}; review the reverse plan and allow them to file the rollback",
            entry.version,
            refused.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(before: &str, after: &str) -> Changelog {
        Changelog {
            id: 7,
            db_id: 1,
            version: "0001".into(),
            changelog_type: ChangelogType::Migrate,
            statement: String::new(),
            checksum: String::new(),
            schema_before: before.into(),
            schema_after: after.into(),
            issue_id: None,
            task_run_id: None,
            creator_id: 1,
            status: ChangelogStatus::Done,
            duration_ms: 0,
            created_at: 0,
        }
    }

    #[test]
    fn a_missing_schema_gives_a_note_not_a_reverse() {
        let r = compute_reverse(&entry("", "{}"));
        assert!(r.statement.is_empty());
        assert!(r.note.contains("no schema was kept before"), "{}", r.note);
        let r = compute_reverse(&entry("{not json", "{}"));
        assert!(r.note.contains("cannot be read"), "{}", r.note);
        let mut data = entry("{}", "{}");
        data.changelog_type = ChangelogType::Data;
        assert!(compute_reverse(&data).note.contains("only a schema change"));
    }
}
