"""Architecture kept by tests: views and API endpoints read through selectors, not the ORM."""

from __future__ import annotations

import re
from pathlib import Path

SSP = Path(__file__).resolve().parents[1] / "ssp"


def test_views_and_api_modules_never_query_models_directly() -> None:
    offenders = []
    for path in list(SSP.rglob("views.py")) + list(SSP.rglob("api.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"\.objects\b", line):
                offenders.append(f"{path.relative_to(SSP.parent)}:{number}: {line.strip()}")
    assert offenders == [], "use a selector or service instead:\n" + "\n".join(offenders)


def test_the_access_core_imports_only_the_organisation_models() -> None:
    source = (SSP / "access.py").read_text(encoding="utf-8")
    imports = re.findall(r"^from (ssp\.[\w.]+) import", source, flags=re.MULTILINE)
    assert set(imports) <= {"ssp.organisation.models"}
