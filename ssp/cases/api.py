"""Concern and case endpoints: create a concern (integrations such as a school's system) and
read the cases the token's user may see. Same services, selectors and access rules as the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from ssp.api_errors import ERRORS
from ssp.cases import access as case_access
from ssp.cases import selectors, services
from ssp.cases.forms import DESCRIPTION_MAX_LENGTH, LONG_TEXT_MAX_LENGTH
from ssp.cases.models import (
    Case,
    CaseStatus,
    Concern,
    ConcernSource,
    ConcernSubject,
    CustodyHolder,
    Level,
    YoungPerson,
)
from ssp.http import actor_of, user_of
from ssp.organisation.models import Unit
from ssp.schema_types import NO_CONTROL, SMALL_COUNT, DomainDate
from ssp.validation import max_length_of

router = Router(tags=["cases"])

# Limits of the input, from the columns (ssp/validation.py): a too long text, a count beyond
# the column or a control character is a 422 from the schema, never a 500 from the database.
CPR_INPUT_MAX_LENGTH = 11  # "ddmmyy-xxxx"
# Ages as the concern form takes them.
AGE = Annotated[int, Field(ge=0, le=30)]

# Texts limited by their columns: a longer text or a control character is a 422.
FirstNameText = Annotated[
    str, Field(max_length=max_length_of(YoungPerson, "first_name")), NO_CONTROL
]
LastNameText = Annotated[str, Field(max_length=max_length_of(YoungPerson, "last_name")), NO_CONTROL]
CprText = Annotated[str, Field(max_length=CPR_INPUT_MAX_LENGTH), NO_CONTROL]
SlugText = Annotated[str, Field(max_length=max_length_of(Unit, "slug")), NO_CONTROL]
ClassNameText = Annotated[
    str, Field(max_length=max_length_of(YoungPerson, "class_name")), NO_CONTROL
]
ParentNameText = Annotated[str, Field(max_length=max_length_of(CustodyHolder, "name")), NO_CONTROL]
PhoneText = Annotated[str, Field(max_length=max_length_of(CustodyHolder, "phone")), NO_CONTROL]
OtherFactorText = Annotated[
    str, Field(max_length=max_length_of(Concern, "other_factor")), NO_CONTROL
]
CoordinatorText = Annotated[
    str, Field(max_length=max_length_of(Concern, "worksheet_coordinator")), NO_CONTROL
]
ContactPersonText = Annotated[
    str, Field(max_length=max_length_of(Concern, "worksheet_contact_person")), NO_CONTROL
]
LongText = Annotated[str, Field(max_length=LONG_TEXT_MAX_LENGTH), NO_CONTROL]
DescriptionText = Annotated[str, Field(max_length=DESCRIPTION_MAX_LENGTH), NO_CONTROL]
PlaceText = Annotated[str, Field(max_length=max_length_of(Concern, "place")), NO_CONTROL]


class CustodyHolderIn(Schema):
    name: ParentNameText
    phone: PhoneText = ""


class YoungPersonIn(Schema):
    """A named child. Issue 15: either `cpr`, or `birth_date`, or both `school` and
    `class_name` (the same rules as the concern form, `services.identity_problems`)."""

    first_name: FirstNameText
    last_name: LastNameText
    cpr: CprText = ""
    birth_date: DomainDate | None = None
    school: SlugText | None = None
    class_name: ClassNameText = ""
    parent_name: ParentNameText = ""
    parent_phone: PhoneText = ""
    # Further custody holders (at most `services.CUSTODY_HOLDERS_MAX` in all).
    custody_holders: Annotated[
        list[CustodyHolderIn], Field(max_length=services.CUSTODY_HOLDERS_MAX)
    ] = []


class WorksheetIn(Schema):
    """The worksheet "Hvornår er man kriminalitetstruet": the ticked statements and factors."""

    caught_in_crime: bool = False
    seen_with_criminals: bool = False
    seen_near_crime: bool = False
    professionals_concerned: bool = False
    no_close_adults: bool = False
    isolated: bool = False
    low_social_skills: bool = False
    alcohol_drugs: bool = False
    truancy: bool = False
    no_leisure: bool = False
    aggressive: bool = False
    boredom: bool = False
    means_mismatch: bool = False
    indifference: bool = False
    marginalised: bool = False
    negative_identity: bool = False
    parenting_capacity: bool = False
    other_factor: OtherFactorText = ""
    worksheet_coordinator: CoordinatorText = ""
    worksheet_contact_person: ContactPersonText = ""
    worksheet_first_action: LongText = ""


class ConcernIn(Schema):
    subject: ConcernSubject
    source: ConcernSource
    description: DescriptionText
    level: Level = Level.YELLOW
    young_person: YoungPersonIn | None = None
    group_size: SMALL_COUNT | None = None
    group_age_min: AGE | None = None
    group_age_max: AGE | None = None
    place: PlaceText = ""
    worksheet: WorksheetIn | None = None

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
            worksheet=self.worksheet.model_dump() if self.worksheet is not None else None,
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


@router.post("/concerns", response={201: ConcernReceiptOut, **ERRORS})
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


@router.get("/cases", response={200: list[CaseOut], **ERRORS})
def list_cases(request: HttpRequest, status: str = CaseStatus.OPEN, page: int = 1) -> list[CaseOut]:
    actor = actor_of(request)
    return [
        CaseOut(**_case_out(case)) for case in selectors.cases_for(actor, status=status, page=page)
    ]


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **ERRORS})
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
