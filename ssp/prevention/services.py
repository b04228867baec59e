"""The prevention work's services (R7): the catalogue of interventions, focus areas, annual
plans and their activities.

Every service re-checks its `can_<action>`, keeps the records it refers to inside the actor's
municipality, refuses personal data in the free text (`check_texts`, on
`ssp/cases/personal_data.py`) and writes its audit event in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp import access
from ssp.audit.models import AuditAction, AuditEvent
from ssp.audit.services import record_event
from ssp.cases import selectors as case_selectors
from ssp.cases.personal_data import find_personal_data
from ssp.errors import DomainError
from ssp.organisation.models import Forum, ForumType, Member, Unit
from ssp.prevention import access as prevention_access
from ssp.prevention.models import (
    AGE_MAX,
    AGE_MIN,
    CLASS_MAX,
    CLASS_MIN,
    REACHED_MAX,
    SCHOOL_YEAR_MAX,
    SCHOOL_YEAR_MIN,
    Activity,
    ActivityKind,
    ActivityStatus,
    AnnualPlan,
    FocusArea,
    Intervention,
    PlanStatus,
    StaircaseStep,
)
from ssp.validation import EARLIEST_DATE, LATEST_DATE
from ssp.versioning import StaleEdit, save_versioned

if TYPE_CHECKING:
    from ssp.meetings.models import AgendaItem
    from ssp.prevention.calendar import Conflict

SCHOOL_YEAR_START_MONTH = 8  # a school year runs from 1 August to 31 July

# The free-text fields checked for personal data, in the order the form shows them.
FREE_TEXT_FIELDS = (
    "name",
    "target_group",
    "description",
    "how_to_refer",
    "capacity",
    "material",
)
SAVED_FIELDS = (
    "name",
    "age_min",
    "age_max",
    "target_group",
    "description",
    "provider_unit_id",
    "contact_id",
    "how_to_refer",
    "capacity",
    "material",
    "active",
)


@dataclass
class InterventionData:
    """What a form or the API gives to create or change an intervention."""

    name: str
    step_ids: list[int] = field(default_factory=list)
    age_min: int | None = None
    age_max: int | None = None
    target_group: str = ""
    description: str = ""
    provider_unit_id: int | None = None
    contact_id: int | None = None
    how_to_refer: str = ""
    capacity: str = ""
    material: str = ""
    active: bool = True


class PersonalDataFound(DomainError):
    """The free text holds personal data: the kinds found and the fields they were found in
    (never the text itself: a name must not be echoed to anyone testing names). `fields` are the
    form fields' names when the caller gave them (else the labels), `labels` the labels."""

    def __init__(self, message: str, *, fields: list[str], labels: list[str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields
        self.labels = labels if labels is not None else list(fields)


def check_texts(
    actor: access.Actor,
    municipality_id: int,
    texts: Mapping[str, str],
    *,
    names: Mapping[str, str] | None = None,
    message: str | None = None,
) -> None:
    """Refuse personal data in free text meant for everyone in the municipality: CPR-like
    numbers, e-mail addresses and phone numbers from everyone, and registered young people's
    names from authority persons only (for anyone else a refusal would tell whether a name is
    registered, so their text is treated exactly like text with an unregistered name).

    `texts` maps a field's label to its text; `names` optionally maps a label to the form
    field's name (for marking the fields on the form); `message` replaces the opening sentence
    of the refusal. Raises `PersonalDataFound` naming the kinds and the labels, never the text.
    """
    registered = (
        case_selectors.registered_names(municipality_id)
        if prevention_access.checks_registered_names(actor)
        else []
    )
    kinds: set[str] = set()
    labels_found: list[str] = []
    for label, text in texts.items():
        if not text:
            continue
        findings = find_personal_data(str(text), names=registered)
        if findings:
            kinds.update(str(finding.kind.label) for finding in findings)
            labels_found.append(label)
    if not labels_found:
        return
    opening = message or _("Forebyggelsesarbejdet må ikke indeholde personoplysninger.")
    raise PersonalDataFound(
        _(
            "%(opening)s Fundet: %(kinds)s i %(fields)s. "
            "Skriv om grupper, klasser og steder, ikke om personer."
        )
        % {
            "opening": opening,
            "kinds": ", ".join(sorted(kinds)),
            "fields": ", ".join(f"«{label}»" for label in labels_found),
        },
        fields=[(names or {}).get(label, label) for label in labels_found],
        labels=labels_found,
    )


def _labelled(model: type[Model], data: object, field_names: Iterable[str]) -> dict[str, str]:
    """{label: text} of `data`'s free-text fields, labelled by the model's verbose names."""
    return {_model_label(model, name): str(getattr(data, name) or "") for name in field_names}


def _names_by_label(model: type[Model], field_names: Iterable[str]) -> dict[str, str]:
    return {_model_label(model, name): name for name in field_names}


def _model_label(model: type[Model], name: str) -> str:
    model_field = model._meta.get_field(name)
    return str(getattr(model_field, "verbose_name", name))


def check_free_text(actor: access.Actor, data: InterventionData, municipality_id: int) -> None:
    """The catalogue's check (`check_texts` over the intervention's free-text fields)."""
    check_texts(
        actor,
        municipality_id,
        _labelled(Intervention, data, FREE_TEXT_FIELDS),
        names=_names_by_label(Intervention, FREE_TEXT_FIELDS),
        message=_("Kataloget må ikke indeholde personoplysninger."),
    )


def _validated(
    actor_user: User, data: InterventionData
) -> tuple[access.Actor, int, list[StaircaseStep]]:
    """The actor, its municipality and the chosen steps, or a DomainError in Danish."""
    actor = access.get_actor(actor_user)
    if not prevention_access.can_manage_catalogue(actor):
        raise DomainError(_("Kun SSP-medarbejdere kan oprette og rette indsatser."))
    municipality_id = access.municipality_of(actor)
    name = data.name.strip()
    if not name:
        raise DomainError(_("Indsatsen skal have et navn."))
    data.name = name
    for age in (data.age_min, data.age_max):
        if age is not None and not AGE_MIN <= age <= AGE_MAX:
            raise DomainError(
                _("En alder skal ligge mellem %(low)s og %(high)s år.")
                % {"low": AGE_MIN, "high": AGE_MAX}
            )
    if data.age_min is not None and data.age_max is not None and data.age_min > data.age_max:
        raise DomainError(_("'Fra alder' skal være mindre end eller lig med 'Til alder'."))
    step_ids = sorted(set(data.step_ids))
    if not step_ids:
        raise DomainError(_("Vælg mindst ét trin på indsatstrappen."))
    steps = list(StaircaseStep.objects.filter(municipality_id=municipality_id, pk__in=step_ids))
    if len(steps) != len(step_ids):
        raise DomainError(_("Et af trinnene hører ikke til kommunens indsatstrappe."))
    if (
        data.provider_unit_id is not None
        and not Unit.objects.filter(
            pk=data.provider_unit_id, municipality_id=municipality_id
        ).exists()
    ):
        raise DomainError(_("Udbyderen skal være en enhed i kommunen."))
    if (
        data.contact_id is not None
        and not Member.objects.filter(pk=data.contact_id, municipality_id=municipality_id).exists()
    ):
        raise DomainError(_("Kontaktpersonen skal være en person i kommunen."))
    check_free_text(actor, data, municipality_id)
    return actor, municipality_id, steps


def _name_taken(municipality_id: int, name: str, *, other_than: int | None = None) -> bool:
    taken = Intervention.objects.filter(municipality_id=municipality_id, name__iexact=name)
    if other_than is not None:
        taken = taken.exclude(pk=other_than)
    return taken.exists()


def _name_taken_error() -> DomainError:
    return DomainError(_("Kataloget har allerede en indsats med det navn. Vælg et andet navn."))


@transaction.atomic
def create_intervention(*, actor_user: User, data: InterventionData) -> Intervention:
    """A new intervention in the actor's municipality's catalogue."""
    _actor, municipality_id, steps = _validated(actor_user, data)
    if _name_taken(municipality_id, data.name):
        raise _name_taken_error()
    values = {name: getattr(data, name) for name in SAVED_FIELDS}
    try:
        with transaction.atomic():  # a savepoint: a race on the name is a clear error
            intervention = Intervention.objects.create(municipality_id=municipality_id, **values)
    except IntegrityError as error:
        raise _name_taken_error() from error
    intervention.steps.set(steps)
    record_event(
        actor=actor_user,
        action=AuditAction.INTERVENTION_CREATED,
        obj=intervention,
        municipality_id=municipality_id,
    )
    return intervention


@transaction.atomic
def update_intervention(
    *,
    actor_user: User,
    intervention: Intervention,
    data: InterventionData,
    expected_version: int,
) -> Intervention:
    """Change an intervention; no lost update: saved only if the stored version is still
    `expected_version` (else `StaleEdit` with what the other person saved)."""
    _actor, municipality_id, steps = _validated(actor_user, data)
    if intervention.municipality_id != municipality_id:
        raise DomainError(_("Indsatsen findes ikke i kommunens katalog."))
    if _name_taken(municipality_id, data.name, other_than=intervention.pk):
        raise _name_taken_error()
    for name in SAVED_FIELDS:
        setattr(intervention, name, getattr(data, name))
    try:
        with transaction.atomic():
            save_versioned(intervention, expected_version=expected_version, fields=SAVED_FIELDS)
    except IntegrityError as error:
        raise _name_taken_error() from error
    intervention.steps.set(steps)
    record_event(
        actor=actor_user,
        action=AuditAction.INTERVENTION_CHANGED,
        obj=intervention,
        municipality_id=municipality_id,
    )
    return intervention


# --- Focus areas ------------------------------------------------------------------------------

# The fora that set focus areas: the steering group, a Lokalråd, the coordination group and a
# Lokaludvalg (the standing fora that set priorities for an area; the local groups carry them
# out in their annual plans).
FOCUS_AREA_FORUM_TYPES = (
    ForumType.STYREGRUPPE,
    ForumType.LOKALRAAD,
    ForumType.KOORDINATIONSGRUPPE,
    ForumType.LOKALUDVALG,
)
FOCUS_AREA_TEXT_FIELDS = ("title", "description")
FOCUS_AREA_SAVED_FIELDS = ("forum_id", "title", "description", "starts_on", "ends_on")
# What the forum decided: fixed once the focus area is decided.
FOCUS_AREA_DECIDED_FIELDS = ("forum_id", "title", "starts_on", "ends_on")


@dataclass
class FocusAreaData:
    """What the focus-area form gives: the forum that sets it, a title, a period."""

    forum_id: int
    title: str
    starts_on: date
    ends_on: date
    description: str = ""


def focus_area_fora(municipality_id: int) -> QuerySet[Forum]:
    """The fora of the municipality that may set focus areas (standing, not dissolved)."""
    return Forum.objects.filter(
        municipality_id=municipality_id,
        forum_type__in=FOCUS_AREA_FORUM_TYPES,
        dissolved_at__isnull=True,
    )


def _check_period(starts_on: date, ends_on: date) -> None:
    for day in (starts_on, ends_on):
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            raise DomainError(
                _("En dato skal ligge mellem %(low)s og %(high)s.")
                % {"low": EARLIEST_DATE.year, "high": LATEST_DATE.year}
            )
    if ends_on < starts_on:
        raise DomainError(_("'Til' skal være samme dag som eller efter 'Fra'."))


def _validated_focus_area(actor_user: User, data: FocusAreaData) -> int:
    actor = access.get_actor(actor_user)
    if not prevention_access.can_manage_focus_areas(actor):
        raise DomainError(_("Kun SSP-medarbejdere kan oprette og rette fokusområder."))
    municipality_id = access.municipality_of(actor)
    data.title = data.title.strip()
    if not data.title:
        raise DomainError(_("Fokusområdet skal have en titel."))
    _check_period(data.starts_on, data.ends_on)
    if not focus_area_fora(municipality_id).filter(pk=data.forum_id).exists():
        raise DomainError(
            _(
                "Et fokusområde sættes af styregruppen, et lokalråd, koordinationsgruppen eller "
                "et lokaludvalg i kommunen."
            )
        )
    check_texts(
        actor,
        municipality_id,
        _labelled(FocusArea, data, FOCUS_AREA_TEXT_FIELDS),
        names=_names_by_label(FocusArea, FOCUS_AREA_TEXT_FIELDS),
    )
    return municipality_id


def _form_used_elsewhere() -> DomainError:
    return DomainError(_("Formularen er allerede brugt. Hent siden igen."))


@transaction.atomic
def create_focus_area(
    *, actor_user: User, data: FocusAreaData, token: uuid.UUID | None = None
) -> FocusArea:
    """A new focus area for a forum to decide on (SSP staff). The same form posted twice (one
    token) gives one focus area."""
    municipality_id = _validated_focus_area(actor_user, data)
    if token is not None:
        existing = FocusArea.objects.filter(form_token=token).first()
        if existing is not None:
            if existing.municipality_id != municipality_id:
                raise _form_used_elsewhere()
            return existing
    values = {name: getattr(data, name) for name in FOCUS_AREA_SAVED_FIELDS}
    try:
        with transaction.atomic():
            focus_area = FocusArea.objects.create(
                municipality_id=municipality_id, form_token=token, **values
            )
    except IntegrityError:
        existing = FocusArea.objects.filter(form_token=token).first() if token else None
        if existing is None or existing.municipality_id != municipality_id:
            raise
        return existing
    record_event(
        actor=actor_user,
        action=AuditAction.FOCUS_AREA_CREATED,
        obj=focus_area,
        municipality_id=municipality_id,
    )
    return focus_area


@transaction.atomic
def update_focus_area(
    *, actor_user: User, focus_area: FocusArea, data: FocusAreaData, expected_version: int
) -> FocusArea:
    """Change a focus area (SSP staff); no lost update (`StaleEdit`)."""
    municipality_id = _validated_focus_area(actor_user, data)
    if focus_area.municipality_id != municipality_id:
        raise DomainError(_("Fokusområdet findes ikke i kommunen."))
    if focus_area.is_decided and any(
        getattr(focus_area, name) != getattr(data, name) for name in FOCUS_AREA_DECIDED_FIELDS
    ):
        raise DomainError(
            _(
                "Fokusområdet er vedtaget af forummet: forum, titel og periode ændres kun ved en "
                "ny beslutning. Beskrivelsen kan rettes."
            )
        )
    for name in FOCUS_AREA_SAVED_FIELDS:
        setattr(focus_area, name, getattr(data, name))
    save_versioned(focus_area, expected_version=expected_version, fields=FOCUS_AREA_SAVED_FIELDS)
    record_event(
        actor=actor_user,
        action=AuditAction.FOCUS_AREA_CHANGED,
        obj=focus_area,
        municipality_id=municipality_id,
    )
    return focus_area


def _item_forum_id(item: AgendaItem) -> tuple[int, int | None]:
    """The forum and municipality of an agenda item's meeting."""
    meeting = item.meeting
    return meeting.forum_id, meeting.forum.municipality_id


def decide_focus_area(actor_user: User, item: AgendaItem) -> None:
    """The decision of `item` sets the focus area it links to (the meetings' decision hook)."""
    record_focus_area_decision(actor_user=actor_user, focus_area_id=item.link_id, item=item)


@transaction.atomic
def record_focus_area_decision(
    *, actor_user: User, focus_area_id: int | None, item: AgendaItem
) -> None:
    """The decision of `item` sets the focus area: the item's meeting must be the focus area's
    forum's; a second decision changes nothing. (An item links one object; a decision that sets
    several focus areas, as the demo's steering group's, records the others here directly.)"""
    focus_area = (
        FocusArea.objects.select_for_update().filter(pk=focus_area_id).first()
        if focus_area_id is not None
        else None
    )
    if focus_area is None:
        raise DomainError(_("Fokusområdet findes ikke længere."))
    forum_id, municipality_id = _item_forum_id(item)
    if focus_area.forum_id != forum_id or focus_area.municipality_id != municipality_id:
        raise DomainError(_("Fokusområdet vedtages af sit eget forum."))
    if focus_area.is_decided:
        return
    focus_area.decided_item = item
    focus_area.decided_at = timezone.now()
    FocusArea.objects.filter(pk=focus_area.pk).update(
        decided_item=item, decided_at=focus_area.decided_at, version=F("version") + 1
    )
    record_event(
        actor=actor_user,
        action=AuditAction.FOCUS_AREA_DECIDED,
        obj=focus_area,
        municipality_id=municipality_id,
        data={"agenda_item": item.pk},
    )


# --- Annual plans -----------------------------------------------------------------------------

# A second "create" of the same plan by the same person within this window is a double submit:
# it returns the plan the first one made.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=2)


def school_year_of(day: date) -> int:
    """The school year a date falls in (1 August to 31 July): 2026 for 2026/27."""
    return day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1


def current_school_year() -> int:
    return school_year_of(timezone.localdate())


def school_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def moved_by_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class PlanExists(DomainError):
    """The forum already has a plan for the school year."""

    status_code = 409

    def __init__(self, plan: AnnualPlan) -> None:
        super().__init__(
            _("Forummet har allerede en årsplan for skoleåret %(year)s.")
            % {"year": plan.school_year_label}
        )
        self.plan = plan


def _double_submit(actor_user: User, plan: AnnualPlan) -> bool:
    return AuditEvent.objects.filter(
        action=AuditAction.PLAN_CREATED,
        object_id=str(plan.pk),
        actor=actor_user,
        occurred_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW,
    ).exists()


# The activity fields a copy keeps (dates are moved, the evaluation is left out).
COPIED_FIELDS = (
    "title",
    "kind",
    "goal",
    "intervention_id",
    "target_group",
    "class_from",
    "class_to",
    "unit_id",
    "place",
    "start_time",
    "end_time",
    "responsible_id",
    "partners",
)


def _copy_activities(actor: access.Actor, source: AnnualPlan, plan: AnnualPlan) -> int:
    """The source plan's activities as new planned activities of `plan`, moved by the years
    between the plans; a focus area stays only if its period covers the new start date, and an
    intervention only while it is in use. Their text is checked again (a name may have been
    registered since, or the copier's check may differ from the writer's): one refusal for the
    whole copy, naming the activities by number, and nothing is created."""
    years = plan.school_year - source.school_year
    copies = []
    activities = list(
        source.activities.select_related("focus_area", "intervention").order_by("starts_on", "pk")
    )
    texts: dict[str, str] = {}
    for number, activity in enumerate(activities, start=1):
        for label, text in _labelled(Activity, activity, ACTIVITY_TEXT_FIELDS).items():
            texts[_("%(field)s i aktivitet nr. %(n)s") % {"field": label, "n": number}] = text
    check_texts(
        actor,
        plan.municipality_id,
        texts,
        message=_("Sidste års plan indeholder personoplysninger; ret den, før den kopieres."),
    )
    for activity in activities:
        starts_on = moved_by_years(activity.starts_on, years)
        ends_on = max(starts_on, moved_by_years(activity.ends_on, years))
        focus = activity.focus_area
        keeps_focus = focus is not None and focus.starts_on <= starts_on <= focus.ends_on
        copies.append(
            Activity(
                plan=plan,
                municipality_id=plan.municipality_id,
                starts_on=starts_on,
                ends_on=ends_on,
                focus_area=focus if keeps_focus else None,
                status=ActivityStatus.PLANNED,
                **{name: getattr(activity, name) for name in COPIED_FIELDS},
            )
        )
        if activity.intervention is not None and not activity.intervention.active:
            copies[-1].intervention_id = None
    Activity.objects.bulk_create(copies, batch_size=500)
    return len(copies)


@transaction.atomic
def create_plan(
    *, actor_user: User, forum: Forum, school_year: int, copy_last: bool = True
) -> AnnualPlan:
    """A forum's draft plan for a school year, optionally starting as a copy of the forum's most
    recent earlier plan (its activities as planned ones, a year on). One plan per forum and
    school year: a second one is refused (`PlanExists`), except that the same person's double
    submit gets the plan the first one made."""
    actor = access.get_actor(actor_user)
    if not prevention_access.plan_fora(actor).filter(pk=forum.pk).exists():
        raise DomainError(_("Du kan kun lave årsplaner for fora, du selv kan planlægge for."))
    if not SCHOOL_YEAR_MIN <= school_year <= SCHOOL_YEAR_MAX:
        raise DomainError(
            _("Skoleåret skal ligge mellem %(low)s og %(high)s.")
            % {"low": SCHOOL_YEAR_MIN, "high": SCHOOL_YEAR_MAX}
        )
    existing = AnnualPlan.objects.filter(forum=forum, school_year=school_year).first()
    if existing is not None:
        if _double_submit(actor_user, existing):
            return existing
        raise PlanExists(existing)
    source = (
        AnnualPlan.objects.filter(forum=forum, school_year__lt=school_year)
        .order_by("-school_year")
        .first()
        if copy_last
        else None
    )
    try:
        with transaction.atomic():
            plan = AnnualPlan.objects.create(
                municipality_id=access.municipality_of(actor),
                forum=forum,
                school_year=school_year,
                copied_from=source,
            )
    except IntegrityError as error:
        # Created at the same moment by another request.
        existing = AnnualPlan.objects.filter(forum=forum, school_year=school_year).first()
        if existing is None:
            raise
        if _double_submit(actor_user, existing):
            return existing
        raise PlanExists(existing) from error
    copied = _copy_activities(actor, source, plan) if source is not None else 0
    record_event(
        actor=actor_user,
        action=AuditAction.PLAN_CREATED,
        obj=plan,
        municipality_id=plan.municipality_id,
        data={"copied_from": source.pk if source else None, "activities": copied},
    )
    return plan


@transaction.atomic
def approve_plan(actor_user: User, item: AgendaItem) -> None:
    """The decision of `item` approves the plan it links to (the meetings' decision hook): the
    item's meeting must be the plan's forum's; a second approval changes nothing."""
    plan = (
        AnnualPlan.objects.select_for_update().filter(pk=item.link_id).first()
        if item.link_id is not None
        else None
    )
    if plan is None:
        raise DomainError(_("Årsplanen findes ikke længere."))
    forum_id, municipality_id = _item_forum_id(item)
    if plan.forum_id != forum_id or plan.municipality_id != municipality_id:
        raise DomainError(_("En årsplan godkendes på et møde i planens eget forum."))
    if plan.is_approved:
        return
    plan.status = PlanStatus.APPROVED
    plan.approved_item = item
    plan.approved_at = timezone.now()
    AnnualPlan.objects.filter(pk=plan.pk).update(
        status=plan.status,
        approved_item=item,
        approved_at=plan.approved_at,
        version=F("version") + 1,
    )
    record_event(
        actor=actor_user,
        action=AuditAction.PLAN_APPROVED,
        obj=plan,
        municipality_id=municipality_id,
        data={"agenda_item": item.pk},
    )


# --- Activities -------------------------------------------------------------------------------

ACTIVITY_TEXT_FIELDS = ("title", "goal", "target_group", "place", "partners")
ACTIVITY_SAVED_FIELDS = (
    "title",
    "kind",
    "goal",
    "focus_area_id",
    "intervention_id",
    "target_group",
    "class_from",
    "class_to",
    "unit_id",
    "place",
    "starts_on",
    "ends_on",
    "start_time",
    "end_time",
    "responsible_id",
    "partners",
)
EVALUATION_TEXT_FIELDS = ("what_worked", "what_next")


@dataclass
class ActivityData:
    """What the activity form (or the API) gives to create or change an activity."""

    title: str
    starts_on: date
    ends_on: date
    kind: str = ActivityKind.TALK
    goal: str = ""
    focus_area_id: int | None = None
    intervention_id: int | None = None
    target_group: str = ""
    class_from: int | None = None
    class_to: int | None = None
    unit_id: int | None = None
    place: str = ""
    start_time: time | None = None
    end_time: time | None = None
    responsible_id: int | None = None
    partners: str = ""
    confirm_double_booking: bool = False


class DoubleBooking(DomainError):
    """The activity collides with others (the same person, or the same classes at the same
    school, at the same time); saved only when the user confirms."""

    status_code = 409

    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__(
            _(
                "Aktiviteten overlapper med andre aktiviteter. Se listen, og sæt kryds i "
                "“Gem alligevel”, hvis den skal gemmes alligevel."
            )
        )
        self.conflicts = conflicts


def find_conflicts(**kwargs: Any) -> list[Conflict]:
    """`ssp.prevention.calendar.conflicts(...)`: the calendar's double-booking rule."""
    from ssp.prevention.calendar import conflicts

    return conflicts(**kwargs)


def _validated_activity(
    actor_user: User, plan: AnnualPlan, data: ActivityData
) -> tuple[access.Actor, int]:
    actor = access.get_actor(actor_user)
    if not prevention_access.can_change_plan(actor, plan):
        raise DomainError(
            _("Kun SSP-medarbejdere og medlemmer af planens forum kan ændre årsplanen.")
        )
    municipality_id = plan.municipality_id
    data.title = data.title.strip()
    if not data.title:
        raise DomainError(_("Aktiviteten skal have en titel."))
    if data.kind not in ActivityKind.values:
        raise DomainError(_("Vælg en type aktivitet."))
    _check_period(data.starts_on, data.ends_on)
    if (
        data.starts_on == data.ends_on
        and data.start_time is not None
        and data.end_time is not None
        and data.end_time < data.start_time
    ):
        raise DomainError(_("'Til kl.' skal være efter 'Fra kl.'."))
    for grade in (data.class_from, data.class_to):
        if grade is not None and not CLASS_MIN <= grade <= CLASS_MAX:
            raise DomainError(
                _("Et klassetrin skal ligge mellem %(low)s og %(high)s.")
                % {"low": CLASS_MIN, "high": CLASS_MAX}
            )
    if (
        data.class_from is not None
        and data.class_to is not None
        and data.class_from > data.class_to
    ):
        raise DomainError(_("'Fra klassetrin' skal være mindre end eller lig med 'Til'."))
    checks = (
        (data.unit_id, Unit, _("Skolen eller stedet skal være en enhed i kommunen.")),
        (data.responsible_id, Member, _("Den ansvarlige skal være en person i kommunen.")),
        (data.focus_area_id, FocusArea, _("Fokusområdet skal være et af kommunens.")),
        (data.intervention_id, Intervention, _("Indsatsen skal være fra kommunens katalog.")),
    )
    for pk, model, message in checks:
        if (
            pk is not None
            and not model._default_manager.filter(pk=pk, municipality_id=municipality_id).exists()
        ):
            raise DomainError(message)
    check_texts(
        actor,
        municipality_id,
        _labelled(Activity, data, ACTIVITY_TEXT_FIELDS),
        names=_names_by_label(Activity, ACTIVITY_TEXT_FIELDS),
    )
    return actor, municipality_id


def _refuse_double_booking(
    data: ActivityData, municipality_id: int, exclude_pk: int | None
) -> None:
    if data.confirm_double_booking:
        return
    conflicts = find_conflicts(
        municipality_id=municipality_id,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        start_time=data.start_time,
        end_time=data.end_time,
        responsible_id=data.responsible_id,
        unit_id=data.unit_id,
        class_from=data.class_from,
        class_to=data.class_to,
        exclude_pk=exclude_pk,
    )
    if conflicts:
        raise DoubleBooking(conflicts)


@transaction.atomic
def create_activity(
    *, actor_user: User, plan: AnnualPlan, data: ActivityData, token: uuid.UUID | None = None
) -> Activity:
    """A planned activity in the plan (staff and the plan's forum's members). The same form
    posted twice gives one activity; a double booking is refused unless confirmed."""
    _actor, municipality_id = _validated_activity(actor_user, plan, data)
    if token is not None:
        existing = Activity.objects.filter(form_token=token).first()
        if existing is not None:
            if existing.plan_id != plan.pk:
                raise _form_used_elsewhere()
            return existing
    _refuse_double_booking(data, municipality_id, None)
    values = {name: getattr(data, name) for name in ACTIVITY_SAVED_FIELDS}
    try:
        with transaction.atomic():
            activity = Activity.objects.create(
                plan=plan, municipality_id=municipality_id, form_token=token, **values
            )
    except IntegrityError:
        existing = Activity.objects.filter(form_token=token).first() if token else None
        if existing is None or existing.plan_id != plan.pk:
            raise
        return existing
    record_event(
        actor=actor_user,
        action=AuditAction.ACTIVITY_CREATED,
        obj=activity,
        municipality_id=municipality_id,
    )
    return activity


@transaction.atomic
def update_activity(
    *, actor_user: User, activity: Activity, data: ActivityData, expected_version: int
) -> Activity:
    """Change an activity; no lost update (`StaleEdit`); a double booking is refused unless
    confirmed."""
    _actor, municipality_id = _validated_activity(actor_user, activity.plan, data)
    _refuse_double_booking(data, municipality_id, activity.pk)
    for name in ACTIVITY_SAVED_FIELDS:
        setattr(activity, name, getattr(data, name))
    save_versioned(activity, expected_version=expected_version, fields=ACTIVITY_SAVED_FIELDS)
    record_event(
        actor=actor_user,
        action=AuditAction.ACTIVITY_CHANGED,
        obj=activity,
        municipality_id=municipality_id,
    )
    return activity


def _may_change(actor_user: User, activity: Activity) -> None:
    actor = access.get_actor(actor_user)
    if not prevention_access.can_change_plan(actor, activity.plan):
        raise DomainError(
            _("Kun SSP-medarbejdere og medlemmer af planens forum kan ændre årsplanen.")
        )


@transaction.atomic
def mark_done(*, actor_user: User, activity: Activity) -> Activity:
    """Planned -> done, once: a conditional update, so a double click or two people at once
    mark it done once (and audit it once); done or evaluated stays as it is."""
    _may_change(actor_user, activity)
    now = timezone.now()
    updated = Activity.objects.filter(pk=activity.pk, status=ActivityStatus.PLANNED).update(
        status=ActivityStatus.DONE, done_at=now, version=F("version") + 1
    )
    activity.refresh_from_db()
    if updated == 1:
        record_event(
            actor=actor_user,
            action=AuditAction.ACTIVITY_DONE,
            obj=activity,
            municipality_id=activity.municipality_id,
        )
    return activity


@transaction.atomic
def evaluate(
    *,
    actor_user: User,
    activity: Activity,
    reached: int | None,
    what_worked: str,
    what_next: str = "",
    expected_version: int | None = None,
) -> Activity:
    """The evaluation of a done activity (or a new version of it): how many were reached and
    what worked are required, what next is optional. A planned activity is not evaluated.

    `expected_version` is the activity's version the form was opened at: a save after somebody
    else's is refused (`StaleEdit` with what is stored), and the same evaluation posted twice
    (a double click) is saved and audited once."""
    actor = access.get_actor(actor_user)
    _may_change(actor_user, activity)
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    if locked.status == ActivityStatus.PLANNED:
        raise DomainError(_("Aktiviteten skal være gennemført, før den evalueres."))
    if locked.status == ActivityStatus.EVALUATED and (
        locked.reached,
        locked.what_worked,
        locked.what_next,
    ) == (reached, what_worked.strip(), what_next.strip()):
        return locked
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            current={
                "reached": locked.reached,
                "what_worked": locked.what_worked,
                "what_next": locked.what_next,
            },
            version=locked.version,
        )
    if reached is None or not 0 <= reached <= REACHED_MAX:
        raise DomainError(
            _("Angiv hvor mange aktiviteten nåede (0 til %(max)s).") % {"max": REACHED_MAX}
        )
    what_worked, what_next = what_worked.strip(), what_next.strip()
    if not what_worked:
        raise DomainError(_("Skriv hvad der virkede."))
    check_texts(
        actor,
        activity.municipality_id,
        {
            _model_label(Activity, "what_worked"): what_worked,
            _model_label(Activity, "what_next"): what_next,
        },
        names=_names_by_label(Activity, EVALUATION_TEXT_FIELDS),
    )
    locked.status = ActivityStatus.EVALUATED
    locked.reached = reached
    locked.what_worked = what_worked
    locked.what_next = what_next
    locked.evaluated_at = timezone.now()
    locked.version += 1
    locked.save(
        update_fields=[
            "status",
            "reached",
            "what_worked",
            "what_next",
            "evaluated_at",
            "version",
        ]
    )
    record_event(
        actor=actor_user,
        action=AuditAction.ACTIVITY_EVALUATED,
        obj=locked,
        municipality_id=locked.municipality_id,
    )
    return locked
