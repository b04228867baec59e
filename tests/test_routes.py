"""Every URL and API route, checked for every demo role against the access policy.

A new route without a line in POLICY fails `test_every_route_has_a_policy`, and a new route
that takes a POST without a line in WRITES fails
`test_every_route_that_accepts_a_post_has_a_write_policy`, so no route can escape the policy
unnoticed. Writes are checked with valid data and a database diff (see "Writes" below).
"""

from __future__ import annotations

import inspect
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ssp.accounts import bulk_users
from ssp.cases import adhoc
from ssp.cases.models import (
    Case,
    Concern,
    ConcernSource,
    ConcernSubject,
    ConsentForm,
    LegalBasis,
    Level,
    Outcome,
    TaskStatus,
    YoungPerson,
)
from ssp.meetings.calendar import feed_token
from ssp.meetings.models import (
    AgendaItem,
    Attachment,
    ItemKind,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MeetingTask,
    Visibility,
)
from ssp.organisation import guide as guides
from ssp.organisation.models import (
    AdhocSubject,
    Forum,
    Member,
    Membership,
    Municipality,
    StandingItem,
    Unit,
)
from ssp.police import import_jobs
from ssp.police.models import (
    AbsenceRecord,
    Deadline,
    DeadlineKind,
    HotSpot,
    HotSpotStatus,
    ImportJob,
    ImportKind,
    NetworkCouncil,
    Offence,
    OffenceAlias,
    PoliceReport,
    ReportStatus,
    Routing,
)
from ssp.prevention.models import (
    Activity,
    ActivityStatus,
    AnnualPlan,
    FocusArea,
    Intervention,
    Project,
    StaircaseStep,
)
from ssp.prevention.services import current_school_year
from ssp.reports import evaluations as evaluation_services
from ssp.reports import services as report_services
from ssp.reports.models import AnnualReport, Evaluation, EvaluationStatus
from ssp.reports.models import ReportStatus as AnnualReportStatus
from tests.helpers_db import changes, snapshot

ROLES = (
    "koordinator",
    "laerer",
    "socialraadgiver",
    "politi",
    "boligsocial",
    "politiker",
    "admin",
    "tilsyn",
)
ANONYMOUS = "anonymous"

# Expectations
OK = "200"
LOGIN = "redirect to login"
REDIRECT = "redirect elsewhere"
DENIED = "403 or 404"
NOT_GET = "405"
UNAUTHENTICATED = "401"
ADMIN_LOGIN = "redirect to admin login"
ADMIN_INSIDE = "inside the admin"
ANY_LOGIN = "redirect to a login"
NOT_SERVED = "302 or 405"


def everyone(expectation: str, anonymous: str = LOGIN) -> dict[str, str]:
    return {ANONYMOUS: anonymous, **dict.fromkeys(ROLES, expectation)}


MEMBERS = everyone(OK)
API_MEMBERS = everyone(OK, anonymous=UNAUTHENTICATED)

POLICY: dict[str, dict[str, str]] = {
    "home": MEMBERS,
    "admin_login_redirect": everyone(LOGIN, anonymous=LOGIN),
    "healthz": everyone(OK, anonymous=OK),
    "set_language": everyone(REDIRECT, anonymous=REDIRECT),
    "accounts:login": everyone(REDIRECT, anonymous=OK),
    "accounts:login_code": everyone(LOGIN, anonymous=LOGIN),
    "accounts:logout": everyone(NOT_GET),
    "accounts:profile": MEMBERS,
    "accounts:confidentiality": MEMBERS,
    "accounts:second_factor_setup": MEMBERS,
    "accounts:second_factor_verify": everyone(REDIRECT),
    "accounts:second_factor_remove": everyone(NOT_GET),
    "accounts:meeting_emails": everyone(NOT_GET),
    "organisation:municipality_list": everyone(REDIRECT),
    "organisation:chart": MEMBERS,
    "organisation:chart_fora": MEMBERS,
    "organisation:my_fora": MEMBERS,
    "organisation:forum": MEMBERS,
    "organisation:contacts": MEMBERS,
    "organisation:contact_district": MEMBERS,
    "organisation:contact_unit": MEMBERS,
    "api:api-root": everyone(DENIED, anonymous=DENIED),
    "api:openapi-json": everyone(OK, anonymous=OK),
    "api:list_municipalities": API_MEMBERS,
    "api:get_municipality": API_MEMBERS,
    "api:list_fora": API_MEMBERS,
    "api:get_forum": API_MEMBERS,
    "api:list_units": API_MEMBERS,
}


def roles(anonymous: str = LOGIN, **expectations: str) -> dict[str, str]:
    """Per-role expectations; roles not named are DENIED."""
    return {ANONYMOUS: anonymous, **dict.fromkeys(ROLES, DENIED), **expectations}


# The demo case (Ali, handled by the local group Midt): the social worker coordinates, the
# coordinator is contact person, the police officer owns a task. The teacher, the housing
# worker, the politician and the administrator are outside the need-to-know circle.
CASE_CIRCLE = roles(koordinator=OK, socialraadgiver=OK, politi=OK)
# The teacher's worksheet concern about Emil, sent to the local group Øst.
CONCERN_VIEWERS = roles(koordinator=OK, laerer=OK, socialraadgiver=OK, politi=OK)
RAISERS = roles(koordinator=OK, laerer=OK, socialraadgiver=OK, politi=OK, boligsocial=OK)
PERSONAL_DATA = roles(koordinator=OK, laerer=OK, socialraadgiver=OK, politi=OK)
POST_ONLY = everyone(NOT_GET)

POLICY |= {
    "cases:concern_list": RAISERS,
    "cases:concern_new": RAISERS,
    "cases:concern_detail": CONCERN_VIEWERS,
    "cases:concern_receipt": roles(laerer=OK),
    "cases:concern_route": POST_ONLY,
    "cases:concern_drop": POST_ONLY,
    "cases:case_open": POST_ONLY,
    "cases:case_list": PERSONAL_DATA,
    "cases:case_detail": CASE_CIRCLE,
    "cases:agreement_new": CASE_CIRCLE,
    "cases:agreement_pdf": CASE_CIRCLE,
    # The case page's forms are each a page of their own (the case page loads them on demand).
    "cases:task_new": CASE_CIRCLE,
    "cases:task_done": POST_ONLY,
    "cases:consent_new": POST_ONLY,
    "cases:consent_withdraw": POST_ONLY,
    "cases:disclosure_new": CASE_CIRCLE,
    "cases:adhoc_new": roles(koordinator=OK),
    # The pickers' search endpoints answer as their forms do (ssp/autocomplete.py).
    "cases:member_search": CASE_CIRCLE,
    "cases:case_fora_search": roles(koordinator=OK),
    "cases:concern_fora_search": roles(koordinator=OK),
    "cases:adhoc_fora_search": roles(koordinator=OK),
    "cases:adhoc_case_search": roles(koordinator=OK),
    "cases:adhoc_member_search": roles(koordinator=OK),
    "cases:adhoc_list": roles(
        koordinator=OK, laerer=OK, socialraadgiver=OK, politi=OK, boligsocial=OK
    ),
    "cases:adhoc_set_up": roles(koordinator=OK),
    # The ad hoc group of `an_adhoc_group()`: its members and SSP staff.
    "cases:adhoc_detail": roles(koordinator=OK, socialraadgiver=OK, politi=OK),
    "cases:adhoc_dissolve": POST_ONLY,
    "cases:case_escalate": roles(koordinator=OK),
    "cases:case_close": roles(koordinator=OK),
    "cases:young_people": roles(koordinator=OK, laerer=OK, socialraadgiver=OK),
    "cases:young_person": CASE_CIRCLE,
    "cases:young_person_cpr": POST_ONLY,
    # Issue 15: completing a CPR number and merging duplicates (SSP staff only).
    "cases:young_person_identity": roles(koordinator=OK),
    "cases:young_person_merge": roles(koordinator=OK),
    "cases:young_person_merge_search": roles(koordinator=OK),
    "api:create_concern": everyone(NOT_GET, anonymous=NOT_GET),
    "api:list_cases": API_MEMBERS,
    "api:get_case": roles(anonymous=UNAUTHENTICATED, koordinator=OK, socialraadgiver=OK, politi=OK),
}

# Meetings: the next meeting of the local group Øst (with a closed item); the housing worker
# sits in it (and sees "Lukket punkt"); the politician and the administrator do not.
LOCAL_GROUP_OEST = roles(koordinator=OK, laerer=OK, socialraadgiver=OK, politi=OK, boligsocial=OK)
EVERYONE_EVEN_ANONYMOUS = everyone(OK, anonymous=OK)

POLICY |= {
    "meetings:list": roles(
        koordinator=OK, laerer=OK, socialraadgiver=OK, politi=OK, boligsocial=OK, politiker=OK
    ),
    "meetings:detail": LOCAL_GROUP_OEST,
    "meetings:pdf": LOCAL_GROUP_OEST,
    "meetings:minutes": roles(koordinator=OK),
    "meetings:responsible_search": roles(koordinator=OK),
    "meetings:fora_search": roles(koordinator=OK, politiker=OK),
    "meetings:calendar_generate": POST_ONLY,
    "meetings:new": POST_ONLY,
    "meetings:item_new": roles(koordinator=OK),
    "meetings:prepare": POST_ONLY,
    "meetings:item_edit": roles(koordinator=OK),
    "meetings:attachment": roles(koordinator=OK, laerer=OK, socialraadgiver=OK, politi=OK),
    "meetings:contribution": POST_ONLY,
    "meetings:sign": POST_ONLY,
    "meetings:approve": POST_ONLY,
    "meetings:publish": POST_ONLY,
    "meetings:task_done": POST_ONLY,
    # Issue 14: closing, guests, deputies, decisions by number, edit/move/cancel, joint events,
    # elections.
    "meetings:close": POST_ONLY,
    "meetings:guest_new": roles(koordinator=OK),
    "meetings:guest_remove": POST_ONLY,
    "meetings:guest_search": roles(koordinator=OK),  # the meeting's managers (for_change)
    "meetings:deputy_search": roles(koordinator=OK),  # the minutes' writers (for_change)
    # A decision by number (?nummer=STY 2026-1): to its item; without a number (or one the
    # user may not see) back to the meeting list with the reason.
    "meetings:decision_lookup": roles(
        koordinator=REDIRECT,
        laerer=REDIRECT,
        socialraadgiver=REDIRECT,
        politi=REDIRECT,
        boligsocial=REDIRECT,
        politiker=REDIRECT,
    ),
    "meetings:edit": roles(koordinator=OK),  # the forum's managers (403 members, 404 others)
    "meetings:cancel": POST_ONLY,
    "meetings:joint_new": roles(koordinator=OK, politiker=OK),  # can_plan_meetings
    "meetings:election": roles(koordinator=OK),  # the election item's result (managers only)
    "meetings:election_search": roles(koordinator=OK),  # its member picker's search
    "meetings:public_list": EVERYONE_EVEN_ANONYMOUS,
    "meetings:public_meeting": EVERYONE_EVEN_ANONYMOUS,
    "meetings:public_pdf": EVERYONE_EVEN_ANONYMOUS,
    "meetings:my_feed": EVERYONE_EVEN_ANONYMOUS,  # the signed token is the credential
    "meetings:forum_feed": EVERYONE_EVEN_ANONYMOUS,
    "api:list_meetings": API_MEMBERS,
    "api:get_meeting": roles(
        anonymous=UNAUTHENTICATED,
        koordinator=OK,
        laerer=OK,
        socialraadgiver=OK,
        politi=OK,
        boligsocial=OK,
    ),
}

