#!/usr/bin/env python3
"""Rollout benchmark: one schema-change issue fanned out to many databases
against a shell loop of `psql -c` / `mariadb -e` over the same databases.

On the PostgreSQL (127.0.0.1:5432, postgres, trust) and MariaDB
(127.0.0.1:3306, root, no password) of this machine, the script creates
N PostgreSQL databases `sluice_bench_pg_0000…` (default 1,000) and
M MariaDB databases `sluice_bench_my_000…` (default 200), then, in the
same run:

  sluice     `sluice serve` (release build) on a fresh data directory,
             driven through the REST API: environment `bench` with rollout
             MANUAL, instances `bench-pg` and `bench-my` synced, project
             `bench` holding the bench databases, each database's schema
             synced; one SCHEMA_CHANGE issue per engine
               CREATE TABLE bench_t (id int PRIMARY KEY, note varchar(50))
             targeting every bench database of that engine, plan checks
             (dry runs included) left to finish. Untimed so far. Timed:
             POST …/issues/{n}/stages/bench/run, then the issue's summary
             (GET …/issues) every 100 ms until the issue is DONE, the whole
             issue every 20th poll (any FAILED task fails
             the benchmark, with its run's result).
  reference  bash running, one process per database, exactly as a person
             would:
               for db in …; do psql -h 127.0.0.1 -U postgres -d "$db" \\
                 -c "CREATE TABLE bench_ref (…)"; done
             and the same with `mariadb -h 127.0.0.1 -u root "$db" -e …`.

Before each timed phase the script issues a CHECKPOINT so that neither side
pays for the other's (or the set-up's) dirty pages. Afterwards it checks
that every database holds bench_t and bench_ref (PostgreSQL: one psql
session visiting each database; MariaDB: one information_schema query),
prints one task run's log and one database's changelog, the per-task time
breakdown (from the runs' started_at / ended_at), the server's CPU time and
peak RSS (VmHWM, and the highest VmRSS sampled while the stage ran).

Target: sluice ≤ 0.2 × the loop's wall time, per engine. Exits 1 if a
target is missed or anything fails. The databases are dropped at the end,
also on failure or Ctrl-C, unless --keep; --reuse runs on the databases a
--keep run left (their bench tables and sluice_history are dropped first).
Python 3.11 standard library only.

    python3 benches/rollout.py [--pg 1000] [--my 200] [--no-build] [--keep]
        [--reuse] [--max-parallel-tasks K] [--max-tasks-per-instance K]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = 0.2
PG_PREFIX = "sluice_bench_pg_"
MY_PREFIX = "sluice_bench_my_"
DDL = "CREATE TABLE {table} (id int PRIMARY KEY, note varchar(50))"
POLL = 0.1
# Helpers (set-up, checks, clean-up) skip TLS; the timed phases do not set it.
HELPER_ENV = {**os.environ, "PGSSLMODE": "disable"}


def raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", type=int, default=1000, help="PostgreSQL databases (0 to skip)")
    parser.add_argument("--my", type=int, default=200, help="MariaDB databases (0 to skip)")
    parser.add_argument("--no-build", action="store_true", help="use the release binary as it is")
    parser.add_argument("--keep", action="store_true", help="do not drop the databases at the end")
    parser.add_argument("--reuse", action="store_true",
                        help="use the databases an earlier --keep run left, after cleaning them")
    parser.add_argument("--max-parallel-tasks", type=int, help="passed to sluice serve")
    parser.add_argument("--max-tasks-per-instance", type=int, help="passed to sluice serve")
    parser.add_argument("--binary", type=Path, help="sluice binary to run (default: the release build; implies --no-build)")
    parser.add_argument("--setup-workers", type=int, default=4, help="parallel psql sessions / API calls in set-up")
    args = parser.parse_args()
    if args.pg < 0 or args.my < 0 or args.pg > 10000 or args.my > 1000 or args.pg + args.my == 0:
        parser.error("--pg must be 0..10000, --my 0..1000, not both 0")

    signal.signal(signal.SIGINT, raise_interrupt)
    signal.signal(signal.SIGTERM, raise_interrupt)

    target_dir = Path(os.environ.get("CARGO_TARGET_DIR", "/var/tmp/sluice-target"))
    binary = args.binary or target_dir / "release" / "sluice"
    if not args.no_build and not args.binary:
        print(f"building {binary} ...", file=sys.stderr, flush=True)
        env = dict(os.environ, CARGO_TARGET_DIR=str(target_dir))
        subprocess.run(["cargo", "build", "--release", "-p", "sluice-cli"], cwd=REPO, env=env, check=True)
    if not binary.is_file():
        sys.exit(f"no binary at {binary}: build it or drop --no-build")

    pg_dbs = [f"{PG_PREFIX}{i:04d}" for i in range(args.pg)]
    my_dbs = [f"{MY_PREFIX}{i:03d}" for i in range(args.my)]
    workdir = Path(tempfile.mkdtemp(prefix="sluice-rollout-"))
    server = None
    failed = False
    rows = []
    try:
        setup_databases(pg_dbs, my_dbs, args)
        port = free_port()
        cmd = [str(binary), "serve", "--addr", f"127.0.0.1:{port}", "--data-dir", str(workdir / "data")]
        if args.max_parallel_tasks:
            cmd += ["--max-parallel-tasks", str(args.max_parallel_tasks)]
        if args.max_tasks_per_instance:
            cmd += ["--max-tasks-per-instance", str(args.max_tasks_per_instance)]
        log = open(workdir / "server.log", "wb")
        server = subprocess.Popen(cmd, stdout=log, stderr=log)
        api = Api(f"http://127.0.0.1:{port}", server)
        api.wait_healthy()
        prepare_sluice(api, pg_dbs, my_dbs, args.setup_workers)

        engines = []
        if pg_dbs:
            engines.append(("PostgreSQL", "bench-pg", pg_dbs))
        if my_dbs:
            engines.append(("MariaDB", "bench-my", my_dbs))
        issues = {}
        for engine, instance, dbs in engines:
            issues[engine] = file_issue(api, engine, instance, dbs)

        for engine, instance, dbs in engines:
            checkpoint()
            s = timed_rollout(api, server.pid, engine, issues[engine])
            checkpoint()
            r = reference_loop(engine, dbs)
            rows.append((engine, len(dbs), s, r))
            failed |= not s["ok"]

        failed |= not verify(api, pg_dbs, my_dbs, issues)
        report_breakdowns(api, rows, issues)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        failed = True
        rows = []
    except BenchError as err:
        print(f"FAILED: {err}", file=sys.stderr)
        failed = True
        rows = []
    except Exception:
        failed = True
        raise
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            if failed:
                print(f"server log: {workdir / 'server.log'}", file=sys.stderr)
        if not args.keep:
            drop_databases(pg_dbs, my_dbs, args.setup_workers)
        if not failed:
            shutil.rmtree(workdir, ignore_errors=True)

    if rows:
        print_table(rows, args)
        failed |= any(r[2]["seconds"] / r[3] > TARGET for r in rows)
    return 1 if failed else 0


class BenchError(Exception):
    pass


# ---------------------------------------------------------------- databases

def psql_script(sql: str, database: str = "postgres", check: bool = True) -> str:
    """Run a script in one psql session (autocommit per statement)."""
    done = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                           "-U", "postgres", "-d", database], input=sql, text=True,
                          capture_output=True, env=HELPER_ENV)
    if check and done.returncode != 0:
        raise BenchError(f"psql failed: {done.stderr[-2000:]}")
    return done.stdout


def mariadb_script(sql: str, check: bool = True) -> str:
    done = subprocess.run(["mariadb", "-h", "127.0.0.1", "-u", "root", "-N", "-B"], input=sql,
                          text=True, capture_output=True)
    if check and done.returncode != 0:
        raise BenchError(f"mariadb failed: {done.stderr[-2000:]}")
    return done.stdout


def in_sessions(statements: list[str], sessions: int, check: bool = True) -> None:
    """Split statements over a few parallel psql sessions. CREATE and DROP
    DATABASE cannot share a transaction; each waits on a checkpoint or a
    file copy, and concurrent ones share checkpoints."""
    if not statements:
        return
    chunks = [statements[i::sessions] for i in range(sessions)]
    with concurrent.futures.ThreadPoolExecutor(sessions) as pool:
        list(pool.map(lambda c: psql_script("".join(c), check=check), [c for c in chunks if c]))


def setup_databases(pg_dbs: list[str], my_dbs: list[str], args) -> None:
    start = time.perf_counter()
    existing_pg = set(psql_script(f"SELECT datname FROM pg_database WHERE datname LIKE '{PG_PREFIX}%'").split())
    existing_my = set(mariadb_script(
        f"SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '{MY_PREFIX}%'").split())
    if not args.reuse:
        # Leftovers of an interrupted run that had no time to clean up.
        drop_databases(sorted(existing_pg), sorted(existing_my), args.setup_workers)
        existing_pg, existing_my = set(), set()
    else:
        # A --keep run left them: take the tables away again (one session, \c per database).
        clean = "".join(f"\\c {db}\nDROP TABLE IF EXISTS bench_t, bench_ref, sluice_history;\n"
                        for db in pg_dbs if db in existing_pg)
        if clean:
            psql_script(clean)
        mariadb_script("".join(f"DROP TABLE IF EXISTS `{db}`.bench_t, `{db}`.bench_ref, `{db}`.sluice_history;\n"
                               for db in my_dbs if db in existing_my))
    missing_pg = [db for db in pg_dbs if db not in existing_pg]
    missing_my = [db for db in my_dbs if db not in existing_my]
    print(f"creating {len(missing_pg)} PostgreSQL and {len(missing_my)} MariaDB databases "
          f"({len(pg_dbs) - len(missing_pg) + len(my_dbs) - len(missing_my)} reused) …",
          file=sys.stderr, flush=True)
    in_sessions([f"CREATE DATABASE {db};\n" for db in missing_pg], args.setup_workers)
    if missing_my:
        mariadb_script("".join(f"CREATE DATABASE {db};\n" for db in missing_my))
    print(f"  databases ready in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)


def drop_databases(pg_dbs: list[str], my_dbs: list[str], sessions: int) -> None:
    if not pg_dbs and not my_dbs:
        return
    print(f"dropping {len(pg_dbs)} PostgreSQL and {len(my_dbs)} MariaDB databases …", file=sys.stderr, flush=True)
    # Ctrl-C during clean-up would leave databases behind: hold it off.
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        in_sessions([f"DROP DATABASE IF EXISTS {db} WITH (FORCE);\n" for db in pg_dbs], sessions, check=False)
        if my_dbs:
            mariadb_script("".join(f"DROP DATABASE IF EXISTS {db};\n" for db in my_dbs), check=False)
    finally:
        signal.signal(signal.SIGINT, old)


def checkpoint() -> None:
    psql_script("CHECKPOINT;")


# ------------------------------------------------------------------- sluice

class Api:
    def __init__(self, base: str, server: subprocess.Popen):
        self.base = base
        self.server = server
        self.token = None

    def call(self, method: str, path: str, body=None, ok=(200, 201)):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=300) as resp:
                status, text = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, text = err.code, err.read()
        if status not in ok:
            raise BenchError(f"{method} {path} answered {status}: {text[:1000].decode(errors='replace')}")
        return json.loads(text) if text and text[:1] in b"{[" else text

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise BenchError(f"sluice serve exited with {self.server.returncode}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise BenchError("sluice serve did not answer /healthz within 30 s")

    def list_all(self, path: str, key: str) -> list:
        items, token = [], ""
        while True:
            sep = "&" if "?" in path else "?"
            page = self.call("GET", f"{path}{sep}page_size=1000&page_token={token}")
            items += page[key]
            token = page.get("next_page_token") or ""
            if not token:
                return items


def prepare_sluice(api: Api, pg_dbs: list[str], my_dbs: list[str], workers: int) -> None:
    start = time.perf_counter()
    print("preparing sluice: user, environment, instances, project, databases …", file=sys.stderr, flush=True)
    api.token = api.call("POST", "/v1/auth/signup",
                         {"email": "bench@example.com", "password": "bench-password-1", "name": "Bench"})["token"]
    api.call("POST", "/v1/environments", {"id": "bench", "title": "Bench"})
    env = api.call("PATCH", "/v1/environments/bench", {"rollout": "MANUAL"})
    if env["policy"]["rollout"] != "MANUAL" or env["policy"]["approval_required"]:
        raise BenchError(f"environment bench has policy {env['policy']}")
    api.call("POST", "/v1/projects", {"id": "bench", "title": "Bench", "key": "BENCH"})
    targets = []
    for instance, engine, port, user, dbs in [("bench-pg", "POSTGRES", 5432, "postgres", pg_dbs),
                                              ("bench-my", "MARIADB", 3306, "root", my_dbs)]:
        if not dbs:
            continue
        api.call("POST", "/v1/instances", {"id": instance, "title": instance, "engine": engine,
                                           "environment": "bench", "host": "127.0.0.1",
                                           "port": port, "username": user})
        api.call("POST", f"/v1/instances/{instance}/sync")
        known = {d["name"] for d in api.list_all(f"/v1/instances/{instance}/databases", "databases")}
        missing = [d for d in dbs if d not in known]
        if missing:
            raise BenchError(f"{instance}: the sync did not find {len(missing)} databases, e.g. {missing[:3]}")
        targets += [(instance, d) for d in dbs]

    def move_and_sync(target):
        instance, db = target
        api.call("PATCH", f"/v1/instances/{instance}/databases/{db}", {"project": "bench"})
        api.call("POST", f"/v1/instances/{instance}/databases/{db}/sync")

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(move_and_sync, targets))
    print(f"  {len(targets)} databases moved to project bench and synced in "
          f"{time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)


def tasks_of(issue: dict) -> list[dict]:
    return [t for stage in issue["pipeline"]["stages"] for t in stage["tasks"]]


def file_issue(api: Api, engine: str, instance: str, dbs: list[str]) -> int:
    start = time.perf_counter()
    issue = api.call("POST", "/v1/projects/bench/issues", {
        "title": f"bench: create bench_t on {len(dbs)} {engine} databases",
        "type": "SCHEMA_CHANGE",
        "statement": DDL.format(table="bench_t"),
        "targets": [f"{instance}/{db}" for db in dbs],
    })
    number = issue["number"]
    while True:
        issue = api.call("GET", f"/v1/projects/bench/issues/{number}")
        tasks = tasks_of(issue)
        if len(tasks) != len(dbs):
            raise BenchError(f"issue {number} has {len(tasks)} tasks for {len(dbs)} databases")
        if all(t["checks_level"] != "RUNNING" for t in tasks):
            break
        time.sleep(0.5)
    bad = [t for t in tasks if t["checks_level"] == "ERROR"]
    if bad:
        raise BenchError(f"{engine}: checks failed on {len(bad)} tasks, e.g. {json.dumps(bad[0]['checks'])[:1500]}")
    not_started = [t for t in tasks if t["status"] != "NOT_STARTED"]
    if not_started:
        raise BenchError(f"{engine}: {len(not_started)} tasks left NOT_STARTED before the run, "
                         f"e.g. {not_started[0]['target']} is {not_started[0]['status']}")
    print(f"  {engine}: issue #{number} filed, {len(tasks)} tasks checked in "
          f"{time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return number


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies over all CPUs since boot."""
    parts = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


