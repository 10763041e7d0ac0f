//! Plan checks: what Sluice finds out about a task's SQL before it runs.
//! They run when an issue is filed and whenever its SQL changes, in the
//! background; each kind's latest result is kept per task, and an ERROR
//! blocks the task (`policy::checks_state`).

use super::{analyze, dialect_of, policy};
use crate::{App, AppResult};
use serde_json::{Value, json};
use sluice_store::{
    ActivityKind, NewPlanCheckRun, PlanCheckKind, PlanCheckLevel, PlanCheckStatus, RiskLevel, Task,
    TaskType,
};
use std::time::Duration;

/// How long a dry run may take on the target before it is stopped.
const DRY_RUN_TIMEOUT: Duration = Duration::from_secs(10);
/// Dry runs at once: each holds a connection to a target.
const DRY_RUNS_AT_ONCE: usize = 8;

/// One finding of a check.
fn finding(level: PlanCheckLevel, title: &str, content: impl Into<String>) -> Value {
    json!({"level": level, "title": title, "content": content.into()})
}

/// A check's outcome: its worst level and its findings.
struct Outcome {
    level: PlanCheckLevel,
    results: Vec<Value>,
}

impl Outcome {
    fn new(results: Vec<Value>) -> Outcome {
        let level = results
            .iter()
            .filter_map(|r| r["level"].as_str().and_then(PlanCheckLevel::parse))
            .max_by_key(|l| match l {
                PlanCheckLevel::Success => 0,
                PlanCheckLevel::Warning => 1,
                PlanCheckLevel::Error => 2,
            })
            .unwrap_or(PlanCheckLevel::Success);
        Outcome { level, results }
    }
}

impl App {
    /// Mark every check of the issue's open tasks RUNNING (so nothing runs
    /// on stale results), then run them in the background.
    pub(crate) async fn start_plan_checks(&self, issue_id: i64) -> AppResult<()> {
        let pipeline = self.store.pipeline_of_issue(issue_id).await?;
        let mut tasks = Vec::new();
        for task in pipeline.stages.into_iter().flat_map(|s| s.tasks) {
            if task.status.is_final() {
                continue;
            }
            for kind in policy::required_checks(task.task_type) {
                self.store
                    .put_plan_check_run(&NewPlanCheckRun {
                        task_id: task.id,
                        kind: *kind,
                        status: PlanCheckStatus::Running,
                        level: PlanCheckLevel::Success,
                        results: json!([]),
                    })
                    .await?;
            }
            tasks.push(task);
        }
        let app = self.clone();
        tokio::spawn(async move {
            if let Err(err) = app.run_plan_checks(issue_id, tasks).await {
                tracing::error!(issue_id, %err, "plan checks failed");
            }
        });
        Ok(())
    }

    /// Run again the checks a stopped server left RUNNING (at start-up).
    pub async fn resume_plan_checks(&self) -> AppResult<usize> {
        let issues = self.store.issues_with_running_checks().await?;
        for issue in &issues {
            self.start_plan_checks(*issue).await?;
        }
        Ok(issues.len())
    }

