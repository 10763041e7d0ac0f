//! `sluice lint`: SQL review for CI and editors, offline.
//!
//! Output is made for the places lint runs: compiler-style text that
//! editors and terminals link to (`file:line:col: level[rule] message`),
//! JSON for tools, GitHub workflow commands that annotate a pull request,
//! and SARIF 2.1.0 for code-scanning dashboards. The exit code is what CI acts on: 1 when any ERROR was found,
//! 0 otherwise, 2 when the command itself was used wrongly.

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context as _;
use sluice_engine::Engine;
use sluice_lint::{Diagnostic, Dialect, Level, Linter, Policy, RULES};
use sluice_schema::Catalog;

#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// The SQL dialect of the files: postgres, mysql or sqlite.
    #[arg(long)]
    dialect: Option<String>,
    /// The schema the files run against: a database URL (as for `sluice
    /// inspect`) or a model file written by `sluice inspect --json`.
    #[arg(long, value_name = "URL-OR-FILE")]
    schema_from: Option<String>,
    /// A policy file (JSON); without it the strict production template applies.
    #[arg(long, value_name = "FILE")]
    config: Option<String>,
    /// Turn every rule on at its default level and config.
    #[arg(long, conflicts_with = "config")]
    all_rules: bool,
    /// Output format: text, json, github (workflow annotations) or sarif
    /// (SARIF 2.1.0, for code scanning).
    #[arg(long, default_value = "text")]
    format: String,
    /// List the rules with their level in the active policy, and exit.
    #[arg(long)]
    list_rules: bool,
    /// Print a rule's documentation, and exit.
    #[arg(long, value_name = "RULE")]
    explain: Option<String>,
    /// SQL files to check; none or `-` reads standard input.
    files: Vec<String>,
}

/// A usage error: reported and turned into exit code 2.
fn usage(message: impl std::fmt::Display) -> anyhow::Result<ExitCode> {
    eprintln!("error: {message}");
    Ok(ExitCode::from(2))
}

