"""Issue 15: a young person named without a CPR number, completed and merged later.

An employee may raise a concern about a child by name and a birth date, or by name, school and
class (`services.find_or_register_young_person`): a new young person without a CPR number is
registered, never matched to an existing one by name. SSP staff then

- complete the identity (`complete_identity`): the CPR number is validated, its birth date
  checked against the target ages, and stored encrypted with its blind index; when another
  young person of the municipality already has the number nothing is changed and the page
  offers to merge the two;
- merge duplicates (`merge_young_people`): every row pointing at the merged person is moved to
  the survivor (the one with the CPR number), the survivor's blanks are filled from the other,
  and the merged person is deleted, in one transaction with both rows locked. The audit trail
  of both gets an event with ids only.

The predicates and lookups of these two actions are here, beside their services, on the core
rules (`ssp/access.py`) and the cases app's scopes (`cases/access.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ssp import access
from ssp.access import Actor, is_ssp_staff, municipality_of
from ssp.audit.models import AuditAction, AuditEvent
from ssp.audit.services import record_event
from ssp.cases import access as case_access
from ssp.cases.cpr import parse_cpr
from ssp.cases.models import Case, CaseStatus, Concern, YoungPerson
from ssp.cases.services import SEARCH_BY_CPR, check_target_age
from ssp.crypto import blind_index, encrypt
from ssp.errors import DomainError
from ssp.organisation.models import Municipality

# The audit trail's kinds of the two actions (the event's data carries the ids:
# `{"identity": "cpr_added"}`, `{"merged_into": id}` or `{"merged_from": id}`).
IDENTITY_COMPLETED = AuditAction.YOUNG_PERSON_IDENTIFIED
MERGED = AuditAction.YOUNG_PERSON_MERGED
# A merged-away person's survivor may itself have been merged later: followed this far.
MERGE_CHAIN_MAX = 10
PAGE_SIZE = 25
# The young person's page lists the newest concerns (the rest are in the cases).
CONCERNS_SHOWN_MAX = 20
# The open network-council deadline (`police.DeadlineKind.NETWORK_COUNCIL`; the police app
# builds on this one, which reads its rows through the app registry only).
NETWORK_COUNCIL_DEADLINE = "network_council"


def _subject(person_id: int) -> str:
    """The audit trail's reference to a young person (as `cases.services` writes it)."""
    return f"youngperson:{person_id}"


# --- Who may ---------------------------------------------------------------------------------


def can_complete_identity(actor: Actor) -> bool:
    """SSP staff add a missing CPR number (they alone may see it in full: "Vis CPR")."""
    return is_ssp_staff(actor)


def can_merge_young_people(actor: Actor) -> bool:
    """SSP staff merge two registrations of one child (they see every young person of the
    municipality, so both)."""
    return is_ssp_staff(actor)


def _living(actor: Actor, person_id: int) -> YoungPerson:
    """A young person the actor may see who is not anonymised: retention keeps an anonymised
    row only for the anonymised records that point at it, and giving it a CPR number or
    merging it with a child would identify them again (404, as for a person not there)."""
    person = case_access.get_young_person_for(actor, person_id)
    if person.anonymised_at is not None:
        raise Http404
    return person


def get_person_to_complete(actor: Actor, person_id: int) -> YoungPerson:
    if not can_complete_identity(actor):
        raise Http404
    return _living(actor, person_id)


def get_person_to_merge(actor: Actor, person_id: int) -> YoungPerson:
    if not can_merge_young_people(actor):
        raise Http404
    return _living(actor, person_id)


def anonymised_message() -> str:
    return _(
        "Den unge er anonymiseret. En anonymiseret registrering kan ikke få et CPR-nummer "
        "eller lægges sammen med en anden."
    )


def merge_candidates(actor: Actor, person: YoungPerson) -> QuerySet[YoungPerson]:
    """Whom `person` may be merged with: the other young people the actor may see (a picker
    searches them by name; never a list of all)."""
    if not can_merge_young_people(actor):
        return YoungPerson.objects.none()
    return (
        case_access.visible_young_people(actor)
        .exclude(pk=person.pk)
        .filter(anonymised_at__isnull=True)
        .select_related("school")
        .order_by("last_name", "first_name", "pk")
    )


