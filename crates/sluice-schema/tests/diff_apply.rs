//! An in-memory oracle for the diff: random mutations of the fixture
//! catalogs, the diff of each pair applied to the first catalog by a small
//! model-level interpreter, and the result compared with the second. A
//! missing, extra or wrong Change shows up as a difference.

mod common;
mod diff_support;

use diff_support::*;
use sluice_schema::*;

/// A tiny deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn table_mut<'a>(c: &'a mut Catalog, schema: &str, table: &str) -> &'a mut Table {
    c.schema_mut(schema)
        .and_then(|s| s.table_mut(table))
        .unwrap_or_else(|| panic!("no table {schema}.{table}"))
}

/// Applies the table-level Changes the mutations below can produce.
fn apply(mut c: Catalog, changes: &[Change]) -> Catalog {
    for change in changes {
        match change.clone() {
            Change::CreateTable { schema, table } => c.schema_entry(&schema).tables.push(table),
            Change::DropTable { schema, table } => c
                .schema_mut(&schema)
                .unwrap()
                .tables
                .retain(|t| t.name != table.name),
            Change::AddColumn {
                schema,
                table,
                mut column,
            } => {
                let t = table_mut(&mut c, &schema, &table);
                column.position = u32::MAX;
                t.columns.push(column);
            }
            Change::DropColumn {
                schema,
                table,
                column,
            } => table_mut(&mut c, &schema, &table)
                .columns
                .retain(|x| x.name != column.name),
            Change::AlterColumn {
                schema,
                table,
                column,
                mut to,
                ..
            } => {
                let t = table_mut(&mut c, &schema, &table);
                let at = t.columns.iter().position(|x| x.name == column).unwrap();
                to.position = t.columns[at].position;
                t.columns[at] = to;
            }
            Change::CreateIndex {
                schema,
                table,
                index,
            } => table_mut(&mut c, &schema, &table).indexes.push(index),
            Change::DropIndex {
                schema,
                table,
                index,
            } => table_mut(&mut c, &schema, &table)
                .indexes
                .retain(|i| i.name != index.name),
            Change::AddCheck {
                schema,
                table,
                check,
            } => table_mut(&mut c, &schema, &table).checks.push(check),
            Change::DropCheck {
                schema,
                table,
                check,
            } => table_mut(&mut c, &schema, &table)
                .checks
                .retain(|x| *x != check),
            Change::AddForeignKey {
                schema,
                table,
                foreign_key,
            } => table_mut(&mut c, &schema, &table)
                .foreign_keys
                .push(foreign_key),
            Change::DropForeignKey {
                schema,
                table,
                foreign_key,
            } => table_mut(&mut c, &schema, &table)
                .foreign_keys
                .retain(|x| *x != foreign_key),
            Change::SetComment {
                target: CommentTarget::Table { schema, name },
                to,
                ..
            } => table_mut(&mut c, &schema, &name).comment = to,
            Change::CreateView { schema, view } => c.schema_entry(&schema).views.push(view),
            Change::DropView { schema, view } => c
                .schema_mut(&schema)
                .unwrap()
                .views
                .retain(|v| v.name != view.name),
            Change::ReplaceView { schema, to, .. } => {
                let s = c.schema_mut(&schema).unwrap();
                let at = s.views.iter().position(|v| v.name == to.name).unwrap();
                s.views[at] = to;
            }
            Change::DropTrigger { schema, trigger } => c
                .schema_mut(&schema)
                .unwrap()
                .triggers
                .retain(|t| !(t.table == trigger.table && t.name == trigger.name)),
            other => panic!("the interpreter does not know {other:?}"),
        }
    }
    c.normalized()
}

/// One random mutation of a table-level kind.
fn mutate(c: &mut Catalog, rng: &mut Rng, n: usize) {
    let s = &mut c.schemas[0];
    match rng.below(9) {
        0 if s.tables.len() > 1 => {
            // Drop a table nothing else needs.
            let name = s.tables[rng.below(s.tables.len())].name.clone();
            let referenced = s.tables.iter().any(|t| {
                t.name != name && t.foreign_keys.iter().any(|f| f.referenced_table == name)
            });
            let in_view = s.views.iter().any(|v| v.definition.contains(&name))
                || s.materialized_views
                    .iter()
                    .any(|v| v.definition.contains(&name));
            let inherited = s.tables.iter().any(|t| {
                t.options
                    .postgres()
                    .is_some_and(|o| o.inherits.iter().any(|q| q.name == name))
            });
            if !referenced && !in_view && !inherited {
                s.tables.retain(|t| t.name != name);
                s.triggers.retain(|t| t.table != name);
            }
        }
        1 => s.tables.push(
            Table::new(format!("added_{n}"))
                .with_column(Column::new("id", "integer").not_null())
                .with_index(Index::new(format!("added_{n}_idx")).on_columns(["id"])),
        ),
        2 => {
            let t = rng.below(s.tables.len());
            let position = s.tables[t].columns.len() as u32 + 1;
            let mut col = Column::new(format!("col_{n}"), "text").with_default("'x'");
            col.position = position;
            s.tables[t].columns.push(col);
        }
        3 => {
            let pick = rng.below(s.tables.len());
            let t = &mut s.tables[pick];
            let i = rng.below(t.columns.len());
            t.columns[i].nullable = !t.columns[i].nullable;
            t.columns[i].comment = Some(format!("note {n}"));
        }
        4 => {
            let pick = rng.below(s.tables.len());
            let t = &mut s.tables[pick];
            let i = rng.below(t.columns.len());
            if t.columns[i].generated.is_none() && t.columns[i].identity.is_none() {
                t.columns[i].default = Some(format!("{n}"));
            }
        }
        5 => {
            let pick = rng.below(s.tables.len());
            let t = &mut s.tables[pick];
            if !t.indexes.is_empty() {
                t.indexes.remove(rng.below(t.indexes.len()));
            }
        }
        6 => {
            let pick = rng.below(s.tables.len());
            let t = &mut s.tables[pick];
            let first = t.columns[0].name.clone();
            t.indexes
                .push(Index::new(format!("idx_{n}")).on_columns([first]));
            t.checks
                .push(Check::new(Some(&format!("check_{n}")), format!("{n} > 0")));
        }
        7 => {
            let pick = rng.below(s.tables.len());
            let t = &mut s.tables[pick];
            t.comment = Some(format!("table note {n}"));
        }
        _ => {
            if !s.views.is_empty() {
                let v = rng.below(s.views.len());
                let def = s.views[v].definition.trim_end_matches(';').to_string();
                s.views[v].definition = format!("{def} LIMIT {n}");
            }
        }
    }
}

#[test]
fn applying_the_diff_gives_the_target() {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    for base in [common::postgres(), common::mysql(), common::sqlite()] {
        let base = base.normalized();
        for round in 0..60 {
            let mut target = base.clone();
            for k in 0..1 + rng.below(4) {
                mutate(&mut target, &mut rng, round * 10 + k);
            }
            let target = target.normalized();
            let changes = d(&base, &target);
            assert_eq!(
                changes.is_empty(),
                base == target,
                "{} round {round}",
                base.dialect
            );
            let applied = apply(base.clone(), &changes);
            assert_eq!(
                applied.to_json_pretty(),
                target.to_json_pretty(),
                "{} round {round}: {}",
                base.dialect,
                lines(&changes)
            );
            assert_eq!(d(&target, &applied), [], "{} round {round}", base.dialect);
        }
    }
}
