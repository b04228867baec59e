"""Demo meetings: past ones with minutes, a signed and a published protocol, and upcoming
ones with prepared agendas (all invented)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ssp.meetings import services
from ssp.meetings.models import MeetingKind, Visibility, VoteKind
from ssp.organisation.models import Forum, Member, Municipality


@transaction.atomic
def seed_meetings(municipality: Municipality) -> None:
    coordinator = User.objects.get(username="koordinator")
    politician = User.objects.get(username="politiker")
    fora = {f.key: f for f in Forum.objects.filter(municipality=municipality)}
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    next_year = now.year + 1
    for key in ("styregruppe", "koordinationsgruppe"):
        services.generate_calendar(actor_user=coordinator, forum=fora[key], year=next_year)

    # The steering group's last meeting: minutes, the chair's signature, published.
    steering = services.create_meeting(
        actor_user=coordinator,
        forum=fora["styregruppe"],
        kind=MeetingKind.REGULAR,
        starts_at=now - timedelta(days=48, hours=now.hour - 15),
        location="Rådhuset, mødelokale 2",
    )
    public = services.add_item(
        actor_user=coordinator,
        meeting=steering,
        title="Årsrapport for SSP-samarbejdet",
        description="Koordinationsgruppen fremlægger årsrapporten.",
        visibility=Visibility.PUBLIC,
    )
    focus = services.add_item(
        actor_user=coordinator,
        meeting=steering,
        title="Fokusområder for næste år",
        description="Forslag: fravær og fritidsjob.",
        visibility=Visibility.PUBLIC,
    )
    internal = services.add_item(
        actor_user=coordinator, meeting=steering, title="Økonomi", visibility=Visibility.INTERNAL
    )
    members = {m.user.username: m for m in Member.objects.filter(user__isnull=False) if m.user}
    services.record_minutes(
        actor_user=coordinator,
        meeting=steering,
        attendance={ms.member_id: (True, False) for ms in fora["styregruppe"].memberships.all()},
        decisions={
            public.pk: services.DecisionData(
                "Årsrapporten er godkendt.", vote_kind=VoteKind.UNANIMOUS
            ),
            focus.pk: services.DecisionData(
                "Fravær og fritidsjob er fokusområder.",
                responsible=members["koordinator"],
                deadline=now.date() + timedelta(days=30),
            ),
            internal.pk: services.DecisionData("Taget til efterretning."),
        },
    )
    # Issue 14: the secretary ends the meeting ("Afslut mødet"); then the members sign.
    services.close_meeting(actor_user=coordinator, meeting=steering)
    services.sign_protocol(actor_user=politician, meeting=steering)
    services.publish(actor_user=coordinator, meeting=steering)

    # The local group Øst: last meeting approved and forwarded; the next one prepared.
    local = fora["lokal-ssp-oest"]
    last = services.create_meeting(
        actor_user=coordinator,
        forum=local,
        kind=MeetingKind.REGULAR,
        starts_at=now - timedelta(days=20, hours=now.hour - 14),
        location="Østskolen",
    )
    status = services.add_item(
        actor_user=coordinator,
        meeting=last,
        title="Status fra skolen og klubben",
        description="Uro i frikvartererne er faldet.",
    )
    services.record_minutes(
        actor_user=coordinator,
        meeting=last,
        attendance={ms.member_id: (True, False) for ms in local.memberships.all()},
        decisions={status.pk: services.DecisionData("Orienteringen tages til efterretning.")},
    )
    services.close_meeting(actor_user=coordinator, meeting=last)
    services.approve_minutes(actor_user=coordinator, meeting=last)
    upcoming = services.create_meeting(
        actor_user=coordinator,
        forum=local,
        kind=MeetingKind.REGULAR,
        starts_at=now + timedelta(days=9, hours=14 - now.hour),
        location="Østskolen",
    )
    services.add_item(
        actor_user=coordinator,
        meeting=upcoming,
        title="Aftener ved klubben",
        description="Gruppen af piger foran klubben: opsøgende indsats?",
    )
    services.prepare_agenda(actor_user=coordinator, meeting=upcoming)
    closed = upcoming.items.get(visibility=Visibility.CLOSED)
    services.add_attachment(
        actor_user=coordinator,
        item=closed,
        upload=ContentFile(b"Notat fra klasselaereren (opdigtet).\n", name="notat.txt"),
    )
