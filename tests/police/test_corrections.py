"""Issue 16: a police report corrected or withdrawn, with a reason, by the SSP staff or the
police's SSP contact; the deadlines derived from it follow."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent
from ssp.errors import DomainError
from ssp.organisation.models import (
    AccessRole,
    Member,
    Municipality,
    PoliceDistrict,
    Sector,
    Unit,
    UnitKind,
)
from ssp.police import corrections, deadlines, selectors, services
from ssp.police.models import (
    CorrectionKind,
    Deadline,
    DeadlineKind,
    Offence,
    PoliceReport,
    ReportCorrection,
    ReportStatus,
    Routing,
)

pytestmark = pytest.mark.django_db

# The demo's reports (ssp/police/demo.py): a waiting attempted robbery (serious, its council
# deadline open), a waiting vandalism (not serious), a robbery whose council was held.
ATTEMPTED_ROBBERY = "00104"
VANDALISM = "00103"
HELD_ROBBERY = "00101"


def report_of(reference: str) -> PoliceReport:
    return PoliceReport.objects.select_related("offence").get(police_reference__contains=reference)


def national(code: str) -> Offence:
    return Offence.objects.get(municipality__isnull=True, code=code)


def council_deadlines(report: PoliceReport) -> Any:
    return Deadline.objects.filter(
        report=report, kind__in=[DeadlineKind.NETWORK_COUNCIL, DeadlineKind.PLAN_REVISION]
    )


def form_post(report: PoliceReport, **changes: Any) -> dict[str, Any]:
    local = timezone.localtime(report.incident_at)
    data = {
        "offence": report.offence_id or "",
        "offence_text": report.offence_text,
        "attempt": "on" if report.attempt else "",
        "incident_on": local.date().isoformat(),
        "incident_time": local.strftime("%H:%M"),
        "police_reference": report.police_reference,
        "received_on": report.received_on.isoformat(),
        "reason": "Forkert forhold på politiets liste.",
        "opened": corrections.fingerprint(report),
    }
    data.update(changes)
    return data


def correct(client: Client, report: PoliceReport, **changes: Any) -> Any:
    return client.post(f"/politi/rapporter/{report.pk}/ret/", form_post(report, **changes))


def other_police_contact() -> User:
    district = PoliceDistrict.objects.order_by("pk").first()
    assert district is not None
    other = Municipality.objects.create(name="Andenby", slug="andenby", police_district=district)
    user = User.objects.create_user(username="anden-politi")
    contact = Member.objects.create(
        user=user,
        municipality=other,
        name="Ole Anden",
        sector=Sector.POLICE,
        access_role=AccessRole.EMPLOYEE,
        is_authority=True,
    )
    # The SSP contact of the other municipality's police unit: may correct that municipality's
    # reports, never this one's.
    Unit.objects.create(
        municipality=other,
        slug="politi",
        name="Politiet",
        kind=UnitKind.POLICE_STATION,
        sector=Sector.POLICE,
        ssp_contact=contact,
    )
    return user


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("koordinator", 200),
        ("politi", 200),
        ("socialraadgiver", 403),
        ("laerer", 403),
        ("admin", 403),
        ("politiker", 403),
    ],
)
def test_reports_are_corrected_by_ssp_staff_and_the_police_contact(
    demo: Municipality, client_for: Any, username: str, status: int
) -> None:
    client = client_for(username)
    report = report_of(ATTEMPTED_ROBBERY)
    assert client.get("/politi/rapporter/").status_code == status
    assert client.get(f"/politi/rapporter/{report.pk}/").status_code == status
    assert client.get(f"/politi/rapporter/{report.pk}/ret/").status_code == status
    assert client.get(f"/politi/rapporter/{report.pk}/traek-tilbage/").status_code == status


def test_another_municipality_s_police_contact_gets_404(demo: Municipality) -> None:
    client = Client()
    client.force_login(other_police_contact())
    report = report_of(ATTEMPTED_ROBBERY)
    assert client.get(f"/politi/rapporter/{report.pk}/").status_code == 404
    assert correct(client, report, offence=national("tyveri").pk).status_code == 404
    assert report_of(ATTEMPTED_ROBBERY).offence == national("roeveri")
    assert report.police_reference not in client.get("/politi/rapporter/").content.decode()


def test_the_police_contact_sees_the_list_fields_not_the_child_or_the_routing(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("politi")
    routed = report_of("00102")
    listing = client.get("/politi/rapporter/", {"q": "00102"}).content.decode()
    assert routed.police_reference in listing and "Fordelt" in listing
    detail = client.get(f"/politi/rapporter/{routed.pk}/").content.decode()
    assert routed.police_reference in detail
    for hidden in ("Sara", "Holm Nielsen", "Lars Berg", "Lokal", "Taget i butikstyveri"):
        assert hidden not in detail, hidden
    assert (
        routed.police_reference
        not in client.get("/politi/rapporter/", {"q": "00104"}).content.decode()
    )


# --- Corrections and deadlines --------------------------------------------------------------


def test_serious_to_not_serious_removes_the_open_council_deadline(
    demo: Municipality, client_for: Any
) -> None:
    report = report_of(ATTEMPTED_ROBBERY)
    assert council_deadlines(report).filter(met_on__isnull=True).count() == 1
    response = correct(client_for("politi"), report, offence=national("tyveri").pk, attempt="")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.offence == national("tyveri") and not report.attempt
    assert not council_deadlines(report).exists()
    correction = ReportCorrection.objects.get(report=report)
    assert correction.kind == CorrectionKind.CORRECTED
    original = json.loads(correction.original)
    assert original["offence_name"] == "Røveri" and original["attempt"] is True
    event = AuditEvent.objects.get(action=AuditAction.POLICE_REPORT_CORRECTED)
    assert event.data["fields"] == ["offence", "attempt"]
    assert event.data["correction"] == correction.pk and event.data["report"] == report.pk
    assert event.data["deadlines_removed"] == 1
    dumped = json.dumps(event.data, ensure_ascii=False)
    for name in ("William", "Dam", "røveri", "Forkert forhold"):
        assert name not in dumped


def test_not_serious_to_serious_adds_the_deadline_from_receipt(
    demo: Municipality, users: dict[str, User]
) -> None:
    report = report_of(VANDALISM)
    assert not council_deadlines(report).exists()
    outcome = corrections.correct_report(
        actor_user=users["koordinator"],
        report=report,
        data=_data(report, offence=national("groft-haervaerk")),
        opened=corrections.fingerprint(report),
    )
    assert outcome.added == 1
    deadline = council_deadlines(report).get()
    assert deadline.kind == DeadlineKind.NETWORK_COUNCIL
    assert deadline.starts_on == report.received_on  # the law counts from receipt
    assert deadline.due_on == deadlines.due_date(report.received_on, 7)


def test_a_corrected_received_date_moves_the_open_deadline(
    demo: Municipality, users: dict[str, User]
) -> None:
    report = report_of(ATTEMPTED_ROBBERY)
    corrected = timezone.localdate() - timedelta(days=2)
    outcome = corrections.correct_report(
        actor_user=users["koordinator"],
        report=report,
        data=_data(report, received_on=corrected),
        opened=corrections.fingerprint(report),
    )
    assert outcome.moved == 1
    deadline = council_deadlines(report).get()
    assert deadline.starts_on == corrected
    assert deadline.due_on == deadlines.due_date(corrected, 7)


def test_a_council_already_held_is_kept_and_the_page_says_so(
    demo: Municipality, client_for: Any
) -> None:
    report = report_of(HELD_ROBBERY)
    held = council_deadlines(report).get()
    client = client_for("koordinator")
    response = correct(client, report, offence=national("tyveri").pk)
    assert response.status_code == 302
    assert council_deadlines(report).get() == held
    page = client.get(f"/politi/rapporter/{report.pk}/").content.decode()
    assert 'data-testid="council-kept"' in page
    assert "Forkert forhold på politiets liste." in page  # the reason, to those who correct


def test_a_stale_correction_is_refused_and_a_double_click_corrects_once(
    demo: Municipality, client_for: Any
) -> None:
    report = report_of(ATTEMPTED_ROBBERY)
    client = client_for("koordinator")
    post = form_post(report, offence=national("tyveri").pk)
    first = client.post(f"/politi/rapporter/{report.pk}/ret/", post)
    again = client.post(f"/politi/rapporter/{report.pk}/ret/", post)
    assert first.status_code == again.status_code == 302
    assert ReportCorrection.objects.filter(report=report).count() == 1
    # A colleague's form, opened before the correction, with another change: refused.
    stale = client.post(
        f"/politi/rapporter/{report.pk}/ret/", {**post, "offence": national("vold").pk}
    )
    assert stale.status_code == 409
    assert "rettet af en anden" in stale.content.decode()
    assert report_of(ATTEMPTED_ROBBERY).offence == national("tyveri")


def test_a_correction_without_a_reason_re_renders_with_the_input(
    demo: Municipality, client_for: Any
) -> None:
    report = report_of(ATTEMPTED_ROBBERY)
    response = correct(client_for("politi"), report, reason="", offence_text="Røveri (rettet)")
    assert response.status_code == 400
    assert 'value="Røveri (rettet)"' in response.content.decode()
    assert not ReportCorrection.objects.exists()


# --- Withdrawal -----------------------------------------------------------------------------


def test_withdrawing_removes_open_deadlines_and_the_report_from_the_review(
    demo: Municipality, client_for: Any, users: dict[str, User]
) -> None:
    from ssp import access

    report = report_of(ATTEMPTED_ROBBERY)
    client = client_for("politi")
    url = f"/politi/rapporter/{report.pk}/traek-tilbage/"
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Dobbeltregistreret."}).status_code == 302
    assert client.post(url, {"reason": "Dobbeltregistreret."}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.WITHDRAWN
    assert ReportCorrection.objects.filter(report=report).count() == 1
    assert not Deadline.objects.filter(report=report, met_on__isnull=True).exists()
    actor = access.get_actor(users["koordinator"])
    assert report not in selectors.waiting_reports(actor)
    board = client_for("koordinator").get("/frister/").content.decode()
    assert "William" not in board
    event = AuditEvent.objects.get(action=AuditAction.POLICE_REPORT_WITHDRAWN)
    assert event.data == {
        "report": report.pk,
        "correction": ReportCorrection.objects.get(report=report).pk,
        "deadlines_removed": 1,
    }
    with pytest.raises(DomainError, match="trukket tilbage"):
        corrections.correct_report(
            actor_user=users["koordinator"],
            report=report,
            data=_data(report, offence=national("tyveri")),
            opened=corrections.fingerprint(report),
        )
    # The correction page sends back to the report; the weekly review's routing refuses it.
    assert client_for("koordinator").get(f"/politi/rapporter/{report.pk}/ret/").status_code == 302
    social = Member.objects.get(user__username="socialraadgiver")
    with pytest.raises(services.AlreadyRouted, match="trukket tilbage"):
        services.route_report(
            actor_user=users["koordinator"],
            report=report,
            data=services.RoutingData(
                routing=Routing.SOCIAL_WORKER, home_contact=social, member=social
            ),
        )


def test_an_anonymised_report_cannot_be_corrected(
    demo: Municipality, users: dict[str, User]
) -> None:
    report = report_of(VANDALISM)
    PoliceReport.objects.filter(pk=report.pk).update(anonymised_at=timezone.now())
    with pytest.raises(DomainError, match="anonymiseret"):
        corrections.withdraw_report(actor_user=users["politi"], report=report, reason="Fejl.")
    assert report_of(VANDALISM).status == ReportStatus.WAITING


def _data(report: PoliceReport, **changes: Any) -> corrections.CorrectionData:
    local = timezone.localtime(report.incident_at)
    values: dict[str, Any] = {
        "offence": report.offence,
        "offence_text": report.offence_text,
        "attempt": report.attempt,
        "incident_on": local.date(),
        "incident_time": local.time(),
        "police_reference": report.police_reference,
        "received_on": report.received_on,
        "reason": "Forkert på listen.",
    }
    values.update(changes)
    return corrections.CorrectionData(**values)
