//! Which Changes a table rebuild takes over, and what the planner needs
//! to know about the plan as a whole (tables it creates and drops, indexes
//! and triggers it creates).

use std::collections::{BTreeMap, HashMap, HashSet};

use sluice_schema::render::order::topological_order;
use sluice_schema::{Change, ReferentialAction, Table};

use super::alter;
use crate::Ctx;

/// One table rebuilt to its `ctx.to` shape, and the Changes it carries
/// out (indexes into the plan's Changes, in order).
#[derive(Debug)]
pub(super) struct Rebuild {
    pub schema: String,
    pub table: String,
    pub changes: Vec<usize>,
    /// Its first Change, or for a table rebuilt only because its foreign
    /// key acts on a rebuilt table's deletes, that table's.
    pub change: usize,
    /// The rebuilt table whose drop would run this table's `ON DELETE`
    /// actions, when that is why (or also why) it is rebuilt.
    pub pulled_by: Option<String>,
}

/// The plan's Changes sorted into what runs on its own and what a rebuild
/// or a `CREATE TABLE` takes over.
pub(super) struct Grouping {
    pub rebuilds: Vec<Rebuild>,
    /// Changes that have no statement of their own.
    absorbed: HashSet<usize>,
    created_tables: HashSet<(String, String)>,
    dropped_tables: HashSet<(String, String)>,
    created_indexes: HashSet<(String, String)>,
    created_triggers: HashSet<(String, String)>,
    dropped_indexes: HashSet<(String, String)>,
    dropped_triggers: HashSet<(String, String)>,
    /// The `from` tables under their names after the plan's renames.
    sources: BTreeMap<(String, String), Table>,
    /// The DropTable Changes, referencing tables before referenced ones.
    pub table_drops: Vec<usize>,
}

impl Grouping {
    pub fn new(changes: &[Change], ctx: &Ctx) -> Grouping {
        let mut g = Grouping {
            rebuilds: Vec::new(),
            absorbed: HashSet::new(),
            created_tables: HashSet::new(),
            dropped_tables: HashSet::new(),
            created_indexes: HashSet::new(),
            created_triggers: HashSet::new(),
            dropped_indexes: HashSet::new(),
            dropped_triggers: HashSet::new(),
            sources: renamed_sources(changes, ctx),
            table_drops: Vec::new(),
        };
        for change in changes {
            let key = |name: &str| (change.schema().unwrap_or("").to_string(), name.to_string());
            match change {
                Change::CreateTable { table, .. } => {
                    g.created_tables.insert(key(&table.name));
                }
                Change::DropTable { table, .. } => {
                    g.dropped_tables.insert(key(&table.name));
                }
                Change::CreateIndex { index, .. } => {
                    g.created_indexes.insert(key(&index.name));
                }
                Change::DropIndex { index, .. } => {
                    g.dropped_indexes.insert(key(&index.name));
                }
                Change::CreateTrigger { trigger, .. } => {
                    g.created_triggers.insert(key(&trigger.name));
                }
                Change::DropTrigger { trigger, .. } => {
                    g.dropped_triggers.insert(key(&trigger.name));
                }
                _ => {}
            }
        }
        g.group(changes, ctx);
        g.table_drops = table_drops(changes, ctx);
        g
    }

    /// Whether Change `i` has no statement of its own.
    pub fn is_absorbed(&self, i: usize) -> bool {
        self.absorbed.contains(&i)
    }

    pub fn creates_index(&self, schema: &str, name: &str) -> bool {
        self.created_indexes
            .contains(&(schema.to_string(), name.to_string()))
    }

    pub fn creates_trigger(&self, schema: &str, name: &str) -> bool {
        self.created_triggers
            .contains(&(schema.to_string(), name.to_string()))
    }

    pub fn drops_index(&self, schema: &str, name: &str) -> bool {
        self.dropped_indexes
            .contains(&(schema.to_string(), name.to_string()))
    }

    pub fn drops_trigger(&self, schema: &str, name: &str) -> bool {
        self.dropped_triggers
            .contains(&(schema.to_string(), name.to_string()))
    }

    /// The `from` table now called `name` (after the plan's renames).
    pub fn source(&self, schema: &str, name: &str) -> Option<&Table> {
        self.sources.get(&(schema.to_string(), name.to_string()))
    }

