//! A database's Changelog tab: what was applied to it, newest first, each
//! entry opening its statement and the schema before and after as DDL with
//! a line diff between the two, and for a schema change its reverse plan
//! with a "Roll back" form (the hazards confirmed by a checkbox).

use super::layout::{Layout, Section, describe, error_page, when};
use super::schema::{DbTabs, database_href};
use super::session::{Ctx, Params, Post, redirect_notice};
use crate::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use sluice_app::AppError;
use sluice_app::issues::{ReverseView, RollbackInput};
use sluice_store::{Changelog, ChangelogStatus, ChangelogType, Database, PageRequest};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/instances/{id}/databases/{name}/changelog", get(list))
        .route(
            "/instances/{id}/databases/{name}/changelog/{entry}",
            get(show),
        )
        .route(
            "/instances/{id}/databases/{name}/changelog/{entry}/rollback",
            post(roll_back),
        )
}

fn status_class(status: ChangelogStatus) -> &'static str {
    match status {
        ChangelogStatus::Pending => "pending",
        ChangelogStatus::Done => "done",
        ChangelogStatus::Failed => "failed",
    }
}

fn kind_word(kind: ChangelogType) -> &'static str {
    match kind {
        ChangelogType::Baseline => "Baseline",
        ChangelogType::Migrate => "Migrate",
        ChangelogType::Data => "Data",
    }
}

pub struct EntryRow {
    pub href: String,
    pub version: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub class: &'static str,
    /// `#3 Add an index` linking to the issue, when one made it.
    pub issue: String,
    pub issue_href: String,
    pub duration: String,
    pub when: String,
}

async fn issue_link(state: &AppState, entry: &Changelog) -> (String, String) {
    let Some(id) = entry.issue_id else {
        return (String::new(), String::new());
    };
    match state.app.store.issue(id).await {
        Ok(issue) => (
            format!("#{} {}", issue.number, issue.title),
            format!("/projects/{}/issues/{}", issue.project_id, issue.number),
        ),
        Err(_) => (format!("issue id {id}"), String::new()),
    }
}

async fn row(state: &AppState, base: &str, entry: &Changelog) -> EntryRow {
    let (issue, issue_href) = issue_link(state, entry).await;
    EntryRow {
        href: format!("{base}/changelog/{}", entry.id),
        version: entry.version.clone(),
        kind: kind_word(entry.changelog_type),
        status: entry.status.as_str(),
        class: status_class(entry.status),
        issue,
        issue_href,
        duration: format!("{} ms", entry.duration_ms),
        when: when(entry.created_at),
    }
}

async fn frame(
    state: &AppState,
    ctx: &Ctx,
    instance: &str,
    name: &str,
    title: String,
) -> Result<(Database, Layout, DbTabs), Response> {
    let db = state
        .app
        .database(&ctx.caller, instance, name)
        .await
        .map_err(|err| error_page(ctx, Section::Databases, err))?;
    let t = DbTabs::new(&db, "changelog");
    let l = ctx
        .layout(Section::Databases, title)
        .crumb("Instances", "/instances")
        .crumb(
            db.instance_id.clone(),
            format!("/instances/{}", super::session::url_encode(&db.instance_id)),
        )
        .crumb(db.name.clone(), t.base.clone());
    Ok((db, l, t))
}

#[derive(Template)]
#[template(path = "changelog.html")]
struct ListPage {
    l: Layout,
    t: DbTabs,
    entries: Vec<EntryRow>,
    next: Option<String>,
    new_issue: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    offset: String,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((instance, name)): Path<(String, String)>,
    Params(q): Params<ListQuery>,
) -> Response {
    let (db, l, t) = match frame(
        &state,
        &ctx,
        &instance,
        &name,
        format!("{name} · Changelog"),
    )
    .await
    {
        Ok(v) => v,
        Err(r) => return r,
    };
    let offset = q.offset.parse::<i64>().unwrap_or(0).max(0);
    let page = match state
        .app
        .list_changelogs(
            &ctx.caller,
            &instance,
            &name,
            PageRequest { offset, limit: 100 },
        )
        .await
    {
        Ok(p) => p,
        Err(err) => return error_page(&ctx, Section::Databases, err),
    };
    let base = database_href(&instance, &name);
    let mut entries = Vec::with_capacity(page.items.len());
    for entry in &page.items {
        entries.push(row(&state, &base, entry).await);
    }
    let next = page
        .next_offset
        .map(|n| format!("{base}/changelog?offset={n}"));
    ctx.ok(&ListPage {
        l,
        t,
        entries,
        next,
        new_issue: super::issues::new_issue_href(&db.project_id, &db.instance_id, &db.name),
    })
}

