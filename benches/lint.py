#!/usr/bin/env python3
"""SQL review benchmark: `sluice lint` against squawk and sqlfluff.

Generates a file of mixed PostgreSQL DDL and DML statements (tables,
indexes, constraints, column changes, inserts, updates, deletes, selects,
drops; many of them break a rule) and measures, in the same run:

  sluice lint --dialect postgres --all-rules FILE   vs  squawk --reporter gcc FILE
      (10,000 statements; every sluice rule on)
  sluice lint --dialect postgres --all-rules FILE   vs  sqlfluff lint --dialect postgres FILE
      (1,000 statements; sqlfluff refuses larger files and skips files over
      20 kB unless large_file_skip_byte_limit = 0, which a .sqlfluff beside
      the file sets)

and sluice alone at 1k, 10k and 100k statements and on a 10 MB file, to show
that time grows linearly with the statements (time per statement stays flat)
and the peak resident memory (from wait4) with it. Times are the median wall
time of --runs runs (sqlfluff: one run, it takes minutes).

squawk (PyPI squawk-cli) and sqlfluff (PyPI) are installed into a venv at
/var/tmp/sluice-bench-venv on first use.

Targets: sluice ≤ 1.0 × squawk and ≤ 0.01 × sqlfluff; per-statement time at
the largest size ≤ 1.5 × that at 10k. Exits 1 if a target is missed. Python
3.11 standard library only.

    python3 benches/lint.py [--statements 10000] [--runs 3] [--no-build] [--no-sqlfluff]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = Path("/var/tmp/sluice-bench-venv")
SQUAWK_TARGET = 1.0
SQLFLUFF_TARGET = 0.01
LINEAR_TARGET = 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--sqlfluff-statements", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-build", action="store_true", help="use the release binary as it is")
    parser.add_argument("--no-sqlfluff", action="store_true", help="skip the (slow) sqlfluff comparison")
    args = parser.parse_args()

    target_dir = Path(os.environ.get("CARGO_TARGET_DIR", "/var/tmp/sluice-target"))
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "sluice-cli"], cwd=REPO, check=True,
                       env={**os.environ, "CARGO_TARGET_DIR": str(target_dir)})
    sluice = str(target_dir / "release" / "sluice")
    squawk, sqlfluff = tools()

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {cpu_model()}, "
          f"Python {platform.python_version()}", file=sys.stderr)
    for name, cmd in [("sluice", [sluice, "--version"]), ("squawk", [squawk, "--version"]),
                      ("sqlfluff", [sqlfluff, "--version"])]:
        out = subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        print(f"{name}: {out}", file=sys.stderr)

    failed = False
    with tempfile.TemporaryDirectory(prefix="sluice-lint-bench-") as tmp:
        tmp = Path(tmp)

        def lint(path: Path) -> list[str]:
            return [sluice, "lint", "--dialect", "postgres", "--all-rules", str(path)]

        # sluice vs squawk, same file.
        big = write(tmp / f"mixed_{args.statements}.sql", statements(args.statements))
        s = measure(lint(big), args.runs)
        q = measure([squawk, "--reporter", "gcc", str(big)], args.runs)
        rows = [(f"{args.statements:,} statements", "squawk --reporter gcc", s, q, SQUAWK_TARGET)]

        # sluice vs sqlfluff, 1,000 statements.
        if not args.no_sqlfluff:
            small_dir = tmp / "sqlfluff"
            small_dir.mkdir()
            (small_dir / ".sqlfluff").write_text(
                "[sqlfluff]\ndialect = postgres\nlarge_file_skip_byte_limit = 0\n")
            small = write(small_dir / f"mixed_{args.sqlfluff_statements}.sql",
                          statements(args.sqlfluff_statements))
            s_small = measure(lint(small), args.runs)
            f = measure([sqlfluff, "lint", "--dialect", "postgres", str(small)], 1, cwd=small_dir)
            rows.append((f"{args.sqlfluff_statements:,} statements", "sqlfluff lint --dialect postgres",
                         s_small, f, SQLFLUFF_TARGET))

        # sluice alone, growing.
        growth = []
        for n in (1_000, 10_000, 100_000, None):
            if n is None:
                # Enough statements for 10 MB.
                text = statements_of_size(10 * 1024 * 1024)
                label = "10 MB file"
            else:
                text = statements(n)
                label = f"{n:,} statements"
            count = text.count(";\n")
            path = write(tmp / f"growth_{count}.sql", text)
            growth.append((label, count, len(text.encode()), measure(lint(path), args.runs)))

    print(f"\nmedian of {args.runs} runs (sqlfluff: 1); ratio = sluice / reference\n")
    print("| input | sluice lint --all-rules | reference | reference time | ratio | target |")
    print("|---|---|---|---|---|---|")
    for label, ref_name, s, r, target in rows:
        ratio = s[0] / r[0]
        ok = ratio <= target
        failed |= not ok
        print(f"| {label} | {fmt(s[0])} ({s[2]} findings) | {ref_name} | {fmt(r[0])} ({r[2]} findings) | "
              f"{ratio:.3f}x | ≤ {target}x {'PASS' if ok else 'FAIL'} |")

    print("\n| sluice lint --all-rules | bytes | time | per statement | peak RSS |")
    print("|---|---|---|---|---|")
    per = {}
    for label, count, size, (t, rss, findings) in growth:
        per[label] = t / count
        print(f"| {label} ({count:,} statements) | {size / 1e6:.1f} MB | {fmt(t)} | "
              f"{t / count * 1e6:.1f} µs | {rss:.0f} MB |")
    base = per["10,000 statements"]
    largest = per[growth[-1][0]]
    ratio = largest / base
    ok = ratio <= LINEAR_TARGET
    failed |= not ok
    print(f"\nper-statement time, {growth[-1][0]} / 10,000 statements: {ratio:.2f} "
          f"(≤ {LINEAR_TARGET} {'PASS' if ok else 'FAIL'})")
    return 1 if failed else 0


# --- the statements ---------------------------------------------------------

KINDS = [
    "CREATE TABLE t{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id bigint NOT NULL, "
    "email varchar(255) NOT NULL, name text, total numeric(12,2) NOT NULL DEFAULT 0, "
    "created_at timestamptz NOT NULL DEFAULT now())",
    "CREATE INDEX idx_t{i}_user_id ON t{i} (user_id)",
    "CREATE INDEX CONCURRENTLY idx_orders_{i} ON orders (created_at)",
    "CREATE UNIQUE INDEX uk_users_{i} ON users (email)",
    "ALTER TABLE users ADD COLUMN c{i} text",
    "ALTER TABLE users ADD COLUMN d{i} integer NOT NULL DEFAULT 0",
    "ALTER TABLE orders ALTER COLUMN note{i} SET NOT NULL",
    "ALTER TABLE orders ADD CONSTRAINT orders_total_{i} CHECK (total > 0)",
    "ALTER TABLE orders ADD CONSTRAINT orders_user_fk_{i} FOREIGN KEY (user_id) REFERENCES users (id)",
    "ALTER TABLE orders ADD CONSTRAINT orders_ref_{i} UNIQUE (ref{i})",
    "ALTER TABLE orders ALTER COLUMN amount{i} TYPE bigint",
    "ALTER TABLE users RENAME COLUMN old{i} TO new{i}",
    "INSERT INTO t{i} (user_id, email, name) VALUES ({i}, 'u{i}@example.com', 'n{i}')",
    "INSERT INTO events (kind, payload) VALUES ('signup', '{{}}'), ('login', '{{}}')",
    "UPDATE users SET name = 'x{i}' WHERE id = {i}",
    "UPDATE orders SET total = total * 2",
    "DELETE FROM sessions WHERE expires_at < now() AND user_id = {i}",
    "DELETE FROM t{i}",
    "SELECT * FROM users WHERE email LIKE '%@example.com' ORDER BY id LIMIT 10",
    "SELECT u.id, count(o.id) FROM users u JOIN orders o ON o.user_id = u.id "
    "WHERE lower(u.email) = 'a@b.c' GROUP BY u.id",
    "CREATE TABLE s{i} (id serial PRIMARY KEY, ref int REFERENCES users (id) ON DELETE CASCADE)",
    "DROP INDEX idx_old_{i}",
    "DROP TABLE legacy_{i}",
    "TRUNCATE audit_{i}",
]


def statements(n: int) -> str:
    """n statements, cycling through KINDS with a fixed shuffle."""
    order = list(range(len(KINDS)))
    random.Random(42).shuffle(order)
    out = []
    for i in range(n):
        kind = KINDS[order[i % len(order)]]
        out.append(kind.format(i=i) + ";\n")
    return "".join(out)


def statements_of_size(size: int) -> str:
    """Whole statements making at least `size` bytes."""
    per = len(statements(1000).encode()) / 1000
    n = int(size / per) + 1
    text = statements(n)
    while len(text.encode()) < size:
        n += 1000
        text = statements(n)
    return text


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# --- running ----------------------------------------------------------------

def tools() -> tuple[str, str]:
    """squawk and sqlfluff from the venv, installed on first use."""
    squawk, sqlfluff = VENV / "bin" / "squawk", VENV / "bin" / "sqlfluff"
    if not (squawk.exists() and sqlfluff.exists()):
        print(f"installing squawk-cli and sqlfluff into {VENV} …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "squawk-cli", "sqlfluff"], check=True)
    return str(squawk), str(sqlfluff)


def measure(cmd: list[str], runs: int, cwd: Path | None = None) -> tuple[float, float, int]:
    """Median seconds, peak RSS (MB) and the number of findings (lines of
    output naming a position) of running cmd. Linters exit non-zero when
    they find something; only a signal or an exit status above 1 (sqlfluff
    uses 1 for findings too) counts as a failure."""
    times, peaks, findings = [], [], 0
    for _ in range(runs):
        with tempfile.TemporaryFile() as out:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, cwd=cwd)
            _, status, usage = os.wait4(proc.pid, 0)
            times.append(time.perf_counter() - start)
            code = os.waitstatus_to_exitcode(status)
            if code < 0 or code > 1:
                raise SystemExit(f"{' '.join(cmd[:3])} failed ({code}): {proc.stderr.read().decode()[-2000:]}")
            peaks.append(usage.ru_maxrss / 1024)
            out.seek(0)
            findings = count_findings(out.read().decode(errors="replace"))
    return statistics.median(times), max(peaks), findings


def count_findings(output: str) -> int:
    """Lines that report something: `file:line:col: …` (sluice, squawk's
    gcc reporter) or sqlfluff's `L:  12 | P:   3 | CODE | …`."""
    n = 0
    for line in output.splitlines():
        if line.startswith("L:") and "| P:" in line:
            n += 1
        elif line.count(":") >= 3 and not line.startswith(" "):
            n += 1
    return n


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
