"""Issue 16: tips from citizens and partners without a login (Faxe: hot spots are followed from
what citizens and partners report).

A tip is about a place or a group, never a named person. Its texts get **pattern checks only**
(CPR-like numbers, e-mail addresses, phone numbers: `ssp/cases/personal_data.py` without names):
this path never reads the register of young people, so the answer cannot differ by whether a
name is registered (anyone could otherwise test names). The tipper's own contact details, if
given, are not checked: they are stored in the concern's (encrypted) description, under a
heading, and are personal data of the tipper, not of a child.

The form is rate-limited in the database (`PublicFormThrottle`: a hash of a server secret, the
client address or the municipality, and the window; never the address itself), and a one-time
token (a hashed row in the same table) keeps a reload from creating a second concern. An
accepted tip becomes a concern with source "tip", level yellow, status new, raised by a
dedicated inactive system user, sent to the municipality's SSP team (the routing fallbacks of
`ssp.cases.routing.default_forum_for` without a school district).
"""

from __future__ import annotations

import hashlib
import ipaddress
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases import routing
from ssp.cases.models import (
    Concern,
    ConcernSource,
    ConcernStatus,
    ConcernSubject,
    Level,
    PublicFormThrottle,
)
from ssp.cases.personal_data import FindingKind, find_personal_data
from ssp.errors import DomainError
from ssp.organisation.models import Municipality

# The system user a tip is raised by: inactive, without a usable password (it never logs in).
TIP_USERNAME = "borgerhenvendelse"

# Rate limits: per client address per hour, and per municipality per day.
PER_ADDRESS_LIMIT = 5
PER_ADDRESS_WINDOW = timedelta(hours=1)
PER_MUNICIPALITY_LIMIT = 200
PER_MUNICIPALITY_WINDOW = timedelta(days=1)
# Throttle and token rows older than this are deleted when a tip is accepted.
THROTTLE_KEPT = timedelta(days=7)

# The lengths of the form's fields (the description column itself is unbounded text).
PLACE_MAX = 300
DESCRIPTION_MAX = 2_000
CONTACT_MAX = 200
GROUP_SIZE_MIN, GROUP_SIZE_MAX = 2, 200
AGE_MIN, AGE_MAX = 0, 30

TIP_SUBJECTS = (ConcernSubject.PLACE, ConcernSubject.GROUP)

# What to remove, by kind: the refusal names each kind found.
REMOVE: dict[FindingKind, object] = {
    FindingKind.CPR: gettext_lazy("personnummeret"),
    FindingKind.EMAIL: gettext_lazy("e-mailadressen"),
    FindingKind.PHONE: gettext_lazy("telefonnummeret"),
}


class TipRefused(DomainError):
    """The tip's text holds a CPR-like number, an e-mail address or a phone number: the
    fields it was found in (form field names) and the kinds."""

    def __init__(self, message: str, *, fields: list[str], kinds: list[str]) -> None:
        super().__init__(message)
        self.fields = fields
        self.kinds = kinds


class TooManyTips(DomainError):
    status_code = 429

    def __init__(self) -> None:
        super().__init__(
            _(
                "Der er sendt mange henvendelser på kort tid. Prøv igen om en time. "
                "Det, du har skrevet, er gemt i formularen."
            )
        )


@dataclass(frozen=True)
class TipData:
    subject: str
    place: str
    description: str
    group_size: int | None = None
    group_age_min: int | None = None
    group_age_max: int | None = None
    contact: str = ""


def check_patterns(texts: dict[str, str]) -> None:
    """Pattern checks only (no names, no database): refuse CPR-like numbers, e-mail addresses
    and phone numbers in the named texts ({form field: text}), naming what to remove."""
    kinds: list[FindingKind] = []
    fields: list[str] = []
    for name, text in texts.items():
        found = [f.kind for f in find_personal_data(text) if f.kind in REMOVE]
        if found:
            fields.append(name)
            kinds.extend(kind for kind in found if kind not in kinds)
    if not kinds:
        return
    ordered = [kind for kind in REMOVE if kind in kinds]
    what = [str(REMOVE[kind]) for kind in ordered]
    listed = (
        what[0]
        if len(what) == 1
        else _("%(first)s og %(last)s")
        % {
            "first": ", ".join(what[:-1]),
            "last": what[-1],
        }
    )
    raise TipRefused(
        _(
            "Fjern %(what)s. Skriv ikke navne, personnumre, e-mailadresser eller telefonnumre "
            "i beskrivelsen. Vil du kontaktes, så skriv din e-mail eller dit telefonnummer i "
            "feltet «Hvordan kan vi kontakte dig?»."
        )
        % {"what": listed},
        fields=fields,
        kinds=[str(kind) for kind in ordered],
    )