# Police lists, deadlines, absence and hot spots. The teacher is the SSP contact of Østskolen
# and responsible for Sara's family-meeting deadline.
STAFF_ONLY = roles(koordinator=OK)
POLICE_LISTS = roles(koordinator=OK, politi=OK)
POLICY |= {
    "police:review": STAFF_ONLY,
    # Issue 15: the police's SSP contact uploads the police's own lists (own jobs only) and
    # registers a single report; the review and routing stay SSP staff's.
    "police:import": POLICE_LISTS,
    "police:import_job": POLICE_LISTS,
    "police:report_new": POLICE_LISTS,
    "police:route": STAFF_ONLY,  # GET: the routing form (fragment or page); POST: route
    "police:route_member_search": STAFF_ONLY,
    "police:route_forum_search": STAFF_ONLY,
    "police:deadlines": PERSONAL_DATA,
    "police:deadline_met": POST_ONLY,
    "police:council_new": STAFF_ONLY,
    "police:council": STAFF_ONLY,
    "police:counts": roles(koordinator=OK, politiker=OK),
    "police:absence": roles(koordinator=OK, laerer=OK),
    "police:absence_import": POST_ONLY,
    "police:absence_concern": roles(koordinator=OK, laerer=OK),
    "police:hot_spots": RAISERS,
    "police:hot_spot": RAISERS,
    "police:hot_spot_new": STAFF_ONLY,
    "police:hot_spot_edit": STAFF_ONLY,
}

# Prevention (R7): everyone with a role in the municipality sees the staircase and the
# catalogue (no personal data); SSP staff keep the catalogue.
POLICY |= {
    "prevention:catalogue": MEMBERS,
    "prevention:intervention": MEMBERS,
    "prevention:intervention_new": STAFF_ONLY,
    "prevention:intervention_edit": STAFF_ONLY,
    "prevention:unit_search": STAFF_ONLY,
    "prevention:member_search": STAFF_ONLY,
    "api:list_interventions": API_MEMBERS,
    "api:get_intervention": API_MEMBERS,
    "api:list_steps": API_MEMBERS,
}

# Focus areas, annual plans and activities (issue 12): everyone with a role sees them; SSP
# staff keep focus areas; plans are made by anyone with a plan forum (`can_make_plans`), and
# Øst's activities are changed by staff and Øst's members.
PLAN_MAKERS = roles(
    koordinator=OK, laerer=OK, socialraadgiver=OK, politi=OK, boligsocial=OK, politiker=OK
)
POLICY |= {
    "prevention:focus_areas": MEMBERS,
    "prevention:focus_area": MEMBERS,
    "prevention:focus_area_new": STAFF_ONLY,
    "prevention:focus_area_edit": STAFF_ONLY,
    "prevention:plans": MEMBERS,
    "prevention:plan_new": PLAN_MAKERS,
    "prevention:plan_forum_search": PLAN_MAKERS,
    "prevention:plan_member_search": PLAN_MAKERS,
    "prevention:plan_unit_search": PLAN_MAKERS,
    "prevention:plan": MEMBERS,
    "prevention:activity_new": LOCAL_GROUP_OEST,  # pk = Øst's plan of this school year
    "prevention:activity": MEMBERS,
    "prevention:activity_edit": LOCAL_GROUP_OEST,
    "prevention:activity_done": POST_ONLY,
    "prevention:activity_evaluate": LOCAL_GROUP_OEST,  # pk = a done activity of Øst's plan
}

# The activities calendar and its feed.
POLICY |= {
    # Everyone with a role in the municipality reads the calendar (no personal data).
    "prevention:calendar": MEMBERS,
    # The signed personal token is the credential, as for meetings:my_feed.
    "prevention:calendar_feed": EVERYONE_EVEN_ANONYMOUS,
}

# Projects, the plan as files, the prevention API.
POLICY |= {
    # Projects: everyone with a role reads them (no personal data); SSP staff keep them.
    "prevention:projects": MEMBERS,
    "prevention:project": MEMBERS,
    "prevention:project_new": STAFF_ONLY,
    "prevention:project_edit": STAFF_ONLY,
    # The annual plan as files: everyone who sees the plan (get_plan_for).
    "prevention:plan_xlsx": MEMBERS,
    "prevention:plan_pdf": MEMBERS,
    "api:list_focus_areas": API_MEMBERS,
    "api:list_plans": API_MEMBERS,
    "api:get_plan": API_MEMBERS,
    "api:list_activities": API_MEMBERS,
    "api:list_projects": API_MEMBERS,
}

# Reports (issue 13): figures only, suppressed; SSP staff, employees and politicians read
# them, SSP staff write them; a published report is public.
REPORT_READERS = roles(
    koordinator=OK, laerer=OK, socialraadgiver=OK, politi=OK, boligsocial=OK, politiker=OK
)
API_REPORT_READERS = roles(
    anonymous=UNAUTHENTICATED,
    koordinator=OK,
    laerer=OK,
    socialraadgiver=OK,
    politi=OK,
    boligsocial=OK,
    politiker=OK,
)
POLICY |= {
    "reports:list": REPORT_READERS,
    "reports:dashboard": REPORT_READERS,
    "reports:new": POST_ONLY,
    "reports:report": REPORT_READERS,  # year = the demo report's year (see 2)
    "reports:edit": STAFF_ONLY,  # a DRAFT report (an approved one redirects: REDIRECT)
    "reports:pdf": REPORT_READERS,
    "reports:xlsx": REPORT_READERS,
    "reports:publish": POST_ONLY,
    # The public page and PDF: no login; a PUBLISHED report (404 otherwise).
    "reports:public": EVERYONE_EVEN_ANONYMOUS,
    "reports:public_pdf": EVERYONE_EVEN_ANONYMOUS,
    "api:get_annual_report": API_REPORT_READERS,
    "api:get_dashboard": API_REPORT_READERS,
    # Effect measurement: the trends for every reader; the import for SSP staff (POST only).
    "reports:effect": REPORT_READERS,
    "reports:effect_import": POST_ONLY,
    "api:get_effect": API_REPORT_READERS,
    # The biennial evaluation. The members of Distrikt Øst's local group are invited to the open
    # evaluation (`an_evaluation`): koordinator, laerer, socialraadgiver, politi, boligsocial.
    "reports:evaluations": REPORT_READERS,
    "reports:evaluation_new": STAFF_ONLY,  # GET: the form; GET ?fora__q=..: the picker's search
    "reports:evaluation": REPORT_READERS,  # pk = an OPEN (sent) evaluation: not a draft
    "reports:evaluation_edit": STAFF_ONLY,  # pk = a DRAFT (a sent one redirects)
    "reports:evaluation_send": POST_ONLY,
    "reports:evaluation_close": POST_ONLY,
    "reports:evaluation_answer": LOCAL_GROUP_OEST,  # own open invitation; others 404
    "api:list_evaluations": API_REPORT_READERS,
    "api:get_evaluation": API_REPORT_READERS,  # an OPEN evaluation
    # Admin (ssp/reports/admin.py, read-only; delete only for drafts): the admin routes
    # admin:reports_annualreport_{changelist,change,delete,history} follow the pattern the
    # other AuditedAdmin models use in this file (add is refused: has_add_permission False).
}

# Retention (issue 10): the coordinator's page of what is deleted in the next 30 days, holds.
POLICY |= {
    "audit:retention": STAFF_ONLY,
    "audit:retention_hold": POST_ONLY,
    "audit:retention_lift": POST_ONLY,
}

# Subject access and correction (GDPR art. 15-16): SSP staff, from the young person's page.
# Supervision (R4): the data protection officer / supervisory authority (`tilsyn`) reads the
# disclosures log and the audit trail; every page of personal data is a 404 to it.
SUPERVISOR_ONLY = roles(tilsyn=OK)
POLICY |= {
    "audit:subject_access": STAFF_ONLY,
    "audit:young_person_correct": STAFF_ONLY,
    "audit:supervision_disclosures": SUPERVISOR_ONLY,
    "audit:supervision_disclosures_xlsx": SUPERVISOR_ONLY,
    "audit:supervision_audit_trail": SUPERVISOR_ONLY,
}


# --- Issue 16 ---------------------------------------------------------------------------
# The municipality's configuration pages: its SSP staff and administrators.
CONFIGURERS = roles(koordinator=OK, admin=OK)
NOT_CONFIGURERS = ("laerer", "socialraadgiver", "politi", "boligsocial", "politiker", "tilsyn")

POLICY |= {
    "organisation:config": CONFIGURERS,
    "organisation:config_rules": CONFIGURERS,
    "organisation:config_worksheet": CONFIGURERS,
    "organisation:standing_items": CONFIGURERS,
    "organisation:standing_item_edit": CONFIGURERS,
    "organisation:standing_item_delete": CONFIGURERS,
    "organisation:legal_bases": CONFIGURERS,
    "organisation:legal_basis_new": CONFIGURERS,
    "organisation:legal_basis_edit": CONFIGURERS,
    "organisation:legal_basis_retire": CONFIGURERS,
}

# Case levels (SSP staff and the case's agreement coordinator; the police officer takes part
# in Ali's case but does not coordinate it: 403); a group or place concern as an activity in
# the prevention plan (SSP staff).
POLICY |= {
    "cases:case_level": roles(koordinator=OK, socialraadgiver=OK),
    "cases:concern_to_prevention": roles(koordinator=OK),
}
# The offence catalogue: SSP staff and the administrator; correcting or withdrawing reports:
# SSP staff and the police's SSP contact.
OFFENCE_KEEPERS = roles(koordinator=OK, admin=OK)
REPORT_CORRECTORS = roles(koordinator=OK, politi=OK)
POLICY |= {
    "police:offences": OFFENCE_KEEPERS,
    "police:offence_new": OFFENCE_KEEPERS,
    "police:offence_edit": OFFENCE_KEEPERS,
    "police:alias_delete": POST_ONLY,
    "police:reports": REPORT_CORRECTORS,
    "police:report": REPORT_CORRECTORS,
    "police:report_correct": REPORT_CORRECTORS,
    "police:report_withdraw": REPORT_CORRECTORS,
}

# The SSP guide: every member reads it, SSP staff and administrators keep it; the public tip
# form and its thank-you page: no login (an unknown slug is 404).
POLICY |= {
    # The guide: every member of the municipality reads it; its SSP staff and administrators
    # keep it (can_edit_guide; another municipality's guide is 404).
    "organisation:guide": MEMBERS,
    "organisation:guide_edit": roles(koordinator=OK, admin=OK),
    # The public tip form and its thank-you page: no login (an unknown slug is 404).
    "cases:tip": EVERYONE_EVEN_ANONYMOUS,
    "cases:tip_thanks": EVERYONE_EVEN_ANONYMOUS,
}
# Network council invitations (POST only) and the family's letter (those who call councils).
POLICY |= {
    "police:council_invite": POST_ONLY,
    "police:council_letter": STAFF_ONLY,
}


