//! Diff and plan of two 2,000-table PostgreSQL models in memory, one
//! drifted on 200 tables: the medians of several runs of the diff alone,
//! the plan alone, and both (`sluice_plan::plan`). Target for both: 50 ms.
//!
//!     cargo bench -p sluice-plan --bench diff_2000 -- [--runs N] [--tables N]
//!
//! The schema is the one `benches/diff.py` builds live: eight columns, a
//! primary key, two secondary indexes and a foreign key to the previous
//! table; every tenth table drifts in one of four ways (a column added, a
//! column dropped, two columns altered, an index swapped for another).

use std::hint::black_box;
use std::time::{Duration, Instant};

use sluice_plan::{PlanOptions, plan, plan_changes};
use sluice_schema::{
    Catalog, Column, Dialect, Flavor, ForeignKey, Index, PrimaryKey, Schema, ServerInfo, Table,
    diff,
};

const TARGET: Duration = Duration::from_millis(50);

fn main() {
    let (runs, tables) = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message}");
            eprintln!("usage: diff_2000 [--runs N] [--tables N]");
            std::process::exit(2);
        }
    };
    let from = catalog(tables, false);
    let to = catalog(tables, true);
    let options = PlanOptions::default();

    let changes = diff(&from, &to, &options.diff);
    let steps = plan(&from, &to, &options).steps.len();
    println!(
        "{tables} tables, {} drifted: {} changes, {steps} statements",
        tables.div_ceil(10),
        changes.len()
    );

    let diff_alone = median(runs, || diff(&from, &to, &options.diff).len());
    let plan_alone = median(runs, || {
        plan_changes(changes.clone(), &from, &to, &options)
            .steps
            .len()
    });
    let both = median(runs, || plan(&from, &to, &options).steps.len());
    report("diff alone", diff_alone, runs);
    report("plan alone", plan_alone, runs);
    report("diff + plan", both, runs);
    let verdict = if both <= TARGET { "met" } else { "MISSED" };
    println!(
        "target: diff + plan <= {} ms: {verdict}",
        TARGET.as_millis()
    );
}

fn parse_args() -> Result<(usize, usize), String> {
    let (mut runs, mut tables) = (15, 2000);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let target = match arg.as_str() {
            "--runs" => &mut runs,
            "--tables" => &mut tables,
            // cargo bench passes --bench to every bench binary.
            "--bench" => continue,
            other => return Err(format!("unknown argument {other:?}")),
        };
        *target = args
            .next()
            .and_then(|v| v.parse().ok())
            .filter(|v| *v > 0)
            .ok_or_else(|| format!("{arg} needs a positive number"))?;
    }
    Ok((runs, tables))
}

/// The median wall time of `runs` calls; the result goes through
/// `black_box` so the work is not optimized away.
fn median<T>(runs: usize, mut work: impl FnMut() -> T) -> Duration {
    black_box(work());
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(work());
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn report(what: &str, time: Duration, runs: usize) {
    println!(
        "{what:<12} median {:>8.2} ms over {runs} runs",
        time.as_secs_f64() * 1000.0
    );
}

/// A database as PostgreSQL inspection reports it: types and defaults in
/// the server's spelling.
fn catalog(tables: usize, drifted: bool) -> Catalog {
    let mut schema = Schema::new("public");
    for i in 0..tables {
        schema = schema.with_table(table(i, drifted && i % 10 == 0));
    }
    let mut catalog = Catalog::new("bench", Dialect::Postgres).with_schema(schema);
    catalog.server = Some(ServerInfo {
        flavor: Flavor::Postgres,
        version: "15.20".into(),
    });
    catalog
}

fn table(i: usize, drifted: bool) -> Table {
    let name = format!("t_{i:04}");
    let drift = drifted.then_some((i / 10) % 4);
    let mut table = Table::new(&name)
        .with_column(Column::new("id", "bigint").not_null())
        .with_column(Column::new("account_id", "bigint"))
        .with_column(Column::new("name", "text").not_null());
    table = table.with_column(match drift {
        Some(2) => Column::new("status", "character varying(20)")
            .not_null()
            .with_default("'new'::character varying"),
        _ => {
            Column::new("status", "character varying(20)").with_default("'new'::character varying")
        }
    });
    table = table
        .with_column(Column::new(
            "amount",
            if drift == Some(2) {
                "numeric(14,2)"
            } else {
                "numeric(12,2)"
            },
        ))
        .with_column(
            Column::new("created_at", "timestamp with time zone")
                .not_null()
                .with_default("now()"),
        )
        .with_column(Column::new("updated_at", "timestamp with time zone"));
    if drift != Some(1) {
        table = table.with_column(Column::new("note", "text"));
    }
    if drift == Some(0) {
        table = table.with_column(Column::new("extra", "text"));
    }
    table = table
        .with_primary_key(PrimaryKey::new(Some(&format!("{name}_pkey")), ["id"]))
        .with_index(Index::new(format!("{name}_account_idx")).on_columns(["account_id"]));
    table = if drift == Some(3) {
        table.with_index(Index::new(format!("{name}_name_idx")).on_columns(["name"]))
    } else {
        table.with_index(Index::new(format!("{name}_created_idx")).on_columns(["created_at"]))
    };
    if i > 0 {
        table = table.with_foreign_key(ForeignKey::new(
            Some(&format!("{name}_account_fk")),
            ["account_id"],
            "public",
            format!("t_{:04}", i - 1),
            ["id"],
        ));
    }
    table
}