# --- Reads -----------------------------------------------------------------------------------


def without_cpr(actor: Actor, *, page: int = 1) -> Page[YoungPerson]:
    """The "Mangler CPR" list: the young people the actor may see whose CPR number is missing,
    by name (index `young_person_without_cpr`)."""
    people = (
        case_access.visible_young_people(actor)
        .filter(cpr_index="", anonymised_at__isnull=True)
        .select_related("school")
        .order_by("last_name", "first_name", "pk")
    )
    return Paginator(people, PAGE_SIZE).get_page(page)


def concerns_of(actor: Actor, person: YoungPerson) -> list[Concern]:
    """The concerns about `person` the actor may see, newest first."""
    return list(
        case_access.visible_concerns(actor)
        .filter(young_person=person)
        .select_related("forum")
        .order_by("-raised_at", "-pk")[:CONCERNS_SHOWN_MAX]
    )


@dataclass(frozen=True)
class PersonFacts:
    """One side of the merge confirmation: what tells the two registrations apart."""

    person: YoungPerson
    concerns: int
    cases: int
    reports: int


def facts_of(person: YoungPerson) -> PersonFacts:
    """For SSP staff, who see every concern, case and report of the municipality."""
    return PersonFacts(
        person=person,
        concerns=person.concerns.count(),
        cases=person.cases.count(),
        reports=_related_count(person, "police_reports"),
    )


def _related_count(person: YoungPerson, name: str) -> int:
    manager = getattr(person, name, None)
    return manager.count() if manager is not None else 0


def merged_into(municipality_id: int, person_id: int) -> int | None:
    """The young person a merged-away person now lives on in (following later merges), or
    None when `person_id` was never merged: read from the merge events of the audit trail."""
    current = person_id
    found = None
    for _step in range(MERGE_CHAIN_MAX):
        event = (
            AuditEvent.objects.filter(
                municipality_id=municipality_id,
                action=MERGED,
                subject_ref=_subject(current),
                data__merged_into__isnull=False,
            )
            .order_by("-pk")
            .first()
        )
        if event is None:
            break
        target = event.data.get("merged_into")
        if not isinstance(target, int) or target == current:
            break
        found = current = target
    return found


# --- Completing the identity -----------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    person: YoungPerson
    # Another young person of the municipality who has the number (nothing was changed).
    clash: YoungPerson | None = None
    changed: bool = False
    # The person was merged into another meanwhile: `person` is the survivor, nothing changed.
    merged_away: bool = False


class BirthDateMismatch(DomainError):
    """The CPR number's birth date is not the birth date typed when the child was reported: a
    hint that the number is another child's. Nothing is changed until the user confirms."""

    def __init__(self, typed: date, from_cpr: date) -> None:
        super().__init__(
            _(
                "CPR-nummerets fødselsdato er %(cpr)s, men den unge er registreret med "
                'fødselsdatoen %(typed)s. Er det det rigtige barn? Så sæt kryds i "Ret '
                'fødselsdatoen til CPR-nummerets", og tilføj nummeret igen.'
            )
            % {"cpr": f"{from_cpr:%d.%m.%Y}", "typed": f"{typed:%d.%m.%Y}"}
        )
        self.typed = typed
        self.from_cpr = from_cpr


