"""Issue 16: the municipality's SSP guide (Halsnæs: "en vejledning til de ansatte om, hvordan de
skal håndtere bekymringer"; Faxe's SSP guide).

Three sections the municipality writes (how to react, whom to contact, what happens after a
concern); a section left empty shows a generic default text. The contacts are never typed into
the guide: the page fills them in from the organisation (the SSP staff, the municipality's
`concern_contact`, the reader's own unit's SSP contact and the local fora of its school
district), reusing the selectors of "Hvem kontakter jeg?".

The guide is read by everyone in the municipality, so it must not name children: CPR-like
numbers and (for writers who may see the register) registered young people's names are refused.
E-mail addresses and phone numbers are allowed here: a guide names the SSP hotline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ssp import access
from ssp.access import Actor
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases import selectors as case_selectors
from ssp.cases.personal_data import FindingKind, find_personal_data
from ssp.errors import DomainError
from ssp.organisation import selectors
from ssp.organisation.models import Forum, Guide, Member, Municipality, Unit
from ssp.prevention import access as prevention_access
from ssp.prevention.services import PersonalDataFound
from ssp.versioning import StaleEdit, save_versioned

# The guide's sections: field name and heading, in the order the page shows them.
SECTIONS: tuple[tuple[str, Any], ...] = (
    ("how_to_react", gettext_lazy("Sådan reagerer du")),
    ("whom_to_contact", gettext_lazy("Hvem du kontakter")),
    ("after_concern", gettext_lazy("Hvad der sker efter en bekymring")),
)
FIELDS = tuple(name for name, _heading in SECTIONS)

DEFAULT_TEXTS: dict[str, Any] = {
    "how_to_react": gettext_lazy(
        "Tag din bekymring alvorligt, også når den bygger på en fornemmelse.\n\n"
        "Tal med barnet eller den unge om det, du har set eller hørt, hvis det er naturligt. "
        "Lyt, og lov ikke at holde noget hemmeligt.\n\n"
        "Skriv ned, hvad du konkret har set eller hørt, hvornår og hvor. Skriv fakta, ikke "
        "gætterier.\n\n"
        "Undersøg ikke sagen selv, og konfrontér ikke andre børn, unge eller forældre med din "
        "mistanke. Det gør SSP-samarbejdet sammen med dig."
    ),
    "whom_to_contact": gettext_lazy(
        "Tal først med din nærmeste leder.\n\n"
        "Kontakt derefter SSP-kontaktpersonen på din arbejdsplads eller en af SSP-koordinatorerne "
        "herunder. Du kan også indberette bekymringen direkte her på platformen under "
        "«Bekymringer».\n\n"
        "Er et barn i akut fare, så ring 112. Har du en underretningspligt, gælder den stadig: "
        "en bekymring til SSP erstatter ikke en underretning til kommunen."
    ),
    "after_concern": gettext_lazy(
        "Bekymringen går til den lokale SSP-gruppe eller SSP-teamet, som vurderer den, typisk på "
        "førstkommende møde.\n\n"
        "Du får en kvittering, når du har indberettet, og kan se bekymringens status under "
        "«Mine indberetninger» på forsiden.\n\n"
        "Gruppen aftaler, hvem der taler med forældrene. Som udgangspunkt orienteres forældrene, "
        "før der deles oplysninger om barnet, medmindre loven giver adgang til andet."
    ),
}

# The page names the first few SSP staff by name; "Hvem kontakter jeg?" has them all.
GUIDE_STAFF_SHOWN = 10


@dataclass(frozen=True)
class GuideSection:
    key: str
    heading: str
    text: str
    is_default: bool


@dataclass(frozen=True)
class GuidePage:
    """What the guide page shows: the sections, and the contacts from the organisation."""

    municipality: Municipality
    guide: Guide | None
    sections: list[GuideSection]
    staff: list[Member]
    staff_total: int
    unit: Unit | None
    local_fora: list[Forum]

    @property
    def is_default(self) -> bool:
        """The municipality has written none of the sections yet."""
        return all(section.is_default for section in self.sections)


def get_guide_municipality_for(actor: Actor, slug: str) -> Municipality:
    """The municipality whose guide the actor reads: the actor's own (404 for another's)."""
    municipality = selectors.get_municipality_for(actor, slug)
    if not access.can_see_guide(actor, municipality):
        raise Http404
    return municipality


def get_editable_guide_municipality_for(actor: Actor, slug: str) -> Municipality:
    """The municipality whose guide the actor edits: 404 for another municipality's, 403 for a
    member of the municipality who may read but not edit."""
    municipality = get_guide_municipality_for(actor, slug)
    if not access.can_edit_guide(actor, municipality):
        raise PermissionDenied
    return municipality


def guide_of(municipality: Municipality) -> Guide | None:
    return Guide.objects.filter(municipality=municipality).first()


def _reader_unit(actor: Actor, municipality: Municipality) -> Unit | None:
    """The reader's own unit in the municipality, with its district and SSP contact."""
    if actor.member_id is None:
        return None
    member = (
        Member.objects.filter(pk=actor.member_id, municipality=municipality)
        .select_related("unit__school_district", "unit__ssp_contact__unit")
        .first()
    )
    return member.unit if member is not None else None


