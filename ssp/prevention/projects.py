"""The register of time-limited projects (R7, Fredericia): period, funding, partners, goals, a
focus area, a project leader, and an evaluation at the end.

Reads (`projects_page`, `focus_area_choices`) go through `access.visible_*`; writes
(`create_project`, `update_project`) re-check `can_manage_projects`, keep the focus area and
the project leader inside the actor's municipality, refuse personal data in every text and
write their audit event in the same transaction.

"Evaluated" is a decision, not a by-product of typing: the evaluation text may be written at
any time (notes along the way), and the project counts as evaluated when the coordinator ticks
"Projektet er evalueret". That is allowed only once the project has ended (`ends_on` today or
earlier: an end evaluation of a running project would be a guess) and only with an evaluation
text (the database's check says the same). Unticking it again is allowed (a mistake is
corrected) and clears `evaluated_at`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ssp import access
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases import selectors as case_selectors
from ssp.errors import DomainError
from ssp.organisation.models import Member
from ssp.prevention import access as prevention_access
from ssp.prevention import services as prevention_services
from ssp.prevention.models import FocusArea, Project
from ssp.validation import clean_search
from ssp.versioning import save_versioned

PROJECTS_PAGE_SIZE = 25
FOCUS_AREA_CHOICES_MAX = 100  # the newest focus areas offered on the project form
SEARCH_MAX_LENGTH = 100  # characters of a project search that are used

# The free texts, by field name, in the order of the form.
TEXT_FIELDS = ("name", "funding", "partners", "goals", "evaluation")
SAVED_FIELDS = (
    "name",
    "starts_on",
    "ends_on",
    "funding",
    "partners",
    "goals",
    "focus_area_id",
    "responsible_id",
    "evaluation",
    "evaluated_at",
)


class ProjectState(models.TextChoices):
    """The list's filter: running (not yet ended) or ended."""

    RUNNING = "igang", gettext_lazy("I gang")
    ENDED = "afsluttet", gettext_lazy("Afsluttet")


@dataclass(frozen=True)
class ProjectFilter:
    q: str = ""
    state: str = ""  # a ProjectState value, or "" for all

    @classmethod
    def from_values(cls, *, q: object = "", state: object = "") -> ProjectFilter:
        """From query parameters: what does not parse is left out."""
        text = " ".join(clean_search(str(q or "")).split())[:SEARCH_MAX_LENGTH]
        chosen = str(state or "")
        return cls(q=text, state=chosen if chosen in ProjectState.values else "")


def projects(actor: access.Actor, search: ProjectFilter) -> QuerySet[Project]:
    """The municipality's projects, newest first, with focus area and leader joined."""
    found = prevention_access.visible_projects(actor)
    today = timezone.localdate()
    if search.state == ProjectState.RUNNING:
        found = found.filter(ends_on__gte=today)
    elif search.state == ProjectState.ENDED:
        found = found.filter(ends_on__lt=today)
    for word in search.q.split()[:5]:
        found = found.filter(name__icontains=word)
    return found.select_related("focus_area", "responsible").order_by("-starts_on", "-pk")


def projects_page(actor: access.Actor, search: ProjectFilter, page: int) -> Page[Project]:
    return Paginator(projects(actor, search), PROJECTS_PAGE_SIZE).get_page(page)


def focus_area_choices(actor: access.Actor, *, current: int | None = None) -> QuerySet[FocusArea]:
    """The focus areas a project may be tagged with: the municipality's newest
    `FOCUS_AREA_CHOICES_MAX` (a select, bounded), plus the project's own if it is older."""
    visible = prevention_access.visible_focus_areas(actor)
    newest = visible.order_by("-starts_on", "-pk").values("pk")[:FOCUS_AREA_CHOICES_MAX]
    wanted = Q(pk__in=newest)
    if current is not None:
        wanted |= Q(pk=current)
    return visible.filter(wanted).order_by("-starts_on", "title")


def project_leaders(actor: access.Actor) -> QuerySet[Member]:
    """Who may lead a project: the members of the municipality (a picker)."""
    return case_selectors.members_of_municipality(actor)


# --- Writing -------------------------------------------------------------------------------


@dataclass
class ProjectData:
    """What the form or the API gives to create or change a project."""

    name: str
    starts_on: date
    ends_on: date
    funding: str = ""
    partners: str = ""
    goals: str = ""
    focus_area_id: int | None = None
    responsible_id: int | None = None
    evaluation: str = ""
    evaluated: bool = False


def field_label(name: str) -> str:
    model_field = Project._meta.get_field(name)
    return str(getattr(model_field, "verbose_name", name))


