#!/usr/bin/env python3
"""Inspection benchmark: `sluice inspect` against the servers' own dump tools.

On the PostgreSQL (127.0.0.1:5432, postgres, trust) and MariaDB
(127.0.0.1:3306, root, no password) of this machine, the script generates a
schema of N tables (default 2,000; each with 8 columns, a primary key, two
secondary indexes and one foreign key) and measures, in the same run:

  sluice inspect postgres://…/db --json   vs  pg_dump --schema-only db
  sluice inspect mariadb://…/db --json    vs  mysqldump --no-data db

as the median wall time of --runs runs each, and the peak resident memory of
each process (from wait4). It also builds a second database with the same
schema created in a different order and checks that the two inspected models
are equal: no false differences.

Targets: sluice ≤ 0.4 × pg_dump and ≤ 0.1 × mysqldump (median). Exits 1 if
a target is missed or the models differ. Python 3.11 standard library only.

    python3 benches/inspect.py [--tables 2000] [--runs 3] [--no-build]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_TARGET = 0.4
MY_TARGET = 0.1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-build", action="store_true", help="use the release binary as it is")
    args = parser.parse_args()

    target_dir = Path(os.environ.get("CARGO_TARGET_DIR", "/var/tmp/sluice-target"))
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "sluice-cli"], cwd=REPO, check=True,
                       env={**os.environ, "CARGO_TARGET_DIR": str(target_dir)})
    sluice = target_dir / "release" / "sluice"

    tag = f"sluice_bench_{os.getpid()}"
    pg_a, pg_b, my_a, my_b = f"{tag}_pg_a", f"{tag}_pg_b", f"{tag}_my_a", f"{tag}_my_b"
    rows = []
    failed = False
    try:
        print(f"generating {args.tables} tables in PostgreSQL and MariaDB …", file=sys.stderr)
        for name, shuffled in [(pg_a, False), (pg_b, True)]:
            psql("postgres", f"CREATE DATABASE {name}")
            psql(name, schema(args.tables, "postgres", shuffled), file=True)
        for name, shuffled in [(my_a, False), (my_b, True)]:
            mariadb(None, f"CREATE DATABASE {name}")
            mariadb(name, schema(args.tables, "mysql", shuffled))

        pg_url = f"postgres://postgres@127.0.0.1:5432/{pg_a}"
        my_url = f"mariadb://root@127.0.0.1:3306/{my_a}"
        pg_s = measure([str(sluice), "inspect", pg_url, "--json"], args.runs)
        pg_r = measure(["pg_dump", "--schema-only", "-h", "127.0.0.1", "-U", "postgres", pg_a], args.runs)
        my_s = measure([str(sluice), "inspect", my_url, "--json"], args.runs)
        my_r = measure(["mysqldump", "--no-data", "-h", "127.0.0.1", "-u", "root", my_a], args.runs)
        rows.append(("PostgreSQL", pg_s, "pg_dump --schema-only", pg_r, PG_TARGET))
        rows.append(("MariaDB", my_s, "mysqldump --no-data", my_r, MY_TARGET))

        same = {}
        for engine, a, b, url in [("PostgreSQL", pg_a, pg_b, "postgres://postgres@127.0.0.1:5432/"),
                                  ("MariaDB", my_a, my_b, "mariadb://root@127.0.0.1:3306/")]:
            models = []
            for name in (a, b):
                out = subprocess.run([str(sluice), "inspect", url + name, "--json"], check=True,
                                     capture_output=True, text=True).stdout
                # On MySQL the schema is the database: its name appears as the
                # schema and in every foreign key, so it is the one thing
                # allowed to differ.
                models.append(json.loads(out.replace(name, "DB")))
            same[engine] = models[0] == models[1]
            tables = sum(len(s.get("tables", [])) for s in models[0]["schemas"])
            if tables != args.tables:
                print(f"{engine}: inspected {tables} tables, expected {args.tables}", file=sys.stderr)
                failed = True
    finally:
        for name in (pg_a, pg_b):
            psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", check=False)
        for name in (my_a, my_b):
            mariadb(None, f"DROP DATABASE IF EXISTS {name}", check=False)

    print(f"\n{args.tables} tables, median of {args.runs} runs; ratio = sluice / reference\n")
    print(f"| engine | sluice inspect | reference | reference time | ratio | target | sluice peak RSS | reference peak RSS |")
    print(f"|---|---|---|---|---|---|---|---|")
    for engine, s, ref_name, r, target in rows:
        ratio = s[0] / r[0]
        ok = ratio <= target
        failed |= not ok
        print(f"| {engine} | {s[0]*1000:.0f} ms | {ref_name} | {r[0]*1000:.0f} ms | {ratio:.2f}x | "
              f"≤ {target}x {'PASS' if ok else 'FAIL'} | {s[1]:.1f} MB | {r[1]:.1f} MB |")
    print()
    for engine, equal in same.items():
        print(f"{engine}: two databases with the same schema built in different orders inspect "
              f"{'equal (no false differences)' if equal else 'DIFFERENT'}")
        failed |= not equal
    return 1 if failed else 0


def schema(n: int, dialect: str, shuffled: bool) -> str:
    """N tables; each references the previous one. Shuffled: tables, then
    foreign keys, then indexes, each in a random order."""
    order = list(range(n))
    if shuffled:
        random.Random(7).shuffle(order)
    big = "bigint" if dialect == "postgres" else "BIGINT"
    text = "text" if dialect == "postgres" else "VARCHAR(200)"
    ts = "timestamptz" if dialect == "postgres" else "DATETIME"
    tables, fks, indexes = [], [], []
    for i in order:
        t = f"t{i:05d}"
        tables.append(
            f"CREATE TABLE {t} (id {big} PRIMARY KEY, parent_id {big}, name {text} NOT NULL, "
            f"code {text}, amount NUMERIC(12,2) DEFAULT 0, active BOOLEAN NOT NULL DEFAULT TRUE, "
            f"created_at {ts}, note {text})")
        if i > 0:
            fks.append(f"ALTER TABLE {t} ADD CONSTRAINT {t}_parent_fk FOREIGN KEY (parent_id) "
                       f"REFERENCES t{i-1:05d} (id)")
        indexes.append(f"CREATE INDEX {t}_name_idx ON {t} (name)")
        indexes.append(f"CREATE INDEX {t}_code_created_idx ON {t} (code, created_at)")
    if shuffled:
        random.Random(8).shuffle(fks)
        random.Random(9).shuffle(indexes)
    return ";\n".join(tables + fks + indexes) + ";\n"


def measure(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median seconds and peak RSS (MB) of running cmd with output discarded."""
    times, peaks = [], []
    for _ in range(runs):
        with open(os.devnull, "wb") as null:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=null, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
            times.append(time.perf_counter() - start)
            if status != 0:
                raise SystemExit(f"{cmd[0]} failed: {proc.stderr.read().decode()}")
            peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(peaks)


def psql(database: str, sql: str, file: bool = False, check: bool = True) -> None:
    base = ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres", "-d", database]
    if file:
        with tempfile.NamedTemporaryFile("w", suffix=".sql") as f:
            # Autocommit per statement: one transaction over 2,000 tables
            # with foreign keys and indexes exhausts the lock table.
            f.write(sql)
            f.flush()
            done = subprocess.run(base + ["-f", f.name], check=False, capture_output=True, text=True)
            if check and done.returncode != 0:
                raise SystemExit(f"psql failed: {done.stderr[-2000:]}")
    else:
        subprocess.run(base + ["-c", sql], check=check, capture_output=True)


def mariadb(database: str | None, sql: str, check: bool = True) -> None:
    cmd = ["mariadb", "-h", "127.0.0.1", "-u", "root"] + ([database] if database else [])
    subprocess.run(cmd, input=sql.encode(), check=check, capture_output=True)


if __name__ == "__main__":
    sys.exit(main())
