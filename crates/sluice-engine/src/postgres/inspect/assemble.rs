//! Assembly of the catalog rows into the model, joined on oids in memory.
//!
//! Tables are built first in a map keyed by oid; columns, constraints,
//! indexes and identity sequences are hung on them by their table's oid;
//! partitions are folded into their parents' partitioning, deepest first;
//! then everything lands in its schema and the catalog is normalized.

use std::collections::HashMap;

use sluice_schema::{
    Catalog, Check, CheckOption, Column, ColumnRef, Deferral, Dialect, EnumType, Extension, Flavor,
    ForeignKey, Function, Generated, GeneratedKind, Identity, IdentityKind, Index, IndexMethod,
    IndexPart, MatchType, MaterializedView, NullsOrder, Partition, Partitioning,
    PostgresTableOptions, PrimaryKey, QualifiedName, ReferentialAction, RoutineKind, Schema,
    Sequence, SequenceOptions, ServerInfo, SortOrder, Table, TableOptions, Trigger, TriggerEvent,
    TriggerLevel, TriggerTiming, UniqueConstraint, View, ViewSecurity, Volatility,
};

use super::parse;
use super::rows::*;

/// A table on its way into the model.
struct Entry {
    schema_oid: i64,
    table: Table,
    /// The partitioned table this one is a partition of.
    partition_of: Option<i64>,
    bound: Option<String>,
    /// `INHERITS` parents (not for partitions).
    inherits: Vec<i64>,
}

pub fn catalog(rows: Rows) -> Catalog {
    let db = rows.database;
    let mut catalog = Catalog::new(db.name, Dialect::Postgres);
    catalog.server = Some(ServerInfo {
        flavor: Flavor::Postgres,
        version: db.version,
    });
    catalog.charset = Some(db.encoding);
    catalog.collation = Some(db.collation);
    catalog.comment = db.comment;
    catalog.extensions = rows.extensions.into_iter().map(extension).collect();

    let mut schemas: HashMap<i64, Schema> = rows
        .schemas
        .into_iter()
        .map(|s| {
            let mut schema = Schema::new(s.name);
            schema.comment = s.comment;
            (s.oid, schema)
        })
        .collect();
    let schema_names: HashMap<i64, String> = schemas
        .iter()
        .map(|(oid, s)| (*oid, s.name.clone()))
        .collect();

    // Names of every relation a trigger or `INHERITS` may point at.
    let mut relation_names: HashMap<i64, (i64, String)> = HashMap::new();
    let mut tables: HashMap<i64, Entry> = HashMap::with_capacity(rows.tables.len());
    for row in rows.tables {
        relation_names.insert(row.oid, (row.schema_oid, row.name.clone()));
        tables.insert(row.oid, table_entry(row));
    }
    let identities = attach_sequences(rows.sequences, &mut schemas, &tables);
    for row in rows.columns {
        if let Some(entry) = tables.get_mut(&row.table_oid) {
            let identity = identities.get(&(row.table_oid, row.name.clone())).cloned();
            entry.table.columns.push(column(row, identity));
        }
    }
    for row in rows.constraints {
        if let Some(entry) = tables.get_mut(&row.table_oid) {
            add_constraint(&mut entry.table, row);
        }
    }

    let mut materialized: HashMap<i64, (i64, MaterializedView)> = HashMap::new();
    for row in rows.views {
        relation_names.insert(row.oid, (row.schema_oid, row.name.clone()));
        let schema_oid = row.schema_oid;
        match view(row) {
            Relation::View(v) => {
                if let Some(s) = schemas.get_mut(&schema_oid) {
                    s.views.push(v);
                }
            }
            Relation::Materialized(oid, mv) => {
                materialized.insert(oid, (schema_oid, mv));
            }
        }
    }
    for (oid, index) in indexes(rows.index_keys) {
        if let Some(entry) = tables.get_mut(&oid) {
            entry.table.indexes.push(index);
        } else if let Some((_, mv)) = materialized.get_mut(&oid) {
            mv.indexes.push(index);
        }
    }
    for (_, (schema_oid, mv)) in materialized {
        if let Some(s) = schemas.get_mut(&schema_oid) {
            s.materialized_views.push(mv);
        }
    }

    fold_partitions(&mut tables);
    for (_, mut entry) in tables {
        // `INHERITS` parents, by name now that every table is known.
        let inherits: Vec<QualifiedName> = entry
            .inherits
            .iter()
            .filter_map(|oid| {
                let (schema_oid, name) = relation_names.get(oid)?;
                Some(QualifiedName::new(schema_names.get(schema_oid)?, name))
            })
            .collect();
        if !inherits.is_empty() {
            set_options(&mut entry.table, |o| o.inherits = inherits);
        }
        if let Some(s) = schemas.get_mut(&entry.schema_oid) {
            s.tables.push(entry.table);
        }
    }

    for row in rows.enums {
        if let Some(s) = schemas.get_mut(&row.schema_oid) {
            let mut e = EnumType::new(row.name, row.labels);
            e.comment = row.comment;
            s.enums.push(e);
        }
    }
    for row in rows.functions {
        if let Some(s) = schemas.get_mut(&row.schema_oid) {
            s.functions.push(function(row));
        }
    }
    for row in rows.triggers {
        if let Some((schema_oid, table)) = relation_names.get(&row.table_oid)
            && let Some(s) = schemas.get_mut(schema_oid)
        {
            s.triggers.push(trigger(row, table));
        }
    }

    catalog.schemas = schemas.into_values().collect();
    catalog.normalize();
    catalog
}

