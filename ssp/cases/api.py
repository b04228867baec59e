"""Concern and case endpoints: create a concern (integrations such as a school's system) and
read the cases the token's user may see. Same services, selectors and access rules as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status

from ssp import access
from ssp.cases import access as case_access
from ssp.cases import selectors, services
from ssp.cases.models import ConcernSource, ConcernSubject, Level
from ssp.organisation import selectors as org_selectors

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


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.post("/concerns", response={201: ConcernReceiptOut})
def create_concern(request: HttpRequest, payload: ConcernIn) -> Status[ConcernReceiptOut]:
    actor = access.get_actor(request.user)
    if not case_access.can_raise_concern(actor):
        raise PermissionDenied
    person = None
    if payload.young_person is not None:
        municipality = org_selectors.get_municipality_by_id(actor, actor.municipality_id)
        school = (
            org_selectors.units_of(municipality).filter(slug=payload.young_person.school).first()
            if payload.young_person.school
            else None
        )
        person = services.YoungPersonData(
            first_name=payload.young_person.first_name,
            last_name=payload.young_person.last_name,
            cpr=payload.young_person.cpr,
            school=school,
            class_name=payload.young_person.class_name,
        )
    concern = services.raise_concern(
        actor_user=_user(request),
        data=services.ConcernData(
            subject=payload.subject,
            source=payload.source,
            description=payload.description,
            level=payload.level,
            young_person=person,
            group_size=payload.group_size,
            group_age_min=payload.group_age_min,
            group_age_max=payload.group_age_max,
            place=payload.place,
            worksheet=payload.worksheet,
        ),
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


def _case_out(case: Any) -> dict[str, Any]:
    return {
        "id": case.pk,
        "young_person": case.young_person.full_name,
        "level": case.level,
        "status": case.status,
        "forum": case.forum.name,
        "opened_at": case.opened_at,
    }


@router.get("/cases", response=list[CaseOut])
def list_cases(request: HttpRequest, status: str = "open", page: int = 1) -> list[CaseOut]:
    actor = access.get_actor(request.user)
    return [
        CaseOut(**_case_out(case)) for case in selectors.cases_for(actor, status=status, page=page)
    ]


@router.get("/cases/{case_id}", response=CaseDetailOut)
def get_case(request: HttpRequest, case_id: int) -> CaseDetailOut:
    actor = access.get_actor(request.user)
    case = selectors.get_case_for(actor, case_id)
    services.record_view(actor_user=_user(request), obj=case, person=case.young_person)
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
