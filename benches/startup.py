#!/usr/bin/env python3
"""Start-up benchmark: `sluice serve` against a fresh PostgreSQL metadata store.

A Bytebase-style server keeps its metadata in an embedded PostgreSQL, so
before it can answer anything it has to create and start a cluster. Sluice
keeps its metadata in an embedded SQLite file. This script measures, on the
same machine and in the same run:

  sluice cold   spawn of `sluice serve` on a data directory that does not
                exist yet, until the first 200 from GET /healthz
  sluice warm   the same on the data directory a previous start left behind
                (for information; no target)
  reference     `initdb` on a new directory + `pg_ctl start`, until the
                postmaster accepts a connection and answers `SELECT 1`
  idle memory   after the last start and 3 s of idling: VmRSS and PSS
                (/proc/PID/smaps_rollup) of sluice, and the sums over the
                postmaster and all its children for the reference

Every sluice start is stopped with SIGTERM and must exit 0 within 5 s.
Targets: cold start <= 100 ms (median and p90), idle RSS <= 30 MB. Exits 1
if a target is missed. Python 3.11 standard library only; run as root
(initdb runs as the `postgres` user through runuser).

    python3 benches/startup.py [--runs 20] [--ref-runs 5] [--no-build]
"""

from __future__ import annotations

import argparse
import glob
import http.client
import os
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COLD_TARGET_MS = 100.0
RSS_TARGET_MB = 30.0
IDLE_SECONDS = 3.0
POLL_SLEEP = 0.0002  # 200 µs between readiness probes
START_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0

