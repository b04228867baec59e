"""Issue 16: the municipality's part of the offence catalogue (use cases).

The national (statutory) kinds (`Offence.municipality` NULL, installed by `offences.py`) decide
the network councils of R5 and are read only here: a municipality cannot remove them, rename
them or make them less serious. It adds local kinds (retired rather than deleted, so that its
reports keep their kind) and its own aliases for any kind, as its police lists write them. A
name or alias that would match two kinds is refused, naming the kind it already matches.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.errors import DomainError
from ssp.police import access as police_access
from ssp.police import offences as offence_catalogue
from ssp.police.models import Offence, OffenceAlias
from ssp.police.services import enforce_for_service, load_offences
from ssp.validation import has_control_characters, max_length_of

NAME_MAX = max_length_of(Offence, "name")
CODE_MAX = max_length_of(Offence, "code")
ALIAS_MAX = max_length_of(OffenceAlias, "alias")
# A code from a Danish name keeps its letters readable ("Røveri" -> "roeveri", as the statute's).
DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


class StaleOffence(DomainError):
    """The kind was changed by someone else after the form was opened."""

    status_code = 409


def _actor_municipality(actor_user: User) -> int:
    actor = enforce_for_service(
        police_access.can_manage_offences,
        actor_user,
        _("Kun SSP-medarbejdere og kommunens administrator vedligeholder kategorierne."),
    )
    if actor.municipality_id is None:  # can_manage_offences requires one; for mypy
        raise DomainError(_("Du er ikke knyttet til en kommune."))
    return actor.municipality_id


def _audit(actor_user: User, municipality_id: int, obj: Any, **data: Any) -> None:
    record_event(
        actor=actor_user,
        action=AuditAction.OFFENCE_CATALOGUE_CHANGED,
        obj=obj,
        municipality_id=municipality_id,
        data=data,
    )


def _clean(text: str, *, label: str, max_length: int) -> str:
    value = " ".join(text.split())
    if not value:
        raise DomainError(_("Skriv %(what)s.") % {"what": label})
    if len(value) > max_length:
        raise DomainError(
            _("%(what)s må højst være %(n)s tegn.") % {"what": label.capitalize(), "n": max_length}
        )
    if has_control_characters(value):
        raise DomainError(_("Teksten indeholder tegn, der ikke kan gemmes."))
    return value


def fingerprint(offence: Offence) -> str:
    """What the edit form was opened with: a save against other values is refused."""
    values = f"{offence.name}\x1f{offence.serious}\x1f{offence.retired_at}"
    return hashlib.sha256(values.encode()).hexdigest()[:32]


def _match_conflict(municipality_id: int, text: str, offence_id: int | None) -> Offence | None:
    """The kind (other than `offence_id`) that a list's `text` already matches in the
    municipality: its name, a built-in alias or one of the municipality's aliases (also of a
    retired local kind, whose aliases are still the municipality's)."""
    wanted = offence_catalogue.normalised(text)
    for offence in load_offences(municipality_id):
        if offence.pk != offence_id and wanted in offence_catalogue.match_names(offence):
            return offence
    aliases = OffenceAlias.objects.filter(municipality_id=municipality_id, alias__iexact=wanted)
    if offence_id is not None:
        aliases = aliases.exclude(offence_id=offence_id)
    alias = aliases.select_related("offence").first()
    return alias.offence if alias is not None else None


def _refuse_conflict(municipality_id: int, text: str, offence_id: int | None) -> None:
    other = _match_conflict(municipality_id, text, offence_id)
    if other is not None:
        raise DomainError(
            _("„%(text)s“ matcher allerede kategorien „%(kind)s“. Vælg en anden betegnelse.")
            % {"text": text, "kind": other.name}
        )


@transaction.atomic
def add_local_offence(*, actor_user: User, name: str, code: str = "", serious: bool) -> Offence:
    """A local kind of the actor's municipality."""
    municipality_id = _actor_municipality(actor_user)
    name = _clean(name, label=_("et navn"), max_length=NAME_MAX)
    code = slugify((code.strip() or name).lower().translate(DANISH_LETTERS))[:CODE_MAX]
    if not code:
        raise DomainError(_("Skriv en kode med bogstaver eller tal."))
    _refuse_conflict(municipality_id, name, None)
    if Offence.objects.filter(municipality__isnull=True, code=code).exists() or (
        Offence.objects.filter(municipality_id=municipality_id, code=code).exists()
    ):
        raise DomainError(_("Koden „%(code)s“ er allerede i brug.") % {"code": code})
    try:
        with transaction.atomic():
            offence = Offence.objects.create(
                municipality_id=municipality_id, code=code, name=name, serious=serious
            )
    except IntegrityError as exc:  # the same code saved at the same moment
        raise DomainError(_("Koden „%(code)s“ er allerede i brug.") % {"code": code}) from exc
    _audit(actor_user, municipality_id, offence, op="kind_added", offence_id=offence.pk)
    return offence


