//! The SQLite planner on random schemas: a deterministic xorshift
//! generator makes a schema A with rows and a mutation B of it, and the
//! oracle of `oracle_sqlite.rs` runs on the pair (plan A → B applied, then
//! the reverse). A failure names its seed; `SLUICE_SEED=n` reruns one,
//! `SLUICE_CASES=n` runs the first n.

mod sqlite_support;

use sluice_schema::render::ddl;
use sluice_schema::render::order::identifiers;
use sluice_schema::{
    Catalog, Check, Column, Dialect, ForeignKey, Generated, GeneratedKind, Index, IndexPart,
    PrimaryKey, ReferentialAction, Schema, SqliteTableOptions, Table, TableOptions, Trigger,
    TriggerEvent, TriggerTiming, UniqueConstraint, View,
};
use sqlite_support::{Apply, Case, check};

const CASES: u64 = 40;
const ROWS: i64 = 3;
const TYPES: &[&str] = &["INTEGER", "TEXT", "REAL", "BLOB", "NUMERIC", "VARCHAR(20)"];

/// Marsaglia's xorshift64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A fresh name for everything the generator adds.
struct Names(u32);

impl Names {
    fn next(&mut self, prefix: &str) -> String {
        self.0 += 1;
        format!("{prefix}{}", self.0)
    }
}

fn column(rng: &mut Rng, name: String) -> Column {
    let mut c = Column::new(name, rng.pick(TYPES));
    if rng.chance(30) {
        c.nullable = false;
        c.default = Some("0".into());
    } else if rng.chance(20) {
        c.default = Some(format!("'d{}'", rng.below(9)));
    }
    c
}

fn table(rng: &mut Rng, names: &mut Names, parents: &[String]) -> Table {
    let mut t = Table::new(names.next("t")).with_column(Column::new("id", "INTEGER"));
    t.primary_key = Some(PrimaryKey::new(None, ["id"]));
    for _ in 0..1 + rng.below(3) {
        let c = column(rng, names.next("c"));
        t = t.with_column(c);
    }
    if !parents.is_empty() && rng.chance(60) {
        let parent = parents[rng.below(parents.len())].clone();
        let name = names.next("ref");
        t = t.with_column(Column::new(&name, "INTEGER"));
        t.foreign_keys.push(foreign_key(rng, &name, &parent));
    }
    if rng.chance(30) {
        t.checks.push(Check::new(None, "id > 0"));
    }
    if rng.chance(50) {
        add_index(rng, names, &mut t);
    }
    if rng.chance(20) {
        t.options = TableOptions::Sqlite(SqliteTableOptions {
            without_rowid: true,
            strict: false,
        });
    }
    t
}

fn foreign_key(rng: &mut Rng, column: &str, parent: &str) -> ForeignKey {
    let action = [
        ReferentialAction::NoAction,
        ReferentialAction::Cascade,
        ReferentialAction::SetNull,
    ][rng.below(3)];
    ForeignKey::new(None, [column], "main", parent, ["id"]).on_delete(action)
}

fn add_index(rng: &mut Rng, names: &mut Names, t: &mut Table) {
    let cols: Vec<String> = t.columns.iter().skip(1).map(|c| c.name.clone()).collect();
    if cols.is_empty() {
        return;
    }
    let col = cols[rng.below(cols.len())].clone();
    let mut index = Index::new(names.next("i"));
    match rng.below(4) {
        0 => index = index.on_columns([col]),
        1 => index = index.with_part(IndexPart::expression(format!("lower({col})"))),
        2 => {
            index = index
                .on_columns([col.clone()])
                .with_predicate(format!("{col} IS NOT NULL"))
        }
        _ => index = index.unique().on_columns(["id".to_string(), col]),
    }
    t.indexes.push(index);
}

fn view(rng: &mut Rng, names: &mut Names, t: &Table) -> View {
    let col = &t.columns[rng.below(t.columns.len())].name;
    View::new(names.next("v"), format!("SELECT id, {col} FROM {}", t.name))
}

fn trigger(rng: &mut Rng, names: &mut Names, t: &Table) -> Trigger {
    let mut tr = Trigger::new(names.next("tr"), &t.name);
    tr.timing = if rng.chance(50) {
        TriggerTiming::After
    } else {
        TriggerTiming::Before
    };
    tr.events = vec![[TriggerEvent::Insert, TriggerEvent::Delete][rng.below(2)]];
    tr.body = Some(format!("SELECT {};", rng.below(100)));
    tr
}

