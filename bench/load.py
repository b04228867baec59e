"""Concurrent load on gunicorn: the start page and case list mix (issue 11, "Done when").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssp_bench \\
        .venv/bin/python bench/load.py [--seconds 30] [--threads 20] [--workers 4]

Starts gunicorn (`ssp.wsgi`, N workers) on a free local port against DATABASE_URL with
production settings (DEBUG off; the keys of `bench/run.py`, so that the data the benchmark
generated stays readable), logs in the sessions through the real login form (CSRF token and
all; the demo users have no second factor and have acknowledged the duty of confidentiality),
then lets the threads request the start page and the case list in turn for the given time, each
thread with its own session. Prints requests/s, p50/p95/max latency and errors, and the CPU the
run took (gunicorn, PostgreSQL on this machine, the script itself; `cpu_seconds`), and stops
gunicorn. Run `bench/run.py --scale copenhagen10` first so that the database holds the data.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import percentile, production_environment  # noqa: E402

DEFAULT_USERS = "koordinator,socialraadgiver,laerer"
PASSWORD = "demo"  # noqa: S105 - the demo's documented password
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Who used the processor during the run (`cpu_seconds`).
GUNICORN, POSTGRESQL, THIS_SCRIPT = "gunicorn", "PostgreSQL", "the load script"


@dataclass
class Tally:
    timings: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, url: str, ms: float, error: str = "") -> None:
        with self.lock:
            self.timings.setdefault(url, []).append(ms)
            if error:
                self.errors.append(error)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _process_cpu(stat: str) -> tuple[str, int, float]:
    """(command name, parent's pid, CPU seconds in user and kernel mode, all threads) from the
    text of /proc/<pid>/stat (proc(5)); the name is in parentheses and may hold spaces."""
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()  # from field 3 (the state) on
    ticks = int(fields[14 - 3]) + int(fields[15 - 3])  # utime, stime
    return name, int(fields[4 - 3]), ticks / os.sysconf("SC_CLK_TCK")


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """The CPU seconds used so far by the gunicorn server with its workers (its children), by
    PostgreSQL's processes on this machine (none if the database is elsewhere; other databases'
    sessions count too) and by this script, from /proc (Linux; elsewhere empty). Processes that
    have ended are no longer counted, so measure over a window in which none do (the workers
    and their database sessions live through the run)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return {}
    totals = dict.fromkeys((GUNICORN, POSTGRESQL, THIS_SCRIPT), 0.0)
    own = os.getpid()
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name, parent, seconds = _process_cpu(entry.joinpath("stat").read_text())
        except OSError:  # ended while the directory was read
            continue
        pid = int(entry.name)
        if server_pid in (pid, parent):
            totals[GUNICORN] += seconds
        elif pid == own:
            totals[THIS_SCRIPT] += seconds
        elif name.startswith("postgres"):
            totals[POSTGRESQL] += seconds
    return totals


def wait_until_up(base: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn ended at start-up (exit {process.returncode})")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    sys.exit("gunicorn did not answer /healthz within a minute")


def log_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/konto/login/", timeout=30)
    match = CSRF_INPUT.search(page.text)
    if match is None:
        sys.exit("no CSRF token on the login page")
    answer = session.post(
        f"{base}/konto/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1)},
        headers={"Referer": f"{base}/konto/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302 or "login" in answer.headers.get("Location", ""):
        sys.exit(f"login as {username} failed ({answer.status_code}); is the demo seeded?")
    check = session.get(f"{base}/", allow_redirects=False, timeout=30)
    if check.status_code != 200:
        sys.exit(
            f"{username}'s start page answered {check.status_code} "
            f"({check.headers.get('Location', '')}): second factor or confidentiality pending?"
        )
    return session


def run_thread(
    base: str, session: requests.Session, urls: list[str], stop_at: float, tally: Tally
) -> None:
    turn = 0
    while time.monotonic() < stop_at:
        url = urls[turn % len(urls)]
        turn += 1
        begin = time.perf_counter()
        try:
            response = session.get(f"{base}{url}", allow_redirects=False, timeout=60)
            error = "" if response.status_code == 200 else f"{url}: {response.status_code}"
        except requests.RequestException as exc:
            error = f"{url}: {type(exc).__name__}"
        tally.add(url, (time.perf_counter() - begin) * 1000, error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--users", default=DEFAULT_USERS, help="logins, used in turn")
    parser.add_argument("--urls", default="/,/sager/", help="the mix, requested in turn")
    args = parser.parse_args()
    if not args.database_url:
        sys.exit("Set DATABASE_URL (or --database-url) to the benchmark's database.")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, **production_environment(args.database_url)}
    env["PYTHONWARNINGS"] = "ignore:No directory at"  # static files are not collected here
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "ssp.wsgi", "--workers", str(args.workers)]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    try:
        wait_until_up(base, server)
        users = [user for user in args.users.split(",") if user]
        sessions = [log_in(base, users[i % len(users)]) for i in range(args.threads)]
        urls = [url for url in args.urls.split(",") if url]
        for session in sessions[: len(urls)]:  # warm every worker's caches a little
            for url in urls:
                session.get(f"{base}{url}", timeout=60)
        tally = Tally()
        print(
            f"{args.threads} sessions ({', '.join(users)}), gunicorn {args.workers} workers, "
            f"{args.seconds:.0f} s of {' + '.join(urls)} ...",
            flush=True,
        )
        cpu_before = cpu_seconds(server.pid)
        started = time.monotonic()
        stop_at = started + args.seconds
        threads = [
            threading.Thread(target=run_thread, args=(base, s, urls, stop_at, tally))
            for s in sessions
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        cpu_used = {
            kind: seconds - cpu_before[kind] for kind, seconds in cpu_seconds(server.pid).items()
        }
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    every = [ms for timings in tally.timings.values() for ms in timings]
    if not every:
        sys.exit("no requests were made")
    print()
    print("| mix | requests | requests/s | p50 ms | p95 ms | max ms | errors |")
    print("|---|---|---|---|---|---|---|")
    for url, timings in [*tally.timings.items(), ("all", every)]:
        errors = sum(1 for e in tally.errors if url == "all" or e.startswith(f"{url}:"))
        print(
            f"| {url} | {len(timings)} | {len(timings) / elapsed:.1f} | "
            f"{statistics.median(timings):.0f} | {percentile(timings, 0.95):.0f} | "
            f"{max(timings):.0f} | {errors} |"
        )
    if tally.errors:
        print("first errors:", "; ".join(tally.errors[:5]))
    if cpu_used:
        print()
        print(
            f"CPU during the run, in shares of one core ({os.cpu_count()} cores): "
            + ", ".join(f"{kind} {100 * used / elapsed:.0f}%" for kind, used in cpu_used.items())
        )
        per_request = {kind: 1000 * used / len(every) for kind, used in cpu_used.items()}
        print(
            "CPU per request: "
            + ", ".join(f"{kind} {ms:.1f} ms" for kind, ms in per_request.items())
        )


if __name__ == "__main__":
    main()
