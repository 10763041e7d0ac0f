//! The entity-relationship diagram of a database, drawn by the server as
//! SVG: one box per table (its name, then its columns with PK/FK marks and
//! types), one arrow per foreign key, from the referencing column to the
//! referenced table.
//!
//! The layout is a plain grid, chosen for being deterministic and readable
//! rather than compact. Tables are ordered by foreign-key layers (a table
//! sits below every table it references, cycles broken at the first back
//! edge), each layer starts a new grid row and wraps after [`MAX_COLUMNS`]
//! boxes, and a layer is ordered by where its parents stand so arrows stay
//! short. Tables without any foreign key in or out come last. Every cell has
//! the same width, so the gaps between columns and rows are straight
//! corridors free of boxes: an arrow leaves its column sideways into the
//! nearest vertical corridor, runs along the horizontal corridor next to the
//! referenced table's row, and enters that table from below (or from above
//! for a reference that points down a cycle). Arrows sharing a corridor are
//! spread a few pixels apart. No box can overlap another and no arrow
//! crosses a box.

use super::schema::{path_segment, table_anchor};
use sluice_schema::{Catalog, Table};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Above this many tables the diagram shows the first ones and asks for a
/// filter: a drawing of thousands of boxes helps nobody.
pub const MAX_TABLES: usize = 200;
/// Columns listed per box; the rest are counted in a last line.
const MAX_BOX_COLUMNS: usize = 24;
/// Boxes per grid row.
const MAX_COLUMNS: usize = 6;
/// The advance of one character of the 12px monospace font, rounded up.
const CHAR_W: i64 = 8;
const HEAD_H: i64 = 26;
const ROW_H: i64 = 18;
const PAD: i64 = 8;
const MARK_W: i64 = 22;
const GAP_X: i64 = 64;
const GAP_Y: i64 = 64;
const MIN_W: i64 = 170;
const MAX_W: i64 = 300;
/// Spread of arrows sharing a corridor: [`LANES`] lanes this far apart,
/// centred in the corridor.
const LANE: i64 = 5;
const LANES: usize = 11;

/// A drawn diagram and what it left out.
#[derive(Debug, Clone)]
pub struct Diagram {
    pub svg: String,
    pub tables: usize,
    pub foreign_keys: usize,
    /// Tables matching the filter but not drawn (beyond [`MAX_TABLES`]).
    pub omitted: usize,
}

/// One table's box.
#[derive(Debug, Clone)]
struct Node<'a> {
    schema: &'a str,
    table: &'a Table,
    label: String,
    x: i64,
    y: i64,
    h: i64,
    row: usize,
    col: usize,
}

/// One foreign key between two drawn tables.
struct Edge {
    from: usize,
    to: usize,
    /// The line of the first referencing column in its box, if listed.
    line: Option<usize>,
    title: String,
}

/// Escape text for SVG (XML) content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline are not XML.
            c if c.is_control() && c != '\t' && c != '\n' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `text` cut to at most `max` characters, marked with an ellipsis.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

fn chars(text: &str) -> i64 {
    text.chars().count() as i64
}

fn is_pk(table: &Table, column: &str) -> bool {
    table
        .primary_key
        .as_ref()
        .is_some_and(|pk| pk.columns.iter().any(|c| c == column))
}

fn is_fk(table: &Table, column: &str) -> bool {
    table
        .foreign_keys
        .iter()
        .any(|fk| fk.columns.iter().any(|c| c == column))
}

fn box_height(table: &Table) -> i64 {
    let shown = table.columns.len().min(MAX_BOX_COLUMNS) as i64;
    let more = i64::from(table.columns.len() > MAX_BOX_COLUMNS);
    HEAD_H + (shown + more).max(1) * ROW_H + PAD / 2
}