fn extension(row: ExtensionRow) -> Extension {
    Extension {
        name: row.name,
        schema: Some(row.schema),
        version: Some(row.version),
        comment: row.comment,
    }
}

fn table_entry(row: TableRow) -> Entry {
    let mut table = Table::new(row.name);
    table.comment = row.comment;
    let options = PostgresTableOptions {
        unlogged: row.persistence == "u",
        tablespace: row.tablespace,
        inherits: Vec::new(),
        storage_parameters: row.storage_parameters,
        row_security: row.row_security,
    };
    if options != PostgresTableOptions::default() {
        table.options = TableOptions::Postgres(options);
    }
    if let (Some(strategy), Some(key)) = (
        row.partition_strategy
            .as_deref()
            .and_then(parse::partition_strategy),
        row.partition_key.as_deref(),
    ) {
        table.partitioning = Some(Partitioning {
            strategy,
            key: parse::partition_key(key),
            partitions: Vec::new(),
        });
    }
    let (partition_of, inherits) = if row.is_partition {
        (row.parents.first().copied(), Vec::new())
    } else {
        (None, row.parents)
    };
    Entry {
        schema_oid: row.schema_oid,
        table,
        partition_of,
        bound: row.partition_bound,
        inherits,
    }
}

/// Changes the table's PostgreSQL options, creating them if it had none.
fn set_options(table: &mut Table, change: impl FnOnce(&mut PostgresTableOptions)) {
    let mut options = table.options.postgres().cloned().unwrap_or_default();
    change(&mut options);
    table.options = if options == PostgresTableOptions::default() {
        TableOptions::None
    } else {
        TableOptions::Postgres(options)
    };
}

/// Puts free-standing sequences into their schemas and returns identity
/// columns' sequence options by (table oid, column name).
fn attach_sequences(
    sequences: Vec<SequenceRow>,
    schemas: &mut HashMap<i64, Schema>,
    tables: &HashMap<i64, Entry>,
) -> HashMap<(i64, String), SequenceOptions> {
    let mut identities = HashMap::new();
    for row in sequences {
        let options = SequenceOptions {
            start: Some(row.start),
            increment: Some(row.increment),
            min_value: Some(row.min_value),
            max_value: Some(row.max_value),
            cache: Some(row.cache),
            cycle: row.cycle,
        };
        let owner = match (row.owner_table_oid, row.owner_table, row.owner_column) {
            (Some(oid), Some(table), Some(column)) => Some((oid, table, column)),
            _ => None,
        };
        if row.owner_kind.as_deref() == Some("i") {
            if let Some((oid, _, column)) = owner
                && tables.contains_key(&oid)
            {
                identities.insert((oid, column), options);
            }
            continue;
        }
        let Some(schema) = schemas.get_mut(&row.schema_oid) else {
            continue;
        };
        schema.sequences.push(Sequence {
            name: row.name,
            data_type: Some(row.data_type),
            options,
            owned_by: owner.map(|(_, table, column)| ColumnRef { table, column }),
            comment: row.comment,
        });
    }
    identities
}

