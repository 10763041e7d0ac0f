//! The schema browser's view of a synced model: plain strings ready for
//! the template, foreign keys resolved to anchors on the same page, and
//! each table's incoming references gathered once.

use super::{anchor, table_anchor};
use sluice_schema::{
    Catalog, Check, Deferral, ForeignKey, Function, IdentityKind, Index, IndexKey, MatchType,
    NullsOrder, Partitioning, ReferentialAction, RoutineKind, SortOrder, Table, TableOptions,
    Trigger, TriggerEvent, TriggerLevel, TriggerTiming, UniqueConstraint,
};
use std::collections::BTreeMap;

pub struct Named {
    pub name: String,
    pub text: String,
}

pub struct ColumnView {
    pub name: String,
    pub data_type: String,
    pub nullable: bool,
    pub default: String,
    pub extra: Vec<String>,
    pub comment: String,
    /// PK, FK, "PK FK" or empty.
    pub key: &'static str,
}

pub struct IndexView {
    pub name: String,
    pub unique: bool,
    pub method: String,
    pub parts: String,
    pub extra: String,
    pub comment: String,
}

pub struct FkView {
    pub name: String,
    pub columns: String,
    pub target: String,
    /// `#anchor` when the referenced table is in this database.
    pub href: String,
    pub referenced_columns: String,
    pub rules: String,
}

pub struct RefView {
    pub table: String,
    pub href: String,
    pub columns: String,
}

pub struct TriggerView {
    pub name: String,
    pub table: String,
    pub summary: String,
    pub condition: String,
    /// The action (function called) when there is no body.
    pub action: String,
    /// The full definition, or the body.
    pub code: String,
}

pub struct PartitionsView {
    pub strategy: String,
    pub partitions: Vec<Named>,
}

pub struct TableView {
    pub name: String,
    pub anchor: String,
    pub comment: String,
    pub options: Vec<String>,
    pub columns: Vec<ColumnView>,
    pub primary_key: Option<Named>,
    pub uniques: Vec<Named>,
    pub indexes: Vec<IndexView>,
    pub checks: Vec<Named>,
    pub foreign_keys: Vec<FkView>,
    pub referenced_by: Vec<RefView>,
    pub partitioning: Option<PartitionsView>,
    pub triggers: Vec<TriggerView>,
}

pub struct ViewView {
    pub name: String,
    pub anchor: String,
    pub comment: String,
    pub facts: Vec<String>,
    pub definition: String,
    pub indexes: Vec<IndexView>,
}

pub struct SequenceView {
    pub name: String,
    pub anchor: String,
    pub facts: Vec<String>,
}

pub struct EnumView {
    pub name: String,
    pub anchor: String,
    pub labels: Vec<String>,
    pub comment: String,
}

pub struct FunctionView {
    pub name: String,
    pub anchor: String,
    pub kind: &'static str,
    pub signature: String,
    pub facts: Vec<String>,
    pub comment: String,
    pub definition: String,
}

pub struct TocEntry {
    pub name: String,
    pub anchor: String,
}

pub struct SchemaView {
    pub name: String,
    pub anchor: String,
    pub comment: String,
    pub tables: Vec<TableView>,
    pub views: Vec<ViewView>,
    pub materialized_views: Vec<ViewView>,
    pub sequences: Vec<SequenceView>,
    pub enums: Vec<EnumView>,
    pub functions: Vec<FunctionView>,
    /// Triggers on objects other than the tables listed (views).
    pub triggers: Vec<TriggerView>,
    pub toc_tables: Vec<TocEntry>,
    pub toc_others: Vec<TocEntry>,
}

impl SchemaView {
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
            && self.views.is_empty()
            && self.materialized_views.is_empty()
            && self.sequences.is_empty()
            && self.enums.is_empty()
            && self.functions.is_empty()
            && self.triggers.is_empty()
    }
}

/// The browser's content: schemas with what matched the filter.
pub struct Browser {
    pub schemas: Vec<SchemaView>,
    pub extensions: Vec<String>,
    /// Tables matching the filter but beyond the limit.
    pub omitted: usize,
    pub shown: usize,
    /// Whether schema names are worth showing (more than one, or not the
    /// engine's only one).
    pub qualify: bool,
}

