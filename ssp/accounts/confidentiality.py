"""R4: the duty of confidentiality, acknowledged before personal data and again every year.

The text is the municipality's rule `confidentiality_text` (in `Municipality.rules`); without
one, the default below, after Høje-Taastrup Kommune's "Tavshedspligt" in its SSP description.
An acknowledgement counts for `ACKNOWLEDGEMENT_VALID_FOR` and for the text it was given to: when
the municipality changes its text, everyone acknowledges the new one.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from ssp import access
from ssp.accounts.models import ConfidentialityAcknowledgement
from ssp.organisation.models import Municipality

ACKNOWLEDGEMENT_VALID_FOR = timedelta(days=365)
TEXT_RULE = "confidentiality_text"

# Kept in Danish as the municipalities' own documents are (not a UI string: the rule's default).
DEFAULT_CONFIDENTIALITY_TEXT = (
    "Et særligt vilkår i SSP-samarbejdet er tavshedspligten. SSP-samarbejdet er underlagt de "
    "gældende regler om offentligt ansattes tavshedspligt (forvaltningsloven kapitel 8, "
    "§§ 27-32, lov om social service og straffeloven §§ 152-152 f og § 264 d). Tavshedspligt "
    "har enhver, der virker eller har virket i offentlig tjeneste eller hverv, jf. straffelovens "
    "§ 152. Reglerne gælder for alle medlemmer af SSP-samarbejdets fora, også efter at du er "
    "holdt op.\n\n"
    "Oplysninger om enkeltpersoner drøftes kun i de fora, der må drøfte enkeltsager, og "
    "videregives til så få personer som muligt. Oplysninger udvekslet efter retsplejelovens "
    "§ 115 må kun bruges i det kriminalitetsforebyggende arbejde og aldrig i efterforskningen "
    "af straffesager. Ingen er forpligtet til at videregive oplysninger.\n\n"
    "Forældrene og den unge skal som hovedregel inddrages, og samtykke indhentes så tidligt som "
    "muligt.\n\n"
    "Jeg bekræfter, at jeg har læst og kender min tavshedspligt, og at jeg kun bruger "
    "oplysningerne på platformen i mit arbejde i SSP-samarbejdet."
)


def text_for(municipality: Municipality | None) -> str:
    """The municipality's text of the duty of confidentiality (its rule, else the default)."""
    text = municipality.rule(TEXT_RULE) if municipality is not None else None
    if isinstance(text, str) and text.strip():
        return text.strip()
    return DEFAULT_CONFIDENTIALITY_TEXT


def hash_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def valid_since(now: datetime | None = None) -> datetime:
    """Acknowledgements given after this moment still count."""
    return (now or timezone.now()) - ACKNOWLEDGEMENT_VALID_FOR


def current_acknowledgement(
    *, user_id: int, municipality: Municipality | None, now: datetime | None = None
) -> ConfidentialityAcknowledgement | None:
    """The user's acknowledgement that still counts for the municipality's current text."""
    return (
        ConfidentialityAcknowledgement.objects.filter(
            user_id=user_id,
            text_hash=hash_of(text_for(municipality)),
            acknowledged_at__gt=valid_since(now),
        )
        .order_by("-acknowledged_at")
        .first()
    )


def has_current_acknowledgement(
    *, user_id: int, municipality: Municipality | None, now: datetime | None = None
) -> bool:
    """Whether `current_acknowledgement` finds one (an EXISTS, for every request's check)."""
    return ConfidentialityAcknowledgement.objects.filter(
        user_id=user_id,
        text_hash=hash_of(text_for(municipality)),
        acknowledged_at__gt=valid_since(now),
    ).exists()


def latest_acknowledgement(user_id: int) -> ConfidentialityAcknowledgement | None:
    """The user's newest acknowledgement, whether it still counts or not (account page)."""
    return (
        ConfidentialityAcknowledgement.objects.filter(user_id=user_id)
        .select_related("municipality")
        .order_by("-acknowledged_at")
        .first()
    )


def expires_at(acknowledgement: ConfidentialityAcknowledgement) -> datetime:
    return acknowledgement.acknowledged_at + ACKNOWLEDGEMENT_VALID_FOR


def municipality_of(actor: access.Actor) -> Municipality | None:
    """The municipality whose text the actor acknowledges (none for users without one)."""
    return actor.municipality  # read with the actor (None for users without one)


# What a user's session remembers of the acknowledgement found for her: [user id, the text's
# hash, when it was given] (issue 11: her next pages need not ask the database, one query fewer
# on every page). Acknowledgements are never changed or deleted other than with their user (the
# admin is read only), so what is remembered holds while the text is the same and the year runs.
SESSION_KEY = "ssp_confidentiality_acknowledged"


def _remembered(session: SessionBase, user_id: int, text_hash: str) -> datetime | None:
    """When the acknowledgement the session remembers for this user and text was given."""
    value = session.get(SESSION_KEY)
    if not isinstance(value, list) or value[:2] != [user_id, text_hash] or len(value) != 3:
        return None
    try:
        return datetime.fromisoformat(value[2])
    except (TypeError, ValueError):
        return None


def owes_acknowledgement(
    actor: access.Actor, *, now: datetime | None = None, session: SessionBase | None = None
) -> bool:
    """R4: whoever can see personal data, without an acknowledgement that still counts.

    With the request's `session` (the middleware's check on every page) the acknowledgement
    found is remembered there, for a session its user logged in to."""
    if actor.user_id is None or not access.can_see_personal_data(actor):
        return False
    municipality = municipality_of(actor)
    if session is None:
        return not has_current_acknowledgement(
            user_id=actor.user_id, municipality=municipality, now=now
        )
    text_hash = hash_of(text_for(municipality))
    given = _remembered(session, actor.user_id, text_hash)
    if given is not None and given > valid_since(now):
        return False
    found = current_acknowledgement(user_id=actor.user_id, municipality=municipality, now=now)
    if found is None:
        return True
    if session.get(AUTH_SESSION_KEY) == str(actor.user_id):  # not a token's request
        session[SESSION_KEY] = [actor.user_id, text_hash, found.acknowledged_at.isoformat()]
    return False