    /// Run every check of `tasks`, at most a few dry runs at once, then
    /// note it on the issue's timeline and wake the runner.
    async fn run_plan_checks(&self, issue_id: i64, tasks: Vec<Task>) -> AppResult<()> {
        let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(DRY_RUNS_AT_ONCE));
        let mut running = tokio::task::JoinSet::new();
        for task in tasks {
            let app = self.clone();
            let permits = permits.clone();
            running.spawn(async move {
                let _permit = permits.acquire_owned().await;
                app.check_task(&task).await
            });
        }
        let (mut errors, mut warnings, mut checked) = (0, 0, 0);
        while let Some(joined) = running.join_next().await {
            match joined {
                Ok(Ok(levels)) => {
                    checked += 1;
                    errors += levels
                        .iter()
                        .filter(|l| **l == PlanCheckLevel::Error)
                        .count();
                    warnings += levels
                        .iter()
                        .filter(|l| **l == PlanCheckLevel::Warning)
                        .count();
                }
                Ok(Err(err)) => tracing::error!(issue_id, %err, "a task's plan checks failed"),
                Err(err) => tracing::error!(issue_id, %err, "a plan check panicked"),
            }
        }
        self.store
            .append_issue_activity(
                issue_id,
                1,
                ActivityKind::ChecksDone,
                &json!({"tasks": checked, "errors": errors, "warnings": warnings}),
            )
            .await?;
        self.wake_runner();
        Ok(())
    }

    /// Run each kind of check on one task and keep the results, unless the
    /// task's SQL changed meanwhile (a newer round owns the results then).
    async fn check_task(&self, task: &Task) -> AppResult<Vec<PlanCheckLevel>> {
        let instance = self.store.instance(&task.instance_id).await?;
        let dialect = dialect_of(instance.engine);
        let mut outcomes = Vec::new();
        let analysis = analyze::statements("statement", dialect, &task.statement);
        outcomes.push((PlanCheckKind::Syntax, self.syntax_check(dialect, task)));
        outcomes.push((
            PlanCheckKind::StatementType,
            statement_type_check(task, &analysis),
        ));
        outcomes.push((PlanCheckKind::Risk, risk_check(&analysis)));
        outcomes.push((
            PlanCheckKind::SqlReview,
            self.review_check(dialect, task).await?,
        ));
        let dry_run = match &analysis {
            Ok(_) => self.dry_run_check(&instance, task).await,
            Err(_) => Outcome::new(vec![finding(
                PlanCheckLevel::Error,
                "Not run",
                "the SQL does not split into statements",
            )]),
        };
        outcomes.push((PlanCheckKind::DryRun, dry_run));
        let current = self.store.task(task.id).await?;
        if current.statement != task.statement {
            return Ok(Vec::new());
        }
        let mut levels = Vec::new();
        for (kind, outcome) in outcomes {
            levels.push(outcome.level);
            self.store
                .put_plan_check_run(&NewPlanCheckRun {
                    task_id: task.id,
                    kind,
                    status: PlanCheckStatus::Done,
                    level: outcome.level,
                    results: Value::Array(outcome.results),
                })
                .await?;
        }
        Ok(levels)
    }

    /// The SQL parses for the engine (the maintained parser of sluice-lint).
    fn syntax_check(&self, dialect: sluice_schema::Dialect, task: &Task) -> Outcome {
        let mut policy = sluice_lint::Policy::empty();
        if let Some(rule) = sluice_lint::find("syntax") {
            policy.set(rule, sluice_lint::Setting::Error);
        }
        let diagnostics = sluice_lint::lint(dialect, &task.statement, &policy, None);
        if diagnostics.is_empty() {
            return Outcome::new(vec![finding(
                PlanCheckLevel::Success,
                "OK",
                "the SQL parses",
            )]);
        }
        Outcome::new(diagnostics.iter().map(diagnostic).collect())
    }

    /// The SQL review rules of the review config that applies (the
    /// environment's, else the project's, else the default for the
    /// environment's protection), on the database's last synced schema.
    async fn review_check(
        &self,
        dialect: sluice_schema::Dialect,
        task: &Task,
    ) -> AppResult<Outcome> {
        let environment = self.store.environment(&task.environment_id).await?;
        let project = self.store.issue(task.issue_id).await?.project_id;
        let review = match self.resolve_review(&environment, Some(&project)).await {
            Ok(review) => review,
            // A config that cannot be read blocks rather than checks less.
            Err(crate::AppError::FailedPrecondition(why)) => {
                return Ok(Outcome::new(vec![finding(
                    PlanCheckLevel::Error,
                    "Review config unreadable",
                    why,
                )]));
            }
            Err(err) => return Err(err),
        };
        let policy = &review.policy;
        let catalog: Option<sluice_schema::Catalog> = match task.db_id {
            Some(db_id) => self
                .store
                .schema_snapshot(db_id)
                .await?
                .and_then(|s| serde_json::from_str(&s.catalog).ok()),
            None => None,
        };
        let estimates = self.plan_estimates(dialect, task, policy).await;
        let diagnostics: Vec<_> = sluice_lint::Linter::new(dialect, policy)
            .lint_with(
                &task.statement,
                catalog.as_ref(),
                estimates
                    .as_ref()
                    .map(|e| e as &dyn sluice_lint::RowEstimator),
            )
            .into_iter()
            .filter(|d| d.rule != "syntax")
            .collect();
        let mut results: Vec<Value> = diagnostics.iter().map(diagnostic).collect();
        if results.is_empty() {
            results.push(finding(
                PlanCheckLevel::Success,
                "OK",
                format!("no finding under the {}", review.description),
            ));
        }
        Ok(Outcome::new(results))
    }

    /// The planner's answers (`EXPLAIN`) for the script's DML statements,
    /// for the review rules that ask the database; `None` (those rules
    /// check nothing) when none is enabled, the task has no database yet,
    /// or the target cannot be reached. Each statement is planned on the
    /// database as it is, so a refusal after a DDL statement of the script
    /// may be that statement's doing (a column it adds): only refusals
    /// before the first DDL are kept; estimates are kept throughout.
    async fn plan_estimates(
        &self,
        dialect: sluice_schema::Dialect,
        task: &Task,
        policy: &sluice_lint::Policy,
    ) -> Option<PlanEstimates> {
        let asks = policy
            .enabled()
            .any(|(rule, _, _)| ESTIMATING_RULES.contains(&rule.name));
        let database = task.database_name.as_deref().filter(|_| asks)?;
        let statements = sluice_sql::split(dialect, &task.statement).ok()?;
        let mut dml = Vec::new();
        let mut after_ddl = Vec::new();
        let mut ddl_seen = false;
        for s in &statements {
            match sluice_sql::classify(dialect, &s.text) {
                sluice_sql::StatementKind::Ddl => ddl_seen = true,
                sluice_sql::StatementKind::Dml if dml.len() < ESTIMATED_STATEMENTS => {
                    dml.push(s.text.as_str());
                    after_ddl.push(ddl_seen);
                }
                _ => {}
            }
        }
        if dml.is_empty() {
            return None;
        }
        let instance = self.store.instance(&task.instance_id).await.ok()?;
        let engine = self.admin_engine(&instance).await.ok()?;
        let deadline = std::time::Instant::now() + ESTIMATES_TIMEOUT;
        let answers = match engine.explain_all(database, &dml, deadline).await {
            Ok(answers) => answers,
            Err(err) => {
                tracing::warn!(task = task.id, %err, "no row estimates for the review");
                return None;
            }
        };
        let mut estimates = PlanEstimates::default();
        for ((text, answer), after_ddl) in dml.into_iter().zip(answers).zip(after_ddl) {
            let answer = match answer {
                Ok(explained) => Ok(explained.rows),
                Err(e) if !after_ddl && is_refusal(&e) => Err(e.message),
                Err(_) => continue,
            };
            estimates.0.insert(text.to_string(), answer);
        }
        Some(estimates)
    }

    /// Run the SQL on the target in a transaction that is rolled back, with
    /// a statement timeout. MySQL commits DDL implicitly, so it has none.
    async fn dry_run_check(&self, instance: &sluice_store::Instance, task: &Task) -> Outcome {
        let Some(database) = &task.database_name else {
            return Outcome::new(vec![finding(
                PlanCheckLevel::Success,
                "Not applicable",
                "no database to run on yet",
            )]);
        };
        let engine = match self.admin_engine(instance).await {
            Ok(e) => e,
            Err(err) => {
                return Outcome::new(vec![finding(
                    PlanCheckLevel::Error,
                    "Cannot connect",
                    err.to_string(),
                )]);
            }
        };
        match engine
            .dry_run(database, &task.statement, DRY_RUN_TIMEOUT)
            .await
        {
            Ok(report) => {
                let skipped = report
                    .statements
                    .iter()
                    .filter(|s| skip_reason(s).is_some())
                    .count();
                let mut results = vec![finding(
                    PlanCheckLevel::Success,
                    "OK",
                    format!(
                        "{} statement(s) ran on {}/{database} and were rolled back",
                        report.statements.len() - skipped,
                        instance.id
                    ),
                )];
                for s in report
                    .statements
                    .iter()
                    .filter(|s| skip_reason(s).is_some())
                {
                    results.push(finding(
                        PlanCheckLevel::Warning,
                        "Not dry-run",
                        format!(
                            "statement {} (line {}) {}",
                            s.number,
                            s.line,
                            skip_reason(s).unwrap_or("was not run")
                        ),
                    ));
                }
                Outcome::new(results)
            }
            Err(sluice_engine::DryRunError::Unsupported(why)) => {
                Outcome::new(vec![finding(PlanCheckLevel::Success, "Not available", why)])
            }
            Err(err) => Outcome::new(vec![finding(
                PlanCheckLevel::Error,
                "Dry run failed",
                err.to_string(),
            )]),
        }
    }
}