@transaction.atomic
def complete_identity(
    *, actor_user: User, person: YoungPerson, cpr: str, correct_birth_date: bool = False
) -> Completion:
    """Add the CPR number of a young person registered without it: validated, in the target
    ages, stored encrypted with its blind index and the birth date it gives.

    The row is locked; the same number posted again gives the same result (no second event).
    A number another young person of the municipality has changes nothing and returns that
    person as the clash (the unique index decides a race between two completions); the look-up
    is audited like a search by CPR number. A birth date typed at the report that differs from
    the number's is replaced only when the user confirms (`correct_birth_date`), else
    `BirthDateMismatch`. An anonymised person gets no number; a person merged away meanwhile
    returns the survivor (`merged_away`)."""
    actor = access.get_actor(actor_user)
    if not can_complete_identity(actor) or person.municipality_id != municipality_of(actor):
        raise DomainError(_("Kun SSP-medarbejdere i kommunen kan tilføje et CPR-nummer."))
    digits, birth = parse_cpr(cpr)
    municipality = Municipality.objects.get(pk=person.municipality_id)
    check_target_age(municipality, birth)
    index = blind_index(digits)
    locked = YoungPerson.objects.select_for_update(of=("self",)).filter(pk=person.pk).first()
    if locked is None:
        return Completion(person=_survivor_of(person), merged_away=True)
    if locked.anonymised_at is not None:
        raise DomainError(anonymised_message())
    if locked.cpr_index == index:
        return Completion(person=locked)
    if locked.cpr_index:
        raise DomainError(_("Den unge har allerede et andet CPR-nummer."))
    clash = _holder_of(locked, index)
    if clash is not None:
        _record_clash(actor_user, locked, clash)
        return Completion(person=locked, clash=clash)
    typed = locked.birth_date
    corrected = typed is not None and typed != birth
    if typed is not None and corrected and not correct_birth_date:
        raise BirthDateMismatch(typed=typed, from_cpr=birth)
    locked.cpr_encrypted = encrypt(digits)
    locked.cpr_index = index
    locked.birth_date = birth
    try:
        with transaction.atomic():
            locked.save(update_fields=["cpr_encrypted", "cpr_index", "birth_date"])
    except IntegrityError:
        clash = _holder_of(locked, index)
        if clash is None:
            raise
        _record_clash(actor_user, locked, clash)
        return Completion(person=YoungPerson.objects.get(pk=locked.pk), clash=clash)
    record_event(
        actor=actor_user,
        action=IDENTITY_COMPLETED,
        obj=locked,
        municipality_id=locked.municipality_id,
        subject_ref=_subject(locked.pk),
        data={
            "identity": "cpr_added",
            "fields": ["cpr", "birth_date"],
            "birth_date_corrected": corrected,
        },
    )
    return Completion(person=locked, changed=True)


def _survivor_of(person: YoungPerson) -> YoungPerson:
    """The young person `person` was merged into (it is gone), else the 404 of a person that
    does not exist."""
    survivor_id = merged_into(person.municipality_id, person.pk)
    survivor = (
        YoungPerson.objects.filter(pk=survivor_id, municipality_id=person.municipality_id).first()
        if survivor_id is not None
        else None
    )
    if survivor is None:
        raise Http404
    return survivor


def _record_clash(actor_user: User, person: YoungPerson, holder: YoungPerson) -> None:
    """The number typed for `person` named another young person: a look-up by CPR number, on
    the holder's trail like the search of the young people (`services.record_search`); ids
    only."""
    record_event(
        actor=actor_user,
        action=AuditAction.YOUNG_PEOPLE_SEARCHED,
        obj=holder,
        municipality_id=holder.municipality_id,
        subject_ref=_subject(holder.pk),
        data={"by": SEARCH_BY_CPR, "hits": 1, "completing": person.pk},
    )


def _holder_of(person: YoungPerson, index: str) -> YoungPerson | None:
    return (
        YoungPerson.objects.filter(municipality_id=person.municipality_id, cpr_index=index)
        .exclude(pk=person.pk)
        .first()
    )


# --- Merging ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergePlan:
    survivor: YoungPerson
    merged: YoungPerson
    # Why the two cannot be merged ("" when they can).
    refusal: str = ""


def plan_merge(person: YoungPerson, other: YoungPerson) -> MergePlan:
    """Which survives: the one with a CPR number; without one on either side, `person` (whose
    page the merge started from). Two different CPR numbers are two children; an anonymised
    registration is never merged; two rows that would break a unique constraint (the same police
    report on both) are refused before anything is moved."""
    if person.cpr_index and other.cpr_index and person.cpr_index != other.cpr_index:
        return MergePlan(
            survivor=person,
            merged=other,
            refusal=_("To forskellige CPR-numre kan ikke lægges sammen."),
        )
    if other.cpr_index and not person.cpr_index:
        survivor, merged = other, person
    else:
        survivor, merged = person, other
    if person.anonymised_at is not None or other.anonymised_at is not None:
        return MergePlan(survivor=survivor, merged=merged, refusal=anonymised_message())
    return MergePlan(survivor=survivor, merged=merged, refusal=_shared_unique_row(survivor, merged))


