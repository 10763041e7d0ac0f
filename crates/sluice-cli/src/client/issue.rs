//! `sluice issue ...`: file a change, follow it through its pipeline stage
//! by stage, act on its tasks, and wait for it in CI.

use super::api::{Api, Error, Result};
use super::output::{Column, Out, col, print, table, text};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub const COLUMNS: &[Column] = &[
    col!("NUMBER", "number"),
    col!("TITLE", "title"),
    col!("TYPE", "type"),
    col!("STATUS", "status"),
    col!("RISK", "risk"),
    col!("APPROVAL", |v| approval_status(v)),
    col!("CREATOR", |v| text(&v["creator"]["email"])),
    col!("CREATED", |v| when(&v["created_at"])),
];

const TASK_COLUMNS: &[Column] = &[
    col!("TASK", "id"),
    col!("TARGET", "target"),
    col!("STATUS", "status"),
    col!("WAITING FOR", "waiting_for"),
    col!("CHECKS", "checks_level"),
    col!("RUN", |t| match &t["latest_run"] {
        Value::Null => "-".into(),
        run => format!("#{} {}", text(&run["attempt"]), text(&run["status"])),
    }),
    col!("RESULT", |t| text(&t["latest_run"]["result"])),
];

const LOG_COLUMNS: &[Column] = &[
    col!("#", "number"),
    col!("LINE", "line"),
    col!("STATUS", "status"),
    col!("DURATION", |s| duration_ms(&s["duration_ms"])),
    col!("ROWS", "rows_affected"),
    col!("APPLIED", "applied"),
    col!("STATEMENT", |s| shorten(&text(&s["text"]), 60)),
    col!("ERROR", "error"),
];

/// The issue a command acts on.
#[derive(clap::Args, Debug)]
pub struct IssueRef {
    /// The project the issue belongs to.
    #[arg(long)]
    project: String,
    /// The issue's number in its project.
    #[arg(value_name = "NUMBER", value_parser = parse_number)]
    number: i64,
}

#[derive(clap::Args, Debug)]
pub struct CreateArgs {
    /// The project to file the issue in.
    #[arg(long)]
    project: String,
    /// schema-change (DDL), data-change (DML) or create-database.
    #[arg(long = "type", value_name = "TYPE", value_parser = parse_type)]
    issue_type: String,
    /// A target database as INSTANCE/DATABASE; repeat for several (across environments).
    #[arg(long = "db", value_name = "INSTANCE/DB", value_parser = parse_db)]
    dbs: Vec<String>,
    /// Read the SQL from this file (`-` for stdin).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["sql", "source"])]
    file: Option<PathBuf>,
    /// The SQL itself.
    #[arg(long, value_name = "SQL", conflicts_with = "source")]
    sql: Option<String>,
    /// The SQL file, or `-` to read the SQL from stdin (like --file).
    #[arg(value_name = "FILE|-")]
    source: Option<PathBuf>,
    /// Title (default: the file name, or the SQL's first line).
    #[arg(long)]
    title: Option<String>,
    /// Longer description.
    #[arg(long)]
    description: Option<String>,
    /// The change's version (default: a timestamp).
    #[arg(long)]
    version: Option<String>,
    /// For create-database: an instance to create the database on; repeat for several.
    #[arg(long = "instance", value_name = "INSTANCE")]
    instances: Vec<String>,
    /// For create-database: the database to create.
    #[arg(long)]
    name: Option<String>,
}