/// The review rules that ask the database (`RowEstimator`).
const ESTIMATING_RULES: &[&str] = &[
    "statement.affected-row-limit",
    "statement.dml-dry-run",
    "statement.insert.row-limit",
];
/// The most DML statements of one script planned for the review.
const ESTIMATED_STATEMENTS: usize = 200;
/// How long planning them may take in all; those left are not checked.
const ESTIMATES_TIMEOUT: Duration = Duration::from_secs(5);

/// The planner's answers by statement text: the estimated rows, or the
/// server's message when it refused the statement. Statements it was not
/// asked about (or could not answer) are not checked.
#[derive(Default)]
struct PlanEstimates(std::collections::HashMap<String, Result<Option<u64>, String>>);

impl sluice_lint::RowEstimator for PlanEstimates {
    fn estimate_rows(&self, statement: &str) -> Option<u64> {
        self.0.get(statement)?.clone().ok().flatten()
    }

    fn explain(&self, statement: &str) -> Result<(), String> {
        match self.0.get(statement) {
            Some(Err(message)) => Err(message.clone()),
            _ => Ok(()),
        }
    }
}

/// The server refused the statement itself (not a timeout or a lost
/// connection, which say nothing about it).
fn is_refusal(e: &sluice_engine::EngineError) -> bool {
    matches!(
        e.kind,
        sluice_engine::ErrorKind::Query | sluice_engine::ErrorKind::PermissionDenied
    )
}

