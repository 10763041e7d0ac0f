//! Random PostgreSQL schemas and random changes to them, from a
//! deterministic xorshift generator: the same seed gives the same pair.

/// xorshift64*: small, fast, and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Ty {
    Int,
    BigInt,
    Text,
    Varchar(u32),
    Numeric(u32),
    Bool,
    Timestamptz,
    Enum(String),
}

impl Ty {
    fn sql(&self) -> String {
        match self {
            Ty::Int => "integer".into(),
            Ty::BigInt => "bigint".into(),
            Ty::Text => "text".into(),
            Ty::Varchar(n) => format!("varchar({n})"),
            Ty::Numeric(p) => format!("numeric({p}, 2)"),
            Ty::Bool => "boolean".into(),
            Ty::Timestamptz => "timestamptz".into(),
            Ty::Enum(e) => e.clone(),
        }
    }

    fn textual(&self) -> bool {
        matches!(self, Ty::Text | Ty::Varchar(_))
    }

    fn numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::BigInt | Ty::Numeric(_))
    }
}

#[derive(Clone, Debug)]
struct Column {
    name: String,
    ty: Ty,
    nullable: bool,
    default: Option<String>,
}

#[derive(Clone, Debug)]
struct Index {
    name: String,
    column: String,
    unique: bool,
    /// `lower(column)` instead of the column (text columns only).
    lower: bool,
    partial: bool,
}

#[derive(Clone, Debug)]
struct Check {
    name: String,
    column: String,
    bound: i64,
}

#[derive(Clone, Debug)]
struct ForeignKey {
    name: String,
    column: String,
    target: String,
}

#[derive(Clone, Debug)]
struct Table {
    name: String,
    columns: Vec<Column>,
    indexes: Vec<Index>,
    checks: Vec<Check>,
    foreign_keys: Vec<ForeignKey>,
}

#[derive(Clone, Debug)]
struct View {
    name: String,
    table: String,
    columns: Vec<String>,
    materialized: bool,
}

/// A table partitioned by range of `k`: partition `j` holds
/// `j * 10 <= k < j * 10 + 10`.
#[derive(Clone, Debug)]
struct Parted {
    name: String,
    partitions: Vec<u32>,
    indexed: bool,
}

#[derive(Clone, Debug)]
struct Enum {
    name: String,
    labels: Vec<String>,
}

/// A schema small enough to read in a failure message.
#[derive(Clone, Debug, Default)]
pub struct Spec {
    enums: Vec<Enum>,
    tables: Vec<Table>,
    views: Vec<View>,
    parted: Vec<Parted>,
    /// Names are never reused, so a drop and a create never collide.
    next: usize,
}