# Everything that must be undone, even on Ctrl-C.
live_procs: list[subprocess.Popen] = []
live_clusters: list[tuple[str, Path]] = []  # (pg_ctl path, data dir)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="sluice cold (and warm) starts")
    parser.add_argument("--ref-runs", type=int, default=5, help="PostgreSQL reference starts")
    parser.add_argument("--no-build", action="store_true", help="use the release binary as it is")
    parser.add_argument("--pg-bin", help="PostgreSQL bin directory (default: newest /usr/lib/postgresql/*/bin)")
    args = parser.parse_args()
    if args.runs < 1 or args.ref_runs < 1:
        parser.error("--runs and --ref-runs must be at least 1")

    # Ctrl-C and SIGTERM take the same clean-up path (even when started
    # from a shell that had SIGINT ignored).
    signal.signal(signal.SIGINT, raise_interrupt)
    signal.signal(signal.SIGTERM, raise_interrupt)

    target_dir = Path(os.environ.get("CARGO_TARGET_DIR", "/var/tmp/sluice-target"))
    binary = target_dir / "release" / "sluice"
    if not args.no_build:
        print(f"building {binary} ...", flush=True)
        env = dict(os.environ, CARGO_TARGET_DIR=str(target_dir))
        subprocess.run(["cargo", "build", "--release", "-p", "sluice-cli"], cwd=REPO, env=env, check=True)
    if not binary.is_file():
        sys.exit(f"no binary at {binary}: build it or drop --no-build")
    pg_bin = Path(args.pg_bin) if args.pg_bin else newest_pg_bin()

    work = Path(tempfile.mkdtemp(prefix="sluice-bench-"))
    work.chmod(0o755)  # the postgres user must reach its own directories below
    try:
        return run(binary, pg_bin, work, args.runs, args.ref_runs)
    except KeyboardInterrupt:
        print("\ninterrupted, cleaning up", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        cleanup(work)


def raise_interrupt(*_) -> None:
    raise KeyboardInterrupt


def run(binary: Path, pg_bin: Path, work: Path, runs: int, ref_runs: int) -> int:
    print(f"sluice:    {binary}")
    print(f"reference: {pg_bin}/initdb + pg_ctl start ({pg_version(pg_bin)})")
    print("load average at start: %.2f %.2f %.2f" % os.getloadavg(), flush=True)

    # sluice, cold: a data directory that does not exist yet, every time.
    cold, data_dir = [], None
    for i in range(runs):
        data_dir = work / f"sluice-{i}" / "data"
        ms, proc = start_sluice(binary, data_dir)
        cold.append(ms)
        last = i == runs - 1
        cold_mem = idle_memory([proc.pid]) if last else None
        stop_sluice(proc)
        if not last:
            shutil.rmtree(data_dir.parent)
    print(f"sluice cold:  {fmt_runs(cold)}", flush=True)

    # sluice, warm: the data directory of the last cold start.
    warm = []
    for i in range(runs):
        ms, proc = start_sluice(binary, data_dir)
        warm.append(ms)
        warm_mem = idle_memory([proc.pid]) if i == runs - 1 else None
        stop_sluice(proc)
    print(f"sluice warm:  {fmt_runs(warm)}", flush=True)

    # reference, cold: initdb + pg_ctl start on a new directory, every time.
    ref_cold = []
    for i in range(ref_runs):
        root = work / f"pg-{i}"
        ref_cold.append(start_postgres(pg_bin, root, init=True))
        last = i == ref_runs - 1
        ref_cold_mem = postgres_memory(root / "data") if last else None
        stop_postgres(pg_bin, root / "data")
        if not last:
            shutil.rmtree(root)
    print(f"ref cold:     {fmt_runs(ref_cold)}", flush=True)

    # reference, warm: pg_ctl start on the cluster the last cold start made.
    ref_warm = []
    for i in range(ref_runs):
        ref_warm.append(start_postgres(pg_bin, root, init=False))
        ref_warm_mem = postgres_memory(root / "data") if i == ref_runs - 1 else None
        stop_postgres(pg_bin, root / "data")
    print(f"ref warm:     {fmt_runs(ref_warm)}", flush=True)

    rows = [
        # metric, sluice, reference, unit, target (None: information only)
        ("cold start, median", median(cold), median(ref_cold), "ms", COLD_TARGET_MS),
        ("cold start, p90", p90(cold), p90(ref_cold), "ms", COLD_TARGET_MS),
        ("idle RSS after cold start", cold_mem[0], ref_cold_mem[0], "MB", RSS_TARGET_MB),
        ("idle PSS after cold start", cold_mem[1], ref_cold_mem[1], "MB", None),
        ("warm start, median", median(warm), median(ref_warm), "ms", None),
        ("warm start, p90", p90(warm), p90(ref_warm), "ms", None),
        ("idle RSS after warm start", warm_mem[0], ref_warm_mem[0], "MB", None),
        ("idle PSS after warm start", warm_mem[1], ref_warm_mem[1], "MB", None),
    ]
    print()
    print(f"{runs} sluice cold and warm starts, {ref_runs} reference starts; "
          f"memory after {IDLE_SECONDS:.0f} s idle;\nratio = reference / sluice (above 1: sluice is that many times faster or smaller)")
    print()
    header = ("metric", "sluice", "reference", "ratio", "target", "")
    table = [header]
    failed = False
    for metric, ours, theirs, unit, target in rows:
        verdict = ""
        if target is not None:
            verdict = "PASS" if ours <= target else "FAIL"
            failed |= ours > target
        table.append((
            metric,
            f"{ours:.1f} {unit}",
            f"{theirs:.1f} {unit}",
            f"{theirs / ours:.1f}x",
            f"<= {target:.0f} {unit}" if target is not None else "-",
            verdict,
        ))
    widths = [max(len(r[c]) for r in table) for c in range(len(header))]
    for n, r in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print("load average at end: %.2f %.2f %.2f" % os.getloadavg())
    print(f"reference memory: the postmaster and its {ref_cold_mem[2] - 1} children, summed")
    print("FAIL: a target was missed" if failed else "all targets met")
    return 1 if failed else 0


# --- sluice -----------------------------------------------------------------


def start_sluice(binary: Path, data_dir: Path) -> tuple[float, subprocess.Popen]:
    """Spawn `sluice serve` and return (ms to the first 200 from /healthz, process)."""
    port = free_port()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(data_dir.parent / "serve.log", "ab") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [binary, "serve", "--addr", f"127.0.0.1:{port}", "--data-dir", data_dir],
            stdout=subprocess.DEVNULL, stderr=log, stdin=subprocess.DEVNULL,
        )
    live_procs.append(proc)
    while not healthz_ok(port):
        if proc.poll() is not None:
            sys.exit(f"sluice exited with {proc.returncode} before answering; see {data_dir.parent}/serve.log")
        if time.perf_counter() - t0 > START_TIMEOUT:
            sys.exit(f"sluice did not answer /healthz within {START_TIMEOUT:.0f} s")
        time.sleep(POLL_SLEEP)
    return (time.perf_counter() - t0) * 1000, proc


