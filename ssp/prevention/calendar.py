"""The activities calendar (R7, Høje-Taastrup): one calendar of the municipality's talks,
teaching, parent evenings, theme days and outreach, with double bookings warned, and an
iCalendar feed for Outlook.

A double booking is two activities on overlapping dates (and overlapping times when both have
times; an activity without times takes the whole day) that have the same responsible person,
or the same school or place with overlapping classes (two activities at the same place without
classes count as the same class). `conflicts` answers for one activity being saved (the
services call it); `double_bookings` for every activity of a calendar window at once.

Reads go through `access.visible_activities`, except `conflicts`, which the services call with
the municipality of an activity the actor may already change.
"""

from __future__ import annotations

import calendar as std_calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import combinations

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from ssp.access import Actor, municipality_of, visible_fora
from ssp.organisation.models import Forum, Unit
from ssp.prevention import access
from ssp.prevention.models import Activity, ActivityKind, AnnualPlan

CONFLICTS_MAX = 10  # double bookings named for one activity
CALENDAR_MAX = 300  # activities shown for one month (the rest: narrow with the filters)
FORUM_CHOICES_MAX = 200  # fora with a plan in the school year, offered as a filter
UNIT_CHOICES_MAX = 200  # schools and places with activities in the month
DOUBLE_BOOKING_SCAN_MAX = 2000  # activities compared for the double bookings of a window
FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 365
FEED_ACTIVITIES_MAX = 500
YEAR_MIN = 1900
# An activity belongs to a school year's plan, so none runs longer than this: the date reads
# look back this far only, which keeps their index range to about a year (not all history).
LONGEST_ACTIVITY = timedelta(days=400)
YEAR_MAX = 2100


def school_year_of(day: date) -> int:
    """The year a school year begins: 1 Aug 2026 .. 31 Jul 2027 is 2026."""
    return day.year if day.month >= 8 else day.year - 1


# --- Double bookings ----------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """Another activity the one being saved (or shown) is double booked with, and why
    ("samme ansvarlige", "samme klasse")."""

    activity: Activity
    reason: str


@dataclass(frozen=True)
class _Slot:
    """What double booking compares of an activity."""

    pk: int | None
    starts_on: date
    ends_on: date
    start_time: time | None
    end_time: time | None
    responsible_id: int | None
    unit_id: int | None
    class_from: int | None
    class_to: int | None

    @classmethod
    def of(cls, activity: Activity) -> _Slot:
        return cls(
            activity.pk,
            activity.starts_on,
            activity.ends_on,
            activity.start_time,
            activity.end_time,
            activity.responsible_id,
            activity.unit_id,
            activity.class_from,
            activity.class_to,
        )

    @property
    def classes(self) -> tuple[int, int] | None:
        """(lowest, highest) class, or None without classes."""
        low = self.class_from if self.class_from is not None else self.class_to
        high = self.class_to if self.class_to is not None else self.class_from
        if low is None or high is None:
            return None
        return low, high


def _times_overlap(a: _Slot, b: _Slot) -> bool:
    """Daily times: a missing start is the start of the day, a missing end its end."""
    a_start, a_end = a.start_time or time.min, a.end_time or time.max
    b_start, b_end = b.start_time or time.min, b.end_time or time.max
    return a_start < b_end and b_start < a_end


def _same_class(a: _Slot, b: _Slot) -> bool:
    if a.unit_id is None or a.unit_id != b.unit_id:
        return False
    ours, theirs = a.classes, b.classes
    if ours is None or theirs is None:
        return ours is None and theirs is None
    return ours[0] <= theirs[1] and theirs[0] <= ours[1]


def _reasons(a: _Slot, b: _Slot) -> list[str]:
    """Why a and b are double booked (empty: they are not)."""
    if a.starts_on > b.ends_on or b.starts_on > a.ends_on or not _times_overlap(a, b):
        return []
    reasons = []
    if a.responsible_id is not None and a.responsible_id == b.responsible_id:
        reasons.append(_("samme ansvarlige"))
    if _same_class(a, b):
        reasons.append(_("samme klasse"))
    return reasons


def _overlapping_q(slot: _Slot) -> Q:
    """Activities overlapping the slot in dates, and in times when both have times."""
    q = Q(
        starts_on__lte=slot.ends_on,
        starts_on__gte=slot.starts_on - LONGEST_ACTIVITY,
        ends_on__gte=slot.starts_on,
    )
    if slot.end_time is not None:
        q &= Q(start_time__isnull=True) | Q(start_time__lt=slot.end_time)
    if slot.start_time is not None:
        q &= Q(end_time__isnull=True) | Q(end_time__gt=slot.start_time)
    return q


def _classes_q(slot: _Slot) -> Q:
    classes = slot.classes
    if classes is None:
        return Q(class_from__isnull=True, class_to__isnull=True)
    low, high = classes
    return (Q(class_from__lte=high) | Q(class_from__isnull=True, class_to__lte=high)) & (
        Q(class_to__gte=low) | Q(class_to__isnull=True, class_from__gte=low)
    )


def conflicts(
    *,
    municipality_id: int,
    starts_on: date,
    ends_on: date,
    start_time: time | None,
    end_time: time | None,
    responsible_id: int | None,
    unit_id: int | None,
    class_from: int | None,
    class_to: int | None,
    exclude_pk: int | None = None,
) -> list[Conflict]:
    """The municipality's activities double booked with this one (the first CONFLICTS_MAX by
    date): two indexed reads, by the responsible person (`activity_responsible`) and by the
    municipality's dates (`activity_calendar`)."""
    slot = _Slot(
        exclude_pk,
        starts_on,
        ends_on,
        start_time,
        end_time,
        responsible_id,
        unit_id,
        class_from,
        class_to,
    )
    overlapping = Activity.objects.filter(_overlapping_q(slot), municipality_id=municipality_id)
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    found: dict[int, Activity] = {}
    if responsible_id is not None:
        same_person = overlapping.filter(responsible_id=responsible_id)
        found.update((a.pk, a) for a in _first(same_person))
    if unit_id is not None:
        same_class = overlapping.filter(_classes_q(slot), unit_id=unit_id)
        found.update((a.pk, a) for a in _first(same_class))
    ordered = sorted(found.values(), key=lambda a: (a.starts_on, a.pk))[:CONFLICTS_MAX]
    return [
        Conflict(activity, ", ".join(_reasons(slot, _Slot.of(activity)))) for activity in ordered
    ]