impl Spec {
    fn name(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    pub fn random(rng: &mut Rng) -> Spec {
        let mut spec = Spec::default();
        if rng.chance(60) {
            let name = spec.name("e");
            let labels = (0..2 + rng.below(3)).map(|k| format!("l{k}")).collect();
            spec.enums.push(Enum { name, labels });
        }
        for _ in 0..2 + rng.below(3) {
            spec.add_table(rng);
        }
        for _ in 0..rng.below(3) {
            spec.add_view(rng);
        }
        if rng.chance(40) {
            spec.add_parted(rng);
        }
        spec
    }

    /// The same spec with `1..=4` random changes.
    pub fn mutated(&self, rng: &mut Rng) -> Spec {
        let mut spec = self.clone();
        for _ in 0..1 + rng.below(4) {
            spec.mutate(rng);
        }
        spec
    }

    fn mutate(&mut self, rng: &mut Rng) {
        match rng.below(16) {
            14 => match self.parted.first_mut() {
                Some(p) if p.partitions.len() > 1 && rng.chance(50) => {
                    let k = rng.below(p.partitions.len());
                    p.partitions.remove(k);
                }
                Some(p) => {
                    let next = p.partitions.iter().max().map_or(0, |m| m + 1);
                    p.partitions.push(next);
                    p.indexed = p.indexed || rng.chance(30);
                }
                None => self.add_parted(rng),
            },
            15 => {
                if self.parted.is_empty() || rng.chance(30) {
                    self.add_parted(rng);
                } else {
                    self.parted.remove(0);
                }
            }
            0 => self.add_table(rng),
            1 => {
                if self.tables.len() > 1 {
                    let t = self.tables.remove(rng.below(self.tables.len())).name;
                    self.forget_table(&t);
                }
            }
            2 => {
                if let Some(t) = self.random_table(rng) {
                    let c = self.random_column(rng);
                    self.tables[t].columns.push(c);
                }
            }
            3 => {
                if let Some((t, c)) = self.random_own_column(rng) {
                    let name = self.tables[t].columns.remove(c).name;
                    let table = self.tables[t].name.clone();
                    self.forget_column(&table, &name);
                }
            }
            4 | 5 => {
                if let Some((t, c)) = self.random_own_column(rng) {
                    self.retype(rng, t, c);
                }
            }
            6 => {
                if let Some((t, c)) = self.random_own_column(rng) {
                    let col = &mut self.tables[t].columns[c];
                    col.nullable = !col.nullable;
                }
            }
            7 => {
                if let Some((t, c)) = self.random_own_column(rng) {
                    let ty = self.tables[t].columns[c].ty.clone();
                    let default = self.default_for(rng, &ty);
                    self.tables[t].columns[c].default = default;
                }
            }
            8 => {
                if let Some(t) = self.random_table(rng) {
                    self.add_index(rng, t);
                }
            }
            9 => {
                if let Some(t) = self.random_table(rng) {
                    let table = &mut self.tables[t];
                    if !table.indexes.is_empty() {
                        table.indexes.remove(rng.below(table.indexes.len()));
                    } else if !table.checks.is_empty() {
                        table.checks.remove(rng.below(table.checks.len()));
                    }
                }
            }
            10 => {
                if let Some(t) = self.random_table(rng) {
                    self.add_check(rng, t);
                }
            }
            11 => {
                if let Some(t) = self.random_table(rng) {
                    if self.tables[t].foreign_keys.is_empty() {
                        self.add_foreign_key(rng, t);
                    } else {
                        self.tables[t].foreign_keys.clear();
                    }
                }
            }
            12 => {
                if self.views.is_empty() || rng.chance(50) {
                    self.add_view(rng);
                } else {
                    let v = rng.below(self.views.len());
                    self.views.remove(v);
                }
            }
            _ => {
                if let Some(e) = self.enums.first_mut() {
                    let label = format!("n{}", self.next);
                    self.next += 1;
                    let at = rng.below(e.labels.len() + 1);
                    e.labels.insert(at, label);
                } else {
                    self.add_view(rng);
                }
            }
        }
    }

    fn random_table(&mut self, rng: &mut Rng) -> Option<usize> {
        (!self.tables.is_empty()).then(|| rng.below(self.tables.len()))
    }

    /// A column other than `id` and the foreign-key columns.
    fn random_own_column(&mut self, rng: &mut Rng) -> Option<(usize, usize)> {
        let t = self.random_table(rng)?;
        let own: Vec<usize> = (0..self.tables[t].columns.len())
            .filter(|&c| {
                let name = &self.tables[t].columns[c].name;
                name != "id" && !name.starts_with("ref")
            })
            .collect();
        rng.pick(&own).map(|&c| (t, c))
    }

    fn random_type(&mut self, rng: &mut Rng) -> Ty {
        match rng.below(8) {
            0 => Ty::Int,
            1 => Ty::BigInt,
            2 => Ty::Text,
            3 => Ty::Varchar(10 + 10 * rng.below(5) as u32),
            4 => Ty::Numeric(8 + rng.below(4) as u32),
            5 => Ty::Bool,
            6 => Ty::Timestamptz,
            _ => match self.enums.first() {
                Some(e) => Ty::Enum(e.name.clone()),
                None => Ty::Text,
            },
        }
    }

    fn default_for(&mut self, rng: &mut Rng, ty: &Ty) -> Option<String> {
        if rng.chance(40) {
            return None;
        }
        Some(match ty {
            Ty::Int | Ty::BigInt | Ty::Numeric(_) => format!("{}", rng.below(100)),
            Ty::Text | Ty::Varchar(_) => format!("'d{}'", rng.below(100)),
            Ty::Bool => if rng.chance(50) { "true" } else { "false" }.into(),
            Ty::Timestamptz => "now()".into(),
            Ty::Enum(e) => {
                let labels = &self.enums.iter().find(|x| x.name == *e)?.labels;
                format!("'{}'", rng.pick(labels)?)
            }
        })
    }

    fn random_column(&mut self, rng: &mut Rng) -> Column {
        let name = self.name("c");
        let ty = self.random_type(rng);
        let default = self.default_for(rng, &ty);
        Column {
            name,
            ty,
            nullable: rng.chance(60),
            default,
        }
    }

    fn add_table(&mut self, rng: &mut Rng) {
        let name = self.name("t");
        let mut columns = vec![Column {
            name: "id".into(),
            ty: Ty::Int,
            nullable: false,
            default: None,
        }];
        for _ in 0..1 + rng.below(4) {
            columns.push(self.random_column(rng));
        }
        self.tables.push(Table {
            name,
            columns,
            indexes: Vec::new(),
            checks: Vec::new(),
            foreign_keys: Vec::new(),
        });
        let t = self.tables.len() - 1;
        for _ in 0..rng.below(3) {
            self.add_index(rng, t);
        }
        if rng.chance(40) {
            self.add_check(rng, t);
        }
        if rng.chance(50) {
            self.add_foreign_key(rng, t);
        }
    }

    fn add_index(&mut self, rng: &mut Rng, t: usize) {
        let name = self.name("i");
        let Some(c) = rng.pick(&self.tables[t].columns).cloned() else {
            return;
        };
        let index = Index {
            name,
            lower: c.ty.textual() && rng.chance(40),
            unique: rng.chance(25),
            partial: rng.chance(30),
            column: c.name,
        };
        self.tables[t].indexes.push(index);
    }

    fn add_check(&mut self, rng: &mut Rng, t: usize) {
        let numeric: Vec<String> = self.tables[t]
            .columns
            .iter()
            .filter(|c| c.ty.numeric() && c.name != "id" && !c.name.starts_with("ref"))
            .map(|c| c.name.clone())
            .collect();
        let Some(column) = rng.pick(&numeric).cloned() else {
            return;
        };
        let name = self.name("k");
        let bound = rng.below(10) as i64 - 5;
        self.tables[t].checks.push(Check {
            name,
            column,
            bound,
        });
    }

    fn add_foreign_key(&mut self, rng: &mut Rng, t: usize) {
        // Any table, itself included: cycles are fine.
        let Some(target) = rng.pick(&self.tables).map(|x| x.name.clone()) else {
            return;
        };
        let column = self.name("ref");
        let name = self.name("f");
        let table = &mut self.tables[t];
        table.columns.push(Column {
            name: column.clone(),
            ty: Ty::Int,
            nullable: true,
            default: None,
        });
        table.foreign_keys.push(ForeignKey {
            name,
            column,
            target,
        });
    }

    fn add_view(&mut self, rng: &mut Rng) {
        let Some(t) = self.random_table(rng) else {
            return;
        };
        let name = self.name("v");
        let table = &self.tables[t];
        let columns: Vec<String> = table
            .columns
            .iter()
            .filter(|_| rng.chance(60))
            .map(|c| c.name.clone())
            .collect();
        let columns = if columns.is_empty() {
            vec!["id".to_string()]
        } else {
            columns
        };
        let table = table.name.clone();
        self.views.push(View {
            name,
            table,
            columns,
            materialized: rng.chance(30),
        });
    }

    fn add_parted(&mut self, rng: &mut Rng) {
        let name = self.name("p");
        let partitions = (0..1 + rng.below(3) as u32).collect();
        self.parted.push(Parted {
            name,
            partitions,
            indexed: rng.chance(50),
        });
    }

    /// A new type for a column, with what no longer fits dropped: checks
    /// and `lower()` indexes on it, a default of the old type.
    fn retype(&mut self, rng: &mut Rng, t: usize, c: usize) {
        let old = self.tables[t].columns[c].ty.clone();
        let new = match &old {
            Ty::Int => Ty::BigInt,
            Ty::BigInt if rng.chance(50) => Ty::Int,
            Ty::BigInt => Ty::Numeric(12),
            Ty::Varchar(n) if rng.chance(50) => Ty::Varchar(n + 10),
            Ty::Varchar(_) => Ty::Text,
            Ty::Text => Ty::Varchar(200),
            Ty::Numeric(p) => Ty::Numeric(p + 2),
            Ty::Bool | Ty::Timestamptz | Ty::Enum(_) => Ty::Text,
        };
        let table = &mut self.tables[t];
        let name = table.columns[c].name.clone();
        if !new.textual() {
            table.indexes.retain(|i| !(i.column == name && i.lower));
        }
        if !new.numeric() {
            table.checks.retain(|k| k.column != name);
        }
        let col = &mut table.columns[c];
        if (old.textual() || matches!(old, Ty::Enum(_))) != new.textual() {
            col.default = None;
        }
        col.ty = new;
    }

    /// A dropped table takes its views, and the foreign keys to it take
    /// their columns.
    fn forget_table(&mut self, name: &str) {
        self.views.retain(|v| v.table != name);
        let mut gone = Vec::new();
        for t in &mut self.tables {
            for f in t.foreign_keys.iter().filter(|f| f.target == name) {
                gone.push((t.name.clone(), f.column.clone()));
            }
            t.foreign_keys.retain(|f| f.target != name);
        }
        for (table, column) in gone {
            if let Some(t) = self.tables.iter_mut().find(|t| t.name == table) {
                t.columns.retain(|c| c.name != column);
            }
            self.forget_column(&table, &column);
        }
    }

    fn forget_column(&mut self, table: &str, column: &str) {
        if let Some(t) = self.tables.iter_mut().find(|t| t.name == table) {
            t.indexes.retain(|i| i.column != column);
            t.checks.retain(|k| k.column != column);
        }
        for v in self.views.iter_mut().filter(|v| v.table == table) {
            v.columns.retain(|c| c != column);
            if v.columns.is_empty() {
                v.columns.push("id".into());
            }
        }
    }

    /// The schema as SQL for `psql`.
    pub fn sql(&self) -> String {
        let mut out = String::new();
        for e in &self.enums {
            let labels: Vec<String> = e.labels.iter().map(|l| format!("'{l}'")).collect();
            out.push_str(&format!(
                "CREATE TYPE {} AS ENUM ({});\n",
                e.name,
                labels.join(", ")
            ));
        }
        for t in &self.tables {
            let mut lines: Vec<String> = t
                .columns
                .iter()
                .map(|c| {
                    let mut s = format!("{} {}", c.name, c.ty.sql());
                    if let Some(d) = &c.default {
                        s.push_str(&format!(" DEFAULT {d}"));
                    }
                    if !c.nullable {
                        s.push_str(" NOT NULL");
                    }
                    s
                })
                .collect();
            lines.push(format!("CONSTRAINT {}_pkey PRIMARY KEY (id)", t.name));
            for k in &t.checks {
                lines.push(format!(
                    "CONSTRAINT {} CHECK ({} > {})",
                    k.name, k.column, k.bound
                ));
            }
            out.push_str(&format!(
                "CREATE TABLE {} (\n    {}\n);\n",
                t.name,
                lines.join(",\n    ")
            ));
            for i in &t.indexes {
                let key = if i.lower {
                    format!("lower({})", i.column)
                } else {
                    i.column.clone()
                };
                let unique = if i.unique { "UNIQUE " } else { "" };
                let partial = if i.partial {
                    format!(" WHERE {} IS NOT NULL", i.column)
                } else {
                    String::new()
                };
                out.push_str(&format!(
                    "CREATE {unique}INDEX {} ON {} (({key})){partial};\n",
                    i.name, t.name
                ));
            }
        }
        for t in &self.tables {
            for f in &t.foreign_keys {
                out.push_str(&format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} (id);\n",
                    t.name, f.name, f.column, f.target
                ));
            }
        }
        for v in &self.views {
            let kind = if v.materialized {
                "MATERIALIZED VIEW"
            } else {
                "VIEW"
            };
            out.push_str(&format!(
                "CREATE {kind} {} AS SELECT {} FROM {};\n",
                v.name,
                v.columns.join(", "),
                v.table
            ));
        }
        for p in &self.parted {
            out.push_str(&format!(
                "CREATE TABLE {} (id int NOT NULL, k int NOT NULL, v text, PRIMARY KEY (id, k)) \
                 PARTITION BY RANGE (k);\n",
                p.name
            ));
            for j in &p.partitions {
                out.push_str(&format!(
                    "CREATE TABLE {0}_{j} PARTITION OF {0} FOR VALUES FROM ({1}) TO ({2});\n",
                    p.name,
                    j * 10,
                    j * 10 + 10
                ));
            }
            if p.indexed {
                out.push_str(&format!("CREATE INDEX {0}_v_idx ON {0} (v);\n", p.name));
            }
        }
        out
    }
}