fn schema(rng: &mut Rng, names: &mut Names) -> Catalog {
    let mut s = Schema::new("main");
    for _ in 0..2 + rng.below(3) {
        let parents: Vec<String> = s.tables.iter().map(|t| t.name.clone()).collect();
        let t = table(rng, names, &parents);
        s.tables.push(t);
    }
    for _ in 0..rng.below(3) {
        let t = s.tables[rng.below(s.tables.len())].clone();
        s.views.push(view(rng, names, &t));
    }
    for _ in 0..rng.below(3) {
        let t = s.tables[rng.below(s.tables.len())].clone();
        s.triggers.push(trigger(rng, names, &t));
    }
    Catalog::new("main", Dialect::Sqlite).with_schema(s)
}

fn mentions(text: &str, name: &str) -> bool {
    identifiers(text)
        .iter()
        .any(|i| i.eq_ignore_ascii_case(name))
}

/// One random mutation of `c`'s schema; `original` columns (those with
/// rows) may be tightened, new ones may not.
fn mutate(rng: &mut Rng, names: &mut Names, c: &mut Catalog) {
    let s = &mut c.schemas[0];
    let ti = rng.below(s.tables.len());
    let referenced = |s: &Schema, name: &str| {
        s.tables
            .iter()
            .any(|t| t.name != name && t.foreign_keys.iter().any(|f| f.referenced_table == name))
    };
    match rng.below(18) {
        0 | 1 => {
            let col = column(rng, names.next("n"));
            let t = &mut s.tables[ti];
            let at = if rng.chance(50) {
                t.columns.len()
            } else {
                1 + rng.below(t.columns.len())
            };
            t.columns.insert(at, col);
        }
        2 => {
            let t = &mut s.tables[ti];
            let fks: Vec<String> = t
                .foreign_keys
                .iter()
                .flat_map(|f| f.columns.clone())
                .collect();
            let candidates: Vec<String> = t
                .columns
                .iter()
                .skip(1)
                .filter(|c| !fks.contains(&c.name))
                .map(|c| c.name.clone())
                .collect();
            if candidates.len() < 2 {
                return;
            }
            let gone = candidates[rng.below(candidates.len())].clone();
            t.columns.retain(|c| c.name != gone);
            t.uniques.retain(|u| !u.columns.contains(&gone));
            t.indexes.retain(|i| {
                !i.parts.iter().any(|p| match &p.key {
                    sluice_schema::IndexKey::Column(c) => *c == gone,
                    sluice_schema::IndexKey::Expression(e) => mentions(e, &gone),
                }) && !i.predicate.as_deref().is_some_and(|p| mentions(p, &gone))
            });
            let table = t.name.clone();
            s.views
                .retain(|v| !(mentions(&v.definition, &gone) && mentions(&v.definition, &table)));
        }
        3 => {
            let t = &mut s.tables[ti];
            let fks: Vec<String> = t
                .foreign_keys
                .iter()
                .flat_map(|f| f.columns.clone())
                .collect();
            if let Some(col) = t
                .columns
                .iter_mut()
                .skip(1)
                .find(|c| !fks.contains(&c.name))
            {
                col.data_type = rng.pick(TYPES).to_string();
            }
        }
        4 => {
            let t = &mut s.tables[ti];
            let at = 1 + rng.below(t.columns.len() - 1);
            if let Some(col) = t.columns.get_mut(at) {
                col.nullable = !col.nullable;
                if col.nullable {
                    col.default = None;
                } else if col.default.is_none() {
                    // A column added by an earlier mutation has no rows'
                    // values to satisfy NOT NULL: the default gives them.
                    col.default = Some("1".into());
                }
            }
        }
        5 => {
            let t = &mut s.tables[ti];
            let at = 1 + rng.below(t.columns.len() - 1);
            if let Some(col) = t.columns.get_mut(at) {
                col.default = Some(format!("{}", 100 + rng.below(50)));
            }
        }
        6 => {
            let t = &mut s.tables[ti];
            if t.indexes.is_empty() || rng.chance(50) {
                add_index(rng, names, t);
            } else {
                t.indexes.remove(rng.below(t.indexes.len()));
            }
        }
        7 => {
            let t = &mut s.tables[ti];
            if t.checks.is_empty() {
                t.checks
                    .push(Check::new(Some(&names.next("ck")), "id < 1000000"));
            } else {
                t.checks.clear();
            }
        }
        8 => {
            let parents: Vec<String> = s.tables.iter().take(ti).map(|t| t.name.clone()).collect();
            let t = &mut s.tables[ti];
            if !t.foreign_keys.is_empty() {
                let fk = &mut t.foreign_keys[0];
                if rng.chance(50) {
                    fk.on_delete = ReferentialAction::Cascade;
                } else {
                    t.foreign_keys.clear();
                }
            } else if !parents.is_empty() {
                let name = names.next("ref");
                t.columns.push(Column::new(&name, "INTEGER"));
                let parent = &parents[rng.below(parents.len())];
                t.foreign_keys.push(foreign_key(rng, &name, parent));
            }
        }
        9 => {
            let t = &mut s.tables[ti];
            let without = matches!(&t.options, TableOptions::Sqlite(o) if o.without_rowid);
            t.options = TableOptions::Sqlite(SqliteTableOptions {
                without_rowid: !without,
                strict: false,
            });
        }
        10 => {
            if rng.chance(50) {
                let parents: Vec<String> = s.tables.iter().map(|t| t.name.clone()).collect();
                let t = table(rng, names, &parents);
                s.tables.push(t);
            } else {
                let name = s.tables[ti].name.clone();
                if s.tables.len() > 1 && !referenced(s, &name) {
                    s.tables.remove(ti);
                    s.views.retain(|v| !mentions(&v.definition, &name));
                    s.triggers.retain(|t| t.table != name);
                }
            }
        }
        11 => {
            if s.views.is_empty() || rng.chance(40) {
                let t = s.tables[ti].clone();
                s.views.push(view(rng, names, &t));
            } else if rng.chance(50) {
                s.views.remove(rng.below(s.views.len()));
            } else {
                let at = rng.below(s.views.len());
                s.views[at].definition.push_str(" WHERE id > 1");
            }
        }
        12 => {
            if s.triggers.is_empty() || rng.chance(50) {
                let t = s.tables[ti].clone();
                s.triggers.push(trigger(rng, names, &t));
            } else {
                s.triggers.remove(rng.below(s.triggers.len()));
            }
        }
        14 => {
            let t = &mut s.tables[ti];
            if t.uniques.is_empty() {
                let col = t.columns[rng.below(t.columns.len())].name.clone();
                let cols = if col == "id" {
                    vec![col]
                } else {
                    vec!["id".to_string(), col]
                };
                t.uniques.push(UniqueConstraint::new(None, cols));
            } else {
                t.uniques.clear();
            }
        }
        15 => {
            // STRICT takes only its own type names.
            let t = &mut s.tables[ti];
            let strict_types = t
                .columns
                .iter()
                .all(|c| ["INTEGER", "TEXT", "REAL", "BLOB"].contains(&c.data_type.as_str()));
            if let TableOptions::Sqlite(o) = &mut t.options {
                o.strict = strict_types && !o.strict;
            } else if strict_types {
                t.options = TableOptions::Sqlite(SqliteTableOptions {
                    without_rowid: false,
                    strict: true,
                });
            }
        }
        16 => {
            let t = &mut s.tables[ti];
            let mut c = Column::new(names.next("g"), "INTEGER");
            let kind = if rng.chance(50) {
                GeneratedKind::Virtual
            } else {
                GeneratedKind::Stored
            };
            c.generated = Some(Generated {
                expression: "id * 2".into(),
                kind,
            });
            t.columns.push(c);
        }
        17 => {
            if let Some(v) = s.views.first().cloned() {
                let mut tr = Trigger::new(names.next("tr"), &v.name);
                tr.timing = TriggerTiming::InsteadOf;
                tr.events = vec![TriggerEvent::Delete];
                tr.body = Some("SELECT old.id;".into());
                s.triggers.push(tr);
            }
        }
        _ => {
            let t = &mut s.tables[ti];
            let name = names.next("ck");
            t.checks.push(Check::new(Some(&name), "length(id) < 20"));
        }
    }
}

