"""The WSGI entry point gunicorn loads (ssp/wsgi.py): Django and the views loaded, the objects
they made kept out of the garbage collector's rounds, and those rounds less frequent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import gc, sys
import ssp.wsgi
print(gc.get_threshold()[0], gc.get_freeze_count(), "ssp.cases.views" in sys.modules)
"""


def test_the_wsgi_module_loads_the_views_and_freezes_what_is_loaded() -> None:
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "DEBUG": "1"}  # development keys
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    threshold, frozen, views_loaded = result.stdout.split()
    assert int(threshold) == 20_000
    assert int(frozen) > 50_000  # Django, the apps and the views
    assert views_loaded == "True"
