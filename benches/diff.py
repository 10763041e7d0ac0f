#!/usr/bin/env python3
"""Schema diff benchmark: `sluice diff` against migra on two live databases.

On the PostgreSQL of this machine (127.0.0.1:5432, postgres, trust) the
script creates two databases of N tables (default 2,000; eight columns, a
primary key, two secondary indexes and a foreign key to the previous table
each), the second drifted on every tenth table (200 by default) in one of
four ways: a column added, a column dropped, two columns altered (NOT NULL
added, numeric precision widened), an index dropped and another created.
The schema and its drift are the ones crates/sluice-plan/benches/diff_2000.rs
builds in memory. Then, in the same run, it times

  sluice diff postgres://…/a postgres://…/b --allow-hazards all
  migra --unsafe postgresql+psycopg2://…/a postgresql+psycopg2://…/b

(median wall time of --runs runs each, output to /dev/null; peak resident
memory of each process from wait4). Neither side uses TLS: Sluice skips it on
a loopback address by default, and migra's URLs say sslmode=disable.
Afterwards it applies Sluice's plan to the first database with
`psql -v ON_ERROR_STOP=1` and checks that `sluice diff --exit-code` then
finds nothing. The databases are dropped at the end, also on failure or
Ctrl-C, unless --keep; --reuse runs on the databases a --keep run left.

migra (with psycopg2-binary) is installed from PyPI into a venv at
/var/tmp/sluice-bench-migra on first use. SQLAlchemy 2 maps postgresql:// to
psycopg 3, hence the +psycopg2 in migra's URLs.

Targets: sluice ≤ 0.2 × migra's time, and less peak memory. Exits 1 if one
is missed or the plan does not make the databases equal. Python 3.11
standard library only.

    python3 benches/diff.py [--tables 2000] [--runs 5] [--migra-runs 3]
        [--no-build | --sluice PATH] [--keep] [--reuse]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = Path("/var/tmp/sluice-bench-migra")
TARGET = 0.2
FROM_DB, TO_DB = "sluice_bench_diff_a", "sluice_bench_diff_b"
PG = "127.0.0.1:5432"
HELPER_ENV = {**os.environ, "PGSSLMODE": "disable"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5, help="runs of sluice diff")
    parser.add_argument("--migra-runs", type=int, default=3)
    parser.add_argument("--no-build", action="store_true", help="use the release binary as it is")
    parser.add_argument("--sluice", help="the sluice binary to time (implies --no-build)")
    parser.add_argument("--keep", action="store_true", help="leave the two databases for --reuse")
    parser.add_argument("--reuse", action="store_true", help="use the databases a --keep run left")
    args = parser.parse_args()

    target_dir = Path(os.environ.get("CARGO_TARGET_DIR", "/var/tmp/sluice-target"))
    if not (args.no_build or args.sluice):
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "sluice-cli"], cwd=REPO, check=True,
                       env={**os.environ, "CARGO_TARGET_DIR": str(target_dir)})
    sluice = args.sluice or str(target_dir / "release" / "sluice")
    migra = install_migra()

    failed = False
    try:
        if not args.reuse:
            print(f"creating two databases of {args.tables} tables …", file=sys.stderr)
            start = time.perf_counter()
            for name, drifted in [(FROM_DB, False), (TO_DB, True)]:
                psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                psql("postgres", f"CREATE DATABASE {name}")
                psql_file(name, schema(args.tables, drifted))
            print(f"  … in {time.perf_counter() - start:.0f} s", file=sys.stderr)

        a, b = f"postgres://postgres@{PG}/{FROM_DB}", f"postgres://postgres@{PG}/{TO_DB}"
        sluice_cmd = [sluice, "diff", a, b, "--allow-hazards", "all"]
        migra_cmd = [migra, "--unsafe", f"postgresql+psycopg2://postgres@{PG}/{FROM_DB}?sslmode=disable",
                     f"postgresql+psycopg2://postgres@{PG}/{TO_DB}?sslmode=disable"]
        plan = subprocess.run(sluice_cmd, check=True, capture_output=True, text=True).stdout
        migra_out = subprocess.run(migra_cmd, capture_output=True, text=True)
        if migra_out.returncode not in (0, 2):  # 2: there are differences
            raise SystemExit(f"migra failed: {migra_out.stderr[-2000:]}")
        print(f"sluice plan: {count_statements(plan)} statements; "
              f"migra: {count_statements(migra_out.stdout)} statements", file=sys.stderr)

        s_time, s_rss, s_all = measure(sluice_cmd, args.runs, ok=(0,))
        m_time, m_rss, m_all = measure(migra_cmd, args.migra_runs, ok=(0, 2))

        converged = None
        if not args.keep:
            psql_file(FROM_DB, plan)
            check = subprocess.run([sluice, "diff", a, b, "--exit-code"], capture_output=True, text=True)
            converged = check.returncode == 0
            if not converged:
                print(f"after applying the plan, sluice diff still finds:\n{check.stdout[:4000]}"
                      f"{check.stderr[:2000]}", file=sys.stderr)
    finally:
        if not args.keep:
            for name in (FROM_DB, TO_DB):
                psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", check=False)

    ratio = s_time / m_time
    time_ok, memory_ok = ratio <= TARGET, s_rss < m_rss
    failed |= not (time_ok and memory_ok) or converged is False
    drifted = len(range(0, args.tables, 10))
    print(f"\n{args.tables} tables, {drifted} drifted; sluice: median of {args.runs} runs, "
          f"migra: median of {args.migra_runs}; ratio = sluice / migra\n")
    print("| tool | median | runs | peak RSS | ratio | target |")
    print("|---|---|---|---|---|---|")
    print(f"| sluice diff | {s_time * 1000:.0f} ms | {runs_text(s_all)} | {s_rss:.1f} MB | "
          f"{ratio:.2f}x | ≤ {TARGET}x {'met' if time_ok else 'MISSED'} |")
    print(f"| migra | {m_time * 1000:.0f} ms | {runs_text(m_all)} | {m_rss:.1f} MB | 1x | "
          f"memory: sluice {'less' if memory_ok else 'NOT less'} |")
    if converged is not None:
        print(f"\nSluice's plan applied with psql: the databases are "
              f"{'equal (sluice diff --exit-code: 0)' if converged else 'STILL DIFFERENT'}")
    return 1 if failed else 0


def schema(n: int, drifted: bool) -> str:
    """n tables, each referencing the previous one; drifted: every tenth
    table changed in one of four ways, by its position."""
    out = []
    for i in range(n):
        t = f"t_{i:04d}"
        drift = (i // 10) % 4 if drifted and i % 10 == 0 else None
        cols = ["id bigint NOT NULL", "account_id bigint", "name text NOT NULL",
                "status varchar(20) " + ("NOT NULL " if drift == 2 else "") + "DEFAULT 'new'",
                "amount numeric(14,2)" if drift == 2 else "amount numeric(12,2)",
                "created_at timestamptz NOT NULL DEFAULT now()", "updated_at timestamptz"]
        if drift != 1:
            cols.append("note text")
        if drift == 0:
            cols.append("extra text")
        cols.append(f"CONSTRAINT {t}_pkey PRIMARY KEY (id)")
        if i > 0:
            cols.append(f"CONSTRAINT {t}_account_fk FOREIGN KEY (account_id) REFERENCES t_{i - 1:04d} (id)")
        out.append(f"CREATE TABLE {t} ({', '.join(cols)});")
        out.append(f"CREATE INDEX {t}_account_idx ON {t} (account_id);")
        if drift == 3:
            out.append(f"CREATE INDEX {t}_name_idx ON {t} (name);")
        else:
            out.append(f"CREATE INDEX {t}_created_idx ON {t} (created_at);")
    return "\n".join(out) + "\n"


def count_statements(script: str) -> int:
    return sum(1 for line in script.splitlines() if line.rstrip().endswith(";")
               and not line.lstrip().startswith("--"))


def measure(cmd: list[str], runs: int, ok: tuple[int, ...]) -> tuple[float, float, list[float]]:
    """Median seconds, peak RSS (MB) and every run's seconds, output discarded."""
    times, peaks = [], []
    for _ in range(runs):
        with open(os.devnull, "wb") as null:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=null, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
            times.append(time.perf_counter() - start)
            code = os.waitstatus_to_exitcode(status)
            if code not in ok:
                raise SystemExit(f"{Path(cmd[0]).name} exited {code}: {proc.stderr.read().decode()[-2000:]}")
            peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(peaks), times


def runs_text(times: list[float]) -> str:
    return ", ".join(f"{t * 1000:.0f}" for t in times) + " ms"


def install_migra() -> str:
    migra = VENV / "bin" / "migra"
    if not migra.exists():
        print(f"installing migra into {VENV} …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "migra", "psycopg2-binary", "setuptools"],
                       check=True)
    return str(migra)


def psql(database: str, sql: str, check: bool = True) -> None:
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres",
           "-d", database, "-c", sql]
    done = subprocess.run(cmd, capture_output=True, text=True, env=HELPER_ENV)
    if check and done.returncode != 0:
        raise SystemExit(f"psql failed on {database}: {done.stderr[-2000:]}")


def psql_file(database: str, script: str) -> None:
    """Runs a script in autocommit (one transaction over 2,000 tables with
    foreign keys and indexes would exhaust the lock table)."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as f:
        f.write(script)
        f.flush()
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres",
               "-d", database, "-f", f.name]
        done = subprocess.run(cmd, capture_output=True, text=True, env=HELPER_ENV)
        if done.returncode != 0:
            raise SystemExit(f"psql failed on {database}: {done.stderr[-2000:]}")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
