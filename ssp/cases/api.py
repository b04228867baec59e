"""Concern and case endpoints: create a concern (integrations such as a school's system) and
read the cases the token's user may see. Same services, selectors and access rules as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from ssp.cases import access as case_access
from ssp.cases import selectors, services
from ssp.cases.models import Case, CaseStatus, ConcernSource, ConcernSubject, Level
from ssp.http import actor_of, user_of
from ssp.organisation.models import Unit

router = Router(tags=["cases"])


class YoungPersonIn(Schema):
    first_name: str
    last_name: str
    cpr: str
    school: str | None = None
    class_name: str = ""


class ConcernIn(Schema):
    subject: ConcernSubject
    source: ConcernSource
    description: str
    level: Level = Level.YELLOW
    young_person: YoungPersonIn | None = None
    group_size: int | None = None
    group_age_min: int | None = None
    group_age_max: int | None = None
    place: str = ""
    worksheet: dict[str, Any] | None = None

    def to_data(self, *, school: Unit | None) -> services.ConcernData:
        """The input of `services.raise_concern`, built the same way as the page's form."""
        person = (
            services.YoungPersonData.from_values(self.young_person.model_dump(), school=school)
            if self.young_person is not None
            else None
        )
        return services.ConcernData.from_values(
            self.model_dump(exclude={"young_person", "worksheet"}),
            young_person=person,
            worksheet=self.worksheet,
        )


class ConcernReceiptOut(Schema):
    id: int
    status: str
    forum: str | None
    receivers: list[str]


class CaseOut(Schema):
    id: int
    young_person: str
    level: str
    status: str
    forum: str
    opened_at: datetime


class TaskOut(Schema):
    description: str
    owner: str
    due_date: date
    status: str


class AgreementOut(Schema):
    id: int
    first_action: str
    coordinator: str
    contact_person: str
    follow_up_date: date


class CaseDetailOut(CaseOut):
    agreements: list[AgreementOut]
    tasks: list[TaskOut]


@router.post("/concerns", response={201: ConcernReceiptOut})
def create_concern(request: HttpRequest, payload: ConcernIn) -> Status[ConcernReceiptOut]:
    actor = actor_of(request)
    case_access.check_can_raise_concern(actor)
    school = selectors.school_by_slug(
        actor, payload.young_person.school if payload.young_person else None
    )
    concern = services.raise_concern(
        actor_user=user_of(request), data=payload.to_data(school=school)
    )
    return Status(
        201,
        ConcernReceiptOut(
            id=concern.pk,
            status=concern.status,
            forum=concern.forum.name if concern.forum else None,
            receivers=[member.name for member in services.concern_receivers(concern)],
        ),
    )


def _case_out(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "young_person": case.young_person.full_name,
        "level": case.level,
        "status": case.status,
        "forum": case.forum.name,
        "opened_at": case.opened_at,
    }


@router.get("/cases", response=list[CaseOut])
def list_cases(request: HttpRequest, status: str = CaseStatus.OPEN, page: int = 1) -> list[CaseOut]:
    actor = actor_of(request)
    return [
        CaseOut(**_case_out(case)) for case in selectors.cases_for(actor, status=status, page=page)
    ]


@router.get("/cases/{case_id}", response=CaseDetailOut)
def get_case(request: HttpRequest, case_id: int) -> CaseDetailOut:
    case = case_access.get_case_for(actor_of(request), case_id)
    services.record_view(actor_user=user_of(request), obj=case, person=case.young_person)
    detail = selectors.case_detail(case)
    return CaseDetailOut(
        **_case_out(case),
        agreements=[
            AgreementOut(
                id=a.pk,
                first_action=a.first_action,
                coordinator=a.coordinator.name,
                contact_person=a.contact_person.name,
                follow_up_date=a.follow_up_date,
            )
            for a in detail["agreements"]
        ],
        tasks=[
            TaskOut(
                description=t.description, owner=t.owner.name, due_date=t.due_date, status=t.status
            )
            for t in detail["tasks"]
        ],
    )
