//! Partitions: added and dropped one by one where MySQL has a statement
//! for it, otherwise the table is repartitioned as a whole.
//!
//! `ADD PARTITION` appends (neighbours in one statement, so a HASH table
//! redistributes its rows once), `DROP PARTITION` deletes a RANGE or LIST
//! partition with its rows, RANGE partitions added before an existing one
//! are split from it (`REORGANIZE PARTITION pmax INTO (p2025, pmax)`, which
//! copies that partition's rows only), and HASH and KEY tables shrink at
//! the end (`COALESCE PARTITION n`). Any other change of a table's
//! partition list, and any table with sub-partitions, is one `PARTITION
//! BY` with the whole new list, written for the table's first partition
//! Change.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use sluice_schema::render::mysql_partitioning;
use sluice_schema::{Change, Dialect, Partition, PartitionStrategy, Partitioning, quote_literal};

use super::Side;
use super::draft::Draft;
use super::online::Algorithm;
use super::tables::{alter, name};
use crate::Hazard;

type TableKey = (String, String);

/// How each table's partition Changes are written.
#[derive(Default)]
pub(super) struct PartitionPlan {
    /// Tables repartitioned as a whole.
    tables: HashSet<TableKey>,
    written: RefCell<HashSet<TableKey>>,
    /// Runs of added partitions, by table and the run's first partition;
    /// the rest of a run maps to `None` (written with the first).
    runs: HashMap<(TableKey, String), Option<Run>>,
    /// HASH and KEY partitions dropped from the end, likewise: how many.
    coalesced: HashMap<(TableKey, String), Option<usize>>,
}

/// Partitions added next to each other, written in one statement.
struct Run {
    added: Vec<Partition>,
    /// The kept RANGE partition they come before, split to make them.
    before: Option<Partition>,
}

impl PartitionPlan {
    pub fn find(changes: &[Change], side: &Side) -> PartitionPlan {
        let mut touched: Vec<TableKey> = Vec::new();
        for c in changes {
            if let Change::AddPartition { schema, table, .. }
            | Change::DropPartition { schema, table, .. } = c
            {
                let key = (schema.clone(), table.clone());
                if !touched.contains(&key) {
                    touched.push(key);
                }
            }
        }
        let mut out = PartitionPlan::default();
        for key in touched {
            let (schema, table) = (&key.0, &key.1);
            let from = side
                .table_before(schema, table)
                .and_then(|t| t.partitioning.as_ref());
            let to = side
                .table_after(schema, table)
                .and_then(|t| t.partitioning.as_ref());
            match (from, to) {
                (Some(from), Some(to)) if stepwise(from, to) => {
                    for (first, run) in runs(from, to) {
                        out.runs.insert((key.clone(), first), run);
                    }
                    if hash_like(to.strategy) {
                        let dropped: Vec<&Partition> = from
                            .partitions
                            .iter()
                            .filter(|p| !contains(to, p))
                            .collect();
                        for (k, p) in dropped.iter().enumerate() {
                            let count = (k == 0).then_some(dropped.len());
                            out.coalesced.insert((key.clone(), p.name.clone()), count);
                        }
                    }
                }
                _ => {
                    out.tables.insert(key);
                }
            }
        }
        out
    }

    /// `Some(first)` when the table is repartitioned as a whole.
    fn whole(&self, schema: &str, table: &str) -> Option<bool> {
        let key = (schema.to_string(), table.to_string());
        if !self.tables.contains(&key) {
            return None;
        }
        Some(self.written.borrow_mut().insert(key))
    }

    fn entry<'s, T>(
        map: &'s HashMap<(TableKey, String), T>,
        schema: &str,
        table: &str,
        partition: &str,
    ) -> Option<&'s T> {
        let key = (
            (schema.to_string(), table.to_string()),
            partition.to_string(),
        );
        map.get(&key)
    }
}

fn contains(p: &Partitioning, x: &Partition) -> bool {
    p.partitions
        .iter()
        .any(|y| y.name == x.name && y.bound == x.bound)
}