/// One line of a diff: `kind` is "same", "add", "del" or "gap".
pub struct DiffLine {
    pub kind: &'static str,
    pub old: String,
    pub new: String,
    pub text: String,
}

/// Lines kept around a change in a diff.
const CONTEXT: usize = 3;
/// Beyond this many cells the middle of a diff is shown as removed then
/// added rather than aligned.
const MAX_CELLS: usize = 4_000_000;

/// A line diff of two texts (longest common subsequence), unchanged runs
/// cut down to a few lines of context.
pub fn line_diff(before: &str, after: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    // ops: 0 same, 1 delete, 2 add, each with its line in a or b.
    let mut ops: Vec<(u8, usize, usize)> = (0..prefix).map(|i| (0, i, i)).collect();
    if am.len() * bm.len() > MAX_CELLS {
        ops.extend((0..am.len()).map(|i| (1, prefix + i, 0)));
        ops.extend((0..bm.len()).map(|j| (2, 0, prefix + j)));
    } else {
        let (n, m) = (am.len(), bm.len());
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * (m + 1) + j] = if am[i] == bm[j] {
                    lcs[(i + 1) * (m + 1) + j + 1] + 1
                } else {
                    lcs[(i + 1) * (m + 1) + j].max(lcs[i * (m + 1) + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && am[i] == bm[j] {
                ops.push((0, prefix + i, prefix + j));
                i += 1;
                j += 1;
            } else if j < m && (i == n || lcs[i * (m + 1) + j + 1] >= lcs[(i + 1) * (m + 1) + j]) {
                ops.push((2, 0, prefix + j));
                j += 1;
            } else {
                ops.push((1, prefix + i, 0));
                i += 1;
            }
        }
    }
    let (at, bt) = (a.len() - suffix, b.len() - suffix);
    ops.extend((0..suffix).map(|k| (0, at + k, bt + k)));
    // Keep changes and the lines near them.
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| o.0 != 0)
        .map(|(i, _)| i)
        .collect();
    let near = |i: usize| {
        changed
            .binary_search_by(|c| {
                if c + CONTEXT < i {
                    std::cmp::Ordering::Less
                } else if *c > i + CONTEXT {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    };
    let mut out = Vec::new();
    let mut skipped = 0;
    for (i, (op, x, y)) in ops.iter().enumerate() {
        if *op == 0 && !near(i) {
            skipped += 1;
            continue;
        }
        if skipped > 0 {
            out.push(DiffLine {
                kind: "gap",
                old: String::new(),
                new: String::new(),
                text: format!("… {skipped} unchanged line(s)"),
            });
            skipped = 0;
        }
        out.push(match op {
            0 => DiffLine {
                kind: "same",
                old: (x + 1).to_string(),
                new: (y + 1).to_string(),
                text: a[*x].to_string(),
            },
            1 => DiffLine {
                kind: "del",
                old: (x + 1).to_string(),
                new: String::new(),
                text: a[*x].to_string(),
            },
            _ => DiffLine {
                kind: "add",
                old: String::new(),
                new: (y + 1).to_string(),
                text: b[*y].to_string(),
            },
        });
    }
    if skipped > 0 && !out.is_empty() {
        out.push(DiffLine {
            kind: "gap",
            old: String::new(),
            new: String::new(),
            text: format!("… {skipped} unchanged line(s)"),
        });
    }
    out
}

/// The DDL of a stored catalog (JSON), or None when none was recorded.
fn ddl_of(catalog_json: &str) -> Option<Result<String, String>> {
    if catalog_json.trim().is_empty() {
        return None;
    }
    Some(
        serde_json::from_str::<sluice_schema::Catalog>(catalog_json)
            .map(|c| sluice_schema::render::ddl(&c))
            .map_err(|e| format!("the recorded schema cannot be read: {e}")),
    )
}

#[derive(Template)]
#[template(path = "changelog_entry.html")]
struct EntryPage {
    l: Layout,
    t: DbTabs,
    e: EntryRow,
    checksum: String,
    by: String,
    statement: Vec<String>,
    has_before: bool,
    has_after: bool,
    schema_error: String,
    diff: Vec<DiffLine>,
    after_lines: Vec<String>,
    /// Shown for schema changes only.
    is_migrate: bool,
    reverse: Option<ReverseSection>,
    alert: Option<String>,
    /// The schema sync page with this entry's schema as the source.
    sync_from: Option<String>,
}

/// One statement of a reverse plan, its hazards marked.
pub struct ReverseStep {
    pub lines: Vec<String>,
    pub hazards: Vec<HazardBadge>,
    pub notes: Vec<String>,
}

pub struct HazardBadge {
    pub name: &'static str,
    /// "failed" for data loss, "warn" for the rest.
    pub class: &'static str,
}

impl HazardBadge {
    fn of(hazard: sluice_plan::Hazard) -> HazardBadge {
        HazardBadge {
            name: hazard.as_str(),
            class: if hazard == sluice_plan::Hazard::DeletesData {
                "failed"
            } else {
                "warn"
            },
        }
    }
}

/// The reverse plan of an entry and what rolling it back needs.
pub struct ReverseSection {
    /// Why there is no script, when there is none.
    pub note: String,
    pub hazards: Vec<HazardBadge>,
    /// The names, comma-separated: the confirmation checkbox's value.
    pub hazard_list: String,
    pub steps: Vec<ReverseStep>,
    pub action: String,
    pub default_title: String,
    /// The later schema change that must be rolled back first, if any:
    /// "version 2024… (changelog entry 12)".
    pub later: Option<String>,
}

impl ReverseSection {
    fn new(reverse: &ReverseView, action: String, version: &str) -> ReverseSection {
        let steps = reverse
            .plan
            .as_ref()
            .map(|plan| {
                plan.steps
                    .iter()
                    .map(|step| ReverseStep {
                        lines: step.sql.lines().map(str::to_string).collect(),
                        hazards: step.hazards.iter().copied().map(HazardBadge::of).collect(),
                        notes: step.notes.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let names: Vec<&str> = reverse.hazards.iter().map(|h| h.as_str()).collect();
        ReverseSection {
            note: reverse.note.clone(),
            hazards: reverse
                .hazards
                .iter()
                .copied()
                .map(HazardBadge::of)
                .collect(),
            hazard_list: names.join(","),
            steps,
            action,
            default_title: format!("Roll back {version}"),
            later: None,
        }
    }

    fn can_roll_back(&self) -> bool {
        self.note.is_empty() && !self.steps.is_empty()
    }
}

/// The entry's id from the path; anything else is an entry not found.
fn entry_id(entry: &str) -> Result<i64, AppError> {
    entry
        .parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("changelog entry {entry:?}")))
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((instance, name, entry)): Path<(String, String, String)>,
) -> Response {
    match entry_id(&entry) {
        Ok(id) => entry_page(&state, &ctx, &instance, &name, id, None, StatusCode::OK).await,
        Err(err) => error_page(&ctx, Section::Databases, err),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RollbackForm {
    title: String,
    /// The confirmation checkbox: the hazard names it accepts.
    allow_hazards: Option<String>,
}

/// File the reverse plan as an issue and go to it; refused, the entry
/// again with why.
async fn roll_back(
    State(state): State<AppState>,
    Path((instance, name, entry)): Path<(String, String, String)>,
    Post(ctx, form): Post<RollbackForm>,
) -> Response {
    let id = match entry_id(&entry) {
        Ok(id) => id,
        Err(err) => return error_page(&ctx, Section::Databases, err),
    };
    let input = RollbackInput {
        title: super::forms::optional(&form.title),
        allow_hazards: form.allow_hazards.into_iter().collect(),
    };
    match state
        .app
        .roll_back_changelog(&ctx.caller, &instance, &name, id, &input)
        .await
    {
        Ok(issue) => redirect_notice(
            &state,
            &format!("/projects/{}/issues/{}", issue.project_id, issue.number),
            &format!("Filed issue #{} to roll back this change.", issue.number),
        ),
        Err(err @ (AppError::InvalidArgument { .. } | AppError::FailedPrecondition(_))) => {
            let (status, _, message) = describe(&err);
            entry_page(&state, &ctx, &instance, &name, id, Some(message), status).await
        }
        Err(err) => error_page(&ctx, Section::Databases, err),
    }
}

async fn entry_page(
    state: &AppState,
    ctx: &Ctx,
    instance: &str,
    name: &str,
    entry_id: i64,
    alert: Option<String>,
    status: StatusCode,
) -> Response {
    let (db, l, t) = match frame(
        state,
        ctx,
        instance,
        name,
        format!("{name} · Changelog entry {entry_id}"),
    )
    .await
    {
        Ok(v) => v,
        Err(r) => return r,
    };
    let l = l.crumb("Changelog", format!("{}/changelog", t.base));
    let (entry, reverse) = match state
        .app
        .changelog_entry(&ctx.caller, instance, name, entry_id)
        .await
    {
        Ok(e) => e,
        Err(err) => return error_page(ctx, Section::Databases, err),
    };
    let by = match state.app.store.principal(entry.creator_id).await {
        Ok(p) => p.name,
        Err(_) => format!("principal {}", entry.creator_id),
    };
    let before = ddl_of(&entry.schema_before);
    let after = ddl_of(&entry.schema_after);
    let mut schema_error = String::new();
    let mut text = |d: &Option<Result<String, String>>| match d {
        Some(Ok(t)) => t.clone(),
        Some(Err(e)) => {
            schema_error = e.clone();
            String::new()
        }
        None => String::new(),
    };
    let (before_text, after_text) = (text(&before), text(&after));
    let has_before = matches!(before, Some(Ok(_)));
    let has_after = matches!(after, Some(Ok(_)));
    let diff = if has_before && has_after {
        line_diff(&before_text, &after_text)
    } else {
        Vec::new()
    };
    let base = database_href(instance, name);
    let mut reverse = reverse.map(|r| {
        let action = format!("{base}/changelog/{}/rollback", entry.id);
        ReverseSection::new(&r, action, &entry.version)
    });
    // Say up front when a later change stands in the way (the roll back
    // itself refuses it too).
    if let Some(section) = reverse.as_mut()
        && let Ok(Some(latest)) = state.app.store.latest_schema_changelog(entry.db_id).await
        && latest.id != entry.id
    {
        section.later = Some(format!(
            "version {} (changelog entry {})",
            latest.version, latest.id
        ));
    }
    let may_file = match state.app.project_role(&ctx.caller, &db.project_id).await {
        Ok(role) => {
            sluice_app::permissions::allows(&ctx.caller, sluice_app::Permission::IssuesCreate, role)
        }
        Err(_) => false,
    };
    let sync_from = (has_after && may_file).then(|| {
        super::schema_sync::sync_from_entry_href(&db.project_id, instance, name, entry.id)
    });
    let page = EntryPage {
        e: row(state, &base, &entry).await,
        checksum: entry.checksum.clone(),
        by,
        statement: entry.statement.lines().map(str::to_string).collect(),
        has_before,
        has_after,
        schema_error,
        diff,
        after_lines: if has_after && !has_before {
            after_text.lines().map(str::to_string).collect()
        } else {
            Vec::new()
        },
        is_migrate: entry.changelog_type == ChangelogType::Migrate
            && entry.status == ChangelogStatus::Done,
        reverse,
        alert,
        sync_from,
        l,
        t,
    };
    ctx.render(status, &page)
}