# Issue 15: users in bulk from a file (administrators); the password reset and invitation links
# need no login (the same answer for any address; an invalid link renders "no longer works").
POLICY |= {
    "accounts:bulk_import": roles(admin=OK),
    "accounts:bulk_apply": POST_ONLY,
    "accounts:password_reset": EVERYONE_EVEN_ANONYMOUS,
    "accounts:password_reset_done": EVERYONE_EVEN_ANONYMOUS,
    "accounts:password_reset_confirm": EVERYONE_EVEN_ANONYMOUS,
    "accounts:password_reset_complete": EVERYONE_EVEN_ANONYMOUS,
    # Issue 15: single sign-on. The route test runs with SSO off (no SSP_OIDC_ISSUER), where
    # both answer 404 to everyone; tests/accounts/test_oidc.py covers them with SSO on.
    "oidc:authenticate": everyone(DENIED, anonymous=DENIED),
    "oidc:callback": everyone(DENIED, anonymous=DENIED),
}

# Django's admin: only the administrator gets in; everyone else is sent to the admin login.
ADMIN_POLICY = {ANONYMOUS: ANY_LOGIN, **dict.fromkeys(ROLES, ADMIN_LOGIN), "admin": ADMIN_INSIDE}
ADMIN_SPECIAL = {
    # /admin/login/ is sent on to the platform's own login (with its second factor).
    "admin:login": everyone(LOGIN, anonymous=LOGIN),
    "admin:logout": everyone(NOT_SERVED, anonymous=NOT_SERVED),
}
QUERY = {"admin:autocomplete": "?app_label=organisation&model_name=membership&field_name=member"}


def walk(
    patterns: list[Any], namespace: str = "", kwargs: tuple[str, ...] = ()
) -> Iterator[tuple[str, str | None, tuple[str, ...]]]:
    """(namespace, full name or None, URL arguments) for every route."""
    for entry in patterns:
        names = tuple(_kwarg_names(entry))
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner, kwargs + names)
        elif isinstance(entry, URLPattern):
            full = f"{namespace}{entry.name}" if entry.name else None
            yield namespace, full, kwargs + names


def _kwarg_names(entry: URLPattern | URLResolver) -> list[str]:
    pattern: Any = entry.pattern
    if hasattr(pattern, "converters") and pattern.converters:
        return list(pattern.converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def all_routes() -> dict[str, tuple[str, ...]]:
    routes: dict[str, tuple[str, ...]] = {}
    for _namespace, name, kwargs in walk(get_resolver().url_patterns):
        if name is not None:
            routes[name] = kwargs
    return routes


def unnamed_routes_outside_the_admin() -> list[str]:
    return [
        str(kwargs)
        for namespace, name, kwargs in walk(get_resolver().url_patterns)
        if name is None and namespace != "admin:"
    ]


def policy_for(name: str) -> dict[str, str]:
    if name in POLICY:
        return POLICY[name]
    if name in ADMIN_SPECIAL:
        return ADMIN_SPECIAL[name]
    if name.startswith("admin:"):
        return ADMIN_POLICY
    raise KeyError(name)


def test_every_route_has_a_policy() -> None:
    missing = [name for name in all_routes() if not _has_policy(name)]
    assert missing == [], f"routes without an access policy line: {missing}"
    stale = [name for name in POLICY if name not in all_routes()]
    assert stale == [], f"policy lines for routes that no longer exist: {stale}"


def test_every_route_outside_the_admin_is_named() -> None:
    """Unnamed routes could not be listed in POLICY; only Django's admin has some."""
    assert unnamed_routes_outside_the_admin() == []


def _has_policy(name: str) -> bool:
    try:
        policy_for(name)
    except KeyError:
        return False
    return True


def _model_instance(name: str) -> Model | None:
    """For admin:<app>_<model>_<view>, an existing object of that model, if any."""
    from django.apps import apps

    label = name.removeprefix("admin:").rsplit("_", 1)[0]
    for model in apps.get_models():
        if f"{model._meta.app_label}_{model._meta.model_name}" == label:
            return model._default_manager.order_by("pk").first()
    return None


def worrying_absence_record() -> AbsenceRecord | None:
    """Emil's absence this month, above the threshold (those below are not reachable by id)."""
    return (
        AbsenceRecord.objects.filter(school__slug="oestskolen")
        .order_by("-total_percent", "pk")
        .first()
    )


def an_import_job() -> ImportJob:
    """A police list imported through the background job by the police's SSP contact (the
    contact reaches their own job, SSP staff every job)."""
    day = (timezone.localdate() - timedelta(days=1)).strftime("%d-%m-%Y")
    submitted = import_jobs.submit_import(
        actor_user=User.objects.get(username="politi"),
        kind=ImportKind.POLICE,
        filename="liste.csv",
        content=POLICE_LIST_ROW.format(day=day).encode(),
    )
    return submitted.job


ROUTES_ADHOC_TASK = "Skabe ro omkring stationen om aftenen"


def an_adhoc_group() -> Forum:
    """An active ad hoc group for an area, set up by the coordinator from the local group Øst,
    with the social worker and the police officer as members."""
    group = Forum.objects.filter(adhoc_task=ROUTES_ADHOC_TASK, dissolved_at__isnull=True).first()
    if group is not None:
        return group
    return adhoc.set_up_adhoc_group(
        actor_user=User.objects.get(username="koordinator"),
        parent=Forum.objects.get(municipality__slug="aadal", key="lokal-ssp-oest"),
        subject=AdhocSubject.AREA,
        task=ROUTES_ADHOC_TASK,
        members=[member("socialraadgiver"), member("politi")],
        between_meetings=True,
    )


def an_evaluation(demo: Municipality, *, status: str) -> Evaluation:
    """An evaluation of Distrikt Øst's local group in `status` ("draft" or "open"), made by the
    services (an open one has invited Øst's members with a login)."""
    title = f"Evaluering ({status})"
    existing = Evaluation.objects.filter(municipality=demo, title=title).first()
    if existing is not None:
        return existing
    coordinator = User.objects.get(username="koordinator")
    evaluation = evaluation_services.create_evaluation(
        actor_user=coordinator,
        data=evaluation_services.EvaluationData(
            title=title,
            introduction="",
            closes_on=timezone.localdate() + timedelta(days=30),
            fora=[Forum.objects.get(municipality=demo, key="lokal-ssp-oest")],
        ),
    )
    if status != EvaluationStatus.DRAFT:
        evaluation_services.send_evaluation(
            actor_user=coordinator, evaluation=evaluation, base_url="http://testserver/"
        )
        evaluation.refresh_from_db()
    return evaluation


def an_election_item(meeting: Meeting) -> AgendaItem:
    """An election item on the meeting, for a current membership of its forum (issue 14)."""
    membership = Membership.objects.current().filter(forum=meeting.forum).order_by("pk")[0]
    item, _created = AgendaItem.objects.get_or_create(
        meeting=meeting,
        kind=ItemKind.ELECTION,
        election_for=membership,
        defaults={"position": 99, "title": "Valg", "visibility": Visibility.INTERNAL},
    )
    return item


ROUTES_STANDING_ITEM = "Routes: fast punkt"


def a_standing_item(demo: Municipality) -> StandingItem:
    """A standing item for the local groups' type (the demo has none of its own)."""
    item, _created = StandingItem.objects.get_or_create(
        municipality=demo,
        forum_type=Forum.objects.get(municipality=demo, key="lokal-ssp-oest").forum_type,
        title=ROUTES_STANDING_ITEM,
    )
    return item


def a_legal_basis(demo: Municipality) -> LegalBasis:
    """A basis in force that is not the last consent basis (it may be changed and retired)."""
    return LegalBasis.objects.get(
        municipality=demo, code="rpl-115-clarify", retired_at__isnull=True
    )


ROUTES_ALIAS = "Routes-betegnelse"


def an_offence_alias(demo: Municipality) -> OffenceAlias:
    """One of Ådal's own aliases (the demo has none), for the national kind "Vold"."""
    alias, _created = OffenceAlias.objects.get_or_create(
        municipality=demo,
        alias=ROUTES_ALIAS,
        defaults={"offence": Offence.objects.get(municipality__isnull=True, code="vold")},
    )
    return alias


def demo_group_concern() -> Concern:
    """The housing worker's concern about a group in front of the club (the demo's only group
    concern): it may become an activity in the prevention plan."""
    return Concern.objects.filter(subject=ConcernSubject.GROUP).order_by("pk")[0]


def fill_kwargs(name: str, kwargs: tuple[str, ...], demo: Municipality) -> dict[str, Any]:
    first_forum = Forum.objects.filter(municipality=demo).order_by("pk").first()
    assert first_forum is not None
    target: Model | None = first_forum  # the object behind a route's pk
    case = Case.objects.get(young_person__first_name="Ali")
    concern = Concern.objects.get(young_person__first_name="Emil", source="worksheet")
    upcoming = Meeting.objects.get(forum__key="lokal-ssp-oest", status="planned")
    police_objects: dict[str, Model | None] = {
        "police:route": PoliceReport.objects.filter(status="waiting").first(),
        "police:deadline_met": Deadline.objects.filter(met_on__isnull=True).first(),
        "police:council_new": Deadline.objects.filter(
            kind="network_council", met_on__isnull=True
        ).first(),
        "police:council": NetworkCouncil.objects.first(),
        "police:council_invite": NetworkCouncil.objects.first(),
        "police:council_letter": NetworkCouncil.objects.first(),
        "police:offence_edit": Offence.objects.get(municipality__isnull=True, code="vold"),
        "police:alias_delete": (an_offence_alias(demo) if name == "police:alias_delete" else None),
        "police:report": PoliceReport.objects.filter(status="waiting").order_by("pk").first(),
        "police:report_correct": (
            PoliceReport.objects.filter(status="waiting").order_by("pk").first()
        ),
        "police:report_withdraw": (
            PoliceReport.objects.filter(status="waiting").order_by("pk").first()
        ),
        "police:absence_concern": worrying_absence_record(),
        "police:hot_spot": HotSpot.objects.first(),
        "police:hot_spot_edit": HotSpot.objects.first(),
        "police:import_job": (
            an_import_job() if name == "police:import_job" else ImportJob.objects.first()
        ),
    }
    prevention_objects: dict[str, Callable[[], Model]] = {
        "prevention:focus_area": demo_focus_area,
        "prevention:focus_area_edit": demo_focus_area,
        "prevention:plan": oest_plan,
        "prevention:plan_xlsx": oest_plan,
        "prevention:plan_pdf": oest_plan,
        "api:get_plan": oest_plan,
        "prevention:activity_new": oest_plan,
        "prevention:activity": lambda: oest_activity(ActivityStatus.DONE),
        "prevention:activity_edit": lambda: oest_activity(ActivityStatus.DONE),
        "prevention:activity_done": lambda: oest_activity(ActivityStatus.PLANNED),
        "prevention:activity_evaluate": lambda: oest_activity(ActivityStatus.DONE),
        "prevention:project": lambda: a_project(demo),
        "prevention:project_edit": lambda: a_project(demo),
    }
    evaluation_objects: dict[str, Callable[[], Model]] = {
        "reports:evaluation": lambda: an_evaluation(demo, status="open"),
        "reports:evaluation_edit": lambda: an_evaluation(demo, status="draft"),
        "reports:evaluation_answer": lambda: an_evaluation(demo, status="open"),
        "api:get_evaluation": lambda: an_evaluation(demo, status="open"),
    }
    config_objects: dict[str, Callable[[], Model]] = {
        "organisation:standing_item_edit": lambda: a_standing_item(demo),
        "organisation:standing_item_delete": lambda: a_standing_item(demo),
        "organisation:legal_basis_edit": lambda: a_legal_basis(demo),
        "organisation:legal_basis_retire": lambda: a_legal_basis(demo),
        "cases:concern_to_prevention": demo_group_concern,
    }
    if name in police_objects:
        target = police_objects[name]
    elif name in config_objects:
        target = config_objects[name]()
    elif name in prevention_objects:
        target = prevention_objects[name]()
    elif name in evaluation_objects:
        target = evaluation_objects[name]()
    elif name.startswith(("prevention:", "api:get_intervention")):
        target = cool_kids(demo)
    elif name.startswith(("meetings:", "api:get_meeting")):
        target = upcoming
        if name.startswith("meetings:public"):
            target = Meeting.objects.get(published_at__isnull=False)
    elif name.startswith(("cases:concern", "cases:case_open")):
        target = concern
    elif name.startswith(("cases:", "api:get_case")):
        target = case
    assert target is not None, name
    values: dict[str, Any] = {}
    for kwarg in kwargs:
        if name.startswith("admin:") and kwarg in {"object_id", "id", "pk"}:
            instance = _model_instance(name)
            values[kwarg] = str(instance.pk) if instance is not None else "1"
        elif kwarg == "slug":
            values[kwarg] = demo.slug
        elif kwarg == "uidb64":
            values[kwarg] = "MQ"
        elif kwarg == "year":
            values[kwarg] = (
                a_published_report(demo).year
                if name.startswith("reports:public")
                else a_draft_report(demo).year
            )
        elif kwarg == "forum_pk":
            values[kwarg] = Forum.objects.get(municipality=demo, key="lokal-ssp-oest").pk
        elif kwarg == "evaluation_id":
            values[kwarg] = target.pk
        elif kwarg == "item" and name.startswith("meetings:election"):
            values[kwarg] = an_election_item(upcoming).pk
        elif kwarg == "item":
            values[kwarg] = upcoming.items.get(visibility="closed").pk
        elif kwarg == "guest":
            values[kwarg] = (
                upcoming.guests.first()
                or upcoming.guests.create(name="Ulla Gæst", organisation="Klubben")
            ).pk
        elif kwarg == "attachment":
            values[kwarg] = Attachment.objects.get(item__meeting=upcoming).pk
        elif kwarg == "token":
            values[kwarg] = feed_token(User.objects.get(username="koordinator"))
        elif kwarg == "forum":
            values[kwarg] = upcoming.forum_id
        elif kwarg == "meeting_id":
            values[kwarg] = upcoming.pk
        elif kwarg == "task" and name.startswith("meetings:"):
            values[kwarg] = MeetingTask.objects.order_by("pk")[0].pk
        elif kwarg in {"pk", "forum_id", "case_id"}:
            values[kwarg] = (
                case.young_person_id
                if name.startswith(("cases:young_person", "audit:subject", "audit:young_person"))
                else target.pk
            )
        elif kwarg in {"intervention_id", "plan_id"}:
            values[kwarg] = target.pk
        elif kwarg == "agreement":
            values[kwarg] = case.agreements.get().pk
        elif kwarg == "consent":
            values[kwarg] = case.consents.get().pk
        elif kwarg == "task":
            values[kwarg] = case.tasks.order_by("pk")[0].pk
        elif kwarg == "group":
            values[kwarg] = an_adhoc_group().pk
        elif kwarg == "district":
            values[kwarg] = "oest"
        elif kwarg == "unit":
            values[kwarg] = "oestskolen"
        elif kwarg == "app_label":
            values[kwarg] = "organisation"
        elif kwarg == "content_type_id":
            values[kwarg] = 1
        else:
            raise AssertionError(f"no test value for URL argument {kwarg!r} of {name}")
    return values


def check(expectation: str, response: Any) -> bool:
    status = response.status_code
    location = response.get("Location", "")
    if expectation == OK:
        return status == 200
    if expectation == LOGIN:
        return status == 302 and location.startswith("/konto/login/")
    if expectation == REDIRECT:
        return status == 302 and not location.startswith(("/konto/login/", "/admin/login/"))
    if expectation == DENIED:
        return status in {403, 404}
    if expectation == NOT_GET:
        return status == 405
    if expectation == UNAUTHENTICATED:
        return status == 401
    if expectation == ADMIN_LOGIN:
        return status == 302 and location.startswith("/admin/login/")
    if expectation == ANY_LOGIN:
        return status == 302 and location.startswith(("/konto/login/", "/admin/login/"))
    if expectation == NOT_SERVED:
        return status in {302, 405}
    if expectation == ADMIN_INSIDE:
        return status < 500 and not (status == 302 and location.startswith("/admin/login/"))
    raise AssertionError(expectation)


class _IdCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key == "id" and value:
                self.ids[value] += 1


def duplicate_ids(html: str) -> list[str]:
    """The HTML ids that occur more than once (a label, aria-describedby or a skip link would
    point at the first only)."""
    collector = _IdCollector()
    collector.feed(html)
    collector.close()
    return sorted(value for value, count in collector.ids.items() if count > 1)


def html_duplicate_ids(response: Any) -> list[str]:
    """Duplicate ids of a 200 HTML response (none for other answers)."""
    if response.status_code != 200 or getattr(response, "streaming", False):
        return []
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    return duplicate_ids(response.content.decode(response.charset or "utf-8"))


def test_duplicate_ids_are_found() -> None:
    page = '<p id="a"></p><label for="b" id="a"></label><input id="b"><div id=c></div>'
    assert duplicate_ids(page) == ["a"]
    assert duplicate_ids('<input id="x"><input id="y">') == []


ROUTE_NAMES = sorted(all_routes())


@pytest.mark.django_db
@pytest.mark.parametrize("name", ROUTE_NAMES)
def test_route_answers_each_role_as_the_policy_says(
    name: str, demo: Municipality, users: dict[str, User]
) -> None:
    # An unconfirmed second-factor device, so that the device admin pages have an object.
    TOTPDevice.objects.get_or_create(user=users["laerer"], defaults={"confirmed": False})
    url = reverse(name, kwargs=fill_kwargs(name, all_routes()[name], demo)) + QUERY.get(name, "")
    policy = policy_for(name)
    failures = []
    for role in (ANONYMOUS, *ROLES):
        client = Client()
        if role != ANONYMOUS:
            client.force_login(users[role])
        response = client.get(url)
        if not check(policy[role], response):
            failures.append(
                f"{role}: expected {policy[role]}, got {response.status_code} "
                f"{response.get('Location', '')}"
            )
        if duplicates := html_duplicate_ids(response):
            failures.append(f"{role}: duplicate HTML ids {duplicates}")
    assert failures == [], f"{name} ({url}): {failures}"


# --- Writes ---------------------------------------------------------------------------------
#
# Every route that accepts a POST is listed in WRITES (or SELF_SERVICE, for a user's own login,
# session and second factor). Each line names the role whose post must succeed and the roles
# that must be refused, and builds a VALID post: the identical request by the allowed role
# changes the database (test_the_valid_write_succeeds_for_the_allowed_role), so a refusal can
# only come from the access rules, never from form validation. A refused role gets 403 or 404
# and the database is unchanged, row by row (tests/helpers_db.py). Like healthchecks'
# `test_it_requires_rw_access`: a missing access decorator fails here, it cannot hide behind
# a 400 for an empty form.

NOT_STAFF = ("laerer", "socialraadgiver", "politi", "boligsocial", "politiker", "admin", "tilsyn")
OUTSIDE_CASE = ("laerer", "boligsocial", "politiker", "admin", "tilsyn")
NOT_MANAGERS = ("laerer", "socialraadgiver", "politi", "boligsocial", "admin", "tilsyn")
NOT_RAISERS = ("politiker", "admin", "tilsyn")
REFUSED_STATUSES = {403, 404}
DONE_STATUSES = {200, 201, 302}

# A user's own account and session: every role may post, so no role is refused.
SELF_SERVICE = frozenset(
    {
        "set_language",
        "accounts:login",
        "accounts:login_code",
        "accounts:logout",
        "accounts:second_factor_setup",
        "accounts:second_factor_verify",
        "accounts:second_factor_remove",
        "accounts:confidentiality",
        # A member's own choice of meeting e-mails (a user who is no member changes nothing).
        "accounts:meeting_emails",
        # The public tip form (issue 16): anyone, even without a login, may post a tip; its own
        # tests (tests/cases/test_tips.py) cover the throttle, the token and the pattern checks.
        "cases:tip",
        # Anyone, even anonymous, may ask for a password reset link (issue 15); its own tests
        # (tests/accounts/test_password_reset.py) cover the throttle and the same answer.
        "accounts:password_reset",
    }
)


@dataclass(frozen=True)
class Post:
    """One write request: URL arguments and a form (or JSON) body, built fresh per request
    because an uploaded file can be read once only."""

    kwargs: dict[str, Any]
    body: Callable[[], dict[str, Any]]
    json: bool = False


@dataclass(frozen=True)
class Write:
    allowed: str
    refused: tuple[str, ...]
    prepare: Callable[[Municipality], Post]


WRITES: dict[str, Write] = {}


def write(
    name: str, *, allowed: str, refused: tuple[str, ...]
) -> Callable[[Callable[[Municipality], Post]], Callable[[Municipality], Post]]:
    def register(prepare: Callable[[Municipality], Post]) -> Callable[[Municipality], Post]:
        WRITES[name] = Write(allowed=allowed, refused=refused, prepare=prepare)
        return prepare

    return register


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def forum_of(demo: Municipality, key: str) -> Forum:
    return Forum.objects.get(municipality=demo, key=key)


def ali_case() -> Case:
    return Case.objects.get(young_person__first_name="Ali")


def upcoming_meeting() -> Meeting:
    return Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)