fn skip_reason(s: &sluice_engine::DryRunStatement) -> Option<&str> {
    match &s.outcome {
        sluice_engine::DryRunOutcome::Skipped { reason } => Some(reason),
        sluice_engine::DryRunOutcome::Ran { .. } => None,
    }
}

fn diagnostic(d: &sluice_lint::Diagnostic) -> Value {
    let level = match d.level {
        sluice_lint::Level::Error => PlanCheckLevel::Error,
        sluice_lint::Level::Warning => PlanCheckLevel::Warning,
    };
    json!({
        "level": level, "title": d.title, "content": d.message, "rule": d.rule,
        "code": d.code, "line": d.line, "column": d.column, "help": d.help,
    })
}

/// What the statements are; a statement that is neither DDL nor DML (SET,
/// CALL, DO) is shown as a warning, since its effect cannot be read.
fn statement_type_check(task: &Task, analysis: &AppResult<Vec<analyze::StatementInfo>>) -> Outcome {
    let statements = match analysis {
        Ok(s) => s,
        Err(err) => {
            return Outcome::new(vec![finding(
                PlanCheckLevel::Error,
                "Cannot split",
                err.to_string(),
            )]);
        }
    };
    let issue_type = match task.task_type {
        TaskType::CreateDatabase => sluice_store::IssueType::CreateDatabase,
        TaskType::SchemaChange => sluice_store::IssueType::SchemaChange,
        TaskType::DataChange => sluice_store::IssueType::DataChange,
    };
    if let Err(err) = analyze::check_type("statement", issue_type, statements) {
        return Outcome::new(vec![finding(
            PlanCheckLevel::Error,
            "Wrong statement type",
            err.to_string(),
        )]);
    }
    let mut results = Vec::new();
    for s in statements
        .iter()
        .filter(|s| s.kind == sluice_sql::StatementKind::Other && !s.session_guard)
    {
        results.push(finding(
            PlanCheckLevel::Warning,
            "Neither DDL nor DML",
            format!(
                "statement {} (line {}) is {}: check what it does before it runs",
                s.number, s.line, s.verb
            ),
        ));
    }
    let verbs: Vec<&str> = statements.iter().map(|s| s.verb.as_str()).collect();
    results.insert(
        0,
        finding(
            PlanCheckLevel::Success,
            "Statements",
            format!("{} statement(s): {}", statements.len(), verbs.join(", ")),
        ),
    );
    Outcome::new(results)
}

/// The risk of each statement that is not low.
fn risk_check(analysis: &AppResult<Vec<analyze::StatementInfo>>) -> Outcome {
    let Ok(statements) = analysis else {
        return Outcome::new(vec![finding(
            PlanCheckLevel::Error,
            "Cannot rate",
            "the SQL does not split into statements",
        )]);
    };
    let overall = analyze::overall_risk(statements);
    let mut results = vec![finding(
        if overall == RiskLevel::High {
            PlanCheckLevel::Warning
        } else {
            PlanCheckLevel::Success
        },
        "Risk",
        format!("{overall}"),
    )];
    for s in statements.iter().filter(|s| s.risk != RiskLevel::Low) {
        results.push(finding(
            if s.risk == RiskLevel::High {
                PlanCheckLevel::Warning
            } else {
                PlanCheckLevel::Success
            },
            s.risk.as_str(),
            format!("statement {} (line {}) is {}", s.number, s.line, s.verb),
        ));
    }
    Outcome::new(results)
}
