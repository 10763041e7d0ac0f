//! Sync schema: make databases of a project look like a source schema.
//!
//! The source is a database's schema (inspected now, or as kept at its
//! last sync) or the schema a changelog entry left behind. Each target of
//! the same dialect gets its own plan, from the target's schema to the
//! source's; filing turns the plans that change something into one
//! SCHEMA_CHANGE issue with a task per differing target, each running its
//! own plan script, so the change goes through the usual checks, approval
//! and rollout. Plans with hazards are filed only when the caller allowed
//! those hazards by name.

use crate::issues::{IssueInput, dialect_of};
use crate::{App, AppError, AppResult, Caller, Permission, validate};
use serde::Serialize;
use sluice_plan::PlanOptions;
use sluice_schema::{Catalog, Dialect};
use sluice_store::{Database, Engine, Issue, IssueType};

/// The plan types a sync answers with, for its callers.
pub use sluice_plan::{Hazard, HazardAllowance, Plan};

/// Most targets one sync plans (each is inspected and planned in turn).
const MAX_TARGETS: usize = 200;

/// What to sync from and to.
#[derive(Debug, Clone, Default)]
pub struct SchemaSyncRequest {
    /// The source database, "instance/database".
    pub source: String,
    /// A changelog entry of the source: its schema after the change is
    /// the source schema instead of the database's current one.
    pub changelog: Option<i64>,
    /// "instance/database" of databases in the project.
    pub targets: Vec<String>,
    /// Inspect the source (unless it is a changelog entry) and the targets
    /// now, keeping what was found; otherwise plan from the schemas kept
    /// at their last sync.
    pub sync: bool,
}

/// A sync to file as an issue.
#[derive(Debug, Clone, Default)]
pub struct SchemaSyncFiling {
    pub request: SchemaSyncRequest,
    /// Defaults to "Sync schema from {source}".
    pub title: Option<String>,
    pub description: String,
    /// The hazards the caller accepts; plans with others are refused.
    pub allow_hazards: HazardAllowance,
}

/// Where a schema shown in a preview was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SchemaOrigin {
    /// Inspected for this preview.
    SyncedNow,
    /// As kept at the database's last sync.
    LastSync,
    /// The schema after a changelog entry.
    Changelog,
}

/// The source schema of a sync.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSchema {
    /// "instance/database".
    pub database: String,
    pub engine: Engine,
    pub changelog: Option<i64>,
    /// The changelog entry's version, when the source is one.
    pub version: Option<String>,
    pub origin: SchemaOrigin,
    /// When the schema was read (Unix ms): the sync, or the changelog entry.
    pub read_at: i64,
    pub ddl: String,
    #[serde(skip)]
    pub catalog: Catalog,
}

/// One target of a sync and its plan.
#[derive(Debug, Clone, Serialize)]
pub struct TargetPlan {
    /// "instance/database".
    pub database: String,
    pub environment: String,
    pub origin: SchemaOrigin,
    /// When the target's schema was read (Unix ms).
    pub read_at: i64,
    pub ddl: String,
    /// Nothing to change: the target gets no task.
    pub in_sync: bool,
    pub hazards: Vec<Hazard>,
    /// The plan as the script its task runs; empty when in sync.
    pub statement: String,
    pub plan: Plan,
}

/// Every target's plan against one source.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaSyncPreview {
    pub source: SourceSchema,
    pub targets: Vec<TargetPlan>,
}

impl SchemaSyncPreview {
    /// The targets that would get a task.
    pub fn differing(&self) -> impl Iterator<Item = &TargetPlan> {
        self.targets.iter().filter(|t| !t.in_sync)
    }
}

