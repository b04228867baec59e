"""The task worker stays small (issue 11: a 100,000-row police list in under 100 MB).

The worker (`manage.py db_worker`) imports the models and the task modules, not the URLs: the
API's pydantic schemas and openpyxl (with Pillow), together about 15 MB, are loaded only by a
process that serves the API or reads or writes an Excel file. A new top-level import of either
in a module the worker loads shows up here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys
import django
django.setup()
import ssp.meetings.tasks, ssp.police.tasks, ssp.police.import_jobs, ssp.police.list_import
import ssp.police.services, ssp.cases.services, ssp.organisation.services
heavy = ("pydantic", "ninja", "openpyxl", "PIL", "weasyprint")
print(json.dumps(sorted(name for name in heavy if name in sys.modules)))
"""


def run_probe(code: str) -> list[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ssp.settings", "DEBUG": "1"}
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_the_worker_loads_no_api_schemas_and_no_excel_library() -> None:
    assert run_probe(PROBE) == []


def test_the_probe_sees_a_heavy_library_once_it_is_loaded() -> None:
    # The same probe after the API's URLs are loaded: it would report pydantic, so the empty
    # list above means the worker's modules really leave it out.
    loaded = run_probe(PROBE.replace("django.setup()", "django.setup()\nimport ssp.urls"))
    assert "pydantic" in loaded
