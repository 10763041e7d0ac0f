//! Pipelines: an issue's stages and tasks read back in three queries, and
//! the plan check runs of its tasks.

use crate::backend::query;
use crate::{
    NewPlanCheckRun, Pipeline, PlanCheckRun, Stage, Store, StoreError, StoreResult, Task, now_ms,
};

/// Tasks joined with their issue, their stage's environment and the name of
/// their database (NULL for CREATE_DATABASE).
macro_rules! select_task {
    ($rest:literal) => {
        concat!(
            "SELECT t.id, t.pipeline_id, t.stage_id, p.issue_id, s.environment_id, t.db_id, t.instance_id, \
             d.name AS database_name, t.type, t.statement, t.version, t.payload, t.status, t.skip_reason, t.run_requested_by, t.checks_overridden_by, t.checks_override_reason, t.checks_overridden_at, t.claimed_by, t.lease_expires_at, \
             t.created_at, t.updated_at FROM task t JOIN pipeline p ON p.id = t.pipeline_id \
             JOIN stage s ON s.id = t.stage_id LEFT JOIN db d ON d.id = t.db_id ",
            $rest
        )
    };
}
pub(crate) use select_task;

impl Store {
    /// An issue's pipeline with its stages in order and each stage's tasks
    /// by id: three queries however many stages and tasks there are.
    pub async fn pipeline_of_issue(&self, issue_id: i64) -> StoreResult<Pipeline> {
        const PIPELINE: &str = "SELECT id, issue_id, created_at FROM pipeline WHERE issue_id = $1";
        const STAGES: &str = "SELECT id, pipeline_id, environment_id, position FROM stage WHERE pipeline_id = $1 ORDER BY position";
        const TASKS: &str = select_task!("WHERE t.pipeline_id = $1 ORDER BY t.id");
        let mut pipeline = query!(pool self => |db| sqlx::query_as::<_, Pipeline>(PIPELINE).bind(issue_id).fetch_optional(db).await)?
            .ok_or_else(|| StoreError::NotFound(format!("pipeline of issue {issue_id}")))?;
        let mut stages = query!(pool self => |db| sqlx::query_as::<_, Stage>(STAGES).bind(pipeline.id).fetch_all(db).await)?;
        let tasks = query!(pool self => |db| sqlx::query_as::<_, Task>(TASKS).bind(pipeline.id).fetch_all(db).await)?;
        for task in tasks {
            match stages.iter_mut().find(|s| s.id == task.stage_id) {
                Some(stage) => stage.tasks.push(task),
                None => {
                    return Err(StoreError::Corrupt(format!(
                        "task {} names stage {} outside its pipeline {}",
                        task.id, task.stage_id, pipeline.id
                    )));
                }
            }
        }
        pipeline.stages = stages;
        Ok(pipeline)
    }

    /// Open issues with a plan check still RUNNING: after a restart, the
    /// checks a stopped server was running are run again.
    pub async fn issues_with_running_checks(&self) -> StoreResult<Vec<i64>> {
        const SQL: &str = "SELECT DISTINCT p.issue_id FROM plan_check_run c JOIN task t ON t.id = c.task_id \
             JOIN pipeline p ON p.id = t.pipeline_id JOIN issue i ON i.id = p.issue_id \
             WHERE c.status = 'RUNNING' AND i.status = 'OPEN' ORDER BY p.issue_id";
        Ok(query!(pool self => |db| sqlx::query_scalar(SQL).fetch_all(db).await)?)
    }

    /// Record the outcome of one kind of check on a task, replacing the
    /// previous run of that kind (checks run again when the SQL changes).
    pub async fn put_plan_check_run(&self, run: &NewPlanCheckRun) -> StoreResult<PlanCheckRun> {
        const SQL: &str = "INSERT INTO plan_check_run (task_id, kind, status, level, results, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (task_id, kind) DO UPDATE SET status = excluded.status, \
             level = excluded.level, results = excluded.results, created_at = excluded.created_at \
             RETURNING id, task_id, kind, status, level, results, created_at";
        let now = now_ms();
        let results = run.results.to_string();
        query!(pool self => |db| sqlx::query_as::<_, PlanCheckRun>(SQL).bind(run.task_id).bind(run.kind.as_str())
            .bind(run.status.as_str()).bind(run.level.as_str()).bind(&results).bind(now).fetch_one(db).await)
        .map_err(StoreError::on_conflict(format!("plan check on task {}", run.task_id)))
    }

    /// The latest check runs of one task, by kind.
    pub async fn list_plan_check_runs(&self, task_id: i64) -> StoreResult<Vec<PlanCheckRun>> {
        const SQL: &str = "SELECT id, task_id, kind, status, level, results, created_at FROM plan_check_run \
             WHERE task_id = $1 ORDER BY kind";
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, PlanCheckRun>(SQL).bind(task_id).fetch_all(db).await)?,
        )
    }

    /// The latest check runs of every task of a pipeline in one query, by
    /// task then kind.
    pub async fn list_pipeline_plan_check_runs(
        &self,
        pipeline_id: i64,
    ) -> StoreResult<Vec<PlanCheckRun>> {
        const SQL: &str = "SELECT c.id, c.task_id, c.kind, c.status, c.level, c.results, c.created_at \
             FROM plan_check_run c JOIN task t ON t.id = c.task_id WHERE t.pipeline_id = $1 ORDER BY c.task_id, c.kind";
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, PlanCheckRun>(SQL).bind(pipeline_id).fetch_all(db).await)?,
        )
    }
}