def status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def timed_rollout(api: Api, pid: int, engine: str, number: int) -> dict:
    print(f"timing sluice on {engine} …", file=sys.stderr, flush=True)
    cpu0, (busy0, total0) = cpu_seconds(pid), machine_busy()
    peak_rss = status_kb(pid, "VmRSS")
    polls, poll_time = 0, 0.0
    wall0 = time.time()
    start = time.perf_counter()
    api.call("POST", f"/v1/projects/bench/issues/{number}/stages/bench/run", {})
    while True:
        # The issue's summary (status only) every poll, as a CI job would
        # wait on it; the whole issue, with every task, now and then to
        # notice a failed task early.
        p0 = time.perf_counter()
        summary = next(i for i in api.call("GET", "/v1/projects/bench/issues")["issues"]
                       if i["number"] == number)
        whole = polls % 20 == 19 or summary["status"] != "OPEN"
        issue = api.call("GET", f"/v1/projects/bench/issues/{number}") if whole else summary
        poll_time += time.perf_counter() - p0
        polls += 1
        peak_rss = max(peak_rss, status_kb(pid, "VmRSS"))
        tasks = tasks_of(issue) if whole else []
        failed = [t for t in tasks if t["status"] == "FAILED"]
        if failed:
            t = failed[0]
            raise BenchError(f"{engine}: {len(failed)} tasks FAILED, e.g. {t['target']}: "
                             f"{(t.get('latest_run') or {}).get('result')}")
        if issue["status"] == "DONE":
            break
        if issue["status"] != "OPEN":
            raise BenchError(f"{engine}: issue #{number} is {issue['status']}")
        time.sleep(POLL)
    seconds = time.perf_counter() - start
    cpu1, (busy1, total1) = cpu_seconds(pid), machine_busy()
    return {
        "ok": True, "seconds": seconds, "wall0_ms": wall0 * 1000, "issue": issue,
        "cpu": cpu1 - cpu0, "machine_busy": (busy1 - busy0) / max(1, total1 - total0),
        "peak_rss_mb": peak_rss / 1024, "hwm_mb": status_kb(pid, "VmHWM") / 1024,
        "polls": polls, "poll_ms": poll_time * 1000 / max(1, polls),
    }


