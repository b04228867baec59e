"""Issue 16 (R4): the municipality's legal bases for disclosures, kept on its configuration page
(`organisation:legal_bases`) instead of in a shell.

A basis a disclosure was recorded under never changes: an edit retires the row and makes a new
one with the same code (`LegalBasis.replaced_by`), so the disclosure keeps the title and
reference it was given under. Retired bases are not offered for new disclosures.

The municipality must keep one consent basis: R4's first way to pass information on is the
custody holders' consent (`Disclosure` under an `is_consent` basis checks that consent exists),
and without a consent basis every disclosure would have to be recorded under a basis without
consent. Retiring (or un-marking) the last one is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ssp import access
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases.models import LegalBasis
from ssp.errors import DomainError
from ssp.organisation.models import Municipality
from ssp.validation import has_control_characters, max_length_of

RETIRED_PAGE_SIZE = 20
# The page lists at most this many bases in force (a municipality has a handful).
CURRENT_SHOWN = 200
# Danish letters that `slugify` would drop, spelled out as Danes do in addresses.
_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")


@dataclass(frozen=True)
class LegalBasisData:
    title: str
    reference: str
    is_consent: bool
    requires_parent_involvement: bool
    code: str = ""


def current_legal_bases(municipality: Municipality) -> QuerySet[LegalBasis]:
    """The bases in force (offered for new disclosures), by title."""
    return LegalBasis.objects.filter(municipality=municipality, retired_at__isnull=True).order_by(
        "title", "pk"
    )


def retired_legal_bases_page(municipality: Municipality, *, page: int) -> Page[LegalBasis]:
    """The retired bases, newest first, one page at a time."""
    retired = LegalBasis.objects.filter(
        municipality=municipality, retired_at__isnull=False
    ).select_related("replaced_by")
    return Paginator(retired.order_by("-retired_at", "-pk"), RETIRED_PAGE_SIZE).get_page(page)


def get_legal_basis_to_configure(municipality: Municipality, pk: int) -> LegalBasis:
    """One of the municipality's bases (retired ones too), or 404."""
    return access.get_or_404(LegalBasis.objects.filter(municipality=municipality), pk=pk)


def code_from_title(title: str) -> str:
    """A code for a new basis: the title as a slug ("Samtykke fra forældre" ->
    "samtykke-fra-foraeldre"), cut to the column."""
    slug = slugify(unicodedata.normalize("NFC", title).translate(_DANISH))
    return slug[: max_length_of(LegalBasis, "code")].strip("-") or "hjemmel"


def _clean(data: LegalBasisData) -> LegalBasisData:
    title = (data.title or "").strip()
    reference = (data.reference or "").strip()
    code = (data.code or "").strip()
    if not title:
        raise DomainError(_("Skriv hjemlens titel."))
    if len(title) > max_length_of(LegalBasis, "title") or len(reference) > max_length_of(
        LegalBasis, "reference"
    ):
        raise DomainError(_("Titel og lovhenvisning må højst være 200 tegn."))
    if has_control_characters(title) or has_control_characters(reference):
        raise DomainError(_("Teksten indeholder et usynligt kontroltegn. Skriv den igen."))
    if code and (len(code) > max_length_of(LegalBasis, "code") or not _CODE.match(code)):
        raise DomainError(
            _("Koden må kun indeholde bogstaver a-z, tal og bindestreger (højst 50 tegn).")
        )
    return LegalBasisData(
        title=title,
        reference=reference,
        is_consent=data.is_consent,
        requires_parent_involvement=data.requires_parent_involvement,
        code=code,
    )


def _event(actor_user: User, basis: LegalBasis, op: str, new: LegalBasis | None = None) -> None:
    record_event(
        actor=actor_user,
        action=AuditAction.LEGAL_BASIS_CHANGED,
        obj=basis,
        municipality_id=basis.municipality_id,
        data={"op": op, "id": basis.pk, "new_id": new.pk if new is not None else None},
    )


def _lock_municipality(municipality_id: int) -> None:
    """Serialises the changes of one municipality's bases (the code check, the last consent
    basis: two retirements at once must not both see the other's basis)."""
    Municipality.objects.select_for_update(no_key=True).filter(pk=municipality_id).first()