def _shared_unique_row(survivor: YoungPerson, merged: YoungPerson) -> str:
    """Why moving the merged person's rows would break a unique constraint of a related model
    (a police report's `police_report_once`: the same reference on both), naming the row by its
    own fields (no CPR number, no name); "" when nothing clashes."""
    for rel in person_relations():
        model = rel.related_model
        name = rel.field.name
        for constraint in model._meta.constraints:
            if not isinstance(constraint, models.UniqueConstraint) or name not in constraint.fields:
                continue
            others = [f for f in constraint.fields if f != name]
            rows = model._base_manager.all()
            if constraint.condition is not None:
                rows = rows.filter(constraint.condition)
            if not others:
                if (
                    rows.filter(**{name: merged}).exists()
                    and rows.filter(**{name: survivor}).exists()
                ):
                    return _clash_message(model, [])
                continue
            theirs = set(rows.filter(**{name: merged}).values_list(*others))
            shared = theirs & set(rows.filter(**{name: survivor}).values_list(*others))
            if shared:
                values = min(shared, key=str)
                return _clash_message(model, list(zip(others, values, strict=True)))
    return ""


def _clash_message(model: type[models.Model], values: list[tuple[str, object]]) -> str:
    shown = []
    for field_name, value in values:
        field = model._meta.get_field(field_name)
        if isinstance(field, models.Field) and not field.is_relation:
            shown.append(f"{field.verbose_name} {value}")
    kind = model._meta.verbose_name
    if shown:
        return _(
            "De to kan ikke lægges sammen: begge har en %(kind)s med %(what)s. Ret den ene "
            "først (eller bed en administrator om det), og læg dem så sammen."
        ) % {"kind": kind, "what": ", ".join(shown)}
    return _(
        "De to kan ikke lægges sammen: begge har en %(kind)s, og den unge kan kun have én. "
        "Ret den ene først (eller bed en administrator om det), og læg dem så sammen."
    ) % {"kind": kind}


def merge_warnings(survivor: YoungPerson, merged: YoungPerson) -> list[str]:
    """What the merge leaves doubled for the SSP staff to tidy (the confirmation page says so):
    two open cases, two open network-council deadlines, a custody holder on both."""
    warnings = []
    open_cases = Case.objects.filter(status=CaseStatus.OPEN)
    if (
        open_cases.filter(young_person=survivor).exists()
        and open_cases.filter(young_person=merged).exists()
    ):
        warnings.append(
            _(
                "Begge har en åben sag. Efter sammenlægningen har barnet to åbne sager: luk den "
                "ene, når I har samlet det vigtige i den anden."
            )
        )
    deadline = apps.get_model("police", "Deadline")
    councils = deadline._base_manager.filter(kind=NETWORK_COUNCIL_DEADLINE, met_on__isnull=True)
    if (
        councils.filter(young_person=survivor).exists()
        and councils.filter(young_person=merged).exists()
    ):
        warnings.append(
            _(
                "Begge har en åben frist for netværkssamråd. Efter sammenlægningen står barnet "
                "to gange på fristlisten: markér begge som overholdt, når samrådet er holdt."
            )
        )
    names = {holder.name.strip().casefold() for holder in survivor.custody_holders.all()}
    for holder in merged.custody_holders.all().order_by("name", "pk"):
        if holder.name.strip().casefold() in names:
            warnings.append(
                _(
                    "Begge har %(name)s som forældremyndighedsindehaver: efter "
                    "sammenlægningen står vedkommende to gange."
                )
                % {"name": holder.name}
            )
    return warnings


@dataclass(frozen=True)
class MergeResult:
    survivor: YoungPerson
    merged_id: int
    # The two were merged before (a second post, or a concurrent merge of the same pair).
    already: bool = False


def person_relations() -> list[models.ForeignObjectRel]:
    """Every foreign key to YoungPerson in any app (cases, police, audit ...), those without a
    reverse accessor (`related_name="+"`, a deadline, a council) included."""
    return [
        field
        for field in YoungPerson._meta.get_fields(include_hidden=True)
        if isinstance(field, models.ForeignObjectRel)
        and (field.one_to_many or field.one_to_one)
        and not field.field.many_to_many
    ]