/// Draw the tables of `catalog` whose name contains `filter` (any case).
/// Boxes link to `{base}/schema#{anchor}` where `base` is the database
/// page's path.
pub fn render(catalog: &Catalog, filter: &str, base: &str) -> Diagram {
    let needle = filter.trim().to_lowercase();
    let qualify = catalog.schemas.len() > 1;
    let mut all: Vec<(&str, &Table)> = catalog
        .schemas
        .iter()
        .flat_map(|s| s.tables.iter().map(move |t| (s.name.as_str(), t)))
        .filter(|(_, t)| needle.is_empty() || t.name.to_lowercase().contains(&needle))
        .collect();
    all.sort_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
    let omitted = all.len().saturating_sub(MAX_TABLES);
    all.truncate(MAX_TABLES);

    let index: BTreeMap<(&str, &str), usize> = all
        .iter()
        .enumerate()
        .map(|(i, (s, t))| ((*s, t.name.as_str()), i))
        .collect();
    let mut edges = Vec::new();
    for (i, (schema, table)) in all.iter().enumerate() {
        for fk in &table.foreign_keys {
            let target_schema = if fk.referenced_schema.is_empty() {
                *schema
            } else {
                fk.referenced_schema.as_str()
            };
            let Some(&to) = index.get(&(target_schema, fk.referenced_table.as_str())) else {
                continue;
            };
            let line = fk.columns.first().and_then(|c| {
                table
                    .columns
                    .iter()
                    .take(MAX_BOX_COLUMNS)
                    .position(|col| &col.name == c)
            });
            edges.push(Edge {
                from: i,
                to,
                line,
                title: format!(
                    "{}({}) → {}({})",
                    table.name,
                    fk.columns.join(", "),
                    fk.referenced_table,
                    fk.referenced_columns.join(", ")
                ),
            });
        }
    }

    let order = order_by_layers(all.len(), &edges);
    let cols = grid_columns(all.len());
    let width_chars = all
        .iter()
        .map(|(s, t)| {
            let label = label(s, t, qualify);
            let widest_column = t
                .columns
                .iter()
                .take(MAX_BOX_COLUMNS)
                .map(|c| chars(&c.name) + 2 + chars(&c.data_type))
                .max()
                .unwrap_or(0);
            (chars(&label) * CHAR_W + 2 * PAD).max(MARK_W + 2 * PAD + widest_column * CHAR_W)
        })
        .max()
        .unwrap_or(MIN_W);
    let cell_w = width_chars.clamp(MIN_W, MAX_W);

    // Place: each layer starts a new row and wraps after `cols` boxes.
    let mut nodes: Vec<Option<Node>> = vec![None; all.len()];
    let mut row_heights: Vec<i64> = Vec::new();
    for layer in &order {
        for (k, &i) in layer.iter().enumerate() {
            let col = k % cols;
            if col == 0 {
                row_heights.push(0);
            }
            let row = row_heights.len() - 1;
            let (schema, table) = all[i];
            let h = box_height(table);
            row_heights[row] = row_heights[row].max(h);
            nodes[i] = Some(Node {
                schema,
                table,
                label: label(schema, table, qualify),
                x: col_x(col, cell_w),
                y: 0,
                h,
                row,
                col,
            });
        }
    }
    let mut row_tops = Vec::with_capacity(row_heights.len());
    // A full corridor all around, so outer lanes stay inside the picture.
    let mut y = GAP_Y;
    for h in &row_heights {
        row_tops.push(y);
        y += h + GAP_Y;
    }
    let height = y;
    let used_cols = cols.min(all.len()).max(1);
    let width = col_x(used_cols, cell_w);
    let nodes: Vec<Node> = nodes
        .into_iter()
        .map(|n| {
            let mut n = n.expect("every table is placed");
            n.y = row_tops[n.row];
            n
        })
        .collect();

    let mut svg = String::with_capacity(4096 + nodes.len() * 2048);
    let title = format!(
        "Entity-relationship diagram of {}: {} table{}, {} foreign key{}",
        catalog.name,
        nodes.len(),
        if nodes.len() == 1 { "" } else { "s" },
        edges.len(),
        if edges.len() == 1 { "" } else { "s" }
    );
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="er" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="er-title"><title id="er-title">{}</title>"#,
        esc(&title)
    );
    svg.push_str(STYLE);
    svg.push_str(DEFS);
    for node in &nodes {
        draw_node(&mut svg, node, cell_w, base);
    }
    let routes = route(&nodes, &edges, cell_w, &row_tops, &row_heights);
    for (edge, d) in edges.iter().zip(routes) {
        let _ = write!(
            svg,
            r#"<path class="er-fk" d="{d}" marker-start="url(#er-dot)" marker-end="url(#er-arrow)"><title>{}</title></path>"#,
            esc(&edge.title)
        );
    }
    svg.push_str("</svg>");
    Diagram {
        svg,
        tables: nodes.len(),
        foreign_keys: edges.len(),
        omitted,
    }
}