def last_meeting() -> Meeting:
    """The local group Øst's last meeting: held, minutes approved and forwarded."""
    return Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.HELD)


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def same(body: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    return lambda: body


# Cases


@write("cases:concern_new", allowed="laerer", refused=NOT_RAISERS)
def _concern_new(demo: Municipality) -> Post:
    return Post(
        {},
        same(
            {
                "subject": ConcernSubject.PLACE,
                "source": ConcernSource.STAFF,
                "level": Level.YELLOW,
                "description": "Knallerter kører stærkt på stien bag hallen om aftenen.",
                "place": "Stien bag hallen",
            }
        ),
    )


@write("api:create_concern", allowed="laerer", refused=NOT_RAISERS)
def _create_concern(demo: Municipality) -> Post:
    return Post(
        {},
        same(
            {
                "subject": ConcernSubject.PLACE,
                "source": ConcernSource.STAFF,
                "description": "Knallerter kører stærkt på stien bag hallen om aftenen.",
                "place": "Stien bag hallen",
            }
        ),
        json=True,
    )


def _emil_concern() -> Concern:
    return Concern.objects.get(young_person__first_name="Emil", source=ConcernSource.WORKSHEET)


@write("cases:concern_route", allowed="koordinator", refused=NOT_STAFF)
def _concern_route(demo: Municipality) -> Post:
    return Post({"pk": _emil_concern().pk}, same({"forum": forum_of(demo, "lokal-ssp-midt").pk}))


@write("cases:concern_drop", allowed="koordinator", refused=NOT_STAFF)
def _concern_drop(demo: Municipality) -> Post:
    # Sara's worksheet has risk factors only: it may be dropped (Emil's requires an agreement).
    sara = Concern.objects.get(young_person__first_name="Sara", source=ConcernSource.WORKSHEET)
    return Post({"pk": sara.pk}, same({"note": "Forældrene har selv taget hånd om det."}))


@write("cases:case_open", allowed="koordinator", refused=NOT_STAFF)
def _case_open(demo: Municipality) -> Post:
    return Post(
        {"pk": _emil_concern().pk},
        same({"level": Level.RED, "forum": forum_of(demo, "lokal-ssp-oest").pk}),
    )


@write("cases:agreement_new", allowed="koordinator", refused=OUTSIDE_CASE)
def _agreement_new(demo: Municipality) -> Post:
    return Post(
        {"pk": ali_case().pk},
        same(
            {
                "first_action": "Opfølgende møde med Ali og hans mor.",
                "coordinator": member("socialraadgiver").pk,
                "contact_person": member("koordinator").pk,
                "follow_up_date": in_days(14),
            }
        ),
    )


@write("cases:task_new", allowed="socialraadgiver", refused=OUTSIDE_CASE)
def _task_new(demo: Municipality) -> Post:
    return Post(
        {"pk": ali_case().pk},
        same(
            {
                "description": "Ring til skolen om fraværet",
                "owner": member("socialraadgiver").pk,
                "due_date": in_days(7),
            }
        ),
    )


@write("cases:task_done", allowed="politi", refused=OUTSIDE_CASE)
def _task_done(demo: Municipality) -> Post:
    case = ali_case()
    task = case.tasks.get(owner__user__username="politi", status=TaskStatus.OPEN)
    return Post({"pk": case.pk, "task": task.pk}, same({}))


@write("cases:consent_new", allowed="koordinator", refused=OUTSIDE_CASE)
def _consent_new(demo: Municipality) -> Post:
    case = ali_case()
    holder = case.young_person.custody_holders.get()
    return Post(
        {"pk": case.pk},
        same(
            {
                "given_by": str(holder.pk),
                "form": ConsentForm.WRITTEN,
                "given_on": in_days(0),
                "scope": "Udveksling af oplysninger i SSP-samarbejdet",
            }
        ),
    )


@write("cases:consent_withdraw", allowed="koordinator", refused=OUTSIDE_CASE)
def _consent_withdraw(demo: Municipality) -> Post:
    case = ali_case()
    return Post({"pk": case.pk, "consent": case.consents.get().pk}, same({}))


@write("cases:disclosure_new", allowed="koordinator", refused=OUTSIDE_CASE)
def _disclosure_new(demo: Municipality) -> Post:
    basis = LegalBasis.objects.filter(municipality=demo, is_consent=False).order_by("pk").first()
    assert basis is not None
    return Post(
        {"pk": ali_case().pk},
        same(
            {
                "legal_basis": basis.pk,
                "purpose": "Afklare behovet for støtte",
                "information": "Oplysninger om fravær",
                "given_by": member("laerer").pk,
                "receivers": [member("politi").pk],
                "disclosed_on": in_days(0),
            }
        ),
    )


@write("cases:adhoc_new", allowed="koordinator", refused=NOT_STAFF)
def _adhoc_new(demo: Municipality) -> Post:
    return Post(
        {"pk": ali_case().pk},
        same({"members": [member("socialraadgiver").pk, member("politi").pk]}),
    )


@write("cases:adhoc_set_up", allowed="koordinator", refused=NOT_STAFF)
def _adhoc_set_up(demo: Municipality) -> Post:
    return Post(
        {},
        same(
            {
                "parent": forum_of(demo, "lokal-ssp-oest").pk,
                "subject": "area",
                "task": "Forebyggende indsats i Engparken",
                "members": [member("laerer").pk, member("boligsocial").pk],
                "between_meetings": "on",
            }
        ),
    )


@write("cases:adhoc_dissolve", allowed="koordinator", refused=NOT_STAFF)
def _adhoc_dissolve(demo: Municipality) -> Post:
    return Post(
        {"group": an_adhoc_group().pk},
        same({"result": "Ny aftenåben klub i området."}),
    )


@write("cases:case_escalate", allowed="koordinator", refused=NOT_STAFF)
def _case_escalate(demo: Municipality) -> Post:
    return Post(
        {"pk": ali_case().pk},
        same(
            {
                "forum": forum_of(demo, "lokal-ssp-oest").pk,
                "reason": "Den unge er flyttet til Østskolens distrikt",
            }
        ),
    )


@write("cases:case_close", allowed="koordinator", refused=NOT_STAFF)
def _case_close(demo: Municipality) -> Post:
    case = ali_case()
    return Post(
        {"pk": case.pk},
        same(
            {
                "version": case.version,
                "outcome": Outcome.IMPROVED,
                "partners": "Skole og familieafdeling",
                "sectors": ["buf", "sof"],
                "what_worked": "Fast voksenkontakt.",
            }
        ),
    )


@write("cases:young_person_identity", allowed="koordinator", refused=NOT_STAFF)
def _young_person_identity(demo: Municipality) -> Post:
    # A pupil named without a CPR number (issue 15); the coordinator adds it.
    person = YoungPerson.objects.create(
        municipality=demo,
        first_name="Uden",
        last_name="Cpr",
        school=Unit.objects.get(slug="oestskolen"),
        class_name="7.a",
    )
    return Post({"pk": person.pk}, same({"cpr": "010213-4011"}))


@write("cases:young_person_merge", allowed="koordinator", refused=NOT_STAFF)
def _young_person_merge(demo: Municipality) -> Post:
    # A duplicate of Emil without a CPR number, merged into the registered Emil.
    duplicate = YoungPerson.objects.create(
        municipality=demo, first_name="Emil", last_name="Sandberg", class_name="7.b"
    )
    emil = YoungPerson.objects.exclude(pk=duplicate.pk).get(first_name="Emil", last_name="Sandberg")
    return Post({"pk": duplicate.pk}, same({"other": emil.pk, "confirm": "1"}))


@write("cases:young_person_cpr", allowed="koordinator", refused=NOT_STAFF)
def _young_person_cpr(demo: Municipality) -> Post:
    # "Vis CPR" writes nothing but its audit event: the event is the change.
    return Post({"pk": ali_case().young_person_id}, same({}))


# Meetings


@write("meetings:calendar_generate", allowed="koordinator", refused=NOT_MANAGERS)
def _calendar_generate(demo: Municipality) -> Post:
    # The demo planned next year's meetings; the year after is still empty.
    return Post(
        {},
        same(
            {
                "calendar-forum": forum_of(demo, "koordinationsgruppe").pk,
                "calendar-year": timezone.localdate().year + 2,
                "calendar-weekday": 1,
                "calendar-hour": 14,
            }
        ),
    )


@write("meetings:new", allowed="koordinator", refused=NOT_MANAGERS)
def _meeting_new(demo: Municipality) -> Post:
    return Post(
        {},
        same(
            {
                "meeting-forum": forum_of(demo, "lokal-ssp-oest").pk,
                "meeting-kind": MeetingKind.EXTRA,
                "meeting-starts_at": f"{in_days(20)}T16:00",
                "meeting-location": "Østskolen",
                "meeting-title": "Ekstra møde om aftenerne ved klubben",
            }
        ),
    )


@write("meetings:item_new", allowed="koordinator", refused=(*NOT_MANAGERS, "politiker"))
def _item_new(demo: Municipality) -> Post:
    return Post(
        {"pk": upcoming_meeting().pk},
        same({"title": "Sommerferiens aktiviteter", "visibility": Visibility.INTERNAL}),
    )


@write("meetings:prepare", allowed="koordinator", refused=(*NOT_MANAGERS, "politiker"))
def _prepare(demo: Municipality) -> Post:
    # Take the closed items off the prepared agenda, so that preparing adds them again.
    meeting = upcoming_meeting()
    meeting.items.filter(visibility=Visibility.CLOSED).delete()
    return Post({"pk": meeting.pk}, same({}))


@write("meetings:item_edit", allowed="koordinator", refused=(*NOT_MANAGERS, "politiker"))
def _item_edit(demo: Municipality) -> Post:
    meeting = upcoming_meeting()
    item = meeting.items.get(visibility=Visibility.CLOSED)
    return Post(
        {"pk": meeting.pk, "item": item.pk},
        same(
            {
                "title": "Bekymring: ny overskrift",
                "visibility": Visibility.CLOSED,
                "version": item.version,
            }
        ),
    )


@write("meetings:contribution", allowed="boligsocial", refused=("politiker", "admin", "tilsyn"))
def _contribution(demo: Municipality) -> Post:
    meeting = upcoming_meeting()
    item = meeting.items.get(visibility=Visibility.CLOSED)
    return Post(
        {"pk": meeting.pk, "item": item.pk},
        same({"text": "Pigerne fortæller, at bilen også kommer i weekenden."}),
    )


@write("meetings:minutes", allowed="koordinator", refused=(*NOT_MANAGERS, "politiker"))
def _minutes(demo: Municipality) -> Post:
    meeting = upcoming_meeting()
    # Minutes are written from the meeting's start: let it begin now.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now())
    present = Membership.objects.current().filter(forum=meeting.forum).values_list("member_id")
    body = {f"present_{pk}": "on" for (pk,) in present}
    return Post({"pk": meeting.pk}, same({**body, "version": meeting.version}))


@write("meetings:sign", allowed="laerer", refused=("politiker", "admin", "tilsyn"))
def _sign(demo: Municipality) -> Post:
    return Post({"pk": last_meeting().pk}, same({}))


@write("meetings:approve", allowed="koordinator", refused=(*NOT_MANAGERS, "politiker"))
def _approve(demo: Municipality) -> Post:
    # Approving approved minutes changes nothing (idempotent): take the approval back first.
    meeting = last_meeting()
    Meeting.objects.filter(pk=meeting.pk).update(approved_at=None)
    return Post({"pk": meeting.pk}, same({}))


@write("meetings:publish", allowed="koordinator", refused=(*NOT_MANAGERS, "politiker"))
def _publish(demo: Municipality) -> Post:
    return Post({"pk": last_meeting().pk}, same({}))


@write("meetings:task_done", allowed="koordinator", refused=NOT_STAFF)
def _meeting_task_done(demo: Municipality) -> Post:
    task = MeetingTask.objects.get(owner__user__username="koordinator")
    return Post({"task": task.pk}, same({}))


# Issue 14: closing, guests, edit/move/cancel, joint events, elections.


@write("meetings:close", allowed="koordinator", refused=(*NOT_MANAGERS, "politiker"))
def _close(demo: Municipality) -> Post:
    # "Afslut mødet" from the meeting's start, once every item has a decision.
    meeting = upcoming_meeting()
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now())
    meeting.items.update(decision="Besluttet.")
    return Post({"pk": meeting.pk}, same({}))