def _first(activities: QuerySet[Activity]) -> list[Activity]:
    return list(activities.select_related("unit").order_by("starts_on", "pk")[:CONFLICTS_MAX])


def double_bookings(activities: Sequence[Activity]) -> dict[int, list[Conflict]]:
    """The double bookings of each of these activities (one municipality's, as a calendar
    window shows them), keyed by activity id: one query for every activity overlapping their
    dates, compared in memory per person and per place."""
    if not activities:
        return {}
    first = min(a.starts_on for a in activities)
    last = max(a.ends_on for a in activities)
    municipality_ids = {a.municipality_id for a in activities}
    others = list(
        Activity.objects.filter(
            municipality_id__in=municipality_ids,
            starts_on__lte=last,
            starts_on__gte=first - LONGEST_ACTIVITY,
            ends_on__gte=first,
        )
        .only(
            "title",
            "kind",
            "starts_on",
            "ends_on",
            "start_time",
            "end_time",
            "responsible_id",
            "unit_id",
            "class_from",
            "class_to",
            "municipality_id",
            "plan_id",
        )
        .order_by("starts_on", "pk")[:DOUBLE_BOOKING_SCAN_MAX]
    )
    by_pk = {a.pk: a for a in others}
    for activity in activities:  # the shown ones always take part
        by_pk.setdefault(activity.pk, activity)
    groups: defaultdict[tuple[str, int], list[Activity]] = defaultdict(list)
    for activity in by_pk.values():
        if activity.responsible_id is not None:
            groups[("person", activity.responsible_id)].append(activity)
        if activity.unit_id is not None:
            groups[("unit", activity.unit_id)].append(activity)
    found: defaultdict[int, dict[int, list[str]]] = defaultdict(dict)
    for group in groups.values():
        for a, b in combinations(group, 2):
            reasons = _reasons(_Slot.of(a), _Slot.of(b))
            if reasons:
                found[a.pk][b.pk] = reasons
                found[b.pk][a.pk] = reasons
    shown = {a.pk for a in activities}
    return {
        pk: [
            Conflict(by_pk[other], ", ".join(reasons))
            for other, reasons in sorted(
                others_of.items(), key=lambda kv: (by_pk[kv[0]].starts_on, kv[0])
            )
        ][:CONFLICTS_MAX]
        for pk, others_of in found.items()
        if pk in shown
    }