const STYLE: &str = "<style>\
.er text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;fill:var(--text,#1f2328)}\
.er .er-box{fill:var(--bg,#ffffff);stroke:var(--line,#d0d7de);stroke-width:1}\
.er .er-head{fill:var(--accent-soft,#ddeaff)}\
.er .er-name{font-weight:700}\
.er .er-type,.er .er-more{fill:var(--muted,#57606a)}\
.er .er-mark{font-size:10px;font-weight:700;fill:var(--accent,#1f5fbf)}\
.er .er-fk{fill:none;stroke:var(--muted,#57606a);stroke-width:1.25}\
.er .er-fk:hover{stroke:var(--accent,#1f5fbf);stroke-width:2.5}\
.er .er-tip{fill:var(--muted,#57606a)}\
.er a:hover .er-box,.er a:focus .er-box{stroke:var(--accent,#1f5fbf);stroke-width:2}\
</style>";

const DEFS: &str = "<defs>\
<marker id=\"er-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" markerUnits=\"strokeWidth\" orient=\"auto\"><path class=\"er-tip\" d=\"M0,0 L10,5 L0,10 z\"/></marker>\
<marker id=\"er-dot\" viewBox=\"0 0 10 10\" refX=\"5\" refY=\"5\" markerWidth=\"4\" markerHeight=\"4\" orient=\"auto\"><circle class=\"er-tip\" cx=\"5\" cy=\"5\" r=\"5\"/></marker>\
</defs>";

fn label(schema: &str, table: &Table, qualify: bool) -> String {
    if qualify {
        format!("{schema}.{}", table.name)
    } else {
        table.name.clone()
    }
}

fn grid_columns(n: usize) -> usize {
    let root = (n as f64 * 2.0).sqrt().ceil() as usize;
    root.clamp(1, MAX_COLUMNS).min(n.max(1))
}

/// The left edge of grid column `col` (the corridor left of it is
/// `GAP_X` wide and its centre is at `col_x(col) - GAP_X / 2`).
fn col_x(col: usize, cell_w: i64) -> i64 {
    GAP_X + col as i64 * (cell_w + GAP_X)
}

/// Tables in rows of layers: every referenced table in an earlier layer
/// (back edges of cycles ignored), isolated tables last.
fn order_by_layers(n: usize, edges: &[Edge]) -> Vec<Vec<usize>> {
    let mut parents: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut linked = vec![false; n];
    for e in edges {
        if e.from != e.to {
            parents[e.from].push(e.to);
            linked[e.from] = true;
            linked[e.to] = true;
        }
    }
    for p in &mut parents {
        p.sort_unstable();
        p.dedup();
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done(usize),
    }
    let mut marks = vec![Mark::New; n];
    // Iterative depth-first search: a node's layer is one more than its
    // deepest parent; an edge to a node still open closes a cycle and is
    // ignored.
    for start in 0..n {
        if marks[start] != Mark::New {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        marks[start] = Mark::Open;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if *next < parents[node].len() {
                let p = parents[node][*next];
                *next += 1;
                if marks[p] == Mark::New {
                    marks[p] = Mark::Open;
                    stack.push((p, 0));
                }
            } else {
                let layer = parents[node]
                    .iter()
                    .filter_map(|&p| match marks[p] {
                        Mark::Done(l) => Some(l + 1),
                        _ => None,
                    })
                    .max()
                    .unwrap_or(0);
                marks[node] = Mark::Done(layer);
                stack.pop();
            }
        }
    }
    let mut layers: Vec<Vec<usize>> = Vec::new();
    let mut isolated = Vec::new();
    for (i, mark) in marks.iter().enumerate() {
        let Mark::Done(layer) = *mark else {
            unreachable!("every node is visited")
        };
        if !linked[i] {
            isolated.push(i);
            continue;
        }
        if layers.len() <= layer {
            layers.resize(layer + 1, Vec::new());
        }
        layers[layer].push(i);
    }
    // Order each layer by the mean position of its parents (then by name,
    // which is the index order), so arrows run short and cross less.
    let mut position = vec![0f64; n];
    for layer in &mut layers {
        let key = |i: usize| {
            let ps: Vec<f64> = parents[i]
                .iter()
                .map(|&p| position[p])
                .filter(|x| x.is_finite() && *x >= 0.0)
                .collect();
            if ps.is_empty() {
                0.0
            } else {
                ps.iter().sum::<f64>() / ps.len() as f64
            }
        };
        let mut keyed: Vec<(f64, usize)> = layer.iter().map(|&i| (key(i), i)).collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        *layer = keyed.into_iter().map(|(_, i)| i).collect();
        for (k, &i) in layer.iter().enumerate() {
            position[i] = k as f64;
        }
    }
    layers.retain(|l| !l.is_empty());
    if !isolated.is_empty() {
        layers.push(isolated);
    }
    layers
}