    /// Finds the tables to rebuild, then gives each every Change of its
    /// table that a rebuild carries out.
    fn group(&mut self, changes: &[Change], ctx: &Ctx) {
        let mut rebuilt: Vec<(String, String)> = Vec::new();
        for change in changes {
            let Some((schema, table)) = table_of(change) else {
                continue;
            };
            let key = (schema.to_string(), table.to_string());
            if self.created_tables.contains(&key)
                || self.dropped_tables.contains(&key)
                || rebuilt.contains(&key)
            {
                continue;
            }
            if self.needs_rebuild(change, ctx) {
                rebuilt.push(key);
            }
        }
        let pulled_by = self.pull_in(&mut rebuilt, ctx);
        for (i, change) in changes.iter().enumerate() {
            let Some((schema, table)) = table_of(change) else {
                continue;
            };
            let key = (schema.to_string(), table.to_string());
            let foreign_key = matches!(
                change,
                Change::AddForeignKey { .. } | Change::DropForeignKey { .. }
            );
            if foreign_key
                && (self.created_tables.contains(&key) || self.dropped_tables.contains(&key))
            {
                // Declared inline: CREATE and DROP TABLE carry them.
                self.absorbed.insert(i);
                continue;
            }
            let Some(at) = rebuilt.iter().position(|k| *k == key) else {
                continue;
            };
            if !carried_by_rebuild(change) {
                continue;
            }
            self.absorbed.insert(i);
            match self
                .rebuilds
                .iter_mut()
                .find(|r| r.schema == key.0 && r.table == key.1)
            {
                Some(r) => r.changes.push(i),
                None => self.rebuilds.push(Rebuild {
                    schema: rebuilt[at].0.clone(),
                    table: rebuilt[at].1.clone(),
                    changes: vec![i],
                    change: i,
                    pulled_by: None,
                }),
            }
        }
        // Pulled-in tables, in the order they were found, so the table
        // that pulled one in already has its Change.
        for key in &rebuilt {
            let Some(puller) = pulled_by.get(key) else {
                continue;
            };
            let change = self
                .rebuilds
                .iter()
                .find(|r| r.schema == key.0 && r.table == *puller)
                .map_or(0, |r| r.change);
            match self
                .rebuilds
                .iter_mut()
                .find(|r| r.schema == key.0 && r.table == key.1)
            {
                Some(r) => r.pulled_by = Some(puller.clone()),
                None => self.rebuilds.push(Rebuild {
                    schema: key.0.clone(),
                    table: key.1.clone(),
                    changes: Vec::new(),
                    change,
                    pulled_by: Some(puller.clone()),
                }),
            }
        }
    }

    /// Adds to `rebuilt` every kept table whose foreign key to a rebuilt
    /// table acts on delete (dropping that table would run the action on
    /// its rows; see [`super::rebuild`]), and returns who pulled each in.
    fn pull_in(
        &self,
        rebuilt: &mut Vec<(String, String)>,
        ctx: &Ctx,
    ) -> HashMap<(String, String), String> {
        let mut acting: HashMap<(String, String), Vec<String>> = HashMap::new();
        for s in &ctx.to.schemas {
            for table in &s.tables {
                let Some(source) = self.source(&s.name, &table.name) else {
                    continue;
                };
                for fk in &source.foreign_keys {
                    if fk.on_delete != ReferentialAction::NoAction {
                        acting
                            .entry((s.name.clone(), fk.referenced_table.to_lowercase()))
                            .or_default()
                            .push(table.name.clone());
                    }
                }
            }
        }
        let mut taken: HashSet<(String, String)> = rebuilt
            .iter()
            .map(|(s, t)| (s.clone(), t.to_lowercase()))
            .collect();
        let mut pulled_by = HashMap::new();
        let mut next = 0;
        while next < rebuilt.len() {
            let (schema, name) = rebuilt[next].clone();
            next += 1;
            let Some(tables) = acting.get(&(schema.clone(), name.to_lowercase())) else {
                continue;
            };
            for table in tables {
                if taken.insert((schema.clone(), table.to_lowercase())) {
                    rebuilt.push((schema.clone(), table.clone()));
                    pulled_by.insert((schema.clone(), table.clone()), name.clone());
                }
            }
        }
        pulled_by
    }

    /// Whether `change`, on a table both catalogs have, is beyond `ALTER
    /// TABLE`.
    fn needs_rebuild(&self, change: &Change, ctx: &Ctx) -> bool {
        use Change::*;
        match change {
            AddColumn {
                schema,
                table,
                column,
            } => {
                let target = ctx.to.schema(schema).and_then(|s| s.table(table));
                match (self.source(schema, table), target) {
                    (Some(source), Some(target)) => !alter::can_add_column(column, source, target),
                    _ => true,
                }
            }
            DropColumn {
                schema,
                table,
                column,
            } => match self.source(schema, table) {
                Some(source) => !alter::can_drop_column(&column.name, source, ctx.server),
                None => true,
            },
            _ => carried_by_rebuild(change),
        }
    }
}

