"""An annual plan as a file (R7, København's "årsplan"): Excel (one row per activity) and PDF
(WeasyPrint, `prevention/plan_pdf.html`).

The plan holds no personal data (groups, classes, places and numbers; its free text was
checked when it was saved); the responsible person is named, since SSP staff and the fora's
members are not the children the platform protects. The activities are read through
`visible_activities`, and at most `EXPORT_MAX_ACTIVITIES` of them (a plan has a few dozen).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, time

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ssp.access import Actor
from ssp.prevention import access as prevention_access
from ssp.prevention.models import Activity, AnnualPlan
from ssp.spreadsheets import safe_row

EXPORT_MAX_ACTIVITIES = 1000


@dataclass(frozen=True)
class PlanExport:
    plan: AnnualPlan
    activities: list[Activity]
    truncated: bool  # the plan has more than EXPORT_MAX_ACTIVITIES activities


def plan_export(actor: Actor, plan: AnnualPlan) -> PlanExport:
    """The plan's activities by date, with what the rows name joined (one query)."""
    found = list(
        prevention_access.visible_activities(actor)
        .filter(plan=plan)
        .select_related("focus_area", "intervention", "unit", "responsible")
        .order_by("starts_on", "start_time", "pk")[: EXPORT_MAX_ACTIVITIES + 1]
    )
    return PlanExport(
        plan=plan,
        activities=found[:EXPORT_MAX_ACTIVITIES],
        truncated=len(found) > EXPORT_MAX_ACTIVITIES,
    )


def filename(plan: AnnualPlan, extension: str) -> str:
    """ "aarsplan-lokal-ssp-oest-2026-27.xlsx": ASCII only (the forum's key is a slug)."""
    year = plan.school_year_label.replace("/", "-")
    return f"aarsplan-{plan.forum.key}-{year}.{extension}"


def _headers() -> list[str]:
    return [
        _("Fra dato"),
        _("Til dato"),
        _("Fra kl."),
        _("Til kl."),
        _("Aktivitet"),
        _("Type"),
        _("Fokusområde"),
        _("Mål"),
        _("Målgruppe"),
        _("Klassetrin"),
        _("Skole eller sted"),
        _("Ansvarlig"),
        _("Samarbejdspartnere"),
        _("Indsats fra kataloget"),
        _("Status"),
        _("Antal nået"),
        _("Hvad virkede"),
        _("Hvad nu"),
    ]


def place_of(activity: Activity) -> str:
    """The school or unit and the place, as one text ("Østskolen, gymnastiksalen")."""
    return ", ".join(part for part in (str(activity.unit or ""), activity.place) if part)


def _row(activity: Activity) -> list[date | time | str | int | None]:
    return [
        activity.starts_on,
        activity.ends_on,
        activity.start_time,
        activity.end_time,
        activity.title,
        str(activity.get_kind_display()),
        activity.focus_area.title if activity.focus_area else "",
        activity.goal,
        activity.target_group,
        activity.classes,
        place_of(activity),
        activity.responsible.name if activity.responsible else "",
        activity.partners,
        activity.intervention.name if activity.intervention else "",
        str(activity.get_status_display()),
        activity.reached,
        activity.what_worked,
        activity.what_next,
    ]


# Column widths (characters) of the sheet, in the order of `_headers`.
WIDTHS = (11, 11, 8, 8, 30, 16, 20, 40, 24, 12, 24, 22, 24, 24, 12, 10, 40, 40)


def plan_xlsx(export: PlanExport) -> bytes:
    plan = export.plan
    workbook = Workbook()
    sheet = workbook.active
    if sheet is None:
        raise RuntimeError("a new workbook has an active sheet")
    sheet.title = _("Årsplan %(year)s") % {"year": plan.school_year_label.replace("/", "-")}
    sheet.append(_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for activity in export.activities:
        sheet.append(safe_row(_row(activity)))
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row[:2]:
            cell.number_format = "DD-MM-YYYY"
        for cell in row[2:4]:
            cell.number_format = "HH:MM"
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def plan_pdf(export: PlanExport) -> bytes:
    from weasyprint import HTML  # heavy: loaded when a PDF is asked for

    html = render_to_string(
        "prevention/plan_pdf.html",
        {
            "plan": export.plan,
            "rows": [(activity, place_of(activity)) for activity in export.activities],
            "truncated": export.truncated,
            "limit": EXPORT_MAX_ACTIVITIES,
            "printed_at": timezone.localtime(),
        },
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