def check_texts(actor: access.Actor, municipality_id: int, texts: dict[str, str]) -> None:
    """Refuse personal data in the texts, by field name, with the prevention app's shared
    check (`services.check_texts`): CPR-like numbers, e-mail addresses and phone numbers from
    everyone, registered young people's names only from authority persons. The error names the
    kinds and the fields (`PersonalDataFound.fields` are the field names), never the text."""
    labelled = {field_label(name): text for name, text in texts.items()}
    prevention_services.check_texts(
        actor,
        municipality_id,
        labelled,
        names={field_label(name): name for name in texts},
    )


def _validated(actor_user: User, data: ProjectData) -> tuple[access.Actor, int]:
    actor = access.get_actor(actor_user)
    if not prevention_access.can_manage_projects(actor):
        raise DomainError(_("Kun SSP-medarbejdere kan oprette og rette projekter."))
    municipality_id = access.municipality_of(actor)
    data.name = data.name.strip()
    if not data.name:
        raise DomainError(_("Projektet skal have et navn."))
    if data.ends_on < data.starts_on:
        raise DomainError(_("Projektets slutdato skal ligge på eller efter startdatoen."))
    if (
        data.focus_area_id is not None
        and not prevention_access.visible_focus_areas(actor).filter(pk=data.focus_area_id).exists()
    ):
        raise DomainError(_("Fokusområdet skal være et af kommunens fokusområder."))
    if (
        data.responsible_id is not None
        and not Member.objects.filter(
            pk=data.responsible_id, municipality_id=municipality_id
        ).exists()
    ):
        raise DomainError(_("Projektlederen skal være en person i kommunen."))
    if data.evaluated:
        if data.ends_on > timezone.localdate():
            raise DomainError(
                _("Et projekt kan først markeres som evalueret, når det er slut (slutdatoen).")
            )
        if not data.evaluation.strip():
            raise DomainError(_("Skriv evalueringen, før projektet markeres som evalueret."))
    check_texts(actor, municipality_id, {name: str(getattr(data, name)) for name in TEXT_FIELDS})
    return actor, municipality_id


def _values(data: ProjectData, *, evaluated_at: object) -> dict[str, object]:
    return {
        "name": data.name,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "funding": data.funding.strip(),
        "partners": data.partners.strip(),
        "goals": data.goals.strip(),
        "focus_area_id": data.focus_area_id,
        "responsible_id": data.responsible_id,
        "evaluation": data.evaluation.strip(),
        "evaluated_at": evaluated_at,
    }


@transaction.atomic
def create_project(
    *, actor_user: User, data: ProjectData, token: uuid.UUID | None = None
) -> Project:
    """A new project in the actor's municipality. `token` is the form's one-time token: the
    same form posted twice makes one project."""
    _actor, municipality_id = _validated(actor_user, data)
    if token is not None:
        existing = Project.objects.filter(form_token=token).first()
        if existing is not None:
            if existing.municipality_id != municipality_id:
                raise DomainError(_("Formularen er allerede brugt. Hent siden igen."))
            return existing
    values = _values(data, evaluated_at=timezone.now() if data.evaluated else None)
    try:
        with transaction.atomic():
            project = Project.objects.create(
                municipality_id=municipality_id, form_token=token, **values
            )
    except IntegrityError as error:
        existing = Project.objects.filter(form_token=token).first() if token else None
        if existing is None or existing.municipality_id != municipality_id:
            raise DomainError(_("Formularen er allerede brugt. Hent siden igen.")) from error
        return existing
    record_event(
        actor=actor_user,
        action=AuditAction.PROJECT_CREATED,
        obj=project,
        municipality_id=municipality_id,
    )
    if project.evaluated_at is not None:
        record_event(
            actor=actor_user,
            action=AuditAction.PROJECT_EVALUATED,
            obj=project,
            municipality_id=municipality_id,
        )
    return project


@transaction.atomic
def update_project(
    *, actor_user: User, project: Project, data: ProjectData, expected_version: int
) -> Project:
    """Change a project; saved only if the stored version is still `expected_version` (else
    `StaleEdit`). Ticking "evaluated" the first time writes PROJECT_EVALUATED."""
    _actor, municipality_id = _validated(actor_user, data)
    if project.municipality_id != municipality_id:
        raise DomainError(_("Projektet findes ikke i kommunen."))
    newly_evaluated = data.evaluated and project.evaluated_at is None
    if not data.evaluated:
        evaluated_at = None
    elif project.evaluated_at is None:
        evaluated_at = timezone.now()
    else:
        evaluated_at = project.evaluated_at
    for name, value in _values(data, evaluated_at=evaluated_at).items():
        setattr(project, name, value)
    save_versioned(project, expected_version=expected_version, fields=SAVED_FIELDS)
    record_event(
        actor=actor_user,
        action=AuditAction.PROJECT_EVALUATED if newly_evaluated else AuditAction.PROJECT_CHANGED,
        obj=project,
        municipality_id=municipality_id,
    )
    return project
