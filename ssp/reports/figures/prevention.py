"""The annual report's prevention figures (R7, R8): activities done by focus area and by step of
the intervention staircase, participants reached, evaluations made, and the follow-up on each
focus area of the year (Faxe's "opfølgning på vedtagne indsatsområder").

What counts:
- an activity is done in the year when its status is done or evaluated and it took place in the
  year (its `starts_on`); "evaluated" counts those with status evaluated;
- "reached" is the sum of the activities' `reached` (the participants at talks, teaching, parent
  evenings; an activity without the number counts 0);
- by step, an activity counts on every step of its intervention (an intervention may stand on
  more than one step), so the rows do not add up and the table has no total; activities without
  an intervention are "uden indsats".

None of these tables counts children, young people or cases as persons: activities are events,
and `reached` counts participants in a room, mostly whole classes, never registered children.
They are `counts_people=False` (shown as they are, not suppressed).

Every table is built with a constant number of aggregate queries, whatever the volume; the rows
are bounded (`ROWS_MAX` focus areas, then one "øvrige" row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from ssp.prevention.models import (
    Activity,
    ActivityStatus,
    FocusArea,
    Project,
    StaircaseStep,
)
from ssp.reports.tables import Table

# At most this many focus areas get a row of their own; the rest share one "øvrige" row.
ROWS_MAX = 50

# Group keys of the rows that are not a focus area or a step.
_NONE = -1  # no focus area / no intervention
_OTHERS = -2  # beyond ROWS_MAX
_NO_STEP = -3  # an intervention on no step

DONE_STATUSES = (ActivityStatus.DONE, ActivityStatus.EVALUATED)


@dataclass
class _Counts:
    activities: int = 0
    reached: int = 0
    evaluated: int = 0

    def row(self) -> list[int]:
        return [self.activities, self.reached, self.evaluated]


def _columns() -> list[str]:
    return [_("Aktiviteter gennemført"), _("Deltagere nået"), _("Evalueret")]


def done_in_year(municipality_id: int, year: int) -> QuerySet[Activity]:
    """The municipality's activities done (or evaluated) that took place in the year."""
    return Activity.objects.filter(
        municipality_id=municipality_id,
        status__in=DONE_STATUSES,
        starts_on__gte=date(year, 1, 1),
        starts_on__lte=date(year, 12, 31),
    )


_EVALUATED = Q(status=ActivityStatus.EVALUATED)


def by_focus_area(municipality_id: int, year: int) -> Table:
    activities = done_in_year(municipality_id, year)
    top = list(
        FocusArea.objects.filter(municipality_id=municipality_id)
        .annotate(done=Count("activities", filter=Q(activities__in=activities)))
        .filter(done__gt=0)
        .order_by("-done", "title", "pk")
        .values_list("pk", "title")[:ROWS_MAX]
    )
    top_ids = [pk for pk, _title in top]
    grouped = {
        row["group"]: _Counts(row["activities"], row["reached"], row["evaluated"])
        for row in activities.annotate(
            group=Case(
                When(focus_area_id__in=top_ids, then="focus_area_id"),
                When(focus_area__isnull=True, then=Value(_NONE)),
                default=Value(_OTHERS),
                output_field=IntegerField(),
            )
        )
        .order_by()
        .values("group")
        .annotate(
            activities=Count("pk"),
            reached=Coalesce(Sum("reached"), 0),
            evaluated=Count("pk", filter=_EVALUATED),
        )
    }
    rows = sorted(top, key=lambda row: (row[1].casefold(), row[0]))
    labels = [title for _pk, title in rows]
    cells = [grouped.get(pk, _Counts()).row() for pk, _title in rows]
    if _OTHERS in grouped:
        labels.append(_("Øvrige fokusområder"))
        cells.append(grouped[_OTHERS].row())
    labels.append(_("Uden fokusområde"))
    cells.append(grouped.get(_NONE, _Counts()).row())
    return Table(
        key="prevention_by_focus_area",
        title=_("Forebyggende aktiviteter efter fokusområde"),
        row_labels=labels,
        column_labels=_columns(),
        cells=cells,
        counts_people=False,
        note=_(
            "Aktiviteter med status gennemført eller evalueret, der fandt sted i året. "
            "Deltagere nået er antallet af deltagere, aktiviteterne oplyser."
        ),
    )