def healthz_ok(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def stop_sluice(proc: subprocess.Popen) -> None:
    """SIGTERM, then insist on a graceful exit: status 0 within 5 s."""
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        sys.exit(f"sluice did not exit within {STOP_TIMEOUT:.0f} s of SIGTERM")
    live_procs.remove(proc)
    if code != 0:
        sys.exit(f"sluice exited with {code} on SIGTERM, expected 0")


# --- reference: a fresh PostgreSQL cluster ------------------------------------


AS_POSTGRES = ["runuser", "-u", "postgres", "--"]


def start_postgres(pg_bin: Path, root: Path, init: bool) -> float:
    """[initdb +] pg_ctl start on root/data; return ms until SELECT 1 answers.

    With init, root must not exist: the cluster is created from nothing, as
    an embedded metadata store is on first start."""
    data, sock = root / "data", root / "sock"
    if init:
        sock.mkdir(parents=True)
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    port = free_port()
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, cwd=root)

    t0 = time.perf_counter()
    if init:
        subprocess.run([*AS_POSTGRES, pg_bin / "initdb", "-D", data, "-U", "postgres", "-A", "trust"],
                       check=True, **quiet)
    live_clusters.append((str(pg_bin / "pg_ctl"), data))
    # -W: pg_ctl would poll only every 100 ms; we probe ourselves instead.
    subprocess.run([*AS_POSTGRES, pg_bin / "pg_ctl", "start", "-W", "-D", data, "-l", root / "postgres.log",
                    "-o", f"-p {port} -k {sock} -c listen_addresses=''"], check=True, **quiet)
    sock_path = sock / f".s.PGSQL.{port}"
    while not pg_select_1(sock_path):
        if time.perf_counter() - t0 > START_TIMEOUT:
            sys.exit(f"PostgreSQL did not accept a connection within {START_TIMEOUT:.0f} s; see {root}/postgres.log")
        time.sleep(POLL_SLEEP)
    return (time.perf_counter() - t0) * 1000


def postgres_memory(data: Path) -> tuple[float, float, int]:
    """Idle memory of the postmaster and all its children, summed."""
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    return idle_memory([postmaster], with_children=True)


def pg_select_1(sock_path: Path) -> bool:
    """Connect over the Unix socket, log in (trust) and run SELECT 1 —
    what `psql -c 'SELECT 1'` does, without the cost of spawning psql."""
    if not sock_path.exists():
        return False
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(str(sock_path))
        params = b"user\0postgres\0database\0postgres\0\0"
        s.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
        if not read_until_ready(s):
            return False
        s.sendall(b"Q" + struct.pack("!i", 4 + 9) + b"SELECT 1\0")
        return read_until_ready(s)
    except OSError:
        return False
    finally:
        s.close()


def read_until_ready(s: socket.socket) -> bool:
    """Read messages until ReadyForQuery (True) or ErrorResponse (False)."""
    buf = b""
    while True:
        while len(buf) < 5:
            chunk = s.recv(4096)
            if not chunk:
                return False
            buf += chunk
        kind, length = buf[0:1], struct.unpack("!i", buf[1:5])[0]
        while len(buf) < 1 + length:
            chunk = s.recv(4096)
            if not chunk:
                return False
            buf += chunk
        buf = buf[1 + length:]
        if kind == b"E":  # e.g. "the database system is starting up"
            return False
        if kind == b"Z":
            return True


def stop_postgres(pg_bin: Path, data: Path) -> None:
    subprocess.run([*AS_POSTGRES, pg_bin / "pg_ctl", "stop", "-D", data, "-m", "fast", "-w"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    live_clusters.remove((str(pg_bin / "pg_ctl"), data))


def newest_pg_bin() -> Path:
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(Path(d).parent.name))
    if not dirs:
        sys.exit("no PostgreSQL in /usr/lib/postgresql/*/bin; pass --pg-bin")
    return Path(dirs[-1])


def pg_version(pg_bin: Path) -> str:
    return subprocess.run([pg_bin / "postgres", "--version"], capture_output=True, text=True).stdout.strip()


# --- measuring ----------------------------------------------------------------


def idle_memory(pids: list[int], with_children: bool = False) -> tuple[float, float, int]:
    """Idle 3 s, then (sum of VmRSS in MB, sum of PSS in MB, process count)."""
    time.sleep(IDLE_SECONDS)
    if with_children:
        pids = [*pids, *children(pids[0])]
    rss = sum(proc_kb(f"/proc/{p}/status", "VmRSS:") for p in pids)
    pss = sum(proc_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
    return rss / 1024, pss / 1024, len(pids)


def proc_kb(path: str, field: str) -> int:
    for line in Path(path).read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in {path}")


def children(pid: int) -> list[int]:
    kids = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            text = Path(stat).read_text()
        except OSError:
            continue
        ppid = int(text.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            kids.append(int(stat.split("/")[2]))
    return kids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def p90(xs: list[float]) -> float:
    if len(xs) == 1:
        return xs[0]
    return statistics.quantiles(xs, n=10, method="inclusive")[-1]


def fmt_runs(xs: list[float]) -> str:
    return f"median {median(xs):.1f} ms, p90 {p90(xs):.1f} ms, min {min(xs):.1f}, max {max(xs):.1f} (n={len(xs)})"


def cleanup(work: Path) -> None:
    for proc in live_procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    for pg_ctl, data in live_clusters:
        subprocess.run([*AS_POSTGRES, pg_ctl, "stop", "-D", data, "-m", "immediate", "-w"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
