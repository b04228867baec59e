"""Every URL and API route, checked for every demo role against the access policy.

A new route without a line in POLICY fails `test_every_route_has_a_policy`, so no route can
escape the policy unnoticed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ssp.cases.models import Case, Concern
from ssp.meetings.calendar import feed_token
from ssp.meetings.models import Attachment, Meeting, MeetingTask
from ssp.organisation.models import Forum, Municipality
from ssp.police.models import AbsenceRecord, Deadline, HotSpot, NetworkCouncil, PoliceReport

ROLES = (
    "koordinator",
    "laerer",
    "socialraadgiver",
    "politi",
    "boligsocial",
    "politiker",
    "admin",
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
    "accounts:second_factor_setup": MEMBERS,
    "accounts:second_factor_verify": everyone(REDIRECT),
    "accounts:second_factor_remove": everyone(NOT_GET),
    "organisation:municipality_list": everyone(REDIRECT),
    "organisation:chart": MEMBERS,
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
    "cases:task_new": POST_ONLY,
    "cases:task_done": POST_ONLY,
    "cases:consent_new": POST_ONLY,
    "cases:consent_withdraw": POST_ONLY,
    "cases:disclosure_new": POST_ONLY,
    "cases:adhoc_new": POST_ONLY,
    "cases:case_escalate": POST_ONLY,
    "cases:case_close": roles(koordinator=OK),
    "cases:young_people": roles(koordinator=OK, laerer=OK, socialraadgiver=OK),
    "cases:young_person": CASE_CIRCLE,
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
    "meetings:calendar_generate": POST_ONLY,
    "meetings:new": POST_ONLY,
    "meetings:item_new": POST_ONLY,
    "meetings:prepare": POST_ONLY,
    "meetings:item_edit": roles(koordinator=OK),
    "meetings:attachment": roles(koordinator=OK, laerer=OK, socialraadgiver=OK, politi=OK),
    "meetings:contribution": POST_ONLY,
    "meetings:sign": POST_ONLY,
    "meetings:approve": POST_ONLY,
    "meetings:publish": POST_ONLY,
    "meetings:task_done": POST_ONLY,
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
POLICY |= {
    "police:review": STAFF_ONLY,
    "police:import": POST_ONLY,
    "police:report_new": STAFF_ONLY,
    "police:route": POST_ONLY,
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


def fill_kwargs(name: str, kwargs: tuple[str, ...], demo: Municipality) -> dict[str, Any]:
    forum = Forum.objects.filter(municipality=demo).order_by("pk").first()
    assert forum is not None
    case = Case.objects.get(young_person__first_name="Ali")
    concern = Concern.objects.get(young_person__first_name="Emil", source="worksheet")
    upcoming = Meeting.objects.get(forum__key="lokal-ssp-oest", status="planned")
    police_objects: dict[str, Any] = {
        "police:route": PoliceReport.objects.filter(status="waiting").first(),
        "police:deadline_met": Deadline.objects.filter(met_on__isnull=True).first(),
        "police:council_new": Deadline.objects.filter(
            kind="network_council", met_on__isnull=True
        ).first(),
        "police:council": NetworkCouncil.objects.first(),
        "police:absence_concern": AbsenceRecord.objects.filter(school__slug="oestskolen").first(),
        "police:hot_spot": HotSpot.objects.first(),
        "police:hot_spot_edit": HotSpot.objects.first(),
    }
    if name in police_objects:
        forum = police_objects[name]
    elif name.startswith(("meetings:", "api:get_meeting")):
        forum = upcoming  # type: ignore[assignment]
        if name.startswith("meetings:public"):
            forum = Meeting.objects.get(published_at__isnull=False)  # type: ignore[assignment]
    elif name.startswith(("cases:concern", "cases:case_open")):
        forum = concern  # type: ignore[assignment]
    elif name.startswith(("cases:", "api:get_case")):
        forum = case  # type: ignore[assignment]
    values: dict[str, Any] = {}
    for kwarg in kwargs:
        if name.startswith("admin:") and kwarg in {"object_id", "id", "pk"}:
            instance = _model_instance(name)
            values[kwarg] = str(instance.pk) if instance is not None else "1"
        elif kwarg == "slug":
            values[kwarg] = demo.slug
        elif kwarg == "item":
            values[kwarg] = upcoming.items.get(visibility="closed").pk
        elif kwarg == "attachment":
            values[kwarg] = Attachment.objects.get(item__meeting=upcoming).pk
        elif kwarg == "token":
            values[kwarg] = feed_token(User.objects.get(username="koordinator"))
        elif kwarg == "forum":
            values[kwarg] = upcoming.forum_id
        elif kwarg == "meeting_id":
            values[kwarg] = upcoming.pk
        elif kwarg == "task" and name.startswith("meetings:"):
            values[kwarg] = MeetingTask.objects.first().pk  # type: ignore[union-attr]
        elif kwarg in {"pk", "forum_id", "case_id"}:
            values[kwarg] = case.young_person_id if name == "cases:young_person" else forum.pk
        elif kwarg == "agreement":
            values[kwarg] = case.agreements.get().pk
        elif kwarg == "consent":
            values[kwarg] = case.consents.get().pk
        elif kwarg == "task":
            values[kwarg] = case.tasks.first().pk  # type: ignore[union-attr]
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
    assert failures == [], f"{name} ({url}): {failures}"


# Every write (POST-only route) refuses the roles outside the policy and changes nothing: no
# audit event is written, since every change writes one.
NOT_STAFF = ("laerer", "socialraadgiver", "politi", "boligsocial", "politiker", "admin")
OUTSIDE_CASE = ("laerer", "boligsocial", "politiker", "admin")
NOT_MANAGERS = ("laerer", "socialraadgiver", "politi", "boligsocial", "admin")
POST_DENIED: dict[str, tuple[str, ...]] = {
    "cases:concern_route": NOT_STAFF,
    "cases:concern_drop": NOT_STAFF,
    "cases:case_open": NOT_STAFF,
    "cases:task_new": OUTSIDE_CASE,
    "cases:task_done": OUTSIDE_CASE,
    "cases:consent_new": OUTSIDE_CASE,
    "cases:consent_withdraw": OUTSIDE_CASE,
    "cases:disclosure_new": OUTSIDE_CASE,
    "cases:adhoc_new": NOT_STAFF,
    "cases:case_escalate": NOT_STAFF,
    "meetings:calendar_generate": NOT_MANAGERS,
    "meetings:new": NOT_MANAGERS,
    "meetings:item_new": (*NOT_MANAGERS, "politiker"),
    "meetings:prepare": (*NOT_MANAGERS, "politiker"),
    "meetings:approve": (*NOT_MANAGERS, "politiker"),
    "meetings:publish": (*NOT_MANAGERS, "politiker"),
    "meetings:contribution": ("politiker", "admin"),
    "meetings:sign": ("politiker", "admin"),
    "meetings:task_done": NOT_STAFF,
    "police:import": NOT_STAFF,
    "police:route": NOT_STAFF,
    "police:absence_import": NOT_STAFF,
    "police:deadline_met": ("laerer", "politi", "boligsocial", "politiker", "admin"),
    "accounts:logout": (),
    "accounts:second_factor_remove": (),
}


def test_every_post_only_route_has_a_write_policy() -> None:
    post_only = {
        name
        for name, policy in POLICY.items()
        if policy.get("koordinator") == NOT_GET and not name.startswith("api:")
    }
    assert post_only == set(POST_DENIED), post_only ^ set(POST_DENIED)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(POST_DENIED))
def test_a_write_by_a_role_outside_the_policy_is_refused_and_changes_nothing(
    name: str, demo: Municipality, users: dict[str, User]
) -> None:
    from ssp.audit.models import AuditEvent

    url = reverse(name, kwargs=fill_kwargs(name, all_routes()[name], demo))
    failures = []
    for role in POST_DENIED[name]:
        client = Client()
        client.force_login(users[role])
        before = AuditEvent.objects.count()
        response = client.post(url, {})
        if response.status_code not in {400, 403, 404} or AuditEvent.objects.count() != before:
            failures.append(
                f"{role}: {response.status_code}, {AuditEvent.objects.count() - before} event(s)"
            )
    anonymous = Client().post(url, {})
    if anonymous.status_code != 302 or not anonymous["Location"].startswith("/konto/login/"):
        failures.append(f"anonymous: {anonymous.status_code}")
    assert failures == [], f"{name}: {failures}"