fn draw_node(svg: &mut String, n: &Node, w: i64, base: &str) {
    let (x, y, h) = (n.x, n.y, n.h);
    let href = format!(
        "{base}/schema#{}",
        path_segment(&table_anchor(n.schema, &n.table.name))
    );
    let _ = write!(
        svg,
        r#"<g class="er-table"><a href="{}"><title>{}</title><rect class="er-box" x="{x}" y="{y}" width="{w}" height="{h}" rx="6"/>"#,
        esc(&href),
        esc(&format!(
            "{} ({} column{})",
            n.label,
            n.table.columns.len(),
            if n.table.columns.len() == 1 { "" } else { "s" }
        ))
    );
    let _ = write!(
        svg,
        r#"<path class="er-head" d="M{x},{hb} V{y6} Q{x},{y} {x6},{y} H{xw6} Q{xw},{y} {xw},{y6} V{hb} Z"/>"#,
        hb = y + HEAD_H,
        y6 = y + 6,
        x6 = x + 6,
        xw6 = x + w - 6,
        xw = x + w,
    );
    let name_room = ((w - 2 * PAD) / CHAR_W).max(4) as usize;
    let _ = write!(
        svg,
        r#"<text class="er-name" x="{}" y="{}">{}</text>"#,
        x + PAD,
        y + 17,
        esc(&clip(&n.label, name_room))
    );
    let room = ((w - MARK_W - 2 * PAD) / CHAR_W).max(8) as usize;
    for (k, c) in n.table.columns.iter().take(MAX_BOX_COLUMNS).enumerate() {
        let base_y = y + HEAD_H + k as i64 * ROW_H + 13;
        let mark = match (is_pk(n.table, &c.name), is_fk(n.table, &c.name)) {
            (true, true) => "PF",
            (true, false) => "PK",
            (false, true) => "FK",
            (false, false) => "",
        };
        if !mark.is_empty() {
            let _ = write!(
                svg,
                r#"<text class="er-mark" x="{}" y="{base_y}">{mark}</text>"#,
                x + PAD - 2
            );
        }
        // Name first; the type gets what is left, at least a few letters.
        let ty_len = c.data_type.chars().count();
        let name_len = c.name.chars().count();
        let (name_max, ty_max) = if name_len + 1 + ty_len <= room {
            (name_len, ty_len)
        } else {
            let ty_max = ty_len
                .min(room / 3)
                .max(room.saturating_sub(name_len + 1).min(ty_len));
            (room.saturating_sub(ty_max + 1), ty_max)
        };
        let _ = write!(
            svg,
            r#"<text class="er-col" x="{}" y="{base_y}">{}</text><text class="er-type" x="{}" y="{base_y}" text-anchor="end">{}</text>"#,
            x + MARK_W + PAD - 2,
            esc(&clip(&c.name, name_max.max(1))),
            x + w - PAD,
            esc(&clip(&c.data_type, ty_max.max(1)))
        );
    }
    if n.table.columns.len() > MAX_BOX_COLUMNS {
        let _ = write!(
            svg,
            r#"<text class="er-more" x="{}" y="{}">… {} more columns</text>"#,
            x + MARK_W + PAD - 2,
            y + HEAD_H + MAX_BOX_COLUMNS as i64 * ROW_H + 13,
            n.table.columns.len() - MAX_BOX_COLUMNS
        );
    }
    svg.push_str("</a></g>");
}

/// Paths for the edges: orthogonal segments through the corridors.
fn route(
    nodes: &[Node],
    edges: &[Edge],
    w: i64,
    row_tops: &[i64],
    row_heights: &[i64],
) -> Vec<String> {
    let lane = |k: &mut usize| {
        let offset = (*k % LANES) as i64 - (LANES / 2) as i64;
        *k += 1;
        offset * LANE
    };
    let mut gutters: BTreeMap<usize, usize> = BTreeMap::new();
    // Horizontal corridors by index: corridor r runs above row r.
    let mut corridors: BTreeMap<usize, usize> = BTreeMap::new();
    let mut incoming = vec![0usize; nodes.len()];
    let mut entered = vec![0usize; nodes.len()];
    for e in edges.iter().filter(|e| e.from != e.to) {
        incoming[e.to] += 1;
    }
    edges
        .iter()
        .map(|e| {
            let c = &nodes[e.from];
            let p = &nodes[e.to];
            let sy = match e.line {
                Some(line) => c.y + HEAD_H + line as i64 * ROW_H + ROW_H / 2 + 1,
                None => c.y + HEAD_H / 2,
            };
            if e.from == e.to {
                let right = c.x + w;
                return format!(
                    "M{right},{sy} H{} V{} H{right}",
                    right + GAP_X / 3,
                    c.y + HEAD_H / 2
                );
            }
            let left = p.col <= c.col;
            let gutter = if left { c.col } else { c.col + 1 };
            let gx = col_x(gutter, w) - GAP_X / 2 + lane(gutters.entry(gutter).or_default());
            let sx = if left { c.x } else { c.x + w };
            // Enter from below unless the referenced table is in a lower row.
            let below = p.row <= c.row;
            let corridor = if below { p.row + 1 } else { p.row };
            let corridor_y = if corridor < row_tops.len() {
                row_tops[corridor] - GAP_Y / 2
            } else {
                row_tops[p.row] + row_heights[p.row] + GAP_Y / 2
            } + lane(corridors.entry(corridor).or_default());
            let slot = entered[e.to];
            entered[e.to] += 1;
            let ex = p.x + w * (slot as i64 + 1) / (incoming[e.to] as i64 + 1);
            let ey = if below { p.y + p.h } else { p.y };
            format!("M{sx},{sy} H{gx} V{corridor_y} H{ex} V{ey}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_schema::{Column, Dialect, ForeignKey, PrimaryKey, Schema};

    fn table(name: &str, refs: &[&str]) -> Table {
        let mut t = Table::new(name)
            .with_column(Column::new("id", "integer").not_null())
            .with_primary_key(PrimaryKey::new(None, ["id"]));
        for r in refs {
            let col = format!("{r}_id");
            t = t
                .with_column(Column::new(&col, "integer"))
                .with_foreign_key(ForeignKey::new(None, [col.as_str()], "main", *r, ["id"]));
        }
        t
    }

    fn rects(svg: &str) -> Vec<(i64, i64, i64, i64)> {
        svg.split("<rect ")
            .skip(1)
            .map(|r| {
                let attr = |name: &str| -> i64 {
                    let key = format!(" {name}=\"");
                    let at = format!(" {r}").find(&key).expect(name) + key.len() - 1;
                    r[at..].split('"').next().unwrap().parse().unwrap()
                };
                (attr("x"), attr("y"), attr("width"), attr("height"))
            })
            .collect()
    }

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(esc(r#"<b>&"x'"#), "&lt;b&gt;&amp;&quot;x&#39;");
    }

    #[test]
    fn parents_sit_above_children_and_each_fk_is_one_path() {
        let schema = Schema::new("main")
            .with_table(table("orders", &["account", "product"]))
            .with_table(table("account", &[]))
            .with_table(table("product", &[]))
            .with_table(table("audit", &[]));
        let catalog = Catalog::new("shop", Dialect::Sqlite).with_schema(schema);
        let d = render(&catalog, "", "/i/x/databases/shop");
        assert_eq!(d.tables, 4);
        assert_eq!(d.foreign_keys, 2);
        assert_eq!(d.svg.matches("class=\"er-fk\"").count(), 2);
        assert_eq!(d.svg.matches("<rect ").count(), 4);
        let y_of = |name: &str| {
            let at = d.svg.find(&format!(">{name}</text>")).unwrap();
            let before = &d.svg[..at];
            let y = before.rfind(" y=\"").unwrap();
            before[y + 4..]
                .split('"')
                .next()
                .unwrap()
                .parse::<i64>()
                .unwrap()
        };
        assert!(y_of("account") < y_of("orders"));
        assert!(y_of("product") < y_of("orders"));
        assert!(y_of("orders") < y_of("audit"), "isolated tables come last");
        assert!(
            d.svg
                .contains("href=\"/i/x/databases/shop/schema#t-main-orders\"")
        );
    }

    #[test]
    fn cycles_and_self_references_terminate() {
        let schema = Schema::new("main")
            .with_table(table("a", &["b"]))
            .with_table(table("b", &["c"]))
            .with_table(table("c", &["a", "c"]));
        let catalog = Catalog::new("loop", Dialect::Sqlite).with_schema(schema);
        let d = render(&catalog, "", "");
        assert_eq!(d.foreign_keys, 4);
        assert_eq!(d.svg.matches("class=\"er-fk\"").count(), 4);
    }

    #[test]
    fn fifty_tables_never_overlap_and_long_names_are_clipped() {
        let mut schema = Schema::new("main");
        for i in 0..50 {
            let refs: Vec<String> = match i {
                0..=4 => vec![],
                _ => vec![format!("t{:02}", i % 5), format!("t{:02}", i / 2)],
            };
            let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
            let mut t = table(&format!("t{i:02}"), &refs);
            if i % 7 == 0 {
                for k in 0..30 {
                    t = t.with_column(Column::new(
                        format!("a_rather_long_column_name_{k}"),
                        "character varying(255)",
                    ));
                }
            }
            schema = schema.with_table(t);
        }
        let catalog = Catalog::new("big", Dialect::Postgres).with_schema(schema);
        let d = render(&catalog, "", "");
        let boxes = rects(&d.svg);
        assert_eq!(boxes.len(), 50);
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let apart =
                    a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
        assert!(d.svg.contains(" more columns</text>"));
        // Every arrow stays inside the picture.
        let size = |name: &str| -> i64 {
            let key = format!(" {name}=\"");
            let at = d.svg.find(&key).unwrap() + key.len();
            d.svg[at..].split('"').next().unwrap().parse().unwrap()
        };
        let (width, height) = (size("width"), size("height"));
        for path in d.svg.split("class=\"er-fk\" d=\"").skip(1) {
            let d = path.split('"').next().unwrap();
            let mut at = (0, 0);
            for step in d.split(' ') {
                let (cmd, rest) = step.split_at(1);
                match cmd {
                    "M" => {
                        let (x, y) = rest.split_once(',').unwrap();
                        at = (x.parse().unwrap(), y.parse().unwrap());
                    }
                    "H" => at.0 = rest.parse().unwrap(),
                    "V" => at.1 = rest.parse().unwrap(),
                    other => panic!("unexpected path command {other}"),
                }
                assert!(
                    (0..=width).contains(&at.0) && (0..=height).contains(&at.1),
                    "{d}"
                );
            }
        }
        assert!(d.svg.contains('…'));
    }

    #[test]
    fn filter_and_cap() {
        let mut schema = Schema::new("main");
        for i in 0..(MAX_TABLES + 5) {
            schema = schema.with_table(table(&format!("t{i:04}"), &[]));
        }
        let catalog = Catalog::new("huge", Dialect::Sqlite).with_schema(schema);
        let d = render(&catalog, "", "");
        assert_eq!((d.tables, d.omitted), (MAX_TABLES, 5));
        let d = render(&catalog, "T000", "");
        assert_eq!((d.tables, d.omitted), (10, 0));
    }
}