fn opt(text: &Option<String>) -> String {
    text.clone().unwrap_or_default()
}

fn list(columns: &[String]) -> String {
    format!("({})", columns.join(", "))
}

fn deferral(d: Deferral) -> Option<&'static str> {
    match d {
        Deferral::NotDeferrable => None,
        Deferral::InitiallyImmediate => Some("DEFERRABLE INITIALLY IMMEDIATE"),
        Deferral::InitiallyDeferred => Some("DEFERRABLE INITIALLY DEFERRED"),
    }
}

fn column_view(table: &Table, c: &sluice_schema::Column) -> ColumnView {
    let pk = table
        .primary_key
        .as_ref()
        .is_some_and(|pk| pk.columns.contains(&c.name));
    let fk = table
        .foreign_keys
        .iter()
        .any(|fk| fk.columns.contains(&c.name));
    let mut extra = Vec::new();
    if let Some(identity) = &c.identity {
        let mut text = match identity.kind {
            IdentityKind::Always => "identity, always".to_string(),
            IdentityKind::ByDefault => "identity, by default".to_string(),
        };
        let s = &identity.sequence;
        if let Some(start) = s.start {
            text.push_str(&format!(", start {start}"));
        }
        if let Some(inc) = s.increment {
            text.push_str(&format!(", increment {inc}"));
        }
        extra.push(text);
    }
    if c.auto_increment {
        extra.push("auto-increment".into());
    }
    if let Some(g) = &c.generated {
        let kind = match g.kind {
            sluice_schema::GeneratedKind::Stored => "stored",
            sluice_schema::GeneratedKind::Virtual => "virtual",
        };
        extra.push(format!("generated ({kind}): {}", g.expression));
    }
    if let Some(on_update) = &c.on_update {
        extra.push(format!("on update {on_update}"));
    }
    if let Some(charset) = &c.charset {
        extra.push(format!("charset {charset}"));
    }
    if let Some(collation) = &c.collation {
        extra.push(format!("collate {collation}"));
    }
    ColumnView {
        name: c.name.clone(),
        data_type: c.data_type.clone(),
        nullable: c.nullable,
        default: opt(&c.default),
        extra,
        comment: opt(&c.comment),
        key: match (pk, fk) {
            (true, true) => "PK FK",
            (true, false) => "PK",
            (false, true) => "FK",
            (false, false) => "",
        },
    }
}

fn index_view(index: &Index) -> IndexView {
    let parts: Vec<String> = index
        .parts
        .iter()
        .map(|p| {
            let mut text = match &p.key {
                IndexKey::Column(c) => c.clone(),
                IndexKey::Expression(e) => format!("({e})"),
            };
            if let Some(n) = p.prefix_length {
                text.push_str(&format!("({n})"));
            }
            if let Some(c) = &p.collation {
                text.push_str(&format!(" COLLATE {c}"));
            }
            if let Some(o) = &p.opclass {
                text.push_str(&format!(" {o}"));
            }
            if p.order == SortOrder::Desc {
                text.push_str(" DESC");
            }
            match p.nulls {
                Some(NullsOrder::First) => text.push_str(" NULLS FIRST"),
                Some(NullsOrder::Last) => text.push_str(" NULLS LAST"),
                None => {}
            }
            text
        })
        .collect();
    let mut extra = Vec::new();
    if !index.include.is_empty() {
        extra.push(format!("INCLUDE {}", list(&index.include)));
    }
    if index.nulls_not_distinct {
        extra.push("NULLS NOT DISTINCT".into());
    }
    if let Some(p) = &index.predicate {
        extra.push(format!("WHERE {p}"));
    }
    IndexView {
        name: index.name.clone(),
        unique: index.unique,
        method: index.method.as_str().to_string(),
        parts: format!("({})", parts.join(", ")),
        extra: extra.join(" "),
        comment: opt(&index.comment),
    }
}