def _lock_local(actor_user: User, offence: Offence) -> tuple[int, Offence]:
    municipality_id = _actor_municipality(actor_user)
    if offence.municipality_id is None:
        raise DomainError(
            _(
                "Lovens egne kategorier kan ikke ændres af kommunen; "
                "du kan give dem egne betegnelser."
            )
        )
    if offence.municipality_id != municipality_id:
        raise DomainError(_("Kategorien hører til en anden kommune."))
    return municipality_id, Offence.objects.select_for_update().get(pk=offence.pk)


@transaction.atomic
def update_local_offence(
    *, actor_user: User, offence: Offence, name: str, serious: bool, opened: str
) -> Offence:
    """Rename a local kind or change whether it is serious (reports already registered keep the
    deadlines they got). Refused if someone changed the kind after the form was opened."""
    municipality_id, current = _lock_local(actor_user, offence)
    name = _clean(name, label=_("et navn"), max_length=NAME_MAX)
    if fingerprint(current) != opened:
        raise StaleOffence(
            _("En anden har ændret kategorien, mens du skrev. Hent siden igen og ret igen.")
        )
    if current.name == name and current.serious == serious:
        return current
    _refuse_conflict(municipality_id, name, current.pk)
    changed = [f for f, v in (("name", name), ("serious", serious)) if getattr(current, f) != v]
    current.name = name
    current.serious = serious
    current.save(update_fields=changed)
    _audit(
        actor_user,
        municipality_id,
        current,
        op="kind_changed",
        offence_id=current.pk,
        fields=changed,
    )
    return current


@transaction.atomic
def set_offence_retired(*, actor_user: User, offence: Offence, retired: bool) -> Offence:
    """Retire a local kind (new lists no longer match it; reports keep it) or bring it back.
    Idempotent: retiring a retired kind changes nothing and logs nothing."""
    municipality_id, current = _lock_local(actor_user, offence)
    if (current.retired_at is not None) == retired:
        return current
    if not retired:
        _refuse_conflict(municipality_id, current.name, current.pk)
    current.retired_at = timezone.now() if retired else None
    current.save(update_fields=["retired_at"])
    _audit(
        actor_user,
        municipality_id,
        current,
        op="kind_retired" if retired else "kind_restored",
        offence_id=current.pk,
    )
    return current


@transaction.atomic
def add_alias(*, actor_user: User, offence: Offence, alias: str) -> OffenceAlias:
    """The municipality's own name for a kind (national or its own local one)."""
    municipality_id = _actor_municipality(actor_user)
    if offence.municipality_id not in (None, municipality_id):
        raise DomainError(_("Kategorien hører til en anden kommune."))
    text = _clean(alias, label=_("en betegnelse"), max_length=ALIAS_MAX)
    if offence_catalogue.normalised(text) in offence_catalogue.match_names(
        _with_names(municipality_id, offence)
    ):
        raise DomainError(
            _("„%(text)s“ matcher allerede „%(kind)s“.") % {"text": text, "kind": offence.name}
        )
    _refuse_conflict(municipality_id, text, offence.pk)
    try:
        with transaction.atomic():
            created = OffenceAlias.objects.create(
                municipality_id=municipality_id, offence=offence, alias=text
            )
    except IntegrityError as exc:  # the same alias saved at the same moment
        raise DomainError(
            _("„%(text)s“ matcher allerede „%(kind)s“.") % {"text": text, "kind": offence.name}
        ) from exc
    _audit(
        actor_user,
        municipality_id,
        created,
        op="alias_added",
        alias_id=created.pk,
        offence_id=offence.pk,
    )
    return created


def _with_names(municipality_id: int, offence: Offence) -> Offence:
    """The offence as matching sees it in the municipality (with its local aliases)."""
    local = list(
        OffenceAlias.objects.filter(municipality_id=municipality_id, offence=offence).values_list(
            "alias", flat=True
        )
    )
    offence_catalogue.attach_names(offence, local)
    return offence


@transaction.atomic
def delete_alias(*, actor_user: User, alias_id: int) -> bool:
    """Remove one of the municipality's aliases; False if it was gone already (a second
    click)."""
    municipality_id = _actor_municipality(actor_user)
    alias = (
        OffenceAlias.objects.select_for_update()
        .filter(pk=alias_id, municipality_id=municipality_id)
        .first()
    )
    if alias is None:
        return False
    offence_id = alias.offence_id
    alias.delete()
    _audit(
        actor_user,
        municipality_id,
        None,
        op="alias_deleted",
        alias_id=alias_id,
        offence_id=offence_id,
    )
    return True
