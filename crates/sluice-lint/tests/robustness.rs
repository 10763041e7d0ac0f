//! Bad input: garbled SQL of every kind must never panic, must give a
//! bounded amount of output, and must be checked in memory that grows with
//! the input, not faster. The generator is deterministic (a seeded
//! xorshift), so a failure names an input that can be reproduced; such
//! inputs are kept in `tests/corpus/` and replayed by `corpus_is_clean`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use sluice_lint::{Dialect, Linter, Policy, render_text};

/// Counts live heap bytes and their peak, so that memory use can be
/// asserted on.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The counters are process-wide: the tests of this binary take turns so
/// that a measurement sees only its own allocations.
static MEASURING: Mutex<()> = Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    MEASURING.lock().unwrap_or_else(|e| e.into_inner())
}

/// A small xorshift generator: deterministic, no dependency.
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

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Valid statements of all three dialects, to be cut, nested and garbled.
const STATEMENTS: &[&str] = &[
    "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(100) NOT NULL DEFAULT 'x')",
    "CREATE TABLE `m` (id int unsigned AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB",
    "ALTER TABLE users ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID",
    "ALTER TABLE users ALTER COLUMN email SET NOT NULL",
    "ALTER TABLE users ADD CONSTRAINT uk UNIQUE USING INDEX ix",
    "CREATE UNIQUE INDEX CONCURRENTLY ix ON users (lower(email))",
    "DROP INDEX CONCURRENTLY ix",
    "DROP INDEX ix ON t",
    "UPDATE t SET a = a + 1 WHERE id IN (SELECT id FROM u WHERE b LIKE '%x')",
    "DELETE FROM t USING u WHERE t.id = u.id",
    "INSERT INTO t (a, b) VALUES (1, $$it's$$), (2, E'\\n')",
    "INSERT INTO t SELECT * FROM u ORDER BY rand() LIMIT 10",
    "SET lock_timeout = '5s'",
    "BEGIN",
    "COMMIT",
    "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
    "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END//\nDELIMITER ;",
    "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW BEGIN SELECT 1; END",
    "WITH RECURSIVE r AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r",
    "ALTER TABLE t RENAME COLUMN a TO b, RENAME TO u",
    "TRUNCATE t CASCADE",
    "VACUUM ANALYZE t",
];

/// Tokens that open something that must be closed.
const OPENERS: &[&str] = &[
    "'", "\"", "`", "$$", "$q$", "/*", "(", "[", "E'", "X'", "--", "\\",
];

/// One garbled input of the given kind.
fn garbled(rng: &mut Rng, kind: usize) -> String {
    match kind {
        // Random bytes, read the way a file is read lossily.
        0 => {
            let bytes: Vec<u8> = (0..rng.below(300)).map(|_| rng.next() as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        // A few statements, the last one cut at a random character.
        1 => {
            let mut s = String::new();
            for _ in 0..1 + rng.below(4) {
                s.push_str(rng.pick(STATEMENTS));
                s.push_str(";\n");
            }
            let cut = rng.below(s.chars().count());
            s.chars().take(cut).collect()
        }
        // A statement with something opened in it and never closed.
        2 => {
            let s = rng.pick(STATEMENTS);
            let mut at = rng.below(s.len());
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            format!(
                "{}{}{};\n{}",
                &s[..at],
                rng.pick(OPENERS),
                &s[at..],
                rng.pick(STATEMENTS)
            )
        }
        // Deep parentheses, balanced or not, in expressions and types.
        3 => {
            let depth = 1 + rng.below(3_000);
            let (open, close) = if rng.below(2) == 0 {
                (depth, depth)
            } else {
                (depth, rng.below(depth))
            };
            format!(
                "SELECT {}1{} FROM t;\nCREATE TABLE d (a numeric{});",
                "(".repeat(open),
                ")".repeat(close),
                "(".repeat(open)
            )
        }
        // Huge identifiers, quoted and not.
        4 => {
            let name: String = "x".repeat(1 + rng.below(200_000));
            match rng.below(3) {
                0 => format!("CREATE TABLE {name} ({name} int PRIMARY KEY);"),
                1 => format!("ALTER TABLE \"{name}\" RENAME COLUMN \"{name}\" TO b;"),
                _ => format!("DROP INDEX {name}; DROP TABLE `{name}`;"),
            }
        }
        // Long flat chains: deep trees without any parenthesis.
        5 => {
            let n = 1 + rng.below(20_000);
            match rng.below(3) {
                0 => format!("SELECT 1{} FROM t;", " + 1".repeat(n)),
                1 => format!("DELETE FROM t WHERE a = 1{};", " AND a = 1".repeat(n)),
                _ => format!("SELECT * FROM t WHERE a IN ({});", vec!["1"; n].join(", ")),
            }
        }
        // Splices of statements and openers, with control characters.
        _ => {
            let mut s = String::new();
            for _ in 0..rng.below(30) {
                let piece = match rng.below(4) {
                    0 => rng.pick(OPENERS),
                    1 => rng.pick(&["\0", "\r", "\u{feff}", "\u{202e}", ";", ";;", "\t"]),
                    _ => rng.pick(STATEMENTS),
                };
                s.push_str(piece);
            }
            s
        }
    }
}

/// Lints `input` in every dialect with every rule on; panics name the
/// input. Output is bounded: at most one diagnostic per rule per
/// statement-ish piece, and text proportional to the input.
fn check(linters: &[Linter], input: &str, what: &str) {
    for linter in linters {
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| linter.lint(input, None)));
        let found = match result {
            Ok(found) => found,
            Err(_) => panic!(
                "panic on {what} ({}), {} bytes: {:?}; keep it in tests/corpus/",
                linter.dialect(),
                input.len(),
                input.chars().take(300).collect::<String>()
            ),
        };
        let rules = sluice_lint::RULES.len();
        let pieces = input.matches([';', '\n']).count() + 1;
        assert!(
            found.len() <= rules * pieces,
            "{what}: {} diagnostics for {} bytes",
            found.len(),
            input.len()
        );
        let text = render_text("f.sql", &found);
        assert!(
            text.len() <= 64 * input.len() + 64 * 1024,
            "{what}: {} bytes of output for {} bytes of input",
            text.len(),
            input.len()
        );
    }
}

fn linters() -> Vec<Linter> {
    Dialect::ALL
        .iter()
        .map(|d| Linter::new(*d, &Policy::all_rules()))
        .collect()
}

#[test]
fn garbled_input_never_panics() {
    let _alone = alone();
    let linters = linters();
    let mut rng = Rng(0x0bad_5eed_0f5a_1ce5);
    for i in 0..1_400 {
        let kind = i % 7;
        // The big kinds are slow in a debug build: fewer of them.
        if matches!(kind, 3..=5) && i % 5 != 0 {
            continue;
        }
        let input = garbled(&mut rng, kind);
        check(&linters, &input, &format!("case {i} (kind {kind})"));
    }
}

/// Inputs that once broke something, kept as regression cases: every file
/// in tests/corpus/, in every dialect, with the same bounds.
#[test]
fn corpus_is_clean() {
    let _alone = alone();
    let linters = linters();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");
    let mut n = 0;
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        check(&linters, &text, &path.display().to_string());
        n += 1;
    }
    assert!(n > 0);
}

/// A mixed script of `n` statements.
fn script(n: usize) -> String {
    let kinds = [
        "CREATE TABLE t{i} (id bigint PRIMARY KEY, name varchar(100) NOT NULL DEFAULT '')",
        "CREATE INDEX idx_t{i}_name ON t{i} (name)",
        "ALTER TABLE t{i} ADD COLUMN note text",
        "INSERT INTO t{i} (id, name) VALUES ({i}, 'x')",
        "UPDATE t{i} SET name = 'y' WHERE id = {i}",
        "DELETE FROM t{i}",
        "SELECT * FROM t{i} WHERE id IN (SELECT id FROM t{i})",
        "ALTER TABLE t{i} ADD CONSTRAINT c{i} CHECK (id > 0)",
    ];
    let mut out = String::with_capacity(n * 60);
    for i in 0..n {
        out.push_str(&kinds[i % kinds.len()].replace("{i}", &(i / kinds.len()).to_string()));
        out.push_str(";\n");
    }
    out
}

/// Peak heap while linting `sql`, above what was live before.
fn peak_while(linter: &Linter, sql: &str) -> (usize, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let found = linter.lint(sql, None);
    let peak = PEAK.load(Ordering::Relaxed) - before;
    (peak, found.len())
}

/// Memory grows linearly with the script: 20,000 statements take at most
/// about four times the peak of 5,000 (a quadratic structure would take
/// sixteen), and stay within a fixed multiple of the input size. The
/// 100,000-statement and 10 MB figures are in BENCHMARKS.md.
#[test]
fn memory_grows_linearly_with_statements() {
    let _alone = alone();
    let linter = Linter::new(Dialect::Postgres, &Policy::all_rules());
    let small = script(5_000);
    let large = script(20_000);
    let (peak_small, found_small) = peak_while(&linter, &small);
    let (peak_large, found_large) = peak_while(&linter, &large);
    eprintln!(
        "5k: {} bytes in, peak {peak_small} bytes, {found_small} diagnostics; \
         20k: {} bytes in, peak {peak_large} bytes, {found_large} diagnostics",
        small.len(),
        large.len()
    );
    assert!(
        (peak_large as f64) < 5.0 * peak_small as f64,
        "peak {peak_large} at 20k vs {peak_small} at 5k"
    );
    assert!(
        peak_large < 200 * large.len(),
        "peak {peak_large} for {} bytes",
        large.len()
    );
}

/// One 4 MB statement that never closes its string: reported once, in
/// memory proportional to the input.
#[test]
fn one_huge_unterminated_statement() {
    let _alone = alone();
    let linter = Linter::new(Dialect::Postgres, &Policy::all_rules());
    let sql = format!("SELECT 1;\nINSERT INTO t VALUES ('{}", "a".repeat(4 << 20));
    let (peak, found) = peak_while(&linter, &sql);
    assert_eq!(found, 1);
    assert!(peak < 16 * sql.len(), "peak {peak} for {} bytes", sql.len());
}