@write("meetings:guest_new", allowed="koordinator", refused=(*NOT_MANAGERS, "politiker"))
def _guest_new(demo: Municipality) -> Post:
    return Post(
        {"pk": upcoming_meeting().pk},
        same({"guest-name": "Ulla Gæst", "guest-organisation": "Klubben"}),
    )


@write("meetings:guest_remove", allowed="koordinator", refused=(*NOT_MANAGERS, "politiker"))
def _guest_remove(demo: Municipality) -> Post:
    meeting = upcoming_meeting()
    guest = meeting.guests.create(name="Ulla Gæst", organisation="Klubben")
    return Post({"pk": meeting.pk, "guest": guest.pk}, same({}))


@write("meetings:edit", allowed="koordinator", refused=(*NOT_MANAGERS, "politiker"))
def _meeting_edit(demo: Municipality) -> Post:
    meeting = upcoming_meeting()
    starts = timezone.localtime(meeting.starts_at) + timedelta(days=1)
    ends = timezone.localtime(meeting.ends_at) + timedelta(days=1)
    return Post(
        {"pk": meeting.pk},
        same(
            {
                "title": "Flyttet møde",
                "location": "Klubben",
                "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": ends.strftime("%Y-%m-%dT%H:%M"),
                "version": meeting.version,
            }
        ),
    )