impl App {
    /// Plan each target against the source, filing nothing.
    pub async fn preview_schema_sync(
        &self,
        caller: &Caller,
        project: &str,
        request: &SchemaSyncRequest,
    ) -> AppResult<SchemaSyncPreview> {
        self.authorize(caller, Permission::IssuesCreate, Some(project))
            .await?;
        self.store.project(project).await?;
        let (source_db, source) = self.source_schema(caller, request).await?;
        let targets = self
            .sync_targets(project, &source_db, &request.targets)
            .await?;
        let mut plans = Vec::with_capacity(targets.len());
        for db in targets {
            plans.push(self.plan_target(caller, &db, &source, request.sync).await?);
        }
        Ok(SchemaSyncPreview {
            source,
            targets: plans,
        })
    }

    /// File the plans that change something as one SCHEMA_CHANGE issue, a
    /// task per differing target running its own plan.
    pub async fn file_schema_sync(
        &self,
        caller: &Caller,
        project: &str,
        filing: &SchemaSyncFiling,
    ) -> AppResult<(Issue, SchemaSyncPreview)> {
        self.authorize(caller, Permission::IssuesCreate, Some(project))
            .await?;
        let title = filing
            .title
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(|t| validate::title("title", t))
            .transpose()?;
        let preview = self
            .preview_schema_sync(caller, project, &filing.request)
            .await?;
        let differing: Vec<&TargetPlan> = preview.differing().collect();
        if differing.is_empty() {
            return Err(AppError::FailedPrecondition(
                "every target is already in sync with the source: there is nothing to file".into(),
            ));
        }
        refuse_unallowed_hazards(&differing, &filing.allow_hazards)?;
        let input = IssueInput {
            title: title.unwrap_or_else(|| default_title(&preview.source)),
            description: if filing.description.trim().is_empty() {
                default_description(&preview)
            } else {
                filing.description.clone()
            },
            issue_type: IssueType::SchemaChange,
            statement: String::new(),
            targets: differing.iter().map(|t| t.database.clone()).collect(),
            version: None,
            database: None,
        };
        let scripts: Vec<String> = differing.iter().map(|t| t.statement.clone()).collect();
        let issue = self
            .create_issue_with_scripts(caller, project, &input, &scripts)
            .await?;
        Ok((issue, preview))
    }

    /// The source database and its schema, as the request asks.
    async fn source_schema(
        &self,
        caller: &Caller,
        request: &SchemaSyncRequest,
    ) -> AppResult<(Database, SourceSchema)> {
        let (instance, name) = split_database("source", &request.source)?;
        let db = match self.database(caller, instance, name).await {
            Err(AppError::NotFound(_)) => {
                return Err(AppError::invalid(
                    "source",
                    format!("there is no database {name} on instance {instance}"),
                ));
            }
            other => other?,
        };
        let (catalog, origin, read_at, version) = match request.changelog {
            Some(id) => {
                let entry = match self.changelog(caller, instance, name, id).await {
                    Err(AppError::NotFound(_)) => {
                        return Err(AppError::invalid(
                            "changelog",
                            format!("database {instance}/{name} has no changelog entry {id}"),
                        ));
                    }
                    other => other?,
                };
                if entry.schema_after.trim().is_empty() {
                    return Err(AppError::invalid(
                        "changelog",
                        format!(
                            "changelog entry {id} of {instance}/{name} kept no schema after it ({}): choose another entry",
                            entry.status
                        ),
                    ));
                }
                let catalog = serde_json::from_str(&entry.schema_after).map_err(|e| {
                    AppError::Internal(format!("changelog entry {id}: stored schema: {e}"))
                })?;
                (
                    catalog,
                    SchemaOrigin::Changelog,
                    entry.created_at,
                    Some(entry.version),
                )
            }
            None => {
                let (schema, origin) = self.schema_of(caller, &db, request.sync, "source").await?;
                (schema.catalog, origin, schema.synced_at, None)
            }
        };
        let source = SourceSchema {
            database: format!("{instance}/{name}"),
            engine: db.engine,
            changelog: request.changelog,
            version,
            origin,
            read_at,
            ddl: sluice_schema::render::ddl(&catalog),
            catalog,
        };
        Ok((db, source))
    }