fn unique_view(u: &UniqueConstraint) -> Named {
    let mut text = list(&u.columns);
    if u.nulls_not_distinct {
        text.push_str(" NULLS NOT DISTINCT");
    }
    if let Some(d) = deferral(u.deferral) {
        text.push(' ');
        text.push_str(d);
    }
    Named {
        name: opt(&u.name),
        text,
    }
}

fn check_view(c: &Check) -> Named {
    let mut text = format!("CHECK ({})", c.expression);
    if c.no_inherit {
        text.push_str(" NO INHERIT");
    }
    if !c.enforced {
        text.push_str(" NOT ENFORCED");
    }
    Named {
        name: opt(&c.name),
        text,
    }
}

fn action(a: ReferentialAction) -> &'static str {
    a.as_sql()
}

fn fk_view(schema: &str, fk: &ForeignKey, known: &BTreeMap<(String, String), ()>) -> FkView {
    let target_schema = if fk.referenced_schema.is_empty() {
        schema
    } else {
        fk.referenced_schema.as_str()
    };
    let mut rules = Vec::new();
    if fk.on_delete != ReferentialAction::NoAction {
        rules.push(format!("ON DELETE {}", action(fk.on_delete)));
    }
    if fk.on_update != ReferentialAction::NoAction {
        rules.push(format!("ON UPDATE {}", action(fk.on_update)));
    }
    match fk.match_type {
        MatchType::Simple => {}
        MatchType::Full => rules.push("MATCH FULL".into()),
        MatchType::Partial => rules.push("MATCH PARTIAL".into()),
    }
    if let Some(d) = deferral(fk.deferral) {
        rules.push(d.into());
    }
    let in_here = known.contains_key(&(target_schema.to_string(), fk.referenced_table.clone()));
    FkView {
        name: opt(&fk.name),
        columns: list(&fk.columns),
        target: if target_schema == schema {
            fk.referenced_table.clone()
        } else {
            format!("{target_schema}.{}", fk.referenced_table)
        },
        href: if in_here {
            format!("#{}", table_anchor(target_schema, &fk.referenced_table))
        } else {
            String::new()
        },
        referenced_columns: list(&fk.referenced_columns),
        rules: rules.join(" "),
    }
}

fn trigger_view(t: &Trigger) -> TriggerView {
    let timing = match t.timing {
        TriggerTiming::Before => "BEFORE",
        TriggerTiming::After => "AFTER",
        TriggerTiming::InsteadOf => "INSTEAD OF",
    };
    let events: Vec<String> = t
        .events
        .iter()
        .map(|e| {
            let word = match e {
                TriggerEvent::Insert => "INSERT",
                TriggerEvent::Update => "UPDATE",
                TriggerEvent::Delete => "DELETE",
                TriggerEvent::Truncate => "TRUNCATE",
            };
            if *e == TriggerEvent::Update && !t.update_columns.is_empty() {
                format!("UPDATE OF {}", t.update_columns.join(", "))
            } else {
                word.to_string()
            }
        })
        .collect();
    let level = match t.level {
        TriggerLevel::Row => "FOR EACH ROW",
        TriggerLevel::Statement => "FOR EACH STATEMENT",
    };
    TriggerView {
        name: t.name.clone(),
        table: t.table.clone(),
        summary: format!("{timing} {} {level}", events.join(" OR ")),
        condition: opt(&t.condition),
        action: t
            .function
            .as_ref()
            .map(|f| format!("EXECUTE FUNCTION {f}"))
            .unwrap_or_default(),
        code: t
            .definition
            .clone()
            .or_else(|| t.body.clone())
            .unwrap_or_default(),
    }
}