@write("meetings:cancel", allowed="koordinator", refused=(*NOT_MANAGERS, "politiker"))
def _meeting_cancel(demo: Municipality) -> Post:
    return Post(
        {"pk": upcoming_meeting().pk},
        same({"reason": "For få kan deltage", "confirmed": "on"}),
    )


# The politician plans the steering group's meetings only: her post of these fora is a form
# error (400), not an access refusal, so she is not among the refused.
@write("meetings:joint_new", allowed="koordinator", refused=NOT_MANAGERS)
def _joint_new(demo: Municipality) -> Post:
    return Post(
        {},
        same(
            {
                "forum": forum_of(demo, "lokal-ssp-midt").pk,
                "joint_fora": [
                    forum_of(demo, "lokal-ssp-oest").pk,
                    forum_of(demo, "lokal-ssp-vest").pk,
                ],
                "title": "Fælles konference for områdegrupperne",
                "starts_at": f"{in_days(30)}T17:00",
                "location": "Kulturhuset",
            }
        ),
    )


@write("meetings:election", allowed="koordinator", refused=(*NOT_MANAGERS, "politiker"))
def _election(demo: Municipality) -> Post:
    meeting = upcoming_meeting()
    starts = timezone.now() - timedelta(hours=3)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    item = an_election_item(meeting)
    item.decision = "Genvalgt."
    item.save(update_fields=["decision"])
    return Post(
        {"pk": meeting.pk, "item": item.pk},
        same({"outcome": "re_elected", "re_elected_until": "2031-01-15"}),
    )


# Police


@write(
    "police:absence_concern",
    allowed="laerer",
    refused=("socialraadgiver", "politi", "boligsocial", "politiker", "admin", "tilsyn"),
)
def _absence_concern(demo: Municipality) -> Post:
    record = worrying_absence_record()
    assert record is not None
    return Post(
        {"pk": record.pk},
        same(
            {
                "subject": ConcernSubject.PERSON,
                "first_name": "Emil",
                "last_name": "Sandberg",
                "source": ConcernSource.ABSENCE,
                "level": Level.YELLOW,
                "description": "Bekymrende fravær i sidste måned.",
            }
        ),
    )


POLICE_LIST_ROW = (
    "CPR-nummer;Navn;Gerningsdato;Tidspunkt;Forhold;Journalnummer;Beskrivelse\n"
    "190713-4555;Lukas Bjerre;{day};20:10;Hærværk;0100-70001-00999-26;Knuste en rude.\n"
)


NOT_POLICE_LIST_KEEPERS = (
    "laerer",
    "socialraadgiver",
    "boligsocial",
    "politiker",
    "admin",
    "tilsyn",
)


@write("police:import", allowed="politi", refused=NOT_POLICE_LIST_KEEPERS)
def _police_import(demo: Municipality) -> Post:
    day = (timezone.localdate() - timedelta(days=1)).strftime("%d-%m-%Y")
    return Post({}, lambda: {"file": upload("liste.csv", POLICE_LIST_ROW.format(day=day))})


@write("police:report_new", allowed="politi", refused=NOT_POLICE_LIST_KEEPERS)
def _report_new(demo: Municipality) -> Post:
    return Post(
        {},
        same(
            {
                "cpr": "190713-4555",
                "name": "Lukas Bjerre",
                "date": in_days(-1),
                "time": "20:10",
                "offence": "Hærværk",
                "reference": "0100-70001-00998-26",
                "description": "Knuste en rude.",
            }
        ),
    )


@write("police:route", allowed="koordinator", refused=NOT_STAFF)
def _police_route(demo: Municipality) -> Post:
    report = PoliceReport.objects.filter(status=ReportStatus.WAITING).order_by("pk").first()
    assert report is not None
    prefix = f"r{report.pk}"
    social_worker = member("socialraadgiver").pk
    return Post(
        {"pk": report.pk},
        same(
            {
                f"{prefix}-routing": Routing.SOCIAL_WORKER,
                f"{prefix}-member": social_worker,
                f"{prefix}-home_contact": social_worker,
            }
        ),
    )


@write(
    "police:deadline_met",
    allowed="socialraadgiver",
    refused=("laerer", "politi", "boligsocial", "politiker", "admin", "tilsyn"),
)
def _deadline_met(demo: Municipality) -> Post:
    deadline = (
        Deadline.objects.filter(responsible__user__username="socialraadgiver", met_on__isnull=True)
        .order_by("pk")
        .first()
    )
    assert deadline is not None
    return Post({"pk": deadline.pk}, same({"met_on": in_days(0)}))


@write("police:council_new", allowed="koordinator", refused=NOT_STAFF)
def _council_new(demo: Municipality) -> Post:
    deadline = (
        Deadline.objects.filter(kind=DeadlineKind.NETWORK_COUNCIL, met_on__isnull=True)
        .order_by("pk")
        .first()
    )
    assert deadline is not None
    return Post(
        {"pk": deadline.pk},
        same(
            {
                "meeting_at": f"{in_days(5)}T15:00",
                "professionals": [member("socialraadgiver").pk, member("politi").pk],
                "invited_young_person": "on",
                "place": "Rådhuset, mødelokale 2",
                # The demo's council deadline has passed: R5 asks for the reason.
                "late_reason": "Familien kunne først mødes om fem dage.",
            }
        ),
    )


@write("police:council", allowed="koordinator", refused=NOT_STAFF)
def _council(demo: Municipality) -> Post:
    council = NetworkCouncil.objects.order_by("pk").first()
    assert council is not None
    return Post({"pk": council.pk}, same({"held_on": in_days(-1)}))


ABSENCE_ROW = (
    "Skole;Klasse;CPR-nummer;Måned;Fravær;Ulovligt fravær\n"
    "Østskolen;7.b;120312-4137;{month};21,0;11,0\n"
)


@write("police:absence_import", allowed="koordinator", refused=NOT_STAFF)
def _absence_import(demo: Municipality) -> Post:
    month = (timezone.localdate().replace(day=1) - timedelta(days=70)).strftime("%Y-%m")
    return Post({}, lambda: {"file": upload("fravaer.csv", ABSENCE_ROW.format(month=month))})


HOT_SPOT = {
    "name": "Skurene ved havnen",
    "address": "Havnevej 3, Ådal",
    "description": "Unge samles om aftenen.",
    "status": HotSpotStatus.ACTIVE,
}


@write("police:hot_spot_new", allowed="koordinator", refused=NOT_STAFF)
def _hot_spot_new(demo: Municipality) -> Post:
    return Post({}, same({**HOT_SPOT, "period_start": in_days(0)}))


@write("police:hot_spot_edit", allowed="koordinator", refused=NOT_STAFF)
def _hot_spot_edit(demo: Municipality) -> Post:
    spot = HotSpot.objects.order_by("pk").first()
    assert spot is not None
    return Post(
        {"pk": spot.pk},
        same({**HOT_SPOT, "period_start": in_days(0), "version": spot.version}),
    )


# Prevention


def cool_kids(demo: Municipality) -> Intervention:
    return Intervention.objects.get(municipality=demo, name="Cool Kids")


def intervention_body(demo: Municipality, name: str) -> dict[str, Any]:
    step = StaircaseStep.objects.get(municipality=demo, number=2)
    return {
        "name": name,
        "steps": [step.pk],
        "age_min": "9",
        "age_max": "13",
        "target_group": "Børn i 3.-6. klasse i Engparken",
        "description": "Hjælp til lektier to eftermiddage om ugen.",
        "active": "on",
    }


@write("prevention:intervention_new", allowed="koordinator", refused=NOT_STAFF)
def _intervention_new(demo: Municipality) -> Post:
    return Post({}, same(intervention_body(demo, "Lektiecafé i Engparken")))


@write("prevention:intervention_edit", allowed="koordinator", refused=NOT_STAFF)
def _intervention_edit(demo: Municipality) -> Post:
    intervention = cool_kids(demo)
    return Post(
        {"pk": intervention.pk},
        same({**intervention_body(demo, "Cool Kids"), "version": intervention.version}),
    )


def demo_focus_area() -> FocusArea:
    return FocusArea.objects.get(forum__key="styregruppe", title="Fravær")


def oest_plan() -> AnnualPlan:
    """Lokal SSP Øst's plan for this school year (the demo's)."""
    return AnnualPlan.objects.get(forum__key="lokal-ssp-oest", school_year=current_school_year())


def oest_activity(status: str) -> Activity:
    activity = oest_plan().activities.filter(status=status).order_by("starts_on", "pk").first()
    assert activity is not None
    return activity


# 3) Writes (after the prevention writes, ~line 1145). Refused roles are those the view refuses
#    with 403/404 before reading the form (a maker posting a forum outside his own plan fora
#    gets the form's 400, so he is not listed for plan_new).
FOCUS_AREA_BODY = {
    "title": "Tryghed i nattelivet",
    "description": "Færre konflikter i bymidten fredag og lørdag nat.",
}
OUTSIDE_OEST = ("politiker", "admin", "tilsyn")


def _focus_area_body(demo: Municipality) -> dict[str, Any]:
    year = current_school_year()
    steering = Forum.objects.get(municipality=demo, key="styregruppe")
    return {
        **FOCUS_AREA_BODY,
        "forum": steering.pk,
        "starts_on": f"{year}-08-01",
        "ends_on": f"{year + 1}-07-31",
    }


@write("prevention:focus_area_new", allowed="koordinator", refused=NOT_STAFF)
def _focus_area_new(demo: Municipality) -> Post:
    return Post({}, same(_focus_area_body(demo)))


@write("prevention:focus_area_edit", allowed="koordinator", refused=NOT_STAFF)
def _focus_area_edit(demo: Municipality) -> Post:
    area = demo_focus_area()
    return Post(
        {"pk": area.pk},
        same(
            {
                "forum": area.forum_id,
                "title": area.title,
                "description": "Fravær over 10 procent i udskolingen.",
                "starts_on": area.starts_on.isoformat(),
                "ends_on": area.ends_on.isoformat(),
                "version": area.version,
            }
        ),
    )


@write("prevention:plan_new", allowed="koordinator", refused=("admin", "tilsyn"))
def _plan_new(demo: Municipality) -> Post:
    vest = Forum.objects.get(municipality=demo, key="lokal-ssp-vest")
    return Post(
        {}, same({"forum": vest.pk, "school_year": current_school_year(), "copy_last": "on"})
    )


def _activity_body(**extra: Any) -> dict[str, Any]:
    return {
        "title": "Oplæg om fester",
        "kind": "talk",
        "target_group": "Elever i 8. klasse",
        "starts_on": in_days(60),
        "ends_on": in_days(60),
        **extra,
    }


@write("prevention:activity_new", allowed="laerer", refused=OUTSIDE_OEST)
def _activity_new(demo: Municipality) -> Post:
    return Post({"pk": oest_plan().pk}, same(_activity_body()))


@write("prevention:activity_edit", allowed="laerer", refused=OUTSIDE_OEST)
def _activity_edit(demo: Municipality) -> Post:
    activity = oest_activity(ActivityStatus.PLANNED)
    return Post({"pk": activity.pk}, same(_activity_body(version=activity.version)))


