//! Dependency order for objects whose definitions mention each other
//! (views, materialized views, functions; tables that inherit).
//!
//! Real dependency data would need the server (`pg_depend`); the model has
//! definitions as text, so dependencies are found by scanning them for the
//! names of the other objects. That over-approximates (a column named like
//! a view counts as a reference), which only ever adds edges: the order
//! stays valid, and a spurious cycle falls back to name order for the
//! objects in it rather than failing.
//!
//! The sort is Kahn's algorithm with an explicit ready set, never
//! recursion, so a 2,000-deep chain of views costs no stack.

use std::collections::{BTreeSet, HashMap};

/// Orders `n` nodes given `deps[i]` = the nodes that must come before `i`.
/// Among nodes ready at the same time the lowest index goes first, so the
/// result is deterministic and follows the caller's canonical order.
/// Nodes on a cycle are appended, in index order, after everything else.
pub fn topological_order(deps: &[Vec<usize>]) -> Vec<usize> {
    let n = deps.len();
    let mut pending = vec![0usize; n];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (node, before) in deps.iter().enumerate() {
        let mut seen = BTreeSet::new();
        for &dep in before {
            if dep != node && dep < n && seen.insert(dep) {
                pending[node] += 1;
                dependents[dep].push(node);
            }
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|&i| pending[i] == 0).collect();
    let mut out = Vec::with_capacity(n);
    let mut done = vec![false; n];
    while let Some(node) = ready.pop_first() {
        out.push(node);
        done[node] = true;
        for &next in &dependents[node] {
            pending[next] -= 1;
            if pending[next] == 0 {
                ready.insert(next);
            }
        }
    }
    out.extend((0..n).filter(|&i| !done[i]));
    out
}

/// For each text, the indexes of `names` it mentions as identifiers.
///
/// Matching is case-insensitive on purpose: unquoted identifiers fold case
/// in every dialect (to lower in PostgreSQL, and MySQL and SQLite compare
/// most names without case), and a false match only adds an edge.
pub fn references<'a>(names: &[&str], texts: impl IntoIterator<Item = &'a str>) -> Vec<Vec<usize>> {
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        by_name.entry(name.to_lowercase()).or_default().push(i);
    }
    texts
        .into_iter()
        .map(|text| {
            let mut found = BTreeSet::new();
            for ident in identifiers(text) {
                if let Some(ids) = by_name.get(&ident.to_lowercase()) {
                    found.extend(ids.iter().copied());
                }
            }
            found.into_iter().collect()
        })
        .collect()
}

/// The identifiers in an SQL text: bare words and `"quoted"`, `` `quoted` ``
/// or `[quoted]` names, skipping string literals and comments. Dollar
/// quotes are not skipped: a PostgreSQL function body between them is
/// exactly where its references are.
pub fn identifiers(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' => {
                i += 1;
                while i < chars.len() {
                    if chars[i] == '\\' {
                        // MySQL escapes; harmless elsewhere since a string
                        // ending in a backslash is rare in definitions.
                        i += 2;
                        continue;
                    }
                    if chars[i] == '\'' {
                        if chars.get(i + 1) == Some(&'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            '-' if chars.get(i + 1) == Some(&'-') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    i += 1;
                }
                i += 2;
            }
            '"' | '`' | '[' => {
                let close = if c == '[' { ']' } else { c };
                let mut ident = String::new();
                i += 1;
                while i < chars.len() {
                    if chars[i] == close {
                        if close != ']' && chars.get(i + 1) == Some(&close) {
                            ident.push(close);
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    ident.push(chars[i]);
                    i += 1;
                }
                i += 1;
                out.push(ident);
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
                {
                    i += 1;
                }
                out.push(chars[start..i].iter().collect());
            }
            c if c.is_ascii_digit() => {
                // Skip numbers, including `1e5`, so they never read as names.
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '.') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_skip_strings_and_comments() {
        let ids = identifiers(
            "SELECT a.\"Mixed\"\"x\", `b` FROM t -- v1\n /* v2 */ WHERE x = 'v3''s' AND [w] = 1e5",
        );
        assert_eq!(
            ids,
            [
                "SELECT", "a", "Mixed\"x", "b", "FROM", "t", "WHERE", "x", "AND", "w"
            ]
        );
    }

    #[test]
    fn sort_orders_chains_and_survives_cycles() {
        // 0 needs 2, 2 needs 1; 3 and 4 form a cycle.
        let deps = vec![vec![2], vec![], vec![1], vec![4], vec![3]];
        assert_eq!(topological_order(&deps), [1, 2, 0, 3, 4]);
    }
}