/// The runs of added partitions, keyed by each run's first partition
/// (see [`PartitionPlan::runs`]). A RANGE run before a kept partition is
/// split from it; any other run is appended.
fn runs(from: &Partitioning, to: &Partitioning) -> Vec<(String, Option<Run>)> {
    let range = matches!(
        to.strategy,
        PartitionStrategy::Range | PartitionStrategy::RangeColumns
    );
    let mut out = Vec::new();
    let mut run: Vec<Partition> = Vec::new();
    let mut close = |run: &mut Vec<Partition>, before: Option<&Partition>| {
        let Some(first) = run.first().map(|p| p.name.clone()) else {
            return;
        };
        let rest: Vec<String> = run[1..].iter().map(|p| p.name.clone()).collect();
        let added = std::mem::take(run);
        let before = before.filter(|_| range).cloned();
        out.push((first, Some(Run { added, before })));
        out.extend(rest.into_iter().map(|name| (name, None)));
    };
    for p in &to.partitions {
        if contains(from, p) {
            close(&mut run, Some(p));
        } else {
            run.push(p.clone());
        }
    }
    close(&mut run, None);
    out
}

fn hash_like(s: PartitionStrategy) -> bool {
    matches!(
        s,
        PartitionStrategy::Hash
            | PartitionStrategy::Key
            | PartitionStrategy::LinearHash
            | PartitionStrategy::LinearKey
    )
}

/// Whether one statement per added or dropped partition gets from `from`
/// to `to`.
fn stepwise(from: &Partitioning, to: &Partitioning) -> bool {
    let subpartitioned = |p: &Partitioning| p.partitions.iter().any(|x| x.partitioning.is_some());
    if subpartitioned(from) || subpartitioned(to) {
        return false;
    }
    let added: Vec<bool> = to.partitions.iter().map(|x| !contains(from, x)).collect();
    let dropped: Vec<bool> = from.partitions.iter().map(|x| !contains(to, x)).collect();
    let at_end = |flags: &[bool]| flags.iter().skip_while(|f| !**f).all(|f| *f);
    match to.strategy {
        // New LIST values go at the end: splitting a partition would have
        // to keep its values.
        PartitionStrategy::List | PartitionStrategy::ListColumns => at_end(&added),
        // Added in the middle: split from the partition after them.
        PartitionStrategy::Range | PartitionStrategy::RangeColumns => true,
        s if hash_like(s) => {
            let adds = added.iter().any(|f| *f);
            let drops = dropped.iter().any(|f| *f);
            !(adds && drops) && at_end(&added) && at_end(&dropped)
        }
        _ => false,
    }
}

fn partition_def(p: &Partition) -> String {
    let mut s = format!("PARTITION {}", name(&p.name));
    if let Some(b) = &p.bound {
        s.push(' ');
        s.push_str(b);
    }
    if let Some(c) = &p.comment {
        s.push_str(&format!(" COMMENT = {}", quote_literal(Dialect::Mysql, c)));
    }
    s
}

/// `PARTITION BY …`: a HASH or KEY table whose partitions carry the
/// names the server would give them (`p0`, `p1`, …) as `PARTITIONS n`, the
/// way it is usually written and shown.
fn partitioning_clause(p: &Partitioning) -> String {
    let default_names = p.partitions.iter().enumerate().all(|(i, x)| {
        x.name == format!("p{i}")
            && x.bound.is_none()
            && x.comment.is_none()
            && x.partitioning.is_none()
    });
    if hash_like(p.strategy) && !p.partitions.is_empty() && default_names {
        return format!(
            "PARTITION BY {} ({}) PARTITIONS {}",
            p.strategy.as_sql(),
            p.key,
            p.partitions.len()
        );
    }
    mysql_partitioning(Dialect::Mysql, p)
}

/// The table's whole new partition list, or none: every row is copied.
pub(super) fn repartition(
    side: &Side,
    schema: &str,
    table: &str,
    to: Option<&Partitioning>,
) -> Draft {
    let body = match to {
        Some(p) => partitioning_clause(p),
        None => "REMOVE PARTITIONING".to_string(),
    };
    alter(side, schema, table, &body, Algorithm::ServerChoice)
        .hazards([Hazard::TableRewrite, Hazard::LongLock])
        .note("every row is copied into the new layout; writes wait until it ends")
}