# ---------------------------------------------------------------- reference

def reference_loop(engine: str, dbs: list[str]) -> float:
    print(f"timing the shell loop on {engine} …", file=sys.stderr, flush=True)
    ddl = DDL.format(table="bench_ref")
    if engine == "PostgreSQL":
        loop = f'for db in "$@"; do psql -h 127.0.0.1 -U postgres -d "$db" -c "{ddl}"; done'
    else:
        loop = f'for db in "$@"; do mariadb -h 127.0.0.1 -u root "$db" -e "{ddl}"; done'
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        subprocess.run(["bash", "-c", loop, "bash", *dbs], stdout=null, stderr=subprocess.PIPE, check=False)
        return time.perf_counter() - start


# ------------------------------------------------------------------- checks

def verify(api: Api, pg_dbs: list[str], my_dbs: list[str], issues: dict) -> bool:
    ok = True
    for engine, dbs in [("PostgreSQL", pg_dbs), ("MariaDB", my_dbs)]:
        if not dbs:
            continue
        if engine == "PostgreSQL":
            out = psql_script("".join(
                f"\\c {db}\nSELECT current_database(), to_regclass('public.bench_t') IS NOT NULL, "
                f"to_regclass('public.bench_ref') IS NOT NULL;\n" for db in dbs))
            have = {line.split("|")[0]: line.split("|")[1:] for line in out.split() if "|" in line}
            with_t = sum(1 for db in dbs if have.get(db, ["f", "f"])[0] == "t")
            with_ref = sum(1 for db in dbs if have.get(db, ["f", "f"])[1] == "t")
        else:
            out = mariadb_script(
                "SELECT table_schema, table_name FROM information_schema.tables "
                f"WHERE table_schema LIKE '{MY_PREFIX}%' AND table_name IN ('bench_t', 'bench_ref')")
            pairs = {tuple(line.split("\t")) for line in out.splitlines() if line}
            with_t = sum(1 for db in dbs if (db, "bench_t") in pairs)
            with_ref = sum(1 for db in dbs if (db, "bench_ref") in pairs)
        good = with_t == len(dbs) and with_ref == len(dbs)
        ok &= good
        print(f"{engine}: bench_t in {with_t}/{len(dbs)} databases (sluice), bench_ref in "
              f"{with_ref}/{len(dbs)} (loop){'' if good else '  MISSING'}")
    instance_of = {"PostgreSQL": ("bench-pg", pg_dbs), "MariaDB": ("bench-my", my_dbs)}
    for engine, number in issues.items():
        instance, dbs = instance_of[engine]
        logs = api.call("GET", f"/v1/instances/{instance}/databases/{dbs[-1]}/changelogs")["changelogs"]
        kinds = [(c["type"], c["status"]) for c in logs]
        good = ("MIGRATE", "DONE") in kinds
        ok &= good
        print(f"{engine}: changelog of {instance}/{dbs[-1]}: "
              + ", ".join(f"{c['type']} {c['status']} {c['version']} ({c['duration_ms']} ms)" for c in logs))
    return ok