/// A value of `column` for row `id`, never NULL, and one a foreign key
/// to any table's ids accepts.
fn value(column: &Column, id: i64, fk: bool) -> String {
    if fk {
        return id.to_string();
    }
    match column.data_type.as_str() {
        "INTEGER" | "NUMERIC" => (id * 10).to_string(),
        "REAL" => format!("{id}.5"),
        "BLOB" => format!("X'0{id}'"),
        _ => format!("'v{id}'"),
    }
}

fn rows(c: &Catalog) -> String {
    let mut out = String::new();
    for t in &c.schemas[0].tables {
        let fks: Vec<&String> = t.foreign_keys.iter().flat_map(|f| &f.columns).collect();
        for id in 1..=ROWS {
            let values: Vec<String> = t
                .columns
                .iter()
                .map(|col| match col.name.as_str() {
                    "id" => id.to_string(),
                    _ => value(col, id, fks.contains(&&col.name)),
                })
                .collect();
            out.push_str(&format!(
                "INSERT INTO {} VALUES ({});\n",
                t.name,
                values.join(", ")
            ));
        }
    }
    out
}

/// Columns whose values must survive A → B → A: in both, with one type.
fn kept_queries(a: &Catalog, b: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    for t in &a.schemas[0].tables {
        let Some(u) = b.schemas[0].table(&t.name) else {
            continue;
        };
        let cols: Vec<&str> = t
            .columns
            .iter()
            .filter(|c| {
                u.column(&c.name)
                    .is_some_and(|d| d.data_type == c.data_type)
            })
            .map(|c| c.name.as_str())
            .collect();
        out.push(format!(
            "SELECT {} FROM {} ORDER BY id",
            cols.join(", "),
            t.name
        ));
    }
    out
}