pub async fn run(args: LintArgs) -> anyhow::Result<ExitCode> {
    let policy = if args.all_rules {
        Policy::all_rules()
    } else if let Some(path) = &args.config {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) => return usage(format_args!("cannot read policy {path}: {err}")),
        };
        match Policy::from_json(&text) {
            Ok(policy) => policy,
            Err(err) => return usage(format_args!("{path}: {err}")),
        }
    } else {
        Policy::strict_production()
    };
    if args.list_rules {
        print!("{}", list_rules(&policy));
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(name) = &args.explain {
        return match sluice_lint::find(name) {
            Some(rule) => {
                print!("{}", explain(rule));
                Ok(ExitCode::SUCCESS)
            }
            None => usage(format_args!(
                "no rule named {name:?} (see `sluice lint --list-rules`)"
            )),
        };
    }
    let Some(dialect) = &args.dialect else {
        return usage("name the dialect with --dialect postgres|mysql|sqlite");
    };
    let dialect: Dialect = match dialect.parse() {
        Ok(d) => d,
        Err(err) => return usage(err),
    };
    let format = match args.format.as_str() {
        f @ ("text" | "json" | "github" | "sarif") => f,
        other => {
            return usage(format_args!(
                "unknown format {other:?} (text, json, github or sarif)"
            ));
        }
    };
    let catalog = match &args.schema_from {
        Some(from) => Some(load_schema(from).await?),
        None => None,
    };
    let linter = Linter::new(dialect, &policy);
    let files = if args.files.is_empty() {
        vec!["-".to_string()]
    } else {
        args.files.clone()
    };
    let mut results = Vec::new();
    for file in &files {
        let text = if file == "-" {
            let mut text = String::new();
            if let Err(err) = std::io::stdin().read_to_string(&mut text) {
                return usage(format_args!("cannot read standard input: {err}"));
            }
            text
        } else {
            match std::fs::read_to_string(file) {
                Ok(text) => text,
                Err(err) => return usage(format_args!("cannot read {file}: {err}")),
            }
        };
        let name = if file == "-" {
            "<stdin>"
        } else {
            file.as_str()
        };
        results.push((name.to_string(), linter.lint(&text, catalog.as_ref())));
    }
    let errors = results
        .iter()
        .flat_map(|(_, d)| d)
        .filter(|d| d.level == Level::Error)
        .count();
    let warnings = results.iter().map(|(_, d)| d.len()).sum::<usize>() - errors;
    match format {
        "json" => println!("{}", json(&results)),
        "github" => print!("{}", github(&results)),
        "sarif" => println!("{}", sarif(&policy, &results)),
        _ => {
            for (file, diagnostics) in &results {
                print!("{}", sluice_lint::render_text(file, diagnostics));
            }
            if errors + warnings > 0 {
                eprintln!("{errors} error(s), {warnings} warning(s)");
            }
        }
    }
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The schema from a model file (`.json`) or by inspecting a database.
async fn load_schema(from: &str) -> anyhow::Result<Catalog> {
    if from.ends_with(".json") && std::path::Path::new(from).is_file() {
        let text = std::fs::read_to_string(from).with_context(|| format!("cannot read {from}"))?;
        return serde_json::from_str(&text).with_context(|| {
            format!("{from} is not a schema model (write one with `sluice inspect --json`)")
        });
    }
    let (config, database) = crate::inspect::parse(from)?;
    Engine::new(config)
        .inspect(&database)
        .await
        .with_context(|| format!("cannot inspect {database}"))
}

fn list_rules(policy: &Policy) -> String {
    let mut out = format!(
        "{:<40} {:>4}  {:<8}  {:<21}  {}\n",
        "RULE", "CODE", "LEVEL", "ENGINES", "TITLE"
    );
    for rule in RULES {
        let engines: Vec<&str> = rule.engines.iter().map(|d| d.as_str()).collect();
        out.push_str(&format!(
            "{:<40} {:>4}  {:<8}  {:<21}  {}\n",
            rule.name,
            rule.code,
            policy.setting(rule).as_str(),
            engines.join(","),
            rule.title
        ));
    }
    out
}

fn explain(rule: &sluice_lint::Rule) -> String {
    let engines: Vec<&str> = rule.engines.iter().map(|d| d.as_str()).collect();
    let mut out = format!(
        "{} (code {}): {}\nengines: {}; default level: {}\n\nProblem\n  {}\n\nFix\n  {}\n\nBad\n  {}\n\nGood\n  {}\n",
        rule.name,
        rule.code,
        rule.title,
        engines.join(", "),
        rule.level,
        rule.doc.problem,
        rule.doc.fix,
        rule.doc.bad.replace('\n', "\n  "),
        rule.doc.good.replace('\n', "\n  "),
    );
    if !rule.options.is_empty() {
        out.push_str("\nOptions\n");
        for o in rule.options {
            out.push_str(&format!(
                "  {} ({}, default {}): {}\n",
                o.key,
                o.default.kind(),
                serde_json::to_string(&o.default.to_value()).unwrap_or_default(),
                o.description
            ));
        }
    }
    out
}

fn json(results: &[(String, Vec<Diagnostic>)]) -> String {
    let items: Vec<serde_json::Value> = results
        .iter()
        .flat_map(|(file, diagnostics)| {
            diagnostics.iter().map(move |d| {
                let mut v = serde_json::to_value(d).expect("diagnostics serialize");
                v["file"] = serde_json::Value::String(file.clone());
                v
            })
        })
        .collect();
    serde_json::to_string_pretty(&items).expect("values serialize")
}

/// GitHub workflow commands: `::error file=…,line=…,col=…::message`.
fn github(results: &[(String, Vec<Diagnostic>)]) -> String {
    // The escapes GitHub's runner decodes in data and in properties.
    fn data(s: &str) -> String {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    }
    fn property(s: &str) -> String {
        data(s).replace(':', "%3A").replace(',', "%2C")
    }
    let mut out = String::new();
    for (file, diagnostics) in results {
        for d in diagnostics {
            let command = match d.level {
                Level::Error => "error",
                Level::Warning => "warning",
            };
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            out.push_str(&format!(
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                property(file),
                d.line,
                d.column,
                d.end_line,
                d.end_column,
                property(&d.rule),
                data(&message)
            ));
        }
    }
    out
}

/// A SARIF 2.1.0 log with one run: the rules the policy turns on (plus any
/// rule that reported, so every `ruleIndex` resolves) and one result per
/// diagnostic. Columns are counted in characters, which SARIF calls
/// `unicodeCodePoints`; its default would be UTF-16 code units.
fn sarif(policy: &Policy, results: &[(String, Vec<Diagnostic>)]) -> String {
    use serde_json::json;
    let mut rules: Vec<&'static sluice_lint::Rule> = policy.enabled().map(|(r, _, _)| r).collect();
    for d in results.iter().flat_map(|(_, d)| d) {
        if !rules.iter().any(|r| r.name == d.rule)
            && let Some(rule) = sluice_lint::find(&d.rule)
        {
            rules.push(rule);
        }
    }
    let level = |l: Level| match l {
        Level::Error => "error",
        Level::Warning => "warning",
    };
    let descriptors: Vec<serde_json::Value> = rules
        .iter()
        .map(|r| {
            let configured = policy.enabled().find(|(p, _, _)| p.name == r.name);
            json!({
                "id": r.name,
                "shortDescription": { "text": r.title },
                "fullDescription": { "text": r.doc.problem },
                "help": { "text": r.doc.fix },
                "defaultConfiguration": {
                    "level": level(configured.map_or(r.level, |(_, l, _)| l))
                },
                "properties": { "code": r.code },
            })
        })
        .collect();
    let mut out = Vec::new();
    for (file, diagnostics) in results {
        let uri = if file == "<stdin>" {
            "stdin".to_string()
        } else {
            artifact_uri(file)
        };
        for d in diagnostics {
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let mut result = json!({
                "ruleId": d.rule,
                "level": level(d.level),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": {
                            "startLine": d.line,
                            "startColumn": d.column,
                            "endLine": d.end_line,
                            "endColumn": d.end_column,
                        }
                    }
                }],
            });
            if let Some(i) = rules.iter().position(|r| r.name == d.rule) {
                result["ruleIndex"] = json!(i);
            }
            out.push(result);
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "sluice-lint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": descriptors,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": out,
        }]
    });
    serde_json::to_string_pretty(&log).expect("values serialize")
}

/// A file path as a relative or `file:` URI reference: forward slashes,
/// and the characters a URI cannot hold percent-encoded.
fn artifact_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if out.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}