/// The DropTable Changes in an order that drops every referencing table
/// before the table it references: dropping a referenced table first
/// would run the references' `ON DELETE` actions (SQLite compiles them
/// recursively, so a 2,000-deep chain of them overflows its stack) or
/// fail a `NO ACTION` reference outright.
fn table_drops(changes: &[Change], ctx: &Ctx) -> Vec<usize> {
    let drops: Vec<(usize, &str, &str)> = changes
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c {
            Change::DropTable { schema, table } => Some((i, schema.as_str(), table.name.as_str())),
            _ => None,
        })
        .collect();
    let references = |child: &(usize, &str, &str), parent: &(usize, &str, &str)| {
        child.1 == parent.1
            && child.2 != parent.2
            && ctx
                .from
                .schema(child.1)
                .and_then(|s| s.table(child.2))
                .is_some_and(|t| {
                    t.foreign_keys
                        .iter()
                        .any(|fk| fk.referenced_table.eq_ignore_ascii_case(parent.2))
                })
    };
    let by_name: std::collections::HashMap<(&str, String), usize> = drops
        .iter()
        .enumerate()
        .map(|(n, d)| ((d.1, d.2.to_lowercase()), n))
        .collect();
    // Each dropped table waits for the dropped tables that reference it.
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); drops.len()];
    for (n, child) in drops.iter().enumerate() {
        let Some(t) = ctx.from.schema(child.1).and_then(|s| s.table(child.2)) else {
            continue;
        };
        for fk in &t.foreign_keys {
            if let Some(&p) = by_name.get(&(child.1, fk.referenced_table.to_lowercase()))
                && references(child, &drops[p])
            {
                deps[p].push(n);
            }
        }
    }
    topological_order(&deps)
        .into_iter()
        .map(|n| drops[n].0)
        .collect()
}

/// The table a table-level Change is about.
fn table_of(change: &Change) -> Option<(&str, &str)> {
    use Change::*;
    match change {
        AddColumn { schema, table, .. }
        | DropColumn { schema, table, .. }
        | AlterColumn { schema, table, .. }
        | AddPrimaryKey { schema, table, .. }
        | DropPrimaryKey { schema, table, .. }
        | AddUnique { schema, table, .. }
        | DropUnique { schema, table, .. }
        | AddCheck { schema, table, .. }
        | DropCheck { schema, table, .. }
        | AddForeignKey { schema, table, .. }
        | DropForeignKey { schema, table, .. }
        | AlterTableOptions { schema, table, .. }
        | AlterPartitioning { schema, table, .. }
        | AddPartition { schema, table, .. }
        | DropPartition { schema, table, .. } => Some((schema, table)),
        _ => None,
    }
}

/// Changes a rebuild carries out when its table is rebuilt anyway. Index
/// and trigger Changes keep their own statements: the rebuild recreates
/// only the indexes and triggers that did not change.
fn carried_by_rebuild(change: &Change) -> bool {
    table_of(change).is_some()
}

/// The `from` catalog's tables keyed by the names they have once the
/// plan's declared renames ran (the renames run first, as `ALTER TABLE`
/// statements), with renamed columns renamed in their keys too.
fn renamed_sources(changes: &[Change], ctx: &Ctx) -> BTreeMap<(String, String), Table> {
    let mut out = BTreeMap::new();
    for schema in &ctx.from.schemas {
        for table in &schema.tables {
            let mut t = table.clone();
            for change in changes {
                if let Change::RenameTable {
                    schema: s,
                    from,
                    to,
                } = change
                    && *s == schema.name
                    && *from == t.name
                {
                    t.name = to.clone();
                }
            }
            for change in changes {
                if let Change::RenameColumn {
                    schema: s,
                    table: on,
                    from,
                    to,
                } = change
                    && *s == schema.name
                    && *on == t.name
                {
                    rename_column(&mut t, from, to);
                }
            }
            out.insert((schema.name.clone(), t.name.clone()), t);
        }
    }
    out
}

fn rename_column(t: &mut Table, from: &str, to: &str) {
    let swap = |names: &mut Vec<String>| {
        for n in names.iter_mut().filter(|n| *n == from) {
            *n = to.to_string();
        }
    };
    for c in t.columns.iter_mut().filter(|c| c.name == from) {
        c.name = to.to_string();
    }
    if let Some(pk) = &mut t.primary_key {
        swap(&mut pk.columns);
    }
    for u in &mut t.uniques {
        swap(&mut u.columns);
    }
    for fk in &mut t.foreign_keys {
        swap(&mut fk.columns);
    }
}
