"""The load test's account of who used the processor (bench/load.py, `cpu_seconds`): the
sizing figures in docs/drift.md come from it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.load import GUNICORN, THIS_SCRIPT, _process_cpu, cpu_seconds

# A stand-in for gunicorn: it spins for 0.3 s of CPU, starts a "worker" that spins as long,
# waits until the worker is done, says so and waits for its standard input to close.
SPIN = """
import os, subprocess, sys, time
end = time.process_time() + 0.3
while time.process_time() < end:
    pass
if sys.argv[1:] != ["worker"]:
    worker = subprocess.Popen(
        [sys.executable, "-c", os.environ["SPIN_CODE"], "worker"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    worker.stdout.readline()
print("ready", flush=True)
sys.stdin.read()
"""


def test_a_stat_line_gives_name_parent_and_cpu_even_with_spaces_in_the_name() -> None:
    ticks = os.sysconf("SC_CLK_TCK")
    fields = ["S", "41", *["0"] * 9, str(3 * ticks), str(ticks), "7", "8"]
    name, parent, seconds = _process_cpu(f"4242 (gunicorn: worker (x)) {' '.join(fields)}")
    assert (name, parent, seconds) == ("gunicorn: worker (x)", 41, 4.0)


def test_the_server_and_its_workers_count_as_gunicorn_and_this_process_as_the_script() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", SPIN],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "SPIN_CODE": SPIN},
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline().strip() == "ready"
        end = time.process_time() + 0.2  # this process spins too, and must not count as gunicorn
        while time.process_time() < end:
            pass
        used = cpu_seconds(server.pid)
        own = sum(os.times()[:2])
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)
    # 0.3 s in the server and 0.3 s in its worker (a clock tick is 10 ms) and their start-up,
    # but not this process, which has used more than the rest would allow.
    assert own > 0.5
    assert 0.55 <= used[GUNICORN] < 1.05
    assert own - 0.05 <= used[THIS_SCRIPT] <= own + 0.05
    assert cpu_seconds(server.pid)[GUNICORN] < used[GUNICORN]  # ended processes drop out