def by_step(municipality_id: int, year: int) -> Table:
    steps = list(
        StaircaseStep.objects.filter(municipality_id=municipality_id)
        .order_by("number")
        .values_list("pk", "number", "goal")
    )
    grouped: dict[int, _Counts] = {}
    for row in (
        done_in_year(municipality_id, year)
        .annotate(
            group=Case(
                When(intervention__isnull=True, then=Value(_NONE)),
                When(intervention__steps__isnull=True, then=Value(_NO_STEP)),
                default="intervention__steps__pk",
                output_field=IntegerField(),
            )
        )
        .order_by()
        .values("group")
        .annotate(
            activities=Count("pk"),
            reached=Coalesce(Sum("reached"), 0),
            evaluated=Count("pk", filter=_EVALUATED),
        )
    ):
        grouped[row["group"]] = _Counts(row["activities"], row["reached"], row["evaluated"])
    labels = [
        _("Trin %(number)s: %(goal)s") % {"number": n, "goal": goal} for _pk, n, goal in steps
    ]
    cells = [grouped.get(pk, _Counts()).row() for pk, _n, _goal in steps]
    if _NO_STEP in grouped:
        labels.append(_("Indsats uden trin"))
        cells.append(grouped[_NO_STEP].row())
    labels.append(_("Uden indsats"))
    cells.append(grouped.get(_NONE, _Counts()).row())
    return Table(
        key="prevention_by_step",
        title=_("Forebyggende aktiviteter efter trin på indsatstrappen"),
        row_labels=labels,
        column_labels=_columns(),
        cells=cells,
        counts_people=False,
        total_row=False,
        note=_(
            "En aktivitet tælles på hvert trin, dens indsats fra kataloget står på; "
            "derfor er der ingen sum."
        ),
    )


def focus_area_follow_up(municipality_id: int, year: int) -> Table:
    """Each focus area whose period touches the year: its activities done in the year, the
    participants reached, and its projects running in the year."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    areas = FocusArea.objects.filter(
        municipality_id=municipality_id, starts_on__lte=last, ends_on__gte=first
    )
    shown = list(
        areas.order_by("starts_on", "title", "pk").values_list(
            "pk", "title", "starts_on", "ends_on"
        )[:ROWS_MAX]
    )
    shown_ids = [row[0] for row in shown]

    def group() -> Case:
        return Case(
            When(focus_area_id__in=shown_ids, then="focus_area_id"),
            default=Value(_OTHERS),
            output_field=IntegerField(),
        )

    activities = {
        row["group"]: (row["activities"], row["reached"])
        for row in done_in_year(municipality_id, year)
        .filter(focus_area__in=areas)
        .annotate(group=group())
        .order_by()
        .values("group")
        .annotate(activities=Count("pk"), reached=Coalesce(Sum("reached"), 0))
    }
    projects = {
        row["group"]: row["projects"]
        for row in Project.objects.filter(
            municipality_id=municipality_id,
            focus_area__in=areas,
            starts_on__lte=last,
            ends_on__gte=first,
        )
        .annotate(group=group())
        .order_by()
        .values("group")
        .annotate(projects=Count("pk"))
    }
    labels = [
        _("%(title)s (%(start)s–%(end)s)")
        % {"title": title, "start": _day(start), "end": _day(end)}
        for _pk, title, start, end in shown
    ]
    keys = [*shown_ids]
    if len(shown) == ROWS_MAX and (_OTHERS in activities or _OTHERS in projects):
        labels.append(_("Øvrige fokusområder"))
        keys.append(_OTHERS)
    cells = [[*activities.get(key, (0, 0)), projects.get(key, 0)] for key in keys]
    return Table(
        key="prevention_focus_area_follow_up",
        title=_("Opfølgning på fokusområderne"),
        row_labels=labels,
        column_labels=[_("Aktiviteter gennemført"), _("Deltagere nået"), _("Projekter")],
        cells=cells,
        counts_people=False,
        note=_(
            "Fokusområder, hvis periode ligger helt eller delvist i året; aktiviteter "
            "gennemført i året og projekter, der løb i året."
        ),
    )


def _day(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def tables(municipality_id: int, year: int) -> list[Table]:
    return [
        by_focus_area(municipality_id, year),
        by_step(municipality_id, year),
        focus_area_follow_up(municipality_id, year),
    ]