def report_breakdowns(api: Api, rows, issues: dict) -> None:
    print()
    for engine, n, s, _ in rows:
        tasks = tasks_of(s["issue"])
        runs = [t["latest_run"] for t in tasks if t.get("latest_run")]
        starts = sorted(ms(r["started_at"]) - s["wall0_ms"] for r in runs)
        ends = sorted(ms(r["ended_at"]) - s["wall0_ms"] for r in runs)
        durations = sorted(ms(r["ended_at"]) - ms(r["started_at"]) for r in runs)
        span = max(1.0, ends[-1] - starts[0])
        print(f"{engine}: {len(runs)} task runs; first start {starts[0]:.0f} ms after the run request, "
              f"last end {ends[-1]:.0f} ms; run duration median {statistics.median(durations):.0f} ms, "
              f"p90 {durations[int(0.9 * (len(durations) - 1))]:.0f} ms, max {durations[-1]:.0f} ms; "
              f"mean concurrency {sum(durations) / span:.1f}; {len(runs) / span * 1000:.1f} tasks/s")
        print(f"{engine}: server CPU {s['cpu']:.1f} s over {s['seconds']:.1f} s "
              f"({s['cpu'] / s['seconds'] * 100:.0f}% of one core); machine busy "
              f"{s['machine_busy'] * 100:.0f}% of {os.cpu_count()} CPUs; {s['polls']} GETs of the issue, "
              f"{s['poll_ms']:.0f} ms each on average")
        task = tasks[len(tasks) // 2]
        run = api.call("GET", f"/v1/projects/bench/issues/{issues[engine]}/tasks/{task['id']}/runs")["runs"][-1]
        print(f"{engine}: run of {task['target']}: {run['result']}; log {json.dumps(run['log'])[:600]}")


def ms(value) -> float:
    """A run's time as Unix milliseconds: the API gives Unix milliseconds or
    an RFC 3339 string, depending on the version."""
    if isinstance(value, (int, float)):
        return float(value)
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000


def print_table(rows, args) -> None:
    limits = (f"--max-parallel-tasks {args.max_parallel_tasks or 'default (32)'}, "
              f"--max-tasks-per-instance {args.max_tasks_per_instance or 'default (16)'}")
    print(f"\n{limits}; ratio = sluice / loop\n")
    print("| engine | databases | sluice run → DONE | shell loop | ratio | target | sluice peak RSS (stage / lifetime) | sluice CPU |")
    print("|---|---|---|---|---|---|---|---|")
    for engine, n, s, r in rows:
        ratio = s["seconds"] / r
        print(f"| {engine} | {n} | {s['seconds']:.1f} s | {r:.1f} s | {ratio:.2f}x | ≤ {TARGET}x "
              f"{'PASS' if ratio <= TARGET else 'FAIL'} | {s['peak_rss_mb']:.1f} / {s['hwm_mb']:.1f} MB | "
              f"{s['cpu']:.1f} s |")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