/// What one case exercised, so the test can tell it covered ground.
#[derive(Default)]
struct Coverage {
    changed: usize,
    rebuilt: usize,
    in_place: usize,
}

async fn one(seed: u64, coverage: &mut Coverage) -> Result<(), String> {
    let mut rng = Rng::new(seed);
    let mut names = Names(0);
    let a = schema(&mut rng, &mut names);
    let mut b = a.clone();
    for _ in 0..1 + rng.below(3) {
        mutate(&mut rng, &mut names, &mut b);
    }
    // Triggers go with the view or table they were on.
    let s = &mut b.schemas[0];
    let hosts: Vec<String> = s
        .tables
        .iter()
        .map(|t| t.name.clone())
        .chain(s.views.iter().map(|v| v.name.clone()))
        .collect();
    s.triggers.retain(|t| hosts.contains(&t.table));
    // STRICT refuses values of another type: only where the rows keep
    // theirs and no default is of another type either.
    for t in &mut b.schemas[0].tables {
        let before = a.schemas[0].table(&t.name);
        let keeps_types = t.columns.iter().all(|c| {
            c.default.is_none()
                && before
                    .and_then(|u| u.column(&c.name))
                    .is_none_or(|u| u.data_type == c.data_type)
        });
        if let TableOptions::Sqlite(o) = &mut t.options {
            o.strict &= keeps_types;
        }
    }
    // Positions follow the order the mutations left the columns in.
    for t in &mut b.schemas[0].tables {
        for (i, c) in t.columns.iter_mut().enumerate() {
            c.position = i as u32 + 1;
        }
    }
    let a_sql = format!("{};\n{}", ddl(&a), rows(&a));
    let b_sql = ddl(&b);
    let keep = kept_queries(&a, &b);
    let keep: Vec<&str> = keep.iter().map(String::as_str).collect();
    let how = [Apply::Shell, Apply::Engine, Apply::ShellWithForeignKeys][(seed % 3) as usize];
    let name = format!("seed {seed}");
    check(&Case {
        keep: &keep,
        how,
        // ALTER TABLE ADD COLUMN writes the column after the table's
        // constraints; the new diff is the judge of equality.
        same_text: false,
        ..Case::new(&name, &a_sql, &b_sql)
    })
    .await
    .map(|(plan, _)| {
        let script = plan.to_sql();
        coverage.changed += usize::from(!plan.is_empty());
        coverage.rebuilt += usize::from(script.contains("CREATE TEMP TABLE"));
        coverage.in_place += usize::from(script.contains("ALTER TABLE"));
    })
    .map_err(|e| {
        format!("seed {seed} (rerun with SLUICE_SEED={seed}):\nA:\n{a_sql}\nB:\n{b_sql}\n{e}")
    })
}

#[tokio::test]
async fn random_schemas_and_mutations() {
    let number = |name: &str| std::env::var(name).ok().and_then(|s| s.parse::<u64>().ok());
    let seeds: Vec<u64> = match number("SLUICE_SEED") {
        Some(seed) => vec![seed],
        None => (1..=number("SLUICE_CASES").unwrap_or(CASES)).collect(),
    };
    let all = seeds.len() > 1;
    let mut failures = Vec::new();
    let mut coverage = Coverage::default();
    for seed in seeds {
        if let Err(e) = one(seed, &mut coverage).await {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    if all {
        let Coverage {
            changed,
            rebuilt,
            in_place,
        } = coverage;
        eprintln!(
            "{changed} plans with changes, {rebuilt} with rebuilds, {in_place} with ALTER TABLE"
        );
        assert!(changed >= 30 && rebuilt >= 10 && in_place >= 5);
    }
}