def conflict_text(conflict: Conflict) -> str:
    """ "samme ansvarlige: Oplæg om sociale medier (3.12.2026)"."""
    return _("%(reason)s: %(title)s (%(date)s)") % {
        "reason": conflict.reason,
        "title": conflict.activity.title,
        "date": f"{conflict.activity.starts_on:%d.%m.%Y}".lstrip("0"),
    }


# --- The calendar page --------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: object, *, today: date) -> Month:
        """ "2026-12" (?maaned=); anything else, or a year outside 1900-2100, is this month."""
        value = str(text or "").strip()
        year_text, _dash, month_text = value.partition("-")
        if (
            len(year_text) == 4
            and year_text.isdecimal()
            and month_text.isdecimal()
            and len(month_text) <= 2
        ):
            year, month = int(year_text), int(month_text)
            if YEAR_MIN <= year <= YEAR_MAX and 1 <= month <= 12:
                return cls(year, month)
        return cls(today.year, today.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, std_calendar.monthrange(self.year, self.month)[1])

    @property
    def previous(self) -> Month | None:
        if self.month == 1:
            return Month(self.year - 1, 12) if self.year > YEAR_MIN else None
        return Month(self.year, self.month - 1)

    @property
    def next(self) -> Month | None:
        if self.month == 12:
            return Month(self.year + 1, 1) if self.year < YEAR_MAX else None
        return Month(self.year, self.month + 1)

    @property
    def param(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class CalendarFilter:
    month: Month
    forum_id: int | None = None
    area: bool = False  # the forum's area: its child fora and the schools of its district
    unit_id: int | None = None
    kind: str = ""

    @classmethod
    def from_values(
        cls,
        *,
        today: date,
        month: object = "",
        forum: object = "",
        area: object = "",
        unit: object = "",
        kind: object = "",
    ) -> CalendarFilter:
        """From query parameters: what does not parse is left out."""
        kind_text = str(kind or "")
        forum_id = _positive_int(forum)
        return cls(
            month=Month.parse(month, today=today),
            forum_id=forum_id,
            area=forum_id is not None and str(area) in {"1", "on", "true"},
            unit_id=_positive_int(unit),
            kind=kind_text if kind_text in ActivityKind.values else "",
        )

    def query(self, **changes: object) -> dict[str, str]:
        """The query parameters of this filter (for links), with changes."""
        values = {
            "maaned": self.month.param,
            "forum": "" if self.forum_id is None else str(self.forum_id),
            "omraade": "1" if self.area else "",
            "enhed": "" if self.unit_id is None else str(self.unit_id),
            "type": self.kind,
        }
        values.update({key: str(value) for key, value in changes.items()})
        return {key: value for key, value in values.items() if value}


def _positive_int(value: object) -> int | None:
    text = str(value or "")
    if not text.isdecimal() or len(text) > 9:
        return None
    number = int(text)
    return number if number > 0 else None


def area_q(forum: Forum) -> Q:
    """A forum's area: activities of its plans and its child fora's plans, and activities at
    the schools and places of its school district (when it has one)."""
    q = Q(plan__forum_id=forum.pk) | Q(plan__forum__parent_id=forum.pk)
    if forum.school_district_id is not None:
        q |= Q(unit__school_district_id=forum.school_district_id)
    return q


def in_window(activities: QuerySet[Activity], first: date, last: date) -> QuerySet[Activity]:
    """Activities on any day from `first` to `last` (both included), by date."""
    return activities.filter(
        starts_on__lte=last, starts_on__gte=first - LONGEST_ACTIVITY, ends_on__gte=first
    ).order_by("starts_on", "start_time", "pk")


@dataclass(frozen=True)
class CalendarRow:
    activity: Activity
    double_bookings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CalendarDay:
    day: date
    rows: list[CalendarRow]


@dataclass(frozen=True)
class CalendarPage:
    days: list[CalendarDay]
    count: int  # rows shown
    more: bool  # more activities than shown: narrow with the filters
    forum: Forum | None  # the forum filtered by


def calendar_page(actor: Actor, search: CalendarFilter) -> CalendarPage:
    """The month's activities the actor may see, filtered, grouped by their first day, each
    with its double bookings (a fixed number of queries)."""
    found = access.visible_activities(actor)
    forum = _forum(actor, search.forum_id)
    if search.forum_id is not None:
        if forum is None:
            found = found.none()
        elif search.area:
            found = found.filter(area_q(forum))
        else:
            found = found.filter(plan__forum_id=forum.pk)
    if search.unit_id is not None:
        found = found.filter(unit_id=search.unit_id)
    if search.kind:
        found = found.filter(kind=search.kind)
    window = list(
        in_window(found, search.month.first, search.month.last).select_related(
            "plan__forum", "unit", "responsible"
        )[: CALENDAR_MAX + 1]
    )
    shown = window[:CALENDAR_MAX]
    booked = double_bookings(shown)
    days: list[CalendarDay] = []
    for activity in shown:
        row = CalendarRow(activity, [conflict_text(c) for c in booked.get(activity.pk, [])])
        # An activity begun before the month is listed on the month's first day.
        day = max(activity.starts_on, search.month.first)
        if days and days[-1].day == day:
            days[-1].rows.append(row)
        else:
            days.append(CalendarDay(day, [row]))
    return CalendarPage(days=days, count=len(shown), more=len(window) > CALENDAR_MAX, forum=forum)


def _forum(actor: Actor, forum_id: int | None) -> Forum | None:
    if forum_id is None or not access.can_see_prevention(actor):
        return None
    return visible_fora(actor).filter(pk=forum_id, municipality_id=municipality_of(actor)).first()


def forum_choices(actor: Actor, month: Month) -> list[tuple[int, str]]:
    """The fora with a plan for the month's school year (the forum filter), by name."""
    plans: QuerySet[AnnualPlan] = access.visible_plans(actor).filter(
        school_year=school_year_of(month.first)
    )
    rows = plans.order_by("forum__name", "forum_id").values_list("forum_id", "forum__name")
    return list(rows[:FORUM_CHOICES_MAX])


def unit_choices(actor: Actor, month: Month) -> list[tuple[int, str]]:
    """The schools and places with activities in the month (the place filter), by name."""
    found = in_window(access.visible_activities(actor), month.first, month.last).filter(
        unit__isnull=False
    )
    units = Unit.objects.filter(pk__in=found.values("unit_id")).order_by("name", "pk")
    return list(units.values_list("pk", "name")[:UNIT_CHOICES_MAX])


# --- The iCalendar feed ---------------------------------------------------------------------


def feed_activities(actor: Actor, *, today: date) -> QuerySet[Activity]:
    """The activities of the actor's feed: the last 30 days and the coming year."""
    first = today - timedelta(days=FEED_PAST_DAYS)
    last = today + timedelta(days=FEED_FUTURE_DAYS)
    return in_window(access.visible_activities(actor), first, last)


def _description(activity: Activity) -> str:
    """Kind, classes, target group, forum: never a person's name."""
    parts = [activity.get_kind_display(), activity.classes, activity.plan.forum.name]
    return "\n".join(part for part in parts if part)


def _location(activity: Activity) -> str:
    names = [activity.unit.name if activity.unit is not None else "", activity.place]
    return ", ".join(name for name in names if name)


def activity_feed(request: HttpRequest, activities: Iterable[Activity], name: str) -> bytes:
    """An iCalendar of the activities: title, kind, classes, school or place, forum, and the
    date or times. No names of anyone (not even the responsible's)."""
    cal = Calendar()
    cal.add("prodid", "-//SSP-platformen//DA")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    query = activities
    if isinstance(query, QuerySet):
        query = query.select_related("plan__forum", "unit")[:FEED_ACTIVITIES_MAX]
    for activity in list(query)[:FEED_ACTIVITIES_MAX]:
        event = Event()
        event.add("uid", f"activity-{activity.pk}@ssp")
        event.add("summary", activity.title)
        if activity.start_time is not None:
            start = timezone.make_aware(datetime.combine(activity.starts_on, activity.start_time))
            end = (
                timezone.make_aware(datetime.combine(activity.ends_on, activity.end_time))
                if activity.end_time is not None
                else None
            )
            event.add("dtstart", start)
            event.add(
                "dtend", end if end is not None and end > start else start + timedelta(hours=1)
            )
        else:
            event.add("dtstart", activity.starts_on)
            event.add("dtend", activity.ends_on + timedelta(days=1))  # exclusive
        description = _description(activity)
        if description:
            event.add("description", description)
        location = _location(activity)
        if location:
            event.add("location", location)
        event.add("categories", [activity.get_kind_display()])
        event.add(
            "url", request.build_absolute_uri(reverse("prevention:activity", args=[activity.pk]))
        )
        cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical
