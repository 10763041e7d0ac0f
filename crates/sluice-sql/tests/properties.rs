//! Property-style checks with a small deterministic generator: statements
//! joined by `;` come back unchanged, arbitrary text never panics, and a big
//! script splits fast.

use std::time::{Duration, Instant};

use sluice_sql::{Dialect, SplitError, split};

/// xorshift64*: deterministic, dependency-free, good enough for test input.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Fragments that may appear inside a statement of `dialect`, many of them
/// hiding a `;` that must not end it.
fn fragments(dialect: Dialect) -> Vec<&'static str> {
    let mut f = vec![
        "x",
        "1",
        "2.5",
        "(a, b)",
        "'a;b'",
        "'it''s;'",
        "/* c; d */",
        "-- e; f\n",
        "=",
        ",",
        "t.id",
        "é",
        "CASE WHEN a THEN 1 END",
        "\n",
        "(SELECT 1)",
        "END",
        "BEGIN",
    ];
    match dialect {
        Dialect::Postgres => f.extend([
            "\"q;r\"",
            "\"a\"\";\"",
            "$$ x; y $$",
            "$fn$ a;$$b $fn$",
            "E'\\';'",
            "/* a /* b; */ c */",
            "$1",
            "a$$b",
        ]),
        Dialect::Mysql => f.extend([
            "`a;b`",
            "\"p;q\"",
            "'c\\';'",
            "# h;\n",
            "/*!40101 k; */",
            "@v",
            "1--1",
        ]),
        Dialect::Sqlite => f.extend(["[a;b]", "`a;b`", "\"q;r\"", "$v", "?1"]),
    }
    f
}

fn statement(rng: &mut Rng, dialect: Dialect) -> String {
    let fragments = fragments(dialect);
    let mut s = String::from(rng.pick(&["SELECT", "UPDATE", "INSERT", "DELETE", "WITH"]));
    for _ in 0..rng.below(8) {
        s.push(' ');
        s.push_str(rng.pick(&fragments));
    }
    s.push_str(" z");
    s
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

#[test]
fn joined_statements_split_back() {
    for dialect in Dialect::ALL {
        let mut rng = Rng(0x5EED_0000 + dialect as u64);
        for round in 0..300 {
            let statements: Vec<String> = (0..1 + rng.below(6))
                .map(|_| statement(&mut rng, dialect))
                .collect();
            let script = statements.join(";\n");
            let split = split(dialect, &script)
                .unwrap_or_else(|e| panic!("{dialect} round {round}: {e}\n{script}"));
            let texts: Vec<&str> = split.iter().map(|s| s.text.as_str()).collect();
            assert_eq!(texts, statements, "{dialect} round {round}:\n{script}");
            for s in &split {
                assert_eq!(&script[s.range.clone()], s.text);
                assert_eq!(s.start_line, line_of(&script, s.range.start));
                assert_eq!(s.end_line, line_of(&script, s.range.end));
            }
        }
    }
}

#[test]
fn arbitrary_text_never_panics_and_ranges_hold() {
    let alphabet = [
        "'",
        "\"",
        "`",
        "$",
        "$$",
        "$a$",
        ";",
        "-",
        "--",
        "/",
        "/*",
        "*/",
        "*",
        "#",
        "\n",
        " ",
        "a",
        "E",
        "[",
        "]",
        "(",
        ")",
        "\\",
        "é",
        "BEGIN",
        "END",
        "CASE",
        "CREATE",
        "FUNCTION",
        "TRIGGER",
        "PROCEDURE",
        "DELIMITER ",
        "NOT",
        "IF",
        "//",
        "/*!",
        "1",
    ];
    for dialect in Dialect::ALL {
        let mut rng = Rng(0xF00D + dialect as u64);
        for _ in 0..3000 {
            let text: String = (0..rng.below(40)).map(|_| rng.pick(&alphabet)).collect();
            match split(dialect, &text) {
                Ok(statements) => {
                    let mut last = 0;
                    for s in statements {
                        assert!(
                            s.range.start >= last && s.range.end <= text.len(),
                            "{text:?}"
                        );
                        assert_eq!(&text[s.range.clone()], s.text, "{text:?}");
                        assert!(!s.text.is_empty() && s.text.trim() == s.text, "{text:?}");
                        assert_eq!(s.start_line, line_of(&text, s.range.start));
                        last = s.range.end;
                    }
                }
                Err(
                    SplitError::Unterminated { offset, line, .. }
                    | SplitError::MissingDelimiter { offset, line, .. },
                ) => {
                    assert!(offset < text.len(), "{text:?}");
                    assert_eq!(line, line_of(&text, offset), "{text:?}");
                }
            }
        }
    }
}

/// A 10 MB script of 100k statements; run with
/// `cargo test -p sluice-sql --release --test properties -- --ignored`.
#[test]
#[ignore = "timing check, run in release"]
fn ten_megabytes_split_fast() {
    let mut script = String::with_capacity(11 << 20);
    for i in 0..100_000 {
        if i % 10 == 0 {
            script.push_str("-- batch marker; not a statement\n");
        }
        script.push_str(&format!(
            "INSERT INTO events (id, kind, note) VALUES ({i}, 'kind;{i}', 'a note with ''quotes'' in it');\n"
        ));
    }
    assert!(script.len() > 10_000_000, "{}", script.len());
    for dialect in Dialect::ALL {
        let started = Instant::now();
        let statements = split(dialect, &script).unwrap();
        let elapsed = started.elapsed();
        assert_eq!(statements.len(), 100_000);
        println!(
            "{dialect}: {} bytes, {} statements in {elapsed:?}",
            script.len(),
            statements.len()
        );
        let limit = if cfg!(debug_assertions) {
            Duration::from_secs(10)
        } else {
            Duration::from_millis(500)
        };
        assert!(elapsed < limit, "{dialect}: {elapsed:?}");
    }
}
