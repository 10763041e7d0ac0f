//! `sluice diff FROM TO`: the plan that turns FROM's schema into TO's,
//! offline, as a script the server's own client runs as it is (or as JSON).
//!
//! Each side is a live database or SQL files; files are loaded into a
//! scratch database on `--dev-url` and inspected there ([`scratch`]). Both
//! sides are read at the same time, then diffed and planned by
//! `sluice-plan`. The exit code is what CI acts on (see [`EXIT_CODES`]).

mod scratch;
mod session;
mod source;

use std::process::ExitCode;

use anyhow::{Context, bail};
use serde::Serialize;
use sluice_engine::Engine;
use sluice_plan::{Hazard, HazardAllowance, Plan, PlanOptions};
use sluice_schema::{Catalog, Dialect};

use scratch::DevServer;
use source::{Described, Source, dialect_of, engine_name};

/// Shown in `--help`; README's CLI section says the same.
const EXIT_CODES: &str = "Exit codes:
  0  the plan was printed (with --exit-code: and there are no differences)
  1  an error: bad input, a server that cannot be reached, a SQL file that fails
  2  with --exit-code: there are differences (also clap's usage errors)
  3  the plan has hazards --allow-hazards does not cover (it is printed all the same);
     3 takes precedence over 2";

#[derive(clap::Args, Debug)]
#[command(after_help = EXIT_CODES)]
pub struct DiffArgs {
    /// The schema as it is: a database URL (postgres://, mysql://,
    /// mariadb://, sqlite://, as for `sluice inspect`), a .sql file, or a
    /// directory of .sql files (applied in name order).
    from: String,
    /// The schema as it should be, in the same forms. The plan's SQL runs
    /// on FROM.
    to: String,
    /// A server to load .sql files into: a scratch database with a unique
    /// name is created there and dropped afterwards (`sqlite://` uses a
    /// temporary file). Must be the engine of the other side.
    #[arg(long, value_name = "URL")]
    dev_url: Option<String>,
    /// Print the plan as JSON (changes, steps, hazards) instead of SQL.
    #[arg(long)]
    json: bool,
    /// Exit 2 when there are differences and 0 when there are none (drift
    /// checks in CI).
    #[arg(long)]
    exit_code: bool,
    /// Hazards the plan may carry: names (DELETES_DATA, TABLE_REWRITE,
    /// LONG_LOCK, INDEX_BUILD, INDEX_DROPPED, TYPE_CONVERSION, IRREVERSIBLE;
    /// space or comma separated) or `all`.
    #[arg(long, value_name = "NAME", num_args = 1..)]
    allow_hazards: Vec<String>,
    /// Plain statements instead of the forms that hold the weakest locks
    /// (CREATE INDEX CONCURRENTLY, NOT VALID constraints, ALGORITHM/LOCK).
    #[arg(long)]
    no_lock_safe: bool,
    /// The lock timeout the plan sets before its first statement, in
    /// milliseconds; 0 sets none.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    lock_timeout: u64,
}

pub async fn run(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let allowance = HazardAllowance::parse(&args.allow_hazards).context("--allow-hazards")?;
    let from =
        Source::parse(&args.from).with_context(|| format!("FROM {}", Described(&args.from)))?;
    let to = Source::parse(&args.to).with_context(|| format!("TO {}", Described(&args.to)))?;
    let dev = args.dev_url.as_deref().map(DevServer::parse).transpose()?;
    check_engines(&args, &from, &to, dev.as_ref())?;

    let (from_catalog, to_catalog) = tokio::try_join!(
        read("FROM", &args.from, &from, dev.as_ref()),
        read("TO", &args.to, &to, dev.as_ref()),
    )?;
    let to_catalog = align_mysql_schema(&from_catalog, to_catalog);
    let options = PlanOptions {
        lock_safe: !args.no_lock_safe,
        lock_timeout_ms: (args.lock_timeout > 0).then_some(args.lock_timeout),
        ..PlanOptions::default()
    };
    let plan = sluice_plan::plan(&from_catalog, &to_catalog, &options);
    let unallowed = plan.unallowed_hazards(&allowance);

    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&JsonPlan::new(&plan, &unallowed))?
        );
    } else {
        print!("{}", plan.to_sql());
    }
    if !unallowed.is_empty() {
        let names: Vec<&str> = unallowed.iter().map(|h| h.as_str()).collect();
        eprintln!(
            "error: the plan has hazards that need --allow-hazards: {} (or --allow-hazards all)",
            names.join(" ")
        );
        return Ok(ExitCode::from(3));
    }
    if args.exit_code && !plan.is_empty() {
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// Both sides, and the dev server, must speak one dialect: a plan is
/// written for one engine.
fn check_engines(
    args: &DiffArgs,
    from: &Source,
    to: &Source,
    dev: Option<&DevServer>,
) -> anyhow::Result<()> {
    if let (Some(a), Some(b)) = (from.kind(), to.kind())
        && dialect_of(a) != dialect_of(b)
    {
        bail!(
            "FROM is a {} database and TO a {} database: sluice diff compares two schemas of one engine",
            engine_name(a),
            engine_name(b)
        );
    }
    for (side, text, source) in [("FROM", &args.from, from), ("TO", &args.to, to)] {
        match (source.kind(), dev) {
            (None, None) => bail!(
                "{side} {} is SQL files: give --dev-url, a server of the other side's engine to load \
                 them into (e.g. --dev-url postgres://postgres@127.0.0.1/postgres, or sqlite://)",
                Described(text)
            ),
            (Some(kind), Some(dev)) if dialect_of(kind) != dialect_of(dev.kind()) => bail!(
                "--dev-url is {} but {side} is a {} database: the dev server must be of the same engine",
                engine_name(dev.kind()),
                engine_name(kind)
            ),
            _ => {}
        }
    }
    Ok(())
}

/// One side's schema.
async fn read(
    side: &str,
    text: &str,
    source: &Source,
    dev: Option<&DevServer>,
) -> anyhow::Result<Catalog> {
    let described = Described(text);
    match (source, dev) {
        (Source::Database { config, database }, _) => Engine::new(config.clone())
            .inspect(database)
            .await
            .with_context(|| format!("{side} {described}: cannot inspect database {database}")),
        (Source::Sql(files), Some(dev)) => dev
            .inspect(files)
            .await
            .with_context(|| format!("{side} {described}")),
        (Source::Sql(_), None) => bail!("{side} {described}: SQL files need --dev-url"),
    }
}

/// A MySQL catalog names its one schema after its database; two databases
/// of one server (or a scratch copy) are compared as one schema, not as a
/// dropped schema and a new one. `to` takes `from`'s schema name.
fn align_mysql_schema(from: &Catalog, mut to: Catalog) -> Catalog {
    if to.dialect != Dialect::Mysql || from.schemas.len() != 1 || to.schemas.len() != 1 {
        return to;
    }
    let (old, new) = (to.schemas[0].name.clone(), from.schemas[0].name.clone());
    if old == new {
        return to;
    }
    let schema = &mut to.schemas[0];
    schema.name = new.clone();
    for table in &mut schema.tables {
        for fk in &mut table.foreign_keys {
            if fk.referenced_schema == old {
                fk.referenced_schema = new.clone();
            }
        }
    }
    to
}

/// The plan as data, with its hazards summed up for tools that only look
/// there.
#[derive(Serialize)]
struct JsonPlan<'a> {
    #[serde(flatten)]
    plan: &'a Plan,
    hazards: Vec<Hazard>,
    unallowed_hazards: &'a [Hazard],
}

impl<'a> JsonPlan<'a> {
    fn new(plan: &'a Plan, unallowed: &'a [Hazard]) -> Self {
        JsonPlan {
            plan,
            hazards: plan.hazards(),
            unallowed_hazards: unallowed,
        }
    }
}