def guide_page(actor: Actor, municipality: Municipality) -> GuidePage:
    guide = guide_of(municipality)
    sections = []
    for name, heading in SECTIONS:
        text = (getattr(guide, name) if guide is not None else "").strip()
        sections.append(
            GuideSection(
                key=name,
                heading=str(heading),
                text=text or str(DEFAULT_TEXTS[name]),
                is_default=not text,
            )
        )
    staff = selectors.ssp_staff_of(municipality)
    unit = _reader_unit(actor, municipality)
    return GuidePage(
        municipality=municipality,
        guide=guide,
        sections=sections,
        staff=list(staff[:GUIDE_STAFF_SHOWN]),
        staff_total=staff.count(),
        unit=unit,
        local_fora=selectors.district_fora_with_contacts(
            actor, unit.school_district if unit is not None else None
        ),
    )


def guide_values(municipality: Municipality) -> tuple[dict[str, str], int]:
    """The edit form's initial values and version (0: no guide written yet)."""
    guide = guide_of(municipality)
    if guide is None:
        return dict.fromkeys(FIELDS, ""), 0
    return {name: getattr(guide, name) for name in FIELDS}, guide.version


# --- Editing --------------------------------------------------------------------------------


def check_guide_texts(actor: Actor, municipality_id: int, texts: dict[str, str]) -> None:
    """A guide must not name children: refuse CPR-like numbers, and registered young people's
    names for writers who may see the register (for anyone else a refusal would tell whether a
    name is registered). Raises `PersonalDataFound` naming the kinds and fields, never the text.
    """
    names = (
        case_selectors.registered_names(municipality_id)
        if prevention_access.checks_registered_names(actor)
        else []
    )
    refused = {FindingKind.CPR, FindingKind.REGISTERED_NAME}
    headings = dict(SECTIONS)
    kinds: set[str] = set()
    found: list[str] = []
    for name, text in texts.items():
        findings = [f for f in find_personal_data(text, names=names) if f.kind in refused]
        if findings:
            kinds.update(str(finding.kind.label) for finding in findings)
            found.append(name)
    if not found:
        return
    labels = [str(headings[name]) for name in found]
    raise PersonalDataFound(
        _(
            "Vejledningen må ikke nævne børn og unge. Fundet: %(kinds)s i %(fields)s. "
            "Fjern det, og gem igen."
        )
        % {
            "kinds": ", ".join(sorted(kinds)),
            "fields": ", ".join(f"«{label}»" for label in labels),
        },
        fields=found,
        labels=labels,
    )


@transaction.atomic
def save_guide(
    *,
    actor_user: User,
    municipality: Municipality,
    texts: dict[str, str],
    expected_version: int,
) -> Guide:
    """Write the guide's three sections, versioned: a save from a stale page raises `StaleEdit`
    with what is stored now. Version 0 means the editor saw no guide: the first save creates it
    (of two first saves one wins, the other is stale)."""
    actor = access.get_actor(actor_user)
    if not access.can_edit_guide(actor, municipality):
        raise DomainError(_("Du kan ikke rette kommunens SSP-vejledning."))
    values = {name: (texts.get(name) or "").strip() for name in FIELDS}
    check_guide_texts(actor, municipality.pk, values)
    guide = guide_of(municipality)
    if guide is None:
        if expected_version != 0:
            raise DomainError(_("Vejledningen findes ikke længere. Hent siden igen."))
        try:
            with transaction.atomic():
                guide = Guide.objects.create(
                    municipality=municipality, updated_by=actor_user, **values
                )
        except IntegrityError:
            stored = Guide.objects.get(municipality=municipality)
            raise StaleEdit(
                current={name: getattr(stored, name) for name in FIELDS}, version=stored.version
            ) from None
    else:
        if expected_version == 0:
            raise StaleEdit(
                current={name: getattr(guide, name) for name in FIELDS}, version=guide.version
            )
        for name, value in values.items():
            setattr(guide, name, value)
        guide.updated_by = actor_user
        guide.updated_at = timezone.now()
        save_versioned(
            guide,
            expected_version=expected_version,
            fields=[*FIELDS, "updated_by", "updated_at"],
        )
    record_event(
        actor=actor_user,
        action=AuditAction.GUIDE_CHANGED,
        obj=guide,
        municipality_id=municipality.pk,
        data={"version": guide.version},
    )
    return guide