/// The repartition for a table handled as a whole: written once.
fn whole(
    side: &Side,
    partition_plan: &PartitionPlan,
    schema: &str,
    table: &str,
) -> Option<Vec<Draft>> {
    let first = partition_plan.whole(schema, table)?;
    if !first {
        return Some(Vec::new());
    }
    let to = side
        .table_after(schema, table)
        .and_then(|t| t.partitioning.as_ref());
    Some(vec![repartition(side, schema, table, to).note(
        "MySQL cannot make this partition change one partition at a time: the whole list is written for all of the table's partition changes",
    )])
}

fn strategy(side: &Side, schema: &str, table: &str) -> Option<PartitionStrategy> {
    side.table_now(schema, table)
        .and_then(|t| t.partitioning.as_ref())
        .map(|p| p.strategy)
}

pub(super) fn add(
    side: &Side,
    partition_plan: &PartitionPlan,
    schema: &str,
    table: &str,
    partition: &Partition,
) -> Vec<Draft> {
    if let Some(drafts) = whole(side, partition_plan, schema, table) {
        return drafts;
    }
    let run = match PartitionPlan::entry(&partition_plan.runs, schema, table, &partition.name) {
        Some(Some(run)) => run,
        Some(None) => return Vec::new(),
        None => &Run {
            added: vec![partition.clone()],
            before: None,
        },
    };
    let defs: Vec<String> = run
        .added
        .iter()
        .chain(&run.before)
        .map(partition_def)
        .collect();
    let names: Vec<&str> = run.added.iter().map(|p| p.name.as_str()).collect();
    let draft = match &run.before {
        Some(kept) => alter(
            side,
            schema,
            table,
            &format!(
                "REORGANIZE PARTITION {} INTO ({})",
                name(&kept.name),
                defs.join(", ")
            ),
            Algorithm::ServerChoice,
        )
        .hazards([Hazard::TableRewrite, Hazard::LongLock])
        .note(format!(
            "{} split from {}: only that partition's rows are copied",
            names.join(", "),
            kept.name
        )),
        None => {
            let body = format!("ADD PARTITION ({})", defs.join(", "));
            let draft = alter(side, schema, table, &body, Algorithm::ServerChoice);
            match strategy(side, schema, table) {
                Some(s) if hash_like(s) => draft
                    .hazards([Hazard::TableRewrite, Hazard::LongLock])
                    .note("rows are redistributed over the new number of partitions"),
                _ => draft.note("the existing partitions are not touched"),
            }
        }
    };
    let draft = match names.len() {
        1 => draft,
        _ => draft.note(format!("adds {} together", names.join(", "))),
    };
    vec![draft]
}

pub(super) fn drop(
    side: &Side,
    partition_plan: &PartitionPlan,
    schema: &str,
    table: &str,
    partition: &Partition,
) -> Vec<Draft> {
    if let Some(drafts) = whole(side, partition_plan, schema, table) {
        return drafts;
    }
    let draft = match strategy(side, schema, table) {
        Some(s) if hash_like(s) => {
            let count = match PartitionPlan::entry(
                &partition_plan.coalesced,
                schema,
                table,
                &partition.name,
            ) {
                Some(Some(n)) => *n,
                Some(None) => return Vec::new(),
                None => 1,
            };
            alter(
                side,
                schema,
                table,
                &format!("COALESCE PARTITION {count}"),
                Algorithm::ServerChoice,
            )
            .hazards([Hazard::TableRewrite, Hazard::LongLock])
            .note(format!(
                "removes the last {count} partition(s), from {}; their rows move to the others",
                partition.name
            ))
        }
        _ => alter(
            side,
            schema,
            table,
            &format!("DROP PARTITION {}", name(&partition.name)),
            Algorithm::ServerChoice,
        )
        .hazard(Hazard::DeletesData)
        .note("the partition's rows are deleted with it"),
    };
    vec![draft]
}