def _other_consent_basis_exists(municipality: Municipality, basis: LegalBasis) -> bool:
    return current_legal_bases(municipality).filter(is_consent=True).exclude(pk=basis.pk).exists()


LAST_CONSENT = gettext_noop(
    "Kommunen skal have mindst én hjemmel for samtykke. Opret en ny samtykkehjemmel først."
)
CODE_TAKEN = gettext_noop("En anden hjemmel i brug har allerede koden. Vælg en anden kode.")
CHANGED_MEANWHILE = gettext_noop("Hjemlen er ændret af en anden i mellemtiden. Hent siden igen.")


@transaction.atomic
def create_legal_basis(
    *, actor_user: User, municipality: Municipality, data: LegalBasisData
) -> LegalBasis:
    """A new basis (the code from the title when none is given); a code in use is refused."""
    data = _clean(data)
    _lock_municipality(municipality.pk)
    code = data.code or code_from_title(data.title)
    if current_legal_bases(municipality).filter(code=code).exists():
        raise DomainError(_(CODE_TAKEN))
    try:
        with transaction.atomic():
            basis = LegalBasis.objects.create(
                municipality=municipality,
                code=code,
                title=data.title,
                reference=data.reference,
                is_consent=data.is_consent,
                requires_parent_involvement=data.requires_parent_involvement,
            )
    except IntegrityError as error:
        raise DomainError(_(CODE_TAKEN)) from error
    _event(actor_user, basis, "created")
    return basis


def _values_of(basis: LegalBasis) -> tuple[str, str, bool, bool]:
    return (basis.title, basis.reference, basis.is_consent, basis.requires_parent_involvement)


@transaction.atomic
def change_legal_basis(*, actor_user: User, basis: LegalBasis, data: LegalBasisData) -> LegalBasis:
    """Retire `basis` and make its successor with the new values and the same code; the
    disclosures recorded under `basis` keep it. A basis retired meanwhile (another person's
    edit, or a second click) is refused; unchanged values change nothing."""
    data = _clean(data)
    _lock_municipality(basis.municipality_id)
    locked = LegalBasis.objects.select_for_update().filter(pk=basis.pk).first()
    wanted = (data.title, data.reference, data.is_consent, data.requires_parent_involvement)
    successor = locked.replaced_by if locked is not None else None
    if successor is not None and _values_of(successor) == wanted:
        return successor  # a second click of the same change: the first made it
    if locked is None or locked.retired_at is not None:
        raise DomainError(_(CHANGED_MEANWHILE))
    if _values_of(locked) == wanted:
        return locked
    if (
        locked.is_consent
        and not data.is_consent
        and not _other_consent_basis_exists(locked.municipality, locked)
    ):
        raise DomainError(_(LAST_CONSENT))
    locked.retired_at = timezone.now()
    locked.save(update_fields=["retired_at"])
    new = LegalBasis.objects.create(
        municipality_id=locked.municipality_id,
        code=locked.code,
        title=data.title,
        reference=data.reference,
        is_consent=data.is_consent,
        requires_parent_involvement=data.requires_parent_involvement,
    )
    locked.replaced_by = new
    locked.save(update_fields=["replaced_by"])
    _event(actor_user, locked, "changed", new)
    return new


@transaction.atomic
def retire_legal_basis(*, actor_user: User, basis: LegalBasis) -> bool:
    """Stop offering the basis for new disclosures (those recorded under it keep it). Retired
    already: nothing (False). The last consent basis is kept (see the module docstring)."""
    _lock_municipality(basis.municipality_id)
    locked = LegalBasis.objects.select_for_update().filter(pk=basis.pk).first()
    if locked is None or locked.retired_at is not None:
        return False
    if locked.is_consent and not _other_consent_basis_exists(locked.municipality, locked):
        raise DomainError(_(LAST_CONSENT))
    locked.retired_at = timezone.now()
    locked.save(update_fields=["retired_at"])
    _event(actor_user, locked, "retired")
    return True