@write("prevention:activity_done", allowed="laerer", refused=OUTSIDE_OEST)
def _activity_done(demo: Municipality) -> Post:
    return Post({"pk": oest_activity(ActivityStatus.PLANNED).pk}, same({}))


@write("prevention:activity_evaluate", allowed="laerer", refused=OUTSIDE_OEST)
def _activity_evaluate(demo: Municipality) -> Post:
    activity = oest_activity(ActivityStatus.DONE)
    return Post(
        {"pk": activity.pk},
        same(
            {
                "reached": "40",
                "what_worked": "Rollespil i små grupper",
                "what_next": "",
                "version": activity.version,
            }
        ),
    )


def a_project(demo: Municipality) -> Project:
    """A project of the municipality (the demo has none): made once, found after."""
    today = timezone.localdate()
    project, _created = Project.objects.get_or_create(
        municipality=demo,
        name="Tryg i nattelivet",
        defaults={"starts_on": today - timedelta(days=30), "ends_on": today + timedelta(days=60)},
    )
    return project


def project_body(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "name": "Sommerjob til unge",
        "starts_on": (today - timedelta(days=10)).isoformat(),
        "ends_on": (today + timedelta(days=80)).isoformat(),
        "funding": "Puljen til kriminalpræventive indsatser",
        "partners": "Jobcentret, de lokale erhvervsdrivende",
        "goals": "30 unge i fritidsjob inden sommerferien.",
        "evaluation": "",
    } | overrides


@write("prevention:project_new", allowed="koordinator", refused=NOT_STAFF)
def _project_new(demo: Municipality) -> Post:
    return Post({}, same(project_body()))


@write("prevention:project_edit", allowed="koordinator", refused=NOT_STAFF)
def _project_edit(demo: Municipality) -> Post:
    project = a_project(demo)
    return Post(
        {"pk": project.pk},
        same(project_body(name="Tryg i nattelivet", version=project.version)),
    )


# Reports


def a_draft_report(demo: Municipality) -> AnnualReport:
    """Last year's report, a draft (made when the demo has none)."""
    year = timezone.localdate().year - 1
    report = AnnualReport.objects.filter(municipality=demo, year=year).first()
    return report or report_services.create_report(
        actor_user=User.objects.get(username="koordinator"), year=year
    )


def a_published_report(demo: Municipality) -> AnnualReport:
    """The demo's published report (the year before last)."""
    return AnnualReport.objects.get(municipality=demo, published_at__isnull=False)


@write("reports:new", allowed="koordinator", refused=NOT_STAFF)
def _annual_report_new(demo: Municipality) -> Post:
    # Last year's report must not exist yet for the allowed post to change the database;
    # if the demo seeds last year's report, use `timezone.localdate().year - 2` and make sure
    # a_published_report() uses another year (e.g. year - 3).
    return Post({}, same({"year": timezone.localdate().year - 1}))


@write("reports:edit", allowed="koordinator", refused=NOT_STAFF)
def _annual_report_edit(demo: Municipality) -> Post:
    report = a_draft_report(demo)
    return Post(
        {"year": report.year},
        lambda: {
            "foreword": "Et år med fokus på fravær.",
            "assessment": "",
            "recommendations": "",
            "version": AnnualReport.objects.get(pk=report.pk).version,
        },
    )


@write("reports:publish", allowed="koordinator", refused=NOT_STAFF)
def _annual_report_publish(demo: Municipality) -> Post:
    # Publishing needs an APPROVED, unpublished report: approve a draft the way the service
    # does (the decision hook), e.g. via the steering group's meeting, or directly:
    year = timezone.localdate().year - 3
    report, _ = AnnualReport.objects.get_or_create(municipality=demo, year=year)
    AnnualReport.objects.filter(pk=report.pk).update(
        status=AnnualReportStatus.APPROVED,
        figures=[],
        approved_at=timezone.now(),
        published_at=None,
    )
    return Post({"year": year}, same({}))


EFFECT_CSV = "År;Aldersgruppe;Forholdsgruppe;Opgørelse;Antal\n2023;15-17 år;Vold;Sigtede;12\n"


@write("reports:effect_import", allowed="koordinator", refused=NOT_STAFF)
def _effect_import(demo: Municipality) -> Post:
    return Post({}, lambda: {"file": upload("politiets-tal.csv", EFFECT_CSV)})


def evaluation_body(demo: Municipality, **overrides: Any) -> dict[str, Any]:
    return {
        "title": "Evaluering af forummernes opgaver",
        "introduction": "Tre korte spørgsmål.",
        "closes_on": (timezone.localdate() + timedelta(days=21)).isoformat(),
        "fora": [Forum.objects.get(municipality=demo, key="lokal-ssp-oest").pk],
    } | overrides


@write("reports:evaluation_new", allowed="koordinator", refused=NOT_STAFF)
def _evaluation_new(demo: Municipality) -> Post:
    return Post({}, same(evaluation_body(demo)))


@write("reports:evaluation_edit", allowed="koordinator", refused=NOT_STAFF)
def _evaluation_edit(demo: Municipality) -> Post:
    evaluation = an_evaluation(demo, status="draft")
    return Post(
        {"pk": evaluation.pk},
        lambda: evaluation_body(
            demo,
            title="Evaluering (rettet)",
            version=Evaluation.objects.get(pk=evaluation.pk).version,
        ),
    )


@write("reports:evaluation_send", allowed="koordinator", refused=NOT_STAFF)
def _evaluation_send(demo: Municipality) -> Post:
    return Post({"pk": an_evaluation(demo, status="draft").pk}, same({}))


@write("reports:evaluation_close", allowed="koordinator", refused=NOT_STAFF)
def _evaluation_close(demo: Municipality) -> Post:
    return Post({"pk": an_evaluation(demo, status="open").pk}, same({}))


# Only the invited answer: the politician, the administrator and the supervisor sit in no
# chosen forum (404: the invitation is theirs or nothing).
@write("reports:evaluation_answer", allowed="laerer", refused=("politiker", "admin", "tilsyn"))
def _evaluation_answer(demo: Municipality) -> Post:
    evaluation = an_evaluation(demo, status="open")
    forum = Forum.objects.get(municipality=demo, key="lokal-ssp-oest")
    return Post(
        {"pk": evaluation.pk, "forum_pk": forum.pk},
        same({"relevant": "yes", "meaningful": "partly", "contributing": "yes", "comment": ""}),
    )


# Retention


@write("audit:retention_hold", allowed="koordinator", refused=NOT_STAFF)
def _retention_hold(demo: Municipality) -> Post:
    # The demo case past retention (Mikkel's), not yet held.
    case = Case.objects.get(young_person__first_name="Mikkel")
    return Post(
        {},
        same(
            {
                "kind": "case",
                "object_id": case.pk,
                "reason": "complaint",
                "note": "Klage modtaget",
                "form_token": "6f1c1d55-1f43-4a77-9a55-0d6c1b1e7a01",
            }
        ),
    )


@write("audit:retention_lift", allowed="koordinator", refused=NOT_STAFF)
def _retention_lift(demo: Municipality) -> Post:
    from ssp.audit.models import RetentionHold

    # The demo case on hold (Laura's).
    case = Case.objects.get(young_person__first_name="Laura")
    hold = RetentionHold.objects.get(kind="case", object_id=case.pk, lifted_at__isnull=True)
    return Post({"pk": hold.pk}, same({}))


# Subject access and correction


@write("audit:subject_access", allowed="koordinator", refused=NOT_STAFF)
def _subject_access(demo: Municipality) -> Post:
    # Ali is 15 or older: he may ask himself. Producing the export writes its audit event.
    return Post(
        {"pk": ali_case().young_person_id},
        same({"requested_by": "young_person", "export_format": "json"}),
    )


@write("audit:young_person_correct", allowed="koordinator", refused=NOT_STAFF)
def _young_person_correct(demo: Municipality) -> Post:
    from ssp.audit.subject_access import fingerprint_of

    person = ali_case().young_person
    return Post(
        {"pk": person.pk},
        same(
            {
                "first_name": person.first_name,
                "last_name": person.last_name,
                "school": person.school_id or "",
                "class_name": "9.d",
                "school_district": person.school_district_id or "",
                "reason": "Skolen har oplyst den rigtige klasse.",
                "fingerprint": fingerprint_of(person),
            }
        ),
    )


def accepts_post(callback: Callable[..., Any]) -> bool:
    """Whether a page view takes a POST: `require_POST` on it, or its body reads one."""
    view: Any = callback
    while view is not None:  # require_POST keeps its method list in the wrapper's closure
        cells = [cell.cell_contents for cell in getattr(view, "__closure__", None) or ()]
        if any(isinstance(value, list | tuple) and "POST" in value for value in cells):
            return True
        view = getattr(view, "__wrapped__", None)
    try:
        source = inspect.getsource(inspect.unwrap(callback))
    except (OSError, TypeError):
        return False
    return any(token in source for token in ("request.POST", "request.FILES", '"POST"'))


def api_writes() -> set[str]:
    from ssp.api import api

    return {
        f"api:{operation.view_func.__name__}"
        for _prefix, router in api._routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
        if set(operation.methods) - {"GET", "HEAD", "OPTIONS"}
    }