fn column(row: ColumnRow, identity: Option<SequenceOptions>) -> Column {
    let mut column = Column::new(row.name, row.data_type);
    column.position = row.position.max(0) as u32;
    column.nullable = !row.not_null;
    column.collation = row.collation;
    column.comment = row.comment;
    if row.generated == "s" {
        column.generated = row.default_expr.map(|expression| Generated {
            expression,
            kind: GeneratedKind::Stored,
        });
    } else {
        column.default = row.default_expr;
    }
    let kind = match row.identity.as_str() {
        "a" => Some(IdentityKind::Always),
        "d" => Some(IdentityKind::ByDefault),
        _ => None,
    };
    if let Some(kind) = kind {
        column.identity = Some(Identity {
            kind,
            sequence: identity.unwrap_or_default(),
        });
    }
    column
}

fn deferral(deferrable: bool, deferred: bool) -> Deferral {
    match (deferrable, deferred) {
        (false, _) => Deferral::NotDeferrable,
        (true, false) => Deferral::InitiallyImmediate,
        (true, true) => Deferral::InitiallyDeferred,
    }
}

fn action(code: &str) -> ReferentialAction {
    match code {
        "r" => ReferentialAction::Restrict,
        "c" => ReferentialAction::Cascade,
        "n" => ReferentialAction::SetNull,
        "d" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

fn add_constraint(table: &mut Table, row: ConstraintRow) {
    match row.kind.as_str() {
        "p" => {
            table.primary_key = Some(PrimaryKey {
                name: Some(row.name),
                columns: row.columns,
                comment: row.comment,
            });
        }
        "u" => table.uniques.push(UniqueConstraint {
            name: Some(row.name),
            columns: row.columns,
            nulls_not_distinct: row
                .definition
                .is_some_and(|d| d.starts_with("UNIQUE NULLS NOT DISTINCT")),
            deferral: deferral(row.deferrable, row.deferred),
            comment: row.comment,
        }),
        "c" => table.checks.push(Check {
            name: Some(row.name),
            expression: parse::check_expression(row.definition.as_deref().unwrap_or_default()),
            no_inherit: row.no_inherit,
            enforced: true,
            comment: row.comment,
        }),
        "f" => table.foreign_keys.push(ForeignKey {
            name: Some(row.name),
            columns: row.columns,
            referenced_schema: row.ref_schema.unwrap_or_default(),
            referenced_table: row.ref_table.unwrap_or_default(),
            referenced_columns: row.ref_columns,
            on_delete: action(&row.on_delete),
            on_update: action(&row.on_update),
            match_type: match row.match_type.as_str() {
                "f" => MatchType::Full,
                "p" => MatchType::Partial,
                _ => MatchType::Simple,
            },
            deferral: deferral(row.deferrable, row.deferred),
            comment: row.comment,
        }),
        _ => {}
    }
}

/// An index on its way into the model: its rows, gathered by index oid.
struct IndexEntry {
    table_oid: i64,
    index: Index,
    keys: Vec<IndexKeyRow>,
}

/// Indexes with their table's oid, from their key rows.
fn indexes(keys: Vec<IndexKeyRow>) -> Vec<(i64, Index)> {
    let mut by_oid: HashMap<i64, IndexEntry> = HashMap::new();
    for row in keys {
        let entry = by_oid.entry(row.oid).or_insert_with(|| {
            let mut index = Index::new(row.name.clone());
            index.unique = row.is_unique;
            index.method = IndexMethod::from(row.method.clone());
            index.nulls_not_distinct = row.nulls_not_distinct;
            index.comment = row.comment.clone();
            IndexEntry {
                table_oid: row.table_oid,
                index,
                keys: Vec::new(),
            }
        });
        if row.predicate.is_some() {
            entry.index.predicate = row.predicate.clone();
        }
        entry.keys.push(row);
    }
    by_oid
        .into_values()
        .map(|mut entry| {
            entry.keys.sort_by_key(|k| k.position);
            for row in entry.keys {
                if row.position > row.key_count {
                    entry.index.include.extend(row.column_name);
                } else {
                    entry.index.parts.push(index_part(row));
                }
            }
            (entry.table_oid, entry.index)
        })
        .collect()
}

fn index_part(row: IndexKeyRow) -> IndexPart {
    let mut part = match row.column_name {
        Some(column) => IndexPart::column(column),
        None => IndexPart::expression(row.expression.unwrap_or_default()),
    };
    if row.can_order {
        // indoption bits: 1 = DESC, 2 = NULLS FIRST.
        if row.option & 1 != 0 {
            part.order = SortOrder::Desc;
        }
        part.nulls = Some(if row.option & 2 != 0 {
            NullsOrder::First
        } else {
            NullsOrder::Last
        });
    }
    part.opclass = row.opclass;
    part.collation = row.collation;
    part
}

enum Relation {
    View(View),
    Materialized(i64, MaterializedView),
}

fn view(row: ViewRow) -> Relation {
    let option = |name: &str| {
        row.options
            .iter()
            .find_map(|o| o.strip_prefix(name)?.strip_prefix('='))
    };
    if row.kind == "m" {
        let mut mv = MaterializedView::new(row.name.clone(), row.definition.clone());
        mv.with_data = row.populated;
        mv.tablespace = row.tablespace;
        mv.comment = row.comment;
        return Relation::Materialized(row.oid, mv);
    }
    let mut v = View::new(row.name.clone(), row.definition.clone());
    v.check_option = match option("check_option") {
        Some(o) if o.eq_ignore_ascii_case("local") => Some(CheckOption::Local),
        Some(o) if o.eq_ignore_ascii_case("cascaded") => Some(CheckOption::Cascaded),
        _ => None,
    };
    if option("security_invoker").is_some_and(parse::option_is_true) {
        v.security = Some(ViewSecurity::Invoker);
    }
    v.comment = row.comment;
    Relation::View(v)
}

/// Folds partitions into their parents' partitioning, deepest first so a
/// sub-partitioned partition carries its own partitions when it moves.
/// Depth is found by walking up the parent links (with a bound, so even a
/// damaged catalog cannot loop), never by recursion.
fn fold_partitions(tables: &mut HashMap<i64, Entry>) {
    let mut partitions: Vec<(usize, i64)> = tables
        .iter()
        .filter(|(_, e)| e.partition_of.is_some())
        .map(|(oid, _)| {
            let mut depth = 0;
            let mut at = *oid;
            while let Some(parent) = tables.get(&at).and_then(|e| e.partition_of) {
                depth += 1;
                at = parent;
                if depth > tables.len() {
                    break;
                }
            }
            (depth, *oid)
        })
        .collect();
    partitions.sort_by(|a, b| b.cmp(a));
    for (_, oid) in partitions {
        let Some(entry) = tables.remove(&oid) else {
            continue;
        };
        let parent = entry.partition_of.and_then(|p| tables.get_mut(&p));
        let Some(partitioning) = parent.and_then(|p| p.table.partitioning.as_mut()) else {
            continue;
        };
        partitioning.partitions.push(Partition {
            name: entry.table.name,
            bound: entry.bound,
            partitioning: entry.table.partitioning.map(Box::new),
            comment: entry.table.comment,
        });
    }
}

fn function(row: FunctionRow) -> Function {
    let kind = if row.kind == "p" {
        RoutineKind::Procedure
    } else {
        RoutineKind::Function
    };
    let volatility = match (kind, row.volatility.as_str()) {
        (RoutineKind::Procedure, _) => None,
        (_, "i") => Some(Volatility::Immutable),
        (_, "s") => Some(Volatility::Stable),
        _ => Some(Volatility::Volatile),
    };
    Function {
        kind,
        name: row.name,
        signature: row.signature,
        arguments: row.arguments,
        returns: row.returns,
        language: row.language,
        body: row.body,
        volatility,
        security_definer: row.security_definer,
        definition: Some(row.definition),
        comment: row.comment,
    }
}

fn trigger(row: TriggerRow, table: &str) -> Trigger {
    // tgtype bits: 1 ROW, 2 BEFORE, 4 INSERT, 8 DELETE, 16 UPDATE,
    // 32 TRUNCATE, 64 INSTEAD.
    let bits = row.type_bits;
    let timing = if bits & 2 != 0 {
        TriggerTiming::Before
    } else if bits & 64 != 0 {
        TriggerTiming::InsteadOf
    } else {
        TriggerTiming::After
    };
    let events = [
        (4, TriggerEvent::Insert),
        (8, TriggerEvent::Delete),
        (16, TriggerEvent::Update),
        (32, TriggerEvent::Truncate),
    ]
    .into_iter()
    .filter(|(bit, _)| bits & bit != 0)
    .map(|(_, e)| e)
    .collect();
    let (condition, function) = parse::trigger_clauses(&row.definition);
    let mut t = Trigger::new(row.name, table);
    t.timing = timing;
    t.events = events;
    t.update_columns = row.update_columns;
    t.level = if bits & 1 != 0 {
        TriggerLevel::Row
    } else {
        TriggerLevel::Statement
    };
    t.function = function;
    t.condition = condition;
    t.definition = Some(row.definition);
    t.comment = row.comment;
    t
}
