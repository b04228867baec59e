"""Hot spots: places where young people gather and trouble is reported, with a plan for the
outreach work. They describe places, not persons; the concerns linked to them are group and
place concerns."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from ssp.access import municipality_of
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases.models import Concern
from ssp.errors import DomainError
from ssp.police import access as police_access
from ssp.police.models import HotSpot, HotSpotStatus
from ssp.police.services import enforce_for_service, require_date_in_range
from ssp.versioning import save_versioned


@dataclass
class HotSpotData:
    name: str
    address: str
    period_start: date
    description: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    period_end: date | None = None
    outreach_plan: str = ""
    status: str = HotSpotStatus.ACTIVE
    concerns: list[Concern] = field(default_factory=list)


@transaction.atomic
def save_hot_spot(
    *,
    actor_user: User,
    hot_spot: HotSpot | None,
    data: HotSpotData,
    expected_version: int | None = None,
) -> HotSpot:
    """Create a hot spot (`hot_spot=None`) or change one, with its linked concerns.

    No lost update: a change is saved only if the stored version is still `expected_version`
    (the version the form was opened at; by default the one `hot_spot` was read at), else
    `StaleEdit` carries what the other person saved."""
    actor = enforce_for_service(police_access.can_edit_hot_spots, actor_user)
    municipality_id = municipality_of(actor)
    require_date_in_range(data.period_start)
    require_date_in_range(data.period_end)
    if data.period_end is not None and data.period_end < data.period_start:
        raise DomainError(_("Slutdatoen ligger før startdatoen."))
    values = {f.name: getattr(data, f.name) for f in fields(data) if f.name != "concerns"}
    if hot_spot is None:
        hot_spot = HotSpot.objects.create(
            municipality_id=municipality_id, created_by=actor_user, **values
        )
        action = AuditAction.HOT_SPOT_CREATED
    else:
        version = hot_spot.version if expected_version is None else expected_version
        for name, value in values.items():
            setattr(hot_spot, name, value)
        save_versioned(hot_spot, expected_version=version, fields=list(values))
        action = AuditAction.HOT_SPOT_CHANGED
    hot_spot.concerns.set(data.concerns)
    record_event(actor=actor_user, action=action, obj=hot_spot, municipality_id=municipality_id)
    return hot_spot