    /// A database's schema: inspected now when `sync`, else as last synced.
    async fn schema_of(
        &self,
        caller: &Caller,
        db: &Database,
        sync: bool,
        field: &str,
    ) -> AppResult<(crate::DatabaseSchema, SchemaOrigin)> {
        if sync {
            let schema = self
                .sync_database(caller, &db.instance_id, &db.name)
                .await?;
            return Ok((schema, SchemaOrigin::SyncedNow));
        }
        match self
            .database_schema(caller, &db.instance_id, &db.name)
            .await
        {
            Ok(schema) => Ok((schema, SchemaOrigin::LastSync)),
            Err(AppError::NotFound(_)) => Err(AppError::invalid(
                field,
                format!(
                    "{}/{} has never been synced: sync it first, or ask for a sync with this request",
                    db.instance_id, db.name
                ),
            )),
            Err(err) => Err(err),
        }
    }

    /// The target databases: in the project, of the source's dialect,
    /// each named once.
    async fn sync_targets(
        &self,
        project: &str,
        source: &Database,
        targets: &[String],
    ) -> AppResult<Vec<Database>> {
        if targets.is_empty() {
            return Err(AppError::invalid("targets", "name at least one target"));
        }
        if targets.len() > MAX_TARGETS {
            return Err(AppError::invalid(
                "targets",
                format!("at most {MAX_TARGETS} targets per sync"),
            ));
        }
        let mut out: Vec<Database> = Vec::with_capacity(targets.len());
        for target in targets {
            let (instance, name) = split_database("targets", target)?;
            let db = match self.store.database(instance, name).await {
                Err(sluice_store::StoreError::NotFound(_)) => {
                    return Err(AppError::invalid(
                        "targets",
                        format!("there is no database {name} on instance {instance}"),
                    ));
                }
                other => other?,
            };
            if out.iter().any(|d| d.id == db.id) {
                return Err(AppError::invalid(
                    "targets",
                    format!("{target} is named twice"),
                ));
            }
            if db.project_id != project {
                return Err(AppError::invalid(
                    "targets",
                    format!(
                        "database {target} belongs to project {}, not {project}",
                        db.project_id
                    ),
                ));
            }
            if dialect_of(db.engine) != dialect_of(source.engine) {
                return Err(AppError::invalid(
                    "targets",
                    format!(
                        "database {target} is {}, but the source {}/{} is {}: a schema syncs only to databases of the same engine",
                        engine_name(db.engine),
                        source.instance_id,
                        source.name,
                        engine_name(source.engine)
                    ),
                ));
            }
            out.push(db);
        }
        Ok(out)
    }

    /// The plan that turns one target's schema into the source's.
    async fn plan_target(
        &self,
        caller: &Caller,
        db: &Database,
        source: &SourceSchema,
        sync: bool,
    ) -> AppResult<TargetPlan> {
        let (schema, origin) = self.schema_of(caller, db, sync, "targets").await?;
        let wanted = retarget(&source.catalog, &schema.catalog);
        let options = PlanOptions {
            server: schema.catalog.server.clone(),
            ..Default::default()
        };
        let plan = sluice_plan::plan(&schema.catalog, &wanted, &options);
        let in_sync = plan.is_empty();
        Ok(TargetPlan {
            database: format!("{}/{}", db.instance_id, db.name),
            environment: db.environment_id.clone(),
            origin,
            read_at: schema.synced_at,
            ddl: schema.ddl,
            in_sync,
            hazards: plan.hazards(),
            statement: if in_sync {
                String::new()
            } else {
                plan.to_sql()
            },
            plan,
        })
    }
}

/// The source catalog as it would read on the target. A MySQL catalog's
/// one schema is named after its database, so the source's schema takes
/// the target's name (and so do its foreign keys' references to it);
/// otherwise every table would read as dropped and created.
pub fn retarget(source: &Catalog, target: &Catalog) -> Catalog {
    let mut out = source.clone();
    if source.dialect != Dialect::Mysql {
        return out;
    }
    let (Some(from), Some(to)) = (source.schemas.first(), target.schemas.first()) else {
        return out;
    };
    if source.schemas.len() != 1 || target.schemas.len() != 1 || from.name == to.name {
        return out;
    }
    let (old, new) = (from.name.clone(), to.name.clone());
    out.name = target.name.clone();
    for schema in &mut out.schemas {
        schema.name = new.clone();
        for table in &mut schema.tables {
            for fk in &mut table.foreign_keys {
                if fk.referenced_schema == old {
                    fk.referenced_schema = new.clone();
                }
            }
        }
    }
    out
}

