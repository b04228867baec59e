"""Demo concerns and cases in several states, made through the services (all invented)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ssp.audit import retention
from ssp.audit.models import HoldReason, RetentionKind
from ssp.cases import services
from ssp.cases.models import Case, CaseEvent, Concern, ConcernSource, ConcernSubject, Level, Outcome
from ssp.organisation.models import Forum, Member, Municipality, Unit


def _person(
    first: str, last: str, cpr: str, school: Unit, klass: str, parent: str
) -> services.YoungPersonData:
    return services.YoungPersonData(
        first_name=first,
        last_name=last,
        cpr=cpr,
        school=school,
        class_name=klass,
        custody_holders=[
            services.CustodyHolderData(name=parent, relation="mor", phone="20 30 40 50")
        ],
    )


# Ali's case was opened a week ago: the consent and the task that is overdue came after it.
ALI_CASE_AGE_DAYS = 7


def _move_back(case: Case, *, days: int) -> None:
    """Move a case's concerns, opening and events so far back (all stamped "now" by the
    services), keeping their order: concern, then case, then events."""
    shift = timedelta(days=days)
    Concern.objects.filter(case=case).update(raised_at=F("raised_at") - shift)
    Case.objects.filter(pk=case.pk).update(opened_at=F("opened_at") - shift)
    CaseEvent.objects.filter(case=case).update(at=F("at") - shift)
    case.refresh_from_db()


@transaction.atomic
def seed_cases(municipality: Municipality) -> None:
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["koordinator", "laerer", "boligsocial", "socialraadgiver", "politi"]
        )
    }
    members = {
        m.user.username: m
        for m in Member.objects.filter(user__in=users.values()).select_related("user")
        if m.user
    }
    schools = {u.slug: u for u in Unit.objects.filter(municipality=municipality)}
    # Reference data that comes with the municipality (R4), before any case needs it.
    legal_bases = services.install_default_legal_bases(municipality=municipality)
    today = timezone.localdate()
    coordinator = users["koordinator"]

    # 1. The teacher's worksheet: caught in criminal activity -> action agreement required.
    services.raise_concern(
        actor_user=users["laerer"],
        data=services.ConcernData(
            subject=ConcernSubject.PERSON,
            source=ConcernSource.WORKSHEET,
            description=(
                "Emil er set stjæle fra kiosken sammen med ældre drenge "
                "og har været væk fra skole flere dage."
            ),
            level=Level.RED,
            young_person=_person(
                "Emil", "Sandberg", "120312-4137", schools["oestskolen"], "7.b", "Lone Sandberg"
            ),
            worksheet={
                "caught_in_crime": True,
                "truancy": True,
                "worksheet_first_action": "Samtale med forældrene",
            },
        ),
    )
    # 2. Only risk factors: up for decision at the local group's next meeting.
    services.raise_concern(
        actor_user=users["laerer"],
        data=services.ConcernData(
            subject=ConcernSubject.PERSON,
            source=ConcernSource.WORKSHEET,
            description="Sara virker isoleret og har ingen fritidsaktiviteter.",
            young_person=_person(
                "Sara", "Holm Nielsen", "030611-4208", schools["oestskolen"], "8.a", "Jens Nielsen"
            ),
            worksheet={"isolated": True, "no_leisure": True},
        ),
    )
    # 3. A group and a place, from the housing worker (non-authority).
    services.raise_concern(
        actor_user=users["boligsocial"],
        data=services.ConcernData(
            subject=ConcernSubject.GROUP,
            source=ConcernSource.STAFF,
            description=(
                "Ca. 5 piger på 12-16 år opholder sig foran klubben om aftenen "
                "og bliver opsøgt af ældre fyre i bil."
            ),
            group_size=5,
            group_age_min=12,
            group_age_max=16,
            place="Foran Ungdomsklubben Øst",
            school_district=schools["klub-oest"].school_district,
        ),
    )
    # 4. An open case with an agreement, tasks and oral consent.
    concern = services.raise_concern(
        actor_user=coordinator,
        data=services.ConcernData(
            subject=ConcernSubject.PERSON,
            source=ConcernSource.POLICE,
            description="Politiet har anmeldt Ali for hærværk på skolen.",
            level=Level.RED,
            young_person=_person(
                "Ali", "Berg Hansen", "250810-4315", schools["midtskolen"], "9.c", "Fatima Hansen"
            ),
        ),
    )
    local_midt = Forum.objects.get(municipality=municipality, key="lokal-ssp-midt")
    case = services.open_case(
        actor_user=coordinator, concerns=[concern], level=Level.RED, forum=local_midt
    )
    # The services stamp "now"; the consent (three days ago) and the overdue task came after
    # the concern and the case: move their beginning back a week (issue 15, dates in order).
    _move_back(case, days=ALI_CASE_AGE_DAYS)
    holder = case.young_person.custody_holders.first()
    services.record_consent(
        actor_user=coordinator,
        case=case,
        form="oral",
        given_on=today - timedelta(days=3),
        scope="Udveksling af oplysninger mellem skole, socialforvaltning og politi",
        custody_holder=holder,
    )
    services.make_action_agreement(
        actor_user=coordinator,
        case=case,
        first_action="Møde med Ali og hans mor på skolen.",
        coordinator=members["socialraadgiver"],
        contact_person=members["koordinator"],
        follow_up_date=today + timedelta(days=5),
        participants=[members["politi"]],
        tasks=[
            services.TaskData(
                owner=members["socialraadgiver"],
                description="Afklar behov for støtte i familien",
                due_date=today + timedelta(days=7),
            ),
            services.TaskData(
                owner=members["politi"],
                description="Bekymringssamtale med Ali",
                due_date=today - timedelta(days=1),
            ),
        ],
    )
    # 5. Information exchanged under §115 without consent: the parents must be involved.
    concern = services.raise_concern(
        actor_user=coordinator,
        data=services.ConcernData(
            subject=ConcernSubject.PERSON,
            source=ConcernSource.TIP,
            description="Naboer fortæller, at Noah sælger hash ved stationen.",
            level=Level.RED,
            young_person=_person(
                "Noah", "Krogh", "141109-4421", schools["oestskolen"], "10.a", "Peter Krogh"
            ),
        ),
    )
    case = services.open_case(actor_user=coordinator, concerns=[concern], level=Level.RED)
    basis = next(b for b in legal_bases if b.code == "rpl-115-clarify")
    services.record_disclosure(
        actor_user=coordinator,
        case=case,
        legal_basis=basis,
        purpose="Afklare om der er en tværfaglig bekymring",
        information="Oplysninger om Noahs fravær og adfærd",
        given_by=members["laerer"],
        receivers=[members["socialraadgiver"], members["politi"]],
        disclosed_on=today,
    )
    # 6. A closed and evaluated case.
    concern = services.raise_concern(
        actor_user=coordinator,
        data=services.ConcernData(
            subject=ConcernSubject.PERSON,
            source=ConcernSource.STAFF,
            description="Freja har været involveret i slåskampe efter skoletid.",
            young_person=_person(
                "Freja", "Lund", "090511-4532", schools["vestskolen"], "8.b", "Maja Lund"
            ),
        ),
    )
    case = services.open_case(
        actor_user=coordinator,
        concerns=[concern],
        level=Level.YELLOW,
        forum=Forum.objects.get(municipality=municipality, key="ssp-team"),
    )
    services.close_case(
        actor_user=coordinator,
        case=case,
        outcome=Outcome.IMPROVED,
        partners="Skole, klub og familieafdeling",
        what_worked="Fast voksenkontakt i klubben og et fritidsjob.",
    )
    _seed_retention(municipality, coordinator)


# Issue 10, retention: two cases closed six years ago, past the default five years. The first
# goes at the next nightly `apply_retention`; the second is held because of a complaint.
RETENTION_DEMO = (
    ("Mikkel", "Thorsager", "150306-4118", "Susanne Thorsager", False),
    ("Laura", "Kjeldgaard", "220706-4226", "Henrik Kjeldgaard", True),
)
RETENTION_DEMO_AGE_YEARS = 6


def _seed_retention(municipality: Municipality, coordinator: User) -> None:
    team = Forum.objects.get(municipality=municipality, key="ssp-team")
    school = Unit.objects.get(municipality=municipality, slug="vestskolen")
    for first, last, cpr, parent, held in RETENTION_DEMO:
        concern = services.raise_concern(
            actor_user=coordinator,
            data=services.ConcernData(
                subject=ConcernSubject.PERSON,
                source=ConcernSource.STAFF,
                description=f"{first} har været med til indbrud i kolonihaverne.",
                young_person=_person(first, last, cpr, school, "9.a", parent),
            ),
        )
        case = services.open_case(
            actor_user=coordinator, concerns=[concern], level=Level.YELLOW, forum=team
        )
        services.close_case(
            actor_user=coordinator,
            case=case,
            outcome=Outcome.IMPROVED,
            partners="Skole og politi",
            what_worked=f"Samtaler med {first} og forældrene.",
        )
        # The services stamp "now": move the whole story back in time.
        then = retention.shift_years(timezone.now(), -RETENTION_DEMO_AGE_YEARS)
        Case.objects.filter(pk=case.pk).update(opened_at=then, closed_at=then + timedelta(days=90))
        Concern.objects.filter(case=case).update(raised_at=then)
        CaseEvent.objects.filter(case=case).update(at=then)
        if held:
            retention.set_hold(
                actor_user=coordinator,
                kind=RetentionKind.CASE,
                object_id=case.pk,
                reason=HoldReason.COMPLAINT,
                note="Klage over sagsbehandlingen behandles af Ankestyrelsen.",
            )