def tip_user() -> User:
    """The inactive system user every tip is raised by (created on first use)."""
    user, created = User.objects.get_or_create(
        username=TIP_USERNAME,
        defaults={"is_active": False, "first_name": "Borgerhenvendelse"},
    )
    if created or user.has_usable_password() or user.is_active:
        user.set_unusable_password()
        user.is_active = False
        user.save(update_fields=["password", "is_active"])
    return user


def _key(*parts: object) -> str:
    text = "|".join(["ssp-public-tip", settings.SECRET_KEY, *(str(part) for part in parts)])
    return hashlib.sha256(text.encode()).hexdigest()


def _window_start(now: datetime, length: timedelta) -> datetime:
    seconds = int(length.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)


def _take(key: str, window_start: datetime, limit: int) -> bool:
    """Count one use under `key`; False when the window's limit is reached. Race-safe: the row
    is created once (a unique key), and the count is raised by a conditional UPDATE."""
    PublicFormThrottle.objects.get_or_create(key=key, defaults={"window_start": window_start})
    return (
        PublicFormThrottle.objects.filter(key=key, count__lt=limit).update(count=F("count") + 1)
        == 1
    )


def _token_key(token: uuid.UUID) -> str:
    return _key("token", token)


def already_received(token: uuid.UUID) -> bool:
    return PublicFormThrottle.objects.filter(key=_token_key(token)).exists()


def address_bucket(client_address: str) -> str:
    """What the per-address limit counts: an IPv4 address as it is, an IPv6 address by its /64
    network (one household or phone gets a whole /64, so single addresses are free to rotate)."""
    try:
        address = ipaddress.ip_address(client_address)
    except ValueError:
        return client_address
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _description(data: TipData) -> str:
    text = data.description.strip()
    contact = data.contact.strip()
    if contact:
        text += "\n\n" + _("Kontakt til den, der skrev: %(contact)s") % {"contact": contact}
    return text


@transaction.atomic
def _create(
    *, municipality: Municipality, data: TipData, client_address: str, token: uuid.UUID
) -> Concern:
    now = timezone.now()
    hour = _window_start(now, PER_ADDRESS_WINDOW)
    day = _window_start(now, PER_MUNICIPALITY_WINDOW)
    bucket = address_bucket(client_address)
    if not _take(_key("address", bucket, hour.isoformat()), hour, PER_ADDRESS_LIMIT):
        raise TooManyTips
    if not _take(
        _key("municipality", municipality.pk, day.isoformat()), day, PER_MUNICIPALITY_LIMIT
    ):
        raise TooManyTips
    group = data.subject == ConcernSubject.GROUP
    concern = Concern.objects.create(
        municipality=municipality,
        subject=data.subject,
        place=data.place.strip(),
        group_size=data.group_size if group else None,
        group_age_min=data.group_age_min if group else None,
        group_age_max=data.group_age_max if group else None,
        source=ConcernSource.TIP,
        description=_description(data),
        level=Level.YELLOW,
        forum=routing.default_forum_for(municipality, None),
        status=ConcernStatus.NEW,
        raised_by=tip_user(),
    )
    # The one-time token: a second post of the same form finds this row (or fails on its
    # unique key and rolls the whole tip back).
    PublicFormThrottle.objects.create(key=_token_key(token), window_start=now)
    PublicFormThrottle.objects.filter(window_start__lt=now - THROTTLE_KEPT).delete()
    record_event(
        actor=None,
        action=AuditAction.TIP_RECEIVED,
        obj=concern,
        municipality_id=municipality.pk,
        data={"concern": concern.pk},
    )
    return concern


def receive_tip(
    *,
    municipality: Municipality,
    data: TipData,
    client_address: str | None,
    token: uuid.UUID | None,
) -> Concern | None:
    """Check a tip's texts and store it as a concern for the SSP team. Returns the concern, or
    None when this form was already received (a reload, a double click). Raises `TipRefused`
    (personal data by pattern), `TooManyTips` (rate limit) or `DomainError`."""
    if data.subject not in TIP_SUBJECTS:
        raise DomainError(_("Vælg, om henvendelsen handler om et sted eller en gruppe."))
    if token is None:
        raise DomainError(_("Siden er for gammel. Hent den igen, og send henvendelsen igen."))
    check_patterns({"place": data.place, "description": data.description})
    if already_received(token):
        return None
    try:
        return _create(
            municipality=municipality,
            data=data,
            client_address=client_address or "unknown",
            token=token,
        )
    except IntegrityError:
        if already_received(token):
            return None
        raise