fn partitions_view(p: &Partitioning) -> PartitionsView {
    PartitionsView {
        strategy: format!("PARTITION BY {} ({})", p.strategy.as_sql(), p.key),
        partitions: p
            .partitions
            .iter()
            .map(|part| {
                let mut text = opt(&part.bound);
                if let Some(sub) = &part.partitioning {
                    text.push_str(&format!(
                        " · PARTITION BY {} ({}): {}",
                        sub.strategy.as_sql(),
                        sub.key,
                        sub.partitions
                            .iter()
                            .map(|s| s.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                Named {
                    name: part.name.clone(),
                    text,
                }
            })
            .collect(),
    }
}

fn table_options(options: &TableOptions) -> Vec<String> {
    let mut out = Vec::new();
    match options {
        TableOptions::None => {}
        TableOptions::Postgres(o) => {
            if o.unlogged {
                out.push("UNLOGGED".into());
            }
            if let Some(t) = &o.tablespace {
                out.push(format!("tablespace {t}"));
            }
            if !o.inherits.is_empty() {
                let names: Vec<String> = o
                    .inherits
                    .iter()
                    .map(|q| format!("{}.{}", q.schema, q.name))
                    .collect();
                out.push(format!("inherits {}", names.join(", ")));
            }
            if !o.storage_parameters.is_empty() {
                out.push(format!("WITH ({})", o.storage_parameters.join(", ")));
            }
            if o.row_security {
                out.push("row level security".into());
            }
        }
        TableOptions::Mysql(o) => {
            for (word, value) in [
                ("engine", &o.engine),
                ("charset", &o.charset),
                ("collation", &o.collation),
                ("row format", &o.row_format),
            ] {
                if let Some(v) = value {
                    out.push(format!("{word} {v}"));
                }
            }
            if let Some(n) = o.auto_increment {
                out.push(format!("next auto-increment {n}"));
            }
        }
        TableOptions::Sqlite(o) => {
            if o.without_rowid {
                out.push("WITHOUT ROWID".into());
            }
            if o.strict {
                out.push("STRICT".into());
            }
        }
    }
    out
}

fn function_view(schema: &str, f: &Function) -> FunctionView {
    let kind = match f.kind {
        RoutineKind::Function => "function",
        RoutineKind::Procedure => "procedure",
    };
    let signature = if f.signature.is_empty() {
        format!("{}({})", f.name, f.arguments)
    } else {
        f.signature.clone()
    };
    let mut facts = Vec::new();
    if let Some(r) = &f.returns {
        facts.push(format!("returns {r}"));
    }
    if !f.language.is_empty() {
        facts.push(format!("language {}", f.language));
    }
    if let Some(v) = f.volatility {
        facts.push(
            match v {
                sluice_schema::Volatility::Immutable => "immutable",
                sluice_schema::Volatility::Stable => "stable",
                sluice_schema::Volatility::Volatile => "volatile",
            }
            .into(),
        );
    }
    if f.security_definer {
        facts.push("security definer".into());
    }
    FunctionView {
        name: f.name.clone(),
        anchor: anchor("f", schema, &signature),
        kind,
        signature,
        facts,
        comment: opt(&f.comment),
        definition: f.definition.clone().unwrap_or_else(|| f.body.clone()),
    }
}

/// Build the browser for `catalog`, keeping objects whose name contains
/// `q` (any case) and at most `limit` tables.
pub fn browser_view(catalog: &Catalog, q: &str, limit: usize) -> Browser {
    let needle = q.trim().to_lowercase();
    let matches = |name: &str| needle.is_empty() || name.to_lowercase().contains(&needle);
    let known: BTreeMap<(String, String), ()> = catalog
        .schemas
        .iter()
        .flat_map(|s| {
            s.tables
                .iter()
                .map(|t| ((s.name.clone(), t.name.clone()), ()))
        })
        .collect();
    // Who references each table.
    let mut referenced_by: BTreeMap<(String, String), Vec<RefView>> = BTreeMap::new();
    for s in &catalog.schemas {
        for t in &s.tables {
            for fk in &t.foreign_keys {
                let target = if fk.referenced_schema.is_empty() {
                    s.name.clone()
                } else {
                    fk.referenced_schema.clone()
                };
                referenced_by
                    .entry((target.clone(), fk.referenced_table.clone()))
                    .or_default()
                    .push(RefView {
                        table: if target == s.name {
                            t.name.clone()
                        } else {
                            format!("{}.{}", s.name, t.name)
                        },
                        href: format!("#{}", table_anchor(&s.name, &t.name)),
                        columns: list(&fk.columns),
                    });
            }
        }
    }
    let mut shown = 0;
    let mut omitted = 0;
    let mut schemas = Vec::new();
    for s in &catalog.schemas {
        let mut tables = Vec::new();
        for t in s.tables.iter().filter(|t| matches(&t.name)) {
            if shown >= limit {
                omitted += 1;
                continue;
            }
            shown += 1;
            let table_triggers: Vec<TriggerView> =
                s.triggers_on(&t.name).map(trigger_view).collect();
            tables.push(TableView {
                name: t.name.clone(),
                anchor: table_anchor(&s.name, &t.name),
                comment: opt(&t.comment),
                options: table_options(&t.options),
                columns: t.columns.iter().map(|c| column_view(t, c)).collect(),
                primary_key: t.primary_key.as_ref().map(|pk| Named {
                    name: opt(&pk.name),
                    text: list(&pk.columns),
                }),
                uniques: t.uniques.iter().map(unique_view).collect(),
                indexes: t.indexes.iter().map(index_view).collect(),
                checks: t.checks.iter().map(check_view).collect(),
                foreign_keys: t
                    .foreign_keys
                    .iter()
                    .map(|fk| fk_view(&s.name, fk, &known))
                    .collect(),
                referenced_by: referenced_by
                    .remove(&(s.name.clone(), t.name.clone()))
                    .unwrap_or_default(),
                partitioning: t.partitioning.as_ref().map(partitions_view),
                triggers: table_triggers,
            });
        }
        let view_of = |kind: &str, name: &str, definition: &str, columns: &[String]| ViewView {
            name: name.to_string(),
            anchor: anchor(kind, &s.name, name),
            comment: String::new(),
            facts: if columns.is_empty() {
                Vec::new()
            } else {
                vec![format!("columns {}", list(columns))]
            },
            definition: definition.to_string(),
            indexes: Vec::new(),
        };
        let views = s
            .views
            .iter()
            .filter(|v| matches(&v.name))
            .map(|v| {
                let mut view = view_of("v", &v.name, &v.definition, &v.columns);
                view.comment = opt(&v.comment);
                if let Some(c) = v.check_option {
                    view.facts.push(
                        match c {
                            sluice_schema::CheckOption::Local => "WITH LOCAL CHECK OPTION",
                            sluice_schema::CheckOption::Cascaded => "WITH CASCADED CHECK OPTION",
                        }
                        .into(),
                    );
                }
                if let Some(sec) = v.security {
                    view.facts.push(
                        match sec {
                            sluice_schema::ViewSecurity::Definer => "SQL SECURITY DEFINER",
                            sluice_schema::ViewSecurity::Invoker => "SQL SECURITY INVOKER",
                        }
                        .into(),
                    );
                }
                view
            })
            .collect();
        let materialized_views = s
            .materialized_views
            .iter()
            .filter(|v| matches(&v.name))
            .map(|v| {
                let mut view = view_of("m", &v.name, &v.definition, &v.columns);
                view.comment = opt(&v.comment);
                if !v.with_data {
                    view.facts.push("WITH NO DATA".into());
                }
                if let Some(t) = &v.tablespace {
                    view.facts.push(format!("tablespace {t}"));
                }
                view.indexes = v.indexes.iter().map(index_view).collect();
                view
            })
            .collect();
        let sequences = s
            .sequences
            .iter()
            .filter(|q| matches(&q.name))
            .map(|q| {
                let mut facts = Vec::new();
                if let Some(t) = &q.data_type {
                    facts.push(t.clone());
                }
                let o = &q.options;
                for (word, value) in [
                    ("start", o.start),
                    ("increment", o.increment),
                    ("min", o.min_value),
                    ("max", o.max_value),
                    ("cache", o.cache),
                ] {
                    if let Some(v) = value {
                        facts.push(format!("{word} {v}"));
                    }
                }
                if o.cycle {
                    facts.push("cycle".into());
                }
                if let Some(owner) = &q.owned_by {
                    facts.push(format!("owned by {}.{}", owner.table, owner.column));
                }
                if let Some(c) = &q.comment {
                    facts.push(c.clone());
                }
                SequenceView {
                    name: q.name.clone(),
                    anchor: anchor("s", &s.name, &q.name),
                    facts,
                }
            })
            .collect();
        let enums = s
            .enums
            .iter()
            .filter(|e| matches(&e.name))
            .map(|e| EnumView {
                name: e.name.clone(),
                anchor: anchor("e", &s.name, &e.name),
                labels: e.labels.clone(),
                comment: opt(&e.comment),
            })
            .collect();
        let functions = s
            .functions
            .iter()
            .filter(|f| matches(&f.name))
            .map(|f| function_view(&s.name, f))
            .collect();
        let table_names: Vec<&str> = s.tables.iter().map(|t| t.name.as_str()).collect();
        let triggers = s
            .triggers
            .iter()
            .filter(|t| !table_names.contains(&t.table.as_str()))
            .filter(|t| matches(&t.name) || matches(&t.table))
            .map(trigger_view)
            .collect();
        let mut view = SchemaView {
            name: s.name.clone(),
            anchor: anchor("schema", &s.name, ""),
            comment: opt(&s.comment),
            tables,
            views,
            materialized_views,
            sequences,
            enums,
            functions,
            triggers,
            toc_tables: Vec::new(),
            toc_others: Vec::new(),
        };
        view.toc_tables = view
            .tables
            .iter()
            .map(|t| TocEntry {
                name: t.name.clone(),
                anchor: t.anchor.clone(),
            })
            .collect();
        view.toc_others = view
            .views
            .iter()
            .chain(&view.materialized_views)
            .map(|v| TocEntry {
                name: v.name.clone(),
                anchor: v.anchor.clone(),
            })
            .chain(view.functions.iter().map(|f| TocEntry {
                name: format!("{}()", f.name),
                anchor: f.anchor.clone(),
            }))
            .collect();
        if !view.is_empty() || needle.is_empty() {
            schemas.push(view);
        }
    }
    let qualify = catalog.schemas.len() > 1;
    Browser {
        schemas,
        extensions: catalog
            .extensions
            .iter()
            .map(|e| {
                let mut text = e.name.clone();
                if let Some(v) = &e.version {
                    text.push_str(&format!(" {v}"));
                }
                if let Some(s) = &e.schema {
                    text.push_str(&format!(" (in {s})"));
                }
                text
            })
            .collect(),
        omitted,
        shown,
        qualify,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::schema::summary;
    use sluice_schema::{Column, Dialect, PrimaryKey, Schema, View};

    #[test]
    fn browser_filters_by_name_and_links_foreign_keys() {
        let account = Table::new("account")
            .with_column(Column::new("id", "integer").not_null())
            .with_primary_key(PrimaryKey::new(None, ["id"]));
        let orders = Table::new("orders")
            .with_column(Column::new("id", "integer").not_null())
            .with_column(Column::new("account_id", "integer"))
            .with_foreign_key(
                ForeignKey::new(
                    Some("orders_account"),
                    ["account_id"],
                    "main",
                    "account",
                    ["id"],
                )
                .on_delete(ReferentialAction::Cascade),
            );
        let catalog = Catalog::new("shop", Dialect::Sqlite).with_schema(
            Schema::new("main")
                .with_table(account)
                .with_table(orders)
                .with_view(View::new("big_orders", "SELECT * FROM orders")),
        );
        let b = browser_view(&catalog, "", 100);
        let s = &b.schemas[0];
        assert_eq!(s.tables.len(), 2);
        let orders = &s.tables[1];
        assert_eq!(orders.foreign_keys[0].href, "#t-main-account");
        assert_eq!(orders.foreign_keys[0].rules, "ON DELETE CASCADE");
        assert_eq!(orders.columns[1].key, "FK");
        assert_eq!(s.tables[0].referenced_by[0].table, "orders");
        assert_eq!(summary(&catalog), "2 tables, 1 view");

        let b = browser_view(&catalog, "ORD", 100);
        assert_eq!(b.schemas[0].tables.len(), 1);
        assert_eq!(b.schemas[0].views.len(), 1);
        let b = browser_view(&catalog, "", 1);
        assert_eq!((b.shown, b.omitted), (1, 1));
    }
}
