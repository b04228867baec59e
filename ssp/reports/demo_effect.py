"""Demo effect figures for Ådal Kommune: the police's figures of the last five complete years
(falling, with a few small counts that show as "<5") and one youth profile survey, imported
through the service as a coordinator would (`effect.import_effect`). Called from
`ssp/reports/demo.py` (before the annual report is frozen, so the report holds them)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils import timezone

from ssp.organisation.models import Municipality
from ssp.reports import effect
from ssp.reports.models import CrimeFigure

DEMO_COORDINATOR = "koordinator"

# Offence group -> age band -> the count of the first year; each later year a little lower.
SUSPECTS = {
    "Vold": {"12-14 år": 9, "15-17 år": 24},
    "Tyveri": {"12-14 år": 14, "15-17 år": 31},
    "Hærværk": {"12-14 år": 6, "15-17 år": 12},
    "Narkotika": {"12-14 år": 2, "15-17 år": 15},
}
CHARGES_PER_SUSPECT = 2
SURVEY = (
    ("Har begået kriminalitet det seneste år", "14,2", 612, "faldende"),
    ("Har prøvet hash", "11,5", 612, "faldende"),
    ("Trives godt i skolen", "78,0", 612, "stigende"),
)


def _police_csv(first_year: int) -> str:
    lines = ["År;Aldersgruppe;Forholdsgruppe;Opgørelse;Antal"]
    for step in range(5):
        year = first_year + step
        for group, bands in SUSPECTS.items():
            for band, start in bands.items():
                suspects = max(start - step * max(start // 8, 1), 0)
                lines.append(f"{year};{band};{group};Sigtede;{suspects}")
                lines.append(f"{year};{band};{group};Sigtelser;{suspects * CHARGES_PER_SUSPECT}")
    return "\n".join(lines) + "\n"


def _survey_csv(year: int) -> str:
    lines = ["År;Spørgsmål;Andel;Besvarelser;Mål"]
    lines += [f"{year};{text};{share};{count};{goal}" for text, share, count, goal in SURVEY]
    return "\n".join(lines) + "\n"


def seed_effect(municipality: Municipality) -> None:
    """Import the demo figures once (nothing when the municipality has police figures)."""
    coordinator = User.objects.filter(
        username=DEMO_COORDINATOR, member__municipality=municipality
    ).first()
    if coordinator is None or CrimeFigure.objects.filter(municipality=municipality).exists():
        return
    last_year = timezone.localdate().year - 1
    for filename, text in (
        ("politiets-tal.csv", _police_csv(last_year - 4)),
        ("ungeprofil.csv", _survey_csv(last_year - 1)),
    ):
        result = effect.import_effect(
            actor_user=coordinator, filename=filename, content=text.encode("utf-8")
        )
        if not result.ok:  # pragma: no cover - the demo files are valid
            raise RuntimeError(f"demo effect import failed: {result.errors[:3]}")