#[derive(clap::Subcommand, Debug)]
pub enum IssueCommand {
    /// File an issue: SQL rolled out to databases, one stage per environment.
    Create(Box<CreateArgs>),
    /// List a project's issues, newest first.
    List {
        /// The project whose issues to list.
        #[arg(long)]
        project: String,
        /// Only issues with this status.
        #[arg(long, value_parser = ["open", "done", "canceled"], ignore_case = true)]
        status: Option<String>,
        /// Only issues of this type.
        #[arg(long = "type", value_name = "TYPE", value_parser = parse_type)]
        issue_type: Option<String>,
        /// Only issues with a task on this database.
        #[arg(long, value_name = "INSTANCE/DB", value_parser = parse_db)]
        db: Option<String>,
        /// Only issues filed by this user (email or id).
        #[arg(long)]
        creator: Option<String>,
    },
    /// Show an issue: its approval, each stage with its tasks, checks and latest run.
    Show(IssueRef),
    /// Approve an issue for every environment whose policy asks for approval.
    Approve(IssueRef),
    /// Start a stage's waiting tasks, or one task.
    Run {
        #[command(flatten)]
        issue: IssueRef,
        /// The environment of the stage to start.
        #[arg(
            long,
            value_name = "ENV",
            required_unless_present = "task",
            conflicts_with = "task"
        )]
        stage: Option<String>,
        /// The task to start.
        #[arg(long, value_name = "ID")]
        task: Option<i64>,
    },
    /// Queue a FAILED or CANCELED task again.
    Retry {
        #[command(flatten)]
        issue: IssueRef,
        #[arg(long, value_name = "ID")]
        task: i64,
    },
    /// Skip a task that has not run, failed or was canceled, saying why.
    Skip {
        #[command(flatten)]
        issue: IssueRef,
        #[arg(long, value_name = "ID")]
        task: i64,
        /// Why the task is skipped.
        #[arg(long)]
        reason: String,
    },
    /// Cancel a queued or running task (its statement is stopped on the server).
    CancelTask {
        #[command(flatten)]
        issue: IssueRef,
        #[arg(long, value_name = "ID")]
        task: i64,
    },
    /// Cancel the issue and its queued and running tasks.
    Cancel(IssueRef),
    /// Comment on an issue.
    Comment {
        #[command(flatten)]
        issue: IssueRef,
        /// The comment.
        #[arg(value_name = "TEXT")]
        body: String,
    },
    /// Show the runs of a task (or of every task) statement by statement.
    Log {
        #[command(flatten)]
        issue: IssueRef,
        /// The task whose runs to show (default: every task that ran).
        #[arg(long, value_name = "ID")]
        task: Option<i64>,
    },
    /// Wait for an issue to finish: exit 0 when DONE, 1 when a task fails or
    /// the issue is canceled, 4 on timeout.
    Wait {
        #[command(flatten)]
        issue: IssueRef,
        /// Give up after this long (e.g. 90s, 10m, 1h30m).
        #[arg(long, default_value = "10m", value_parser = parse_duration)]
        timeout: Duration,
    },
}