def page_views(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, Any]]:
    """(full name, view) for every named page route outside the admin and the API."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if inner not in {"admin:", "api:"}:
                yield from page_views(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.callback


def routes_that_accept_a_post() -> set[str]:
    posting = {name for name, view in page_views(get_resolver().url_patterns) if accepts_post(view)}
    return posting | api_writes()


def test_every_route_that_accepts_a_post_has_a_write_policy() -> None:
    """A new form or POST route must get a line in WRITES (or be a user's own account)."""
    posting = routes_that_accept_a_post()
    missing = posting - set(WRITES) - SELF_SERVICE
    assert missing == set(), f"POST routes without a line in WRITES: {sorted(missing)}"
    stale = (set(WRITES) | SELF_SERVICE) - posting
    assert stale == set(), f"WRITES lines for routes that take no POST: {sorted(stale)}"


def test_every_post_only_route_is_a_write() -> None:
    post_only = {name for name, policy in POLICY.items() if policy.get("koordinator") == NOT_GET}
    assert post_only - set(WRITES) - SELF_SERVICE == set()


def test_a_page_that_refuses_a_role_refuses_its_post_too() -> None:
    """For a form page, the roles refused the form (GET) are refused its post."""
    for name, spec in WRITES.items():
        policy = POLICY[name]
        if policy["koordinator"] == NOT_GET or name.startswith("api:"):
            continue
        denied = {role for role in ROLES if policy[role] == DENIED}
        assert set(spec.refused) == denied, name
        assert spec.allowed not in denied, name


def _send(client: Client, url: str, post: Post) -> Any:
    if post.json:
        return client.post(url, data=json.dumps(post.body()), content_type="application/json")
    return client.post(url, post.body())


# --- Issue 16 writes ----------------------------------------------------------------------
def _config_rules_body(demo: Municipality) -> dict[str, Any]:
    """The rules form as the page sends it, with the agenda's days changed (valid data)."""
    m = Municipality.objects.get(pk=demo.pk)
    body: dict[str, Any] = {
        "version": m.version,
        "target_age_min": m.target_age_min,
        "target_age_max": m.target_age_max,
        "ssp_plus_age_min": "" if m.ssp_plus_age_min is None else m.ssp_plus_age_min,
        "ssp_plus_age_max": "" if m.ssp_plus_age_max is None else m.ssp_plus_age_max,
        "family_meeting_deadline_days": m.rule("family_meeting_deadline_days", 7),
        "network_council_deadline_days": m.rule("network_council_deadline_days", 7),
        "police_review_weekday": ""
        if m.rule("police_review_weekday") is None
        else m.rule("police_review_weekday"),
        "agenda_days_before": 3 if m.rule("agenda_days_before", 7) != 3 else 4,
        "absence_threshold_percent": m.rule("absence_threshold_percent", 10),
    }
    if m.rule("case_levels"):
        body["case_levels"] = "on"
    return body


@write("organisation:config_rules", allowed="koordinator", refused=NOT_CONFIGURERS)
def _config_rules(demo: Municipality) -> Post:
    return Post({"slug": demo.slug}, lambda: _config_rules_body(demo))


@write("organisation:config_worksheet", allowed="admin", refused=NOT_CONFIGURERS)
def _config_worksheet(demo: Municipality) -> Post:
    return Post(
        {"slug": demo.slug},
        lambda: {
            "version": Municipality.objects.get(pk=demo.pk).version,
            "truancy": "Mere end 10 procent fravær over en måned.",
        },
    )


@write("organisation:standing_items", allowed="koordinator", refused=NOT_CONFIGURERS)
def _standing_items(demo: Municipality) -> Post:
    return Post(
        {"slug": demo.slug},
        same(
            {
                "forum_type": forum_of(demo, "lokal-ssp-oest").forum_type,
                "title": "Nyt fra klubberne",
                "position": 1,
            }
        ),
    )


@write("organisation:standing_item_edit", allowed="koordinator", refused=NOT_CONFIGURERS)
def _standing_item_edit(demo: Municipality) -> Post:
    item = a_standing_item(demo)
    return Post(
        {"slug": demo.slug, "pk": item.pk}, same({"title": "Routes: rettet punkt", "position": 2})
    )


@write("organisation:standing_item_delete", allowed="admin", refused=NOT_CONFIGURERS)
def _standing_item_delete(demo: Municipality) -> Post:
    return Post({"slug": demo.slug, "pk": a_standing_item(demo).pk}, same({}))


@write("organisation:legal_basis_new", allowed="koordinator", refused=NOT_CONFIGURERS)
def _legal_basis_new(demo: Municipality) -> Post:
    return Post(
        {"slug": demo.slug},
        same({"title": "Servicelovens § 11", "reference": "Serviceloven § 11, stk. 3"}),
    )


@write("organisation:legal_basis_edit", allowed="koordinator", refused=NOT_CONFIGURERS)
def _legal_basis_edit(demo: Municipality) -> Post:
    basis = a_legal_basis(demo)
    return Post(
        {"slug": demo.slug, "pk": basis.pk},
        same(
            {
                "title": "Afklaring uden samtykke (§ 115)",
                "reference": basis.reference,
                "requires_parent_involvement": "on",
            }
        ),
    )


@write("organisation:legal_basis_retire", allowed="admin", refused=NOT_CONFIGURERS)
def _legal_basis_retire(demo: Municipality) -> Post:
    return Post({"slug": demo.slug, "pk": a_legal_basis(demo).pk}, same({}))


@write(
    "cases:case_level",
    allowed="koordinator",
    refused=("laerer", "politi", "boligsocial", "politiker", "admin", "tilsyn"),
)
def _case_level(demo: Municipality) -> Post:
    case = ali_case()
    return Post(
        {"pk": case.pk},
        same(
            {
                "version": case.version,
                "level": Level.YELLOW,
                "reason": "Forholdene er bedret; sagen følges på gult niveau.",
            }
        ),
    )


@write("cases:concern_to_prevention", allowed="koordinator", refused=NOT_STAFF)
def _concern_to_prevention(demo: Municipality) -> Post:
    concern = demo_group_concern()
    plan = AnnualPlan.objects.get(
        forum=forum_of(demo, "lokal-ssp-oest"), school_year=current_school_year()
    )
    return Post(
        {"pk": concern.pk},
        same(
            {
                "plan": plan.pk,
                "title": "Opsøgende arbejde ved klubben",
                "kind": "outreach",
                "goal": "Generel forebyggelse i gruppen og på stedet.",
                "target_group": "Gruppe på ca. 5 unge, 12-16 år",
                "place": "Foran Ungdomsklubben Øst",
                "starts_on": in_days(1),
                "ends_on": in_days(1),
            }
        ),
    )


NOT_OFFENCE_KEEPERS = ("laerer", "socialraadgiver", "politi", "boligsocial", "politiker", "tilsyn")
NOT_REPORT_CORRECTORS = ("laerer", "socialraadgiver", "boligsocial", "politiker", "admin", "tilsyn")


@write("police:offence_new", allowed="admin", refused=NOT_OFFENCE_KEEPERS)
def _offence_new(demo: Municipality) -> Post:
    return Post({}, same({"name": "Ulovlig knallertkørsel", "code": "", "serious": ""}))


@write("police:offence_edit", allowed="koordinator", refused=NOT_OFFENCE_KEEPERS)
def _offence_edit(demo: Municipality) -> Post:
    vold = Offence.objects.get(municipality__isnull=True, code="vold")
    return Post({"pk": vold.pk}, same({"handling": "betegnelse", "alias": "Overfald"}))


@write("police:alias_delete", allowed="koordinator", refused=NOT_OFFENCE_KEEPERS)
def _alias_delete(demo: Municipality) -> Post:
    return Post({"pk": an_offence_alias(demo).pk}, same({}))


def _report_to_correct() -> PoliceReport:
    report = PoliceReport.objects.filter(status=ReportStatus.WAITING).order_by("pk").first()
    assert report is not None
    return report


@write("police:report_correct", allowed="politi", refused=NOT_REPORT_CORRECTORS)
def _report_correct(demo: Municipality) -> Post:
    from ssp.police.corrections import fingerprint

    report = _report_to_correct()
    incident = timezone.localtime(report.incident_at)
    return Post(
        {"pk": report.pk},
        same(
            {
                "offence": report.offence_id or "",
                "offence_text": f"{report.offence_text} (rettet)",
                "attempt": "on" if report.attempt else "",
                "incident_on": incident.date().isoformat(),
                "incident_time": incident.strftime("%H:%M"),
                "police_reference": report.police_reference,
                "received_on": report.received_on.isoformat(),
                "reason": "Forholdet var skrevet forkert på listen.",
                "opened": fingerprint(report),
            }
        ),
    )


@write("police:report_withdraw", allowed="koordinator", refused=NOT_REPORT_CORRECTORS)
def _report_withdraw(demo: Municipality) -> Post:
    return Post({"pk": _report_to_correct().pk}, same({"reason": "Dobbeltregistreret."}))


@write(
    "organisation:guide_edit",
    allowed="koordinator",
    refused=("laerer", "socialraadgiver", "politi", "boligsocial", "politiker", "tilsyn"),
)
def _guide_edit(demo: Municipality) -> Post:
    _values, version = guides.guide_values(demo)
    return Post(
        {"slug": demo.slug},
        same(
            {
                "how_to_react": "Bliv rolig, og skriv ned, hvad du så.",
                "whom_to_contact": "Din leder og SSP-kontakten.",
                "after_concern": "Lokalgruppen behandler bekymringen.",
                "version": str(version),
            }
        ),
    )


# The demo's council is held and in the past: invitations are refused for it, so the write
# makes it an upcoming council with a place first.
@write("police:council_invite", allowed="koordinator", refused=NOT_STAFF)
def _council_invite(demo: Municipality) -> Post:
    council = NetworkCouncil.objects.order_by("pk").first()
    assert council is not None
    NetworkCouncil.objects.filter(pk=council.pk).update(
        held_on=None,
        meeting_at=timezone.now() + timedelta(days=3),
        place="Rådhuset, mødelokale 2",
        invitations_sent_at=None,
    )
    return Post({"pk": council.pk}, same({}))


# --- Issue 15 writes: users in bulk ------------------------------------------------------
NOT_ADMINS = (
    "koordinator",
    "laerer",
    "socialraadgiver",
    "politi",
    "boligsocial",
    "politiker",
    "tilsyn",
)
USERS_CSV = (
    "navn;e-mail;enhed;funktion;sektor;myndighedsperson;fora;rolle;adgangsrolle\n"
    "Rute Testesen;rute.testesen@example.dk;midtskolen;Lærer;BUF;nej;lokal-ssp-midt;medlem;\n"
)


@write("accounts:bulk_import", allowed="admin", refused=NOT_ADMINS)
def _bulk_import(demo: Municipality) -> Post:
    # A valid file shows the preview; who looked is audited (USERS_IMPORT_PREVIEWED).
    return Post({}, lambda: {"file": upload("brugere.csv", USERS_CSV)})


@write("accounts:bulk_apply", allowed="admin", refused=NOT_ADMINS)
def _bulk_apply(demo: Municipality) -> Post:
    # A preview staged for the administrator (the token is bound to the user who saw it).
    admin = User.objects.get(username="admin")
    rows = bulk_users.read_rows(filename="b.csv", content=USERS_CSV.encode(), municipality=demo)
    plan = bulk_users.plan_import(
        rows=rows, municipality=demo, allow_elevated=False, actor_user=admin
    )
    token = bulk_users.store_pending(
        user_id=admin.pk, municipality_id=demo.pk, rows=rows, plan=plan, allow_elevated=False
    )
    return Post({}, same({"token": token}))


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


WRITE_NAMES = sorted(WRITES)


@pytest.mark.django_db
@pytest.mark.parametrize("name", WRITE_NAMES)
def test_a_valid_write_by_a_role_outside_the_policy_is_refused_and_changes_nothing(
    name: str, demo: Municipality, users: dict[str, User]
) -> None:
    spec = WRITES[name]
    post = spec.prepare(demo)
    url = reverse(name, kwargs=post.kwargs)
    clients = {role: _logged_in(users[role]) for role in spec.refused}  # logins write rows
    failures = []
    before = snapshot()
    for role, client in clients.items():
        response = _send(client, url, post)
        after = snapshot()
        changed = changes(before, after)
        if response.status_code not in REFUSED_STATUSES or changed:
            failures.append(f"{role}: {response.status_code}, changed {changed[:5]}")
        before = after
    anonymous = _send(Client(), url, post)
    refused_anonymous = (
        anonymous.status_code == 401
        if name.startswith("api:")
        else anonymous.status_code == 302 and anonymous["Location"].startswith("/konto/login/")
    )
    if not refused_anonymous or changes(before, snapshot()):
        failures.append(f"anonymous: {anonymous.status_code}")
    assert failures == [], f"{name} ({url}), valid data: {failures}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", WRITE_NAMES)
def test_the_valid_write_succeeds_for_the_allowed_role(
    name: str, demo: Municipality, users: dict[str, User]
) -> None:
    """The payloads above are valid: the allowed role's identical post changes the database."""
    spec = WRITES[name]
    post = spec.prepare(demo)
    url = reverse(name, kwargs=post.kwargs)
    client = _logged_in(users[spec.allowed])
    before = snapshot()
    response = _send(client, url, post)
    changed = changes(before, snapshot())
    context = getattr(response, "context", None) or {}
    message = context.get("message", "") if hasattr(context, "get") else ""
    assert response.status_code in DONE_STATUSES, (
        f"{name} as {spec.allowed}: {response.status_code} {message}"
    )
    assert changed, f"{name} as {spec.allowed}: {response.status_code} but nothing changed"
