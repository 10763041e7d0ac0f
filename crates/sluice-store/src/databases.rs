use crate::backend::query;
use crate::{
    Database, DatabaseFilter, Labels, Page, PageRequest, SchemaSnapshot, Store, StoreError,
    StoreResult, SyncState, now_ms,
};

/// Databases joined with their instance's environment and engine.
macro_rules! select_database {
    ($rest:literal) => {
        concat!(
            "SELECT d.id, d.instance_id, d.name, d.project_id, d.labels, d.sync_state, d.synced_at, d.sync_error, d.created_at, \
             d.updated_at, i.environment_id, i.engine FROM db d JOIN instance i ON i.id = d.instance_id ",
            $rest
        )
    };
}

impl Store {
    /// Record a database seen on an instance. A new one lands in the default
    /// project; a known one is marked found again and keeps its project.
    pub async fn upsert_database(&self, instance_id: &str, name: &str) -> StoreResult<Database> {
        const SQL: &str = "INSERT INTO db (instance_id, name, project_id, sync_state, synced_at, created_at, updated_at) \
             VALUES ($1, $2, 'default', 'OK', $3, $3, $3) \
             ON CONFLICT (instance_id, name) DO UPDATE SET sync_state = 'OK', synced_at = excluded.synced_at, \
             updated_at = excluded.updated_at";
        let now = now_ms();
        query!(pool self => |db| sqlx::query(SQL).bind(instance_id).bind(name).bind(now).execute(db).await.map(|r| r.rows_affected()))
            .map_err(StoreError::on_conflict(format!("database {name} on instance {instance_id}")))?;
        self.database(instance_id, name).await
    }

    pub async fn set_database_sync_state(
        &self,
        instance_id: &str,
        name: &str,
        state: SyncState,
    ) -> StoreResult<()> {
        const SQL: &str =
            "UPDATE db SET sync_state = $1, updated_at = $2 WHERE instance_id = $3 AND name = $4";
        let now = now_ms();
        query!(pool self => |db| sqlx::query(SQL).bind(state.as_str()).bind(now).bind(instance_id).bind(name)
            .execute(db).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn database(&self, instance_id: &str, name: &str) -> StoreResult<Database> {
        const SQL: &str = select_database!("WHERE d.instance_id = $1 AND d.name = $2");
        query!(pool self => |db| sqlx::query_as::<_, Database>(SQL).bind(instance_id).bind(name).fetch_optional(db).await)?
            .ok_or_else(|| StoreError::NotFound(format!("database {name} on instance {instance_id}")))
    }

    pub async fn list_databases(
        &self,
        filter: &DatabaseFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Database>> {
        const SQL: &str = select_database!(
            "JOIN environment e ON e.id = i.environment_id \
             WHERE ($1 IS NULL OR d.instance_id = $1) AND ($2 IS NULL OR d.project_id = $2) \
             AND ($3 IS NULL OR i.environment_id = $3) AND NOT i.archived \
             AND ($4 IS NULL OR EXISTS (SELECT 1 FROM project_member m WHERE m.project_id = d.project_id \
                  AND m.principal_id = $4)) \
             ORDER BY e.position, d.instance_id, d.name LIMIT $5 OFFSET $6"
        );
        let rows = query!(pool self => |db| sqlx::query_as::<_, Database>(SQL)
            .bind(&filter.instance_id).bind(&filter.project_id).bind(&filter.environment_id).bind(filter.member)
            .bind(page.fetch_limit()).bind(page.offset).fetch_all(db).await)?;
        Ok(page.page(rows))
    }

    /// Move a database to a project and/or replace its labels.
    pub async fn update_database(
        &self,
        instance_id: &str,
        name: &str,
        project_id: Option<&str>,
        labels: Option<&Labels>,
    ) -> StoreResult<Database> {
        const SQL: &str = "UPDATE db SET project_id = COALESCE($1, project_id), labels = COALESCE($2, labels), \
             updated_at = $3 WHERE instance_id = $4 AND name = $5";
        let now = now_ms();
        let labels = labels.map(Labels::to_json);
        let n = query!(pool self => |db| sqlx::query(SQL).bind(project_id).bind(labels).bind(now).bind(instance_id)
            .bind(name).execute(db).await.map(|r| r.rows_affected()))
        .map_err(StoreError::on_conflict(format!("database {name}")))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!(
                "database {name} on instance {instance_id}"
            )));
        }
        self.database(instance_id, name).await
    }

    /// Keep the schema inspected at a sync (replacing the previous one), or
    /// the error that stopped the inspection.
    pub async fn record_schema_sync(
        &self,
        db_id: i64,
        result: Result<(&str, &str), &str>,
    ) -> StoreResult<()> {
        const SNAPSHOT: &str = "INSERT INTO db_schema (db_id, catalog, ddl, synced_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (db_id) DO UPDATE SET catalog = excluded.catalog, ddl = excluded.ddl, synced_at = excluded.synced_at";
        const STATE: &str =
            "UPDATE db SET sync_error = $1, synced_at = $2, updated_at = $2 WHERE id = $3";
        let now = now_ms();
        let mut tx = self.begin().await?;
        let error = match result {
            Ok((catalog, ddl)) => {
                query!(tx &mut tx => |db| sqlx::query(SNAPSHOT).bind(db_id).bind(catalog).bind(ddl).bind(now)
                    .execute(db).await.map(|r| r.rows_affected()))?;
                ""
            }
            Err(error) => error,
        };
        query!(tx &mut tx => |db| sqlx::query(STATE).bind(error).bind(now).bind(db_id)
            .execute(db).await.map(|r| r.rows_affected()))?;
        tx.commit().await
    }

    /// The last inspected schema of a database, if it was ever synced.
    pub async fn schema_snapshot(&self, db_id: i64) -> StoreResult<Option<SchemaSnapshot>> {
        const SQL: &str = "SELECT db_id, catalog, ddl, synced_at FROM db_schema WHERE db_id = $1";
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, SchemaSnapshot>(SQL).bind(db_id).fetch_optional(db).await)?,
        )
    }
}