pub async fn run(api: &Api, out: Out, cmd: IssueCommand) -> Result<()> {
    match cmd {
        IssueCommand::Create(args) => create(api, out, *args).await?,
        IssueCommand::List {
            project,
            status,
            issue_type,
            db,
            creator,
        } => {
            let query: Vec<(&str, String)> = [
                ("status", status.map(|s| s.to_uppercase())),
                ("type", issue_type),
                ("database", db),
                ("creator", creator),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect();
            let v = api
                .list(&["v1", "projects", &project, "issues"], &query, "issues")
                .await?;
            out.list(
                &v,
                "issues",
                COLUMNS,
                &format!(
                    "No issues found; file one with `sluice issue create --project {project}`."
                ),
            );
        }
        IssueCommand::Show(issue) => {
            let v = issue.get(api, &[]).await?;
            if out.json {
                out.json(&v);
            } else {
                print(&render(&v));
            }
        }
        IssueCommand::Approve(issue) => {
            let v = issue.post(api, &["approve"], &json!({})).await?;
            out.done(&v, &format!("Approved issue #{}.", issue.number));
        }
        IssueCommand::Run { issue, stage, task } => {
            let (rest, what) = match (stage, task) {
                (Some(env), _) => (
                    vec!["stages".to_string(), env.clone(), "run".into()],
                    format!("stage {env}"),
                ),
                (None, Some(task)) => (
                    vec!["tasks".to_string(), task.to_string(), "run".into()],
                    format!("task {task}"),
                ),
                (None, None) => return Err(Error::Usage("give --stage ENV or --task ID".into())),
            };
            let v = issue.post(api, &segs(&rest), &json!({})).await?;
            out.done(&v, &format!("Started {what} of issue #{}.", issue.number));
        }
        IssueCommand::Retry { issue, task } => {
            let t = task.to_string();
            let v = issue.post(api, &["tasks", &t, "retry"], &json!({})).await?;
            out.done(
                &v,
                &format!("Queued task {task} of issue #{} again.", issue.number),
            );
        }
        IssueCommand::Skip {
            issue,
            task,
            reason,
        } => {
            let t = task.to_string();
            let v = issue
                .post(api, &["tasks", &t, "skip"], &json!({"reason": reason}))
                .await?;
            out.done(
                &v,
                &format!("Skipped task {task} of issue #{}.", issue.number),
            );
        }
        IssueCommand::CancelTask { issue, task } => {
            let t = task.to_string();
            let v = issue
                .post(api, &["tasks", &t, "cancel"], &json!({}))
                .await?;
            out.done(
                &v,
                &format!("Canceled task {task} of issue #{}.", issue.number),
            );
        }
        IssueCommand::Cancel(issue) => {
            let v = issue.post(api, &["cancel"], &json!({})).await?;
            out.done(&v, &format!("Canceled issue #{}.", issue.number));
        }
        IssueCommand::Comment { issue, body } => {
            if body.trim().is_empty() {
                return Err(Error::Usage("the comment is empty".into()));
            }
            let v = issue
                .post(api, &["comments"], &json!({"body": body}))
                .await?;
            out.done(&v, &format!("Commented on issue #{}.", issue.number));
        }
        IssueCommand::Log { issue, task } => log(api, out, &issue, task).await?,
        IssueCommand::Wait { issue, timeout } => wait(api, out, &issue, timeout).await?,
    }
    Ok(())
}

impl IssueRef {
    /// `/v1/projects/{p}/issues/{n}/…rest`.
    fn path(&self, rest: &[&str]) -> Vec<String> {
        let number = self.number.to_string();
        ["v1", "projects", &self.project, "issues", &number]
            .iter()
            .chain(rest)
            .map(|s| s.to_string())
            .collect()
    }

    async fn get(&self, api: &Api, rest: &[&str]) -> Result<Value> {
        api.get(&segs(&self.path(rest))).await
    }

    async fn post(&self, api: &Api, rest: &[&str], body: &Value) -> Result<Value> {
        api.post(&segs(&self.path(rest)), body).await
    }
}

/// The API takes `&[&str]`; this borrows a path built as owned strings.
fn segs(path: &[String]) -> Vec<&str> {
    path.iter().map(String::as_str).collect()
}

// ---------------------------------------------------------------- create

async fn create(api: &Api, out: Out, a: CreateArgs) -> Result<()> {
    let mut body = serde_json::Map::new();
    let default_title;
    if a.issue_type == "CREATE_DATABASE" {
        if !a.dbs.is_empty() {
            return Err(Error::Usage(
                "--db is for changes to existing databases; a create-database issue takes --instance INSTANCE and --name NAME".into(),
            ));
        }
        if a.file.is_some() || a.sql.is_some() || a.source.is_some() {
            return Err(Error::Usage("a create-database issue takes no SQL".into()));
        }
        if a.instances.is_empty() {
            return Err(Error::Usage(
                "a create-database issue needs --instance INSTANCE (repeat it for several)".into(),
            ));
        }
        let Some(name) = a.name.filter(|n| !n.trim().is_empty()) else {
            return Err(Error::Usage(
                "a create-database issue needs --name NAME, the database to create".into(),
            ));
        };
        default_title = format!("Create database {name}");
        body.insert("targets".into(), json!(a.instances));
        body.insert("database".into(), json!({"name": name}));
    } else {
        if !a.instances.is_empty() || a.name.is_some() {
            return Err(Error::Usage(
                "--instance and --name are for create-database issues; name target databases with --db INSTANCE/DB".into(),
            ));
        }
        if a.dbs.is_empty() {
            return Err(Error::Usage(
                "name at least one target database with --db INSTANCE/DB".into(),
            ));
        }
        let (sql, file_name) = read_sql(a.file.or(a.source), a.sql)?;
        if sql.trim().is_empty() {
            return Err(Error::Usage("the SQL is empty".into()));
        }
        default_title = file_name.unwrap_or_else(|| first_line(&sql));
        body.insert("statement".into(), json!(sql));
        body.insert("targets".into(), json!(a.dbs));
    }
    let title = a.title.unwrap_or(default_title);
    body.insert("title".into(), json!(title));
    body.insert("type".into(), json!(a.issue_type));
    if let Some(d) = a.description {
        body.insert("description".into(), json!(d));
    }
    if let Some(v) = a.version {
        body.insert("version".into(), json!(v));
    }
    let v = api
        .post(
            &["v1", "projects", &a.project, "issues"],
            &Value::Object(body),
        )
        .await?;
    if out.json {
        out.json(&v);
    } else {
        print(&format!(
            "Created issue #{} in project {}.\n\n{}",
            text(&v["number"]),
            a.project,
            render(&v)
        ));
    }
    Ok(())
}

/// The SQL and, when it came from a file, the file's name (the default title).
fn read_sql(file: Option<PathBuf>, sql: Option<String>) -> Result<(String, Option<String>)> {
    match (file, sql) {
        (_, Some(sql)) => Ok((sql, None)),
        (Some(path), None) if path.as_os_str() == "-" => {
            let mut buf = String::new();
            std::io::stdin()
                .read_to_string(&mut buf)
                .map_err(|e| Error::Usage(format!("cannot read the SQL from stdin: {e}")))?;
            Ok((buf, None))
        }
        (Some(path), None) => {
            let sql = std::fs::read_to_string(&path)
                .map_err(|e| Error::Usage(format!("cannot read {}: {e}", path.display())))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            Ok((sql, Some(name)))
        }
        (None, None) => Err(Error::Usage(
            "give the SQL with --file PATH, --sql TEXT, or - to read it from stdin".into(),
        )),
    }
}

/// The first line that says something, without a leading `--`, cut to a
/// title's length.
fn first_line(sql: &str) -> String {
    let line = sql
        .lines()
        .map(|l| l.trim().trim_start_matches("--").trim())
        .find(|l| !l.is_empty())
        .unwrap_or("SQL change");
    shorten(line, 120)
}

fn shorten(s: &str, max: usize) -> String {
    let s = s.lines().next().unwrap_or_default().trim();
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

// ---------------------------------------------------------------- show

/// An issue for people: a header, the approval, then each stage's tasks.
fn render(v: &Value) -> String {
    let mut s = format!("Issue #{}: {}\n", text(&v["number"]), text(&v["title"]));
    let creator = &v["creator"];
    let fields = [
        ("Project", text(&v["project"])),
        ("Type", text(&v["type"])),
        ("Status", text(&v["status"])),
        ("Risk", text(&v["risk"])),
        ("Approval", approval_line(&v["approval"])),
        (
            "Creator",
            format!("{} <{}>", text(&creator["name"]), text(&creator["email"])),
        ),
        ("Created", when(&v["created_at"])),
    ];
    for (k, val) in fields {
        s.push_str(&format!("{:<10}{val}\n", format!("{k}:")));
    }
    if let Some(d) = v["description"].as_str().filter(|d| !d.trim().is_empty()) {
        s.push_str("Description:\n");
        for line in d.lines() {
            s.push_str(&format!("  {line}\n"));
        }
    }
    for stage in v["pipeline"]["stages"].as_array().into_iter().flatten() {
        s.push_str(&format!(
            "\nStage {} ({}): {}, rollout {}{}\n",
            text(&stage["environment"]),
            text(&stage["environment_title"]),
            text(&stage["status"]),
            text(&stage["rollout"]),
            if stage["approval_required"] == true {
                ", approval required"
            } else {
                ""
            }
        ));
        let tasks = stage["tasks"].as_array().cloned().unwrap_or_default();
        for line in table(&tasks, TASK_COLUMNS).lines() {
            s.push_str(&format!("  {line}\n"));
        }
        for task in &tasks {
            for finding in findings(task) {
                s.push_str(&format!("  task {}: {finding}\n", text(&task["id"])));
            }
            if let Some(reason) = task["skip_reason"].as_str().filter(|r| !r.is_empty()) {
                s.push_str(&format!("  task {} skipped: {reason}\n", text(&task["id"])));
            }
        }
    }
    s
}

/// `status` of an issue summary is a word; of a whole issue, an object.
fn approval_status(v: &Value) -> String {
    match &v["approval"] {
        Value::Object(a) => text(a.get("status").unwrap_or(&Value::Null)),
        other => text(other),
    }
}

fn approval_line(a: &Value) -> String {
    if !a.is_object() {
        return text(a);
    }
    let mut line = text(&a["status"]);
    if let Some(by) = a["approved_by"].as_object() {
        line.push_str(&format!(
            " by {} <{}>",
            text(&by["name"]),
            text(&by["email"])
        ));
    } else if a["required_by"].as_array().is_some_and(|r| !r.is_empty()) {
        line.push_str(&format!(
            " (required by {}; approvers: {})",
            text(&a["required_by"]),
            text(&a["approver_roles"])
        ));
    }
    line
}

/// The findings of a task's checks worth a look: warnings and errors.
fn findings(task: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for check in task["checks"].as_array().into_iter().flatten() {
        let level = text(&check["level"]);
        if level == "SUCCESS" && check["status"] != "FAILED" {
            continue;
        }
        let results = check["results"].as_array().cloned().unwrap_or_default();
        let mut any = false;
        for r in &results {
            let rl = text(&r["level"]);
            if rl == "SUCCESS" {
                continue;
            }
            any = true;
            out.push(format!(
                "{} {rl}: {}: {}",
                text(&check["kind"]),
                text(&r["title"]),
                text(&r["content"])
            ));
        }
        if !any {
            out.push(format!("{} {level}", text(&check["kind"])));
        }
    }
    out
}

// ---------------------------------------------------------------- log

async fn log(api: &Api, out: Out, issue: &IssueRef, task: Option<i64>) -> Result<()> {
    let v = issue.get(api, &[]).await?;
    let tasks: Vec<(i64, String)> = match task {
        Some(id) => {
            let target = all_tasks(&v)
                .find(|(_, t)| t["id"].as_i64() == Some(id))
                .map(|(_, t)| text(&t["target"]))
                .unwrap_or_default();
            vec![(id, target)]
        }
        None => all_tasks(&v)
            .filter(|(_, t)| !t["latest_run"].is_null())
            .filter_map(|(_, t)| Some((t["id"].as_i64()?, text(&t["target"]))))
            .collect(),
    };
    let mut json_out = Vec::new();
    let mut s = String::new();
    for (id, target) in &tasks {
        let runs = api
            .list(
                &segs(&issue.path(&["tasks", &id.to_string(), "runs"])),
                &[],
                "runs",
            )
            .await?;
        if out.json {
            json_out.push(json!({"task": id, "runs": runs["runs"]}));
            continue;
        }
        let runs = runs["runs"].as_array().cloned().unwrap_or_default();
        let on = if target.is_empty() {
            String::new()
        } else {
            format!(" on {target}")
        };
        if runs.is_empty() {
            s.push_str(&format!("Task {id}{on} has not run.\n"));
        }
        for run in &runs {
            s.push_str(&render_run(*id, &on, run));
        }
    }
    if out.json {
        match (task, json_out.pop()) {
            (Some(_), Some(one)) => out.json(&one),
            (_, last) => {
                json_out.extend(last);
                out.json(&json!({ "tasks": json_out }))
            }
        }
    } else if tasks.is_empty() {
        print(&format!(
            "No task of issue #{} has run yet.\n",
            issue.number
        ));
    } else {
        print(&s);
    }
    Ok(())
}

fn render_run(task: i64, on: &str, run: &Value) -> String {
    let creator = &run["creator"];
    let took = match millis_between(&run["started_at"], &run["ended_at"]) {
        Some(ms) => format!(", took {}", duration_ms(&json!(ms))),
        None => String::new(),
    };
    let mut s = format!(
        "Task {task}{on}, attempt {}: {}, started {} by {}{took}\n",
        text(&run["attempt"]),
        text(&run["status"]),
        when(&run["started_at"]),
        text(&creator["name"]),
    );
    if let Some(result) = run["result"].as_str().filter(|r| !r.is_empty()) {
        s.push_str(&format!("Result: {result}\n"));
    }
    let entries = run["log"].as_array().cloned().unwrap_or_default();
    let statements: Vec<Value> = entries
        .iter()
        .filter(|e| e.get("number").is_some())
        .cloned()
        .collect();
    if !statements.is_empty() {
        for line in table(&statements, LOG_COLUMNS).lines() {
            s.push_str(&format!("  {line}\n"));
        }
    }
    for note in entries.iter().filter_map(|e| e["note"].as_str()) {
        s.push_str(&format!("  note: {note}\n"));
    }
    s.push('\n');
    s
}

// ---------------------------------------------------------------- wait

/// Waiting that only a person ends: said once per stage, then waited out.
fn held_by_people(waiting: &str) -> bool {
    waiting.contains("approval") || waiting.contains("someone to start")
}

async fn wait(api: &Api, out: Out, issue: &IssueRef, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    let n = issue.number;
    // With --json, stdout is for the issue; progress goes to stderr.
    let say = |line: String| {
        if out.json {
            eprintln!("{line}");
        } else {
            print(&format!("{line}\n"));
        }
    };
    let mut seen: HashMap<i64, (String, String)> = HashMap::new();
    let mut said: HashSet<String> = HashSet::new();
    loop {
        let v = issue.get(api, &[]).await?;
        for (env, task) in all_tasks(&v) {
            let id = task["id"].as_i64().unwrap_or_default();
            let status = text(&task["status"]);
            let waiting = task["waiting_for"].as_str().unwrap_or_default().to_string();
            let now = (status.clone(), waiting.clone());
            if seen.get(&id) == Some(&now) {
                continue;
            }
            seen.insert(id, now);
            if held_by_people(&waiting) {
                let line = format!("{env}: {waiting}");
                if said.insert(line.clone()) {
                    say(line);
                }
            } else if waiting.is_empty() {
                say(format!("{env} {}: {status}", text(&task["target"])));
            } else {
                say(format!(
                    "{env} {}: {status} ({waiting})",
                    text(&task["target"])
                ));
            }
        }
        let end = |result: Result<()>| {
            if out.json {
                out.json(&v);
            }
            result
        };
        match v["status"].as_str() {
            Some("DONE") => {
                say(format!("Issue #{n} is DONE."));
                return end(Ok(()));
            }
            Some("CANCELED") => {
                return end(Err(Error::Other(format!("issue #{n} was canceled"))));
            }
            _ => {}
        }
        if let Some((env, task)) =
            all_tasks(&v).find(|(_, t)| t["status"] == "FAILED" || t["status"] == "CANCELED")
        {
            let run = &task["latest_run"];
            for line in failed_statements(run) {
                say(line);
            }
            let result = run["result"].as_str().filter(|r| !r.is_empty());
            return end(Err(Error::Other(format!(
                "task {} on {} ({env}) {}{}",
                text(&task["id"]),
                text(&task["target"]),
                text(&task["status"]),
                result.map(|r| format!(": {r}")).unwrap_or_default()
            ))));
        }
        if let Some((env, task)) = all_tasks(&v).find(|(_, t)| {
            t["waiting_for"]
                .as_str()
                .is_some_and(|w| w.starts_with("blocked"))
        }) {
            for f in findings(task) {
                say(format!("{env} {}: {f}", text(&task["target"])));
            }
            return end(Err(Error::Other(format!(
                "task {} on {} ({env}) is {}",
                text(&task["id"]),
                text(&task["target"]),
                text(&task["waiting_for"]),
            ))));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            let tasks: Vec<String> = all_tasks(&v)
                .map(|(env, t)| format!("{env} {} {}", text(&t["target"]), text(&t["status"])))
                .collect();
            return end(Err(Error::Timeout(format!(
                "gave up after {} waiting for issue #{n}: {}",
                human(timeout),
                tasks.join(", ")
            ))));
        }
        tokio::time::sleep(left.min(Duration::from_secs(1))).await;
    }
}

/// The statements of a run that failed, with the server's error.
fn failed_statements(run: &Value) -> Vec<String> {
    run["log"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| !e["error"].is_null() && e.get("number").is_some())
        .map(|e| {
            format!(
                "statement {} (line {}) failed: {}\n  {}",
                text(&e["number"]),
                text(&e["line"]),
                text(&e["error"]),
                shorten(&text(&e["text"]), 200)
            )
        })
        .collect()
}

/// Every task of an issue with its stage's environment.
fn all_tasks(v: &Value) -> impl Iterator<Item = (String, &Value)> {
    v["pipeline"]["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|stage| {
            let env = text(&stage["environment"]);
            stage["tasks"]
                .as_array()
                .into_iter()
                .flatten()
                .map(move |t| (env.clone(), t))
        })
}

// ---------------------------------------------------------------- parsing and formatting

fn parse_type(s: &str) -> std::result::Result<String, String> {
    let t = s.trim().to_ascii_uppercase().replace('-', "_");
    match t.as_str() {
        "SCHEMA_CHANGE" | "DATA_CHANGE" | "CREATE_DATABASE" => Ok(t),
        _ => Err("use schema-change, data-change or create-database".into()),
    }
}

fn parse_db(s: &str) -> std::result::Result<String, String> {
    match s.split_once('/') {
        Some((i, d)) if !i.trim().is_empty() && !d.trim().is_empty() => Ok(s.trim().to_string()),
        _ => Err("write a database as INSTANCE/DATABASE, e.g. prod-pg/shop".into()),
    }
}

fn parse_number(s: &str) -> std::result::Result<i64, String> {
    s.trim()
        .trim_start_matches('#')
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| "an issue number is a positive integer".to_string())
}