@transaction.atomic
def merge_young_people(*, actor_user: User, person_id: int, other_id: int) -> MergeResult:
    """Merge two registrations of one child: every row pointing at the merged person moves to
    the survivor (`plan_merge`), the survivor's blanks are filled from the other, the merged
    person is deleted; one audit event on each person's trail (ids only).

    Both rows are locked in id order. A pair merged before (the same post twice, or two
    coordinators at once) returns the survivor with `already`, not an error."""
    actor = access.get_actor(actor_user)
    if not can_merge_young_people(actor):
        raise DomainError(_("Kun SSP-medarbejdere kan lægge unge sammen."))
    if person_id == other_id:
        raise DomainError(_("Vælg en anden ung end den, du står på."))
    municipality_id = municipality_of(actor)
    locked = {
        person.pk: person
        for person in case_access.visible_young_people(actor)
        .select_for_update(of=("self",))
        .filter(pk__in=sorted({person_id, other_id}))
        .order_by("pk")
    }
    if len(locked) < 2:  # noqa: PLR2004 - the pair
        return _merged_before(municipality_id, person_id, other_id, locked)
    # On the locked rows: anonymised meanwhile, a CPR number added, a report imported.
    plan = plan_merge(locked[person_id], locked[other_id])
    if plan.refusal:
        raise DomainError(plan.refusal)
    survivor, merged = plan.survivor, plan.merged
    for rel in person_relations():
        model = rel.related_model
        name = rel.field.name
        try:
            with transaction.atomic():
                model._base_manager.filter(**{name: merged}).update(**{name: survivor})
        except IntegrityError as exc:  # a row added since the check above
            raise DomainError(
                _(
                    "De to unge kan ikke lægges sammen automatisk: begge har den samme "
                    "registrering (%(kind)s). Kontakt en administrator."
                )
                % {"kind": model._meta.verbose_name}
            ) from exc
    filled = _fill_blanks(survivor, merged)
    merged_pk = merged.pk
    merged.delete()
    if filled:
        survivor.save(update_fields=filled)
    record_event(
        actor=actor_user,
        action=MERGED,
        obj=survivor,
        municipality_id=municipality_id,
        subject_ref=_subject(survivor.pk),
        data={"merged_from": merged_pk, "filled": filled},
    )
    record_event(
        actor=actor_user,
        action=MERGED,
        object_type=YoungPerson._meta.label_lower,
        object_id=str(merged_pk),
        object_repr=f"{YoungPerson._meta.label_lower}:{merged_pk}",
        municipality_id=municipality_id,
        subject_ref=_subject(merged_pk),
        data={"merged_into": survivor.pk},
    )
    return MergeResult(survivor=survivor, merged_id=merged_pk)


def _fill_blanks(survivor: YoungPerson, merged: YoungPerson) -> list[str]:
    """The survivor's blanks filled from the merged person; the school district only with the
    school (a school of one registration and a district of the other would disagree)."""
    filled = [name for name in ("birth_date", "class_name") if _fill_blank(survivor, merged, name)]
    if survivor.school_id is None and merged.school_id is not None:
        survivor.school_id = merged.school_id
        survivor.school_district_id = merged.school_district_id
        filled += ["school", "school_district"]
    return filled


def _fill_blank(survivor: YoungPerson, merged: YoungPerson, name: str) -> bool:
    """Copy `name` from the merged person where the survivor has none."""
    if getattr(survivor, name) not in (None, ""):
        return False
    value = getattr(merged, name)
    if value in (None, ""):
        return False
    setattr(survivor, name, value)
    return True


def _merged_before(
    municipality_id: int, person_id: int, other_id: int, found: dict[int, YoungPerson]
) -> MergeResult:
    """One of the pair is gone: merged into the other before (the same merge again), or else
    the pair cannot be merged (404, as for a person the actor may not see)."""
    for missing in (person_id, other_id):
        if missing in found:
            continue
        target = merged_into(municipality_id, missing)
        if target is not None and target in found:
            return MergeResult(survivor=found[target], merged_id=missing, already=True)
    raise Http404
