use crate::backend::{Tx, query};
use crate::{
    DataSource, Instance, InstanceUpdate, NewInstance, Store, StoreError, StoreResult, now_ms,
};
use std::collections::HashMap;

const SELECT_DATA_SOURCES: &str = "SELECT instance_id, kind, host, port, username, password_sealed, database_name, tls_mode \
     FROM data_source";

#[derive(sqlx::FromRow)]
struct DataSourceRow {
    instance_id: String,
    #[sqlx(flatten)]
    data_source: DataSource,
}

impl Store {
    pub async fn create_instance(&self, new: &NewInstance) -> StoreResult<Instance> {
        const SQL: &str = "INSERT INTO instance (id, title, engine, environment_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)";
        let now = now_ms();
        let mut tx = self.begin().await?;
        ensure_active_environment(&mut tx, &new.environment_id).await?;
        query!(tx &mut tx => |db| sqlx::query(SQL)
            .bind(&new.id).bind(&new.title).bind(new.engine.as_str()).bind(&new.environment_id).bind(now)
            .execute(db).await.map(|r| r.rows_affected()))
        .map_err(StoreError::on_conflict(format!("instance {}", new.id)))?;
        replace_data_sources(&mut tx, &new.id, &new.data_sources).await?;
        tx.commit().await?;
        self.instance(&new.id).await
    }

    pub async fn instance(&self, id: &str) -> StoreResult<Instance> {
        const SQL: &str = "SELECT id, title, engine, environment_id, engine_version, synced_at, sync_error, sync_interval_secs, archived, created_at, updated_at \
             FROM instance WHERE id = $1";
        const SOURCES: &str = "SELECT instance_id, kind, host, port, username, password_sealed, database_name, tls_mode \
             FROM data_source WHERE instance_id = $1 ORDER BY kind";
        let mut instance = query!(pool self => |db| sqlx::query_as::<_, Instance>(SQL).bind(id).fetch_optional(db).await)?
            .ok_or_else(|| StoreError::NotFound(format!("instance {id}")))?;
        let rows = query!(pool self => |db| sqlx::query_as::<_, DataSourceRow>(SOURCES).bind(id).fetch_all(db).await)?;
        instance.data_sources = rows.into_iter().map(|r| r.data_source).collect();
        Ok(instance)
    }

    /// Instances ordered by environment order then id, with data sources
    /// (two queries in all, whatever the number of instances).
    pub async fn list_instances(&self, show_archived: bool) -> StoreResult<Vec<Instance>> {
        const SQL: &str = "SELECT i.id, i.title, i.engine, i.environment_id, i.engine_version, i.synced_at, i.sync_error, i.sync_interval_secs, i.archived, \
             i.created_at, i.updated_at FROM instance i JOIN environment e ON e.id = i.environment_id \
             WHERE ($1 OR NOT i.archived) ORDER BY i.archived, e.position, i.id";
        let mut instances = query!(pool self => |db| sqlx::query_as::<_, Instance>(SQL).bind(show_archived).fetch_all(db).await)?;
        let rows = query!(pool self => |db| sqlx::query_as::<_, DataSourceRow>(SELECT_DATA_SOURCES).fetch_all(db).await)?;
        let mut by_instance: HashMap<String, Vec<DataSource>> = HashMap::new();
        for row in rows {
            by_instance
                .entry(row.instance_id)
                .or_default()
                .push(row.data_source);
        }
        for instance in &mut instances {
            let mut sources = by_instance.remove(&instance.id).unwrap_or_default();
            sources.sort_by_key(|ds| ds.kind.as_str());
            instance.data_sources = sources;
        }
        Ok(instances)
    }

    pub async fn update_instance(
        &self,
        id: &str,
        update: &InstanceUpdate,
    ) -> StoreResult<Instance> {
        const SQL: &str = "UPDATE instance SET title = COALESCE($1, title), environment_id = COALESCE($2, environment_id), \
             engine_version = COALESCE($3, engine_version), sync_interval_secs = COALESCE($6, sync_interval_secs), \
             updated_at = $4 WHERE id = $5";
        let now = now_ms();
        let mut tx = self.begin().await?;
        if let Some(env) = &update.environment_id {
            ensure_active_environment(&mut tx, env).await?;
        }
        let n = query!(tx &mut tx => |db| sqlx::query(SQL)
            .bind(&update.title).bind(&update.environment_id).bind(&update.engine_version).bind(now).bind(id).bind(update.sync_interval_secs)
            .execute(db).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("instance {id}")));
        }
        if let Some(sources) = &update.data_sources {
            replace_data_sources(&mut tx, id, sources).await?;
        }
        tx.commit().await?;
        self.instance(id).await
    }

    pub async fn set_instance_archived(&self, id: &str, archived: bool) -> StoreResult<Instance> {
        const SQL: &str = "UPDATE instance SET archived = $1, updated_at = $2 WHERE id = $3";
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(archived).bind(now).bind(id).execute(db).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("instance {id}")));
        }
        self.instance(id).await
    }

    /// Record the outcome of an instance sync: the engine version on
    /// success, the error (empty when none) either way.
    pub async fn record_instance_sync(
        &self,
        id: &str,
        engine_version: Option<&str>,
        error: &str,
    ) -> StoreResult<()> {
        const SQL: &str = "UPDATE instance SET engine_version = COALESCE($1, engine_version), sync_error = $2, \
             synced_at = $3 WHERE id = $4";
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(engine_version).bind(error).bind(now).bind(id)
            .execute(db).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("instance {id}")));
        }
        Ok(())
    }

    /// How many active instances live in an environment (an environment
    /// with instances cannot be archived).
    pub async fn count_instances_in(&self, environment_id: &str) -> StoreResult<i64> {
        const SQL: &str =
            "SELECT COUNT(*) FROM instance WHERE environment_id = $1 AND NOT archived";
        Ok(
            query!(pool self => |db| sqlx::query_scalar(SQL).bind(environment_id).fetch_one(db).await)?,
        )
    }
}

async fn ensure_active_environment(tx: &mut Tx, id: &str) -> StoreResult<()> {
    const SQL: &str = "SELECT archived FROM environment WHERE id = $1";
    let archived: Option<bool> =
        query!(tx tx => |db| sqlx::query_scalar(SQL).bind(id).fetch_optional(db).await)?;
    match archived {
        None => Err(StoreError::FailedPrecondition(format!(
            "environment {id} does not exist"
        ))),
        Some(true) => Err(StoreError::FailedPrecondition(format!(
            "environment {id} is archived"
        ))),
        Some(false) => Ok(()),
    }
}

async fn replace_data_sources(
    tx: &mut Tx,
    instance_id: &str,
    sources: &[DataSource],
) -> StoreResult<()> {
    const DELETE: &str = "DELETE FROM data_source WHERE instance_id = $1";
    const INSERT: &str = "INSERT INTO data_source \
         (instance_id, kind, host, port, username, password_sealed, database_name, tls_mode) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    query!(tx tx => |db| sqlx::query(DELETE).bind(instance_id).execute(db).await.map(|r| r.rows_affected()))?;
    for ds in sources {
        query!(tx tx => |db| sqlx::query(INSERT)
            .bind(instance_id).bind(ds.kind.as_str()).bind(&ds.host).bind(ds.port).bind(&ds.username)
            .bind(&ds.password_sealed).bind(&ds.database_name).bind(ds.tls_mode.as_str())
            .execute(db).await.map(|r| r.rows_affected()))
        .map_err(StoreError::on_conflict(format!("{} data source of instance {instance_id}", ds.kind)))?;
    }
    Ok(())
}