/// Refuse plans whose hazards the caller did not allow, naming each
/// target and its hazards.
fn refuse_unallowed_hazards(plans: &[&TargetPlan], allowed: &HazardAllowance) -> AppResult<()> {
    let refused: Vec<String> = plans
        .iter()
        .filter_map(|t| {
            let hazards = t.plan.unallowed_hazards(allowed);
            (!hazards.is_empty()).then(|| {
                let names: Vec<&str> = hazards.iter().map(|h| h.as_str()).collect();
                format!("{} ({})", t.database, names.join(", "))
            })
        })
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    Err(AppError::invalid(
        "allow_hazards",
        format!(
            "the plans carry hazards that were not allowed: {}; review them and allow them to file the issue",
            refused.join("; ")
        ),
    ))
}

fn split_database<'a>(field: &str, text: &'a str) -> AppResult<(&'a str, &'a str)> {
    match text.split_once('/') {
        Some((i, d)) if !i.is_empty() && !d.is_empty() => Ok((i, d)),
        _ => Err(AppError::invalid(
            field,
            format!("{text:?} is not a database: write it as \"instance/database\""),
        )),
    }
}

fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => "PostgreSQL",
        Engine::Mysql => "MySQL",
        Engine::Mariadb => "MariaDB",
        Engine::Sqlite => "SQLite",
    }
}

fn source_words(source: &SourceSchema) -> String {
    match source.changelog {
        Some(id) => format!("{} as of changelog entry {id}", source.database),
        None => source.database.clone(),
    }
}

fn default_title(source: &SourceSchema) -> String {
    let title = format!("Sync schema from {}", source_words(source));
    title.chars().take(200).collect()
}

/// What the issue does, with the targets that needed nothing.
fn default_description(preview: &SchemaSyncPreview) -> String {
    let mut text = format!(
        "Makes each target's schema match {}. Each task runs the plan from that target's schema to the source's.",
        source_words(&preview.source)
    );
    let in_sync: Vec<&str> = preview
        .targets
        .iter()
        .filter(|t| t.in_sync)
        .map(|t| t.database.as_str())
        .collect();
    if !in_sync.is_empty() {
        text.push_str(&format!(
            "\n\nAlready in sync, so left out: {}.",
            in_sync.join(", ")
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_schema::{Column, ForeignKey, Schema, Table};

    fn shop(database: &str, dialect: Dialect) -> Catalog {
        let schema = match dialect {
            Dialect::Mysql => database,
            _ => "public",
        };
        Catalog::new(database, dialect).with_schema(
            Schema::new(schema)
                .with_table(Table::new("customers").with_column(Column::new("id", "bigint")))
                .with_table(
                    Table::new("orders")
                        .with_column(Column::new("customer_id", "bigint"))
                        .with_foreign_key(ForeignKey::new(
                            Some("orders_customer"),
                            ["customer_id"],
                            schema,
                            "customers",
                            ["id"],
                        )),
                ),
        )
    }

    #[test]
    fn a_mysql_source_reads_as_the_target_database() {
        let source = shop("shop_test", Dialect::Mysql);
        let target = shop("shop_prod", Dialect::Mysql);
        let wanted = retarget(&source, &target);
        assert_eq!(wanted, target);
        assert!(sluice_schema::diff(&target, &wanted, &Default::default()).is_empty());
        // Elsewhere schemas are not named after the database.
        let source = shop("shop_test", Dialect::Postgres);
        assert_eq!(
            retarget(&source, &shop("shop_prod", Dialect::Postgres)),
            source
        );
    }
}