/// `90`, `90s`, `10m`, `1h30m`, `500ms`.
pub fn parse_duration(s: &str) -> std::result::Result<Duration, String> {
    let bad = || format!("{s:?} is not a duration: write e.g. 90s, 10m or 1h30m");
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        if digits == 0 {
            return Err(bad());
        }
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n * 60),
            "h" => Duration::from_secs(n * 3600),
            _ => return Err(bad()),
        };
        total += unit;
        rest = &rest[unit_len..];
    }
    if total.is_zero() {
        return Err(bad());
    }
    Ok(total)
}

fn human(d: Duration) -> String {
    let secs = d.as_secs();
    match (secs / 3600, secs % 3600 / 60, secs % 60) {
        (0, 0, s) if d.subsec_millis() > 0 && s < 10 => format!("{}ms", d.as_millis()),
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}

fn duration_ms(v: &Value) -> String {
    match v.as_f64() {
        None => "-".into(),
        Some(ms) if ms < 1000.0 => format!("{ms:.1}ms"),
        Some(ms) => format!("{:.2}s", ms / 1000.0),
    }
}

/// Milliseconds since the epoch as a UTC time; strings as they are.
pub fn when(v: &Value) -> String {
    match v
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    {
        Some(t) => t.format("%Y-%m-%d %H:%M:%SZ").to_string(),
        None => text(v),
    }
}

/// Milliseconds between two RFC 3339 times of the API.
fn millis_between(from: &Value, to: &Value) -> Option<i64> {
    let parse = |v: &Value| {
        v.as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    };
    Some((parse(to)? - parse(from)?).num_milliseconds())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_the_way_people_write_them() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("10 minutes").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("0s").is_err());
        assert_eq!(human(Duration::from_secs(600)), "10m");
        assert_eq!(human(Duration::from_secs(90)), "1m30s");
        assert_eq!(human(Duration::from_millis(1500)), "1500ms");
    }

    #[test]
    fn types_and_targets_are_checked_before_asking_the_server() {
        assert_eq!(parse_type("schema-change").unwrap(), "SCHEMA_CHANGE");
        assert_eq!(parse_type("DATA_CHANGE").unwrap(), "DATA_CHANGE");
        assert!(parse_type("migration").is_err());
        assert_eq!(parse_db("pg/shop").unwrap(), "pg/shop");
        assert!(parse_db("shop").is_err());
        assert!(parse_db("/shop").is_err());
        assert_eq!(parse_number("#12"), Ok(12));
        assert!(parse_number("0").is_err());
    }

    #[test]
    fn default_title_is_the_first_line_said() {
        assert_eq!(
            first_line("\n-- add the users table\nCREATE TABLE users (id int);"),
            "add the users table"
        );
        assert_eq!(
            first_line("CREATE TABLE t (id int);\n"),
            "CREATE TABLE t (id int);"
        );
        assert_eq!(first_line(&"x".repeat(300)).chars().count(), 120);
    }

    #[test]
    fn times_read_as_utc() {
        assert_eq!(
            when(&json!("2024-02-29T12:34:56.789Z")),
            "2024-02-29 12:34:56Z"
        );
        assert_eq!(when(&Value::Null), "-");
        assert_eq!(
            millis_between(
                &json!("2024-01-01T00:00:00Z"),
                &json!("2024-01-01T00:00:01.250Z")
            ),
            Some(1250)
        );
    }

    #[test]
    fn show_lists_stages_tasks_and_what_holds_them() {
        let issue = json!({
            "number": 7, "project": "shop", "title": "Add users", "type": "SCHEMA_CHANGE",
            "status": "OPEN", "risk": "LOW", "created_at": "1970-01-01T00:00:00Z",
            "creator": {"id": 2, "name": "Olga", "email": "o@example.com"},
            "approval": {"status": "PENDING", "required_by": ["prod"], "approver_roles": ["DBA"], "approved_by": null},
            "pipeline": {"stages": [
                {"environment": "test", "environment_title": "Test", "status": "DONE", "rollout": "AUTOMATIC",
                 "approval_required": false, "tasks": [
                    {"id": 1, "target": "pg/shop", "status": "DONE", "waiting_for": null, "checks_level": "SUCCESS",
                     "checks": [], "latest_run": {"attempt": 1, "status": "DONE", "result": "2 statements applied"}}]},
                {"environment": "prod", "environment_title": "Prod", "status": "NOT_STARTED", "rollout": "MANUAL",
                 "approval_required": true, "tasks": [
                    {"id": 2, "target": "pgp/shop", "status": "NOT_STARTED", "waiting_for": "waiting for approval",
                     "checks_level": "WARNING", "latest_run": null, "checks": [
                        {"kind": "DRY_RUN", "status": "DONE", "level": "WARNING",
                         "results": [{"level": "WARNING", "title": "Not dry-run", "content": "statement 1"}]}]}]}
            ]}
        });
        let s = render(&issue);
        assert!(s.starts_with("Issue #7: Add users\n"), "{s}");
        assert!(
            s.contains("Approval: PENDING (required by prod; approvers: DBA)"),
            "{s}"
        );
        assert!(
            s.contains("Stage prod (Prod): NOT_STARTED, rollout MANUAL, approval required"),
            "{s}"
        );
        let row = s
            .lines()
            .find(|l| l.trim_start().starts_with("1 "))
            .unwrap();
        assert!(
            row.contains("pg/shop")
                && row.contains("#1 DONE")
                && row.contains("2 statements applied"),
            "{s}"
        );
        assert!(s.contains("waiting for approval"), "{s}");
        assert!(
            s.contains("task 2: DRY_RUN WARNING: Not dry-run: statement 1"),
            "{s}"
        );
    }
}
