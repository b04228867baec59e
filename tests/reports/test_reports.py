"""The annual report (R8): making it, its text, the steering group's approval through an agenda
item (which freezes the figures), publication, the pages, PDF and Excel, and that no page or
file shows a name or a count of persons from 1 to 4.

The figures come from a publication built in the test (`fake_publication`: the year's cases of
the municipality by status, and meetings held), so that the tests do not depend on the figure
sections; suppression is the real one (a simple stand-in while it is being written).
"""

from __future__ import annotations

import io
import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.models import Case, CaseStatus, YoungPerson
from ssp.errors import DomainError
from ssp.meetings import services as meeting_services
from ssp.meetings.links import apply_decision, link_kind
from ssp.meetings.models import AgendaItem, Meeting, MeetingKind, Visibility
from ssp.organisation.models import Forum, Municipality
from ssp.prevention.services import PersonalDataFound
from ssp.reports import figures, services, suppression
from ssp.reports.export import sheet_names
from ssp.reports.meeting_links import REPORT_KIND
from ssp.reports.models import AnnualReport, ReportStatus
from ssp.reports.tables import HIDDEN, SMALL, SuppressedTable, Table
from ssp.versioning import StaleEdit

pytestmark = pytest.mark.django_db

CASES_TABLE = "test_cases"
EXTRA_CASES = 12  # cases the tests move into last year (beyond the "<5" range)
SEE = {"koordinator", "laerer", "socialraadgiver", "politi", "boligsocial", "politiker"}
NOT_SEE = {"admin", "tilsyn"}
NOT_WRITE = {"laerer", "socialraadgiver", "politi", "boligsocial", "politiker"}


# --- Fixtures: a publication of the test's own, suppression ------------------------------------


def fake_publication(municipality_id: int, year: int) -> list[Table]:
    """The year's cases by status (about persons: suppressed) and a count that is not."""
    cases = Case.objects.filter(municipality_id=municipality_id, opened_at__year=year)
    open_cases = cases.filter(status=CaseStatus.OPEN).count()
    closed = cases.filter(status=CaseStatus.CLOSED).count()
    return [
        Table(
            key=CASES_TABLE,
            title="Sager oprettet i året efter status",
            row_labels=["Åbne", "Afsluttede"],
            column_labels=["Sager"],
            cells=[[open_cases], [closed]],
        ),
        Table(
            key="test_meetings",
            title="Møder holdt",
            row_labels=["Styregruppen"],
            column_labels=["Møder"],
            cells=[[2]],
            counts_people=False,
            total_row=False,
        ),
    ]


def simple_suppress(tables: list[Table]) -> list[SuppressedTable]:
    """Primary suppression only, and a hidden total where a column holds a small cell: a
    stand-in for `suppression.suppress` until it is written."""

    def shown(value: int, people: bool) -> str:
        return SMALL if people and 1 <= value <= 4 else str(value)

    result = []
    for table in tables:
        cells = [[shown(v, table.counts_people) for v in row] for row in table.cells]
        column_totals = []
        if table.total_row:
            for index in range(len(table.column_labels)):
                column = [row[index] for row in cells]
                total = sum(row[index] for row in table.cells)
                column_totals.append(
                    HIDDEN if SMALL in column else shown(total, table.counts_people)
                )
        result.append(
            SuppressedTable(
                key=table.key,
                title=table.title,
                row_labels=table.row_labels,
                column_labels=table.column_labels,
                cells=cells,
                column_totals=column_totals,
                note=table.note,
            )
        )
    return result


def _suppress_is_written() -> bool:
    try:
        suppression.suppress([])
    except NotImplementedError:
        return False
    return True


@pytest.fixture(autouse=True)
def test_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(figures, "publication", fake_publication)
    if not _suppress_is_written():
        monkeypatch.setattr(suppression, "suppress", simple_suppress)


def last_year() -> int:
    return timezone.localdate().year - 1


def in_last_year() -> datetime:
    return timezone.now().replace(year=last_year(), month=6, day=15)


def move_cases_into_last_year(count: int) -> list[Case]:
    """`count` more cases of the demo municipality opened last year (copies of Ali's case)."""
    template = Case.objects.filter(young_person__first_name="Ali").order_by("pk").first()
    assert template is not None
    made = [
        Case(
            municipality_id=template.municipality_id,
            young_person_id=template.young_person_id,
            level=template.level,
            forum_id=template.forum_id,
            opened_by_id=template.opened_by_id,
        )
        for _ in range(count)
    ]
    Case.objects.bulk_create(made)
    Case.objects.filter(pk__in=[case.pk for case in made]).update(opened_at=in_last_year())
    return made


def cases_cells(tables: list[SuppressedTable]) -> list[list[str]]:
    return next(table.cells for table in tables if table.key == CASES_TABLE)


def make_report(users: dict[str, User], year: int | None = None) -> AnnualReport:
    return services.create_report(
        actor_user=users["koordinator"], year=last_year() if year is None else year
    )


def steering_group(demo: Municipality) -> Forum:
    return Forum.objects.get(municipality=demo, key="styregruppe")


def steering_item(users: dict[str, User], demo: Municipality, report: AnnualReport) -> AgendaItem:
    """An item on a steering-group meeting that began an hour ago, linking the report."""
    meeting = meeting_services.create_meeting(
        actor_user=users["koordinator"],
        forum=steering_group(demo),
        kind=MeetingKind.REGULAR,
        starts_at=timezone.now() - timedelta(hours=1),
        location="Rådhuset",
    )
    return meeting_services.add_item(
        actor_user=users["koordinator"],
        meeting=meeting,
        title="Årsrapporten",
        visibility=Visibility.PUBLIC,
        link=(REPORT_KIND, report.pk),
    )


def approve_at_meeting(users: dict[str, User], item: AgendaItem) -> None:
    meeting = item.meeting
    meeting_services.record_minutes(
        actor_user=users["koordinator"],
        meeting=meeting,
        attendance={},
        decisions={item.pk: meeting_services.DecisionData("Årsrapporten er godkendt.")},
        apply_links={item.pk},
    )


def young_names() -> list[str]:
    names: set[str] = set()
    for first, last in YoungPerson.objects.values_list("first_name", "last_name"):
        names.update(part for part in (first, last) if part)
    assert names
    return sorted(names)


def assert_no_names(text: str) -> None:
    found = [name for name in young_names() if re.search(rf"\b{re.escape(name)}\b", text)]
    assert found == []


# --- Services ---------------------------------------------------------------------------------


def unpublished_reports() -> int:
    """The reports made here (the demo has a published one of the year before last)."""
    return AnnualReport.objects.filter(published_at__isnull=True).count()


def test_it_makes_one_draft_per_year_for_staff_only(users: dict[str, User]) -> None:
    report = make_report(users)
    assert report.status == ReportStatus.DRAFT and report.year == last_year()
    assert AuditEvent.objects.filter(
        action=AuditAction.REPORT_CREATED, object_id=str(report.pk)
    ).exists()
    with pytest.raises(services.ReportExists, match="allerede") as exists:
        make_report(users)
    assert exists.value.report == report
    for role in NOT_WRITE:
        with pytest.raises(DomainError, match="Kun SSP-medarbejdere"):
            services.create_report(actor_user=users[role], year=last_year() - 1)
    assert unpublished_reports() == 1


def test_it_allows_the_current_year_but_not_a_future_one(users: dict[str, User]) -> None:
    this_year = timezone.localdate().year
    assert make_report(users, this_year).year == this_year
    with pytest.raises(DomainError, match="fra 2000 til"):
        make_report(users, this_year + 1)
    with pytest.raises(DomainError, match="fra 2000 til"):
        make_report(users, 1999)


def test_it_saves_the_texts_versioned_and_refuses_personal_data(users: dict[str, User]) -> None:
    report = make_report(users)
    services.update_texts(
        actor_user=users["koordinator"],
        report=report,
        foreword="Et år med fokus på fravær.",
        assessment="",
        recommendations="Fortsæt nattevandringerne.",
        expected_version=report.version,
    )
    report.refresh_from_db()
    assert report.foreword == "Et år med fokus på fravær." and report.version == 2
    with pytest.raises(StaleEdit):
        services.update_texts(
            actor_user=users["koordinator"],
            report=report,
            foreword="Gammel",
            assessment="",
            recommendations="",
            expected_version=1,
        )
    with pytest.raises(PersonalDataFound, match="personoplysninger") as found:
        services.update_texts(
            actor_user=users["koordinator"],
            report=report,
            foreword="Ring på 12345678 for at høre mere.",
            assessment="",
            recommendations="",
            expected_version=report.version,
        )
    assert found.value.fields == ["foreword"]
    with pytest.raises(DomainError, match="Kun SSP-medarbejdere"):
        services.update_texts(
            actor_user=users["politiker"],
            report=report,
            foreword="Fra politikeren",
            assessment="",
            recommendations="",
            expected_version=report.version,
        )
    report.refresh_from_db()
    assert report.foreword == "Et år med fokus på fravær."
    assert (
        AuditEvent.objects.filter(action=AuditAction.REPORT_CHANGED, object_id=str(report.pk))
        .values_list("data", flat=True)
        .count()
        == 1
    )


def test_approval_freezes_the_figures_and_a_draft_follows_the_data(
    users: dict[str, User], demo: Municipality
) -> None:
    from ssp.reports.selectors import report_tables

    extra = move_cases_into_last_year(EXTRA_CASES)
    report = make_report(users)
    assert cases_cells(report_tables(report)) == [[str(EXTRA_CASES)], ["0"]]
    # A draft follows the data: cases closed now show at once.
    half = EXTRA_CASES // 2
    Case.objects.filter(pk__in=[case.pk for case in extra[:half]]).update(status=CaseStatus.CLOSED)
    assert cases_cells(report_tables(report)) == [[str(half)], [str(half)]]

    item = steering_item(users, demo, report)
    approve_at_meeting(users, item)
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.approved_item == item
    assert report.approved_at is not None and report.figures is not None
    frozen = report_tables(report)
    assert cases_cells(frozen) == [[str(half)], [str(half)]]

    # After approval: cases change, are closed or deleted; the report stays as approved.
    Case.objects.filter(pk__in=[case.pk for case in extra[half : half + 3]]).update(
        status=CaseStatus.CLOSED
    )
    Case.objects.filter(pk=extra[-1].pk).delete()
    assert report_tables(report) == frozen
    assert cases_cells(report_tables(AnnualReport(municipality=demo, year=report.year))) != (
        cases_cells(frozen)
    )
    page = report_page(users["koordinator"], report.year)
    assert f">{half}<" in page
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.REPORT_APPROVED, object_id=str(report.pk)
        ).count()
        == 1
    )


def test_the_decision_applies_once(users: dict[str, User], demo: Municipality) -> None:
    report = make_report(users)
    kind = link_kind(REPORT_KIND)
    assert kind is not None
    assert str(kind.label) == "Årsrapport"
    assert str(kind.decision_label) == "Beslutningen godkender årsrapporten"
    from ssp.access import get_actor

    actor = get_actor(users["koordinator"])
    assert kind.choices(actor, steering_group(demo)) == [(report.pk, f"Årsrapport {last_year()}")]
    # Only the steering group's agenda offers it.
    other = Forum.objects.get(municipality=demo, key="lokal-ssp-oest")
    assert kind.choices(actor, other) == []

    item = steering_item(users, demo, report)
    assert apply_decision(users["koordinator"], item) is True
    report.refresh_from_db()
    approved_at = report.approved_at
    assert apply_decision(users["koordinator"], item) is False
    services.approve(users["koordinator"], item)  # directly again: nothing changes
    report.refresh_from_db()
    assert report.approved_at == approved_at
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.REPORT_APPROVED, object_id=str(report.pk)
        ).count()
        == 1
    )
    described = kind.describe(report.pk)
    assert described is not None and described.state == "Godkendt"
    assert described.url == reverse("reports:report", args=[report.year])
    assert kind.choices(actor, steering_group(demo)) == []


def test_only_the_steering_group_approves(users: dict[str, User], demo: Municipality) -> None:
    report = make_report(users)
    meeting = Meeting.objects.filter(forum__key="lokal-ssp-oest").order_by("pk").first()
    assert meeting is not None
    item = AgendaItem.objects.create(meeting=meeting, position=99, title="Årsrapporten")
    item.link_kind, item.link_id = REPORT_KIND, report.pk
    with pytest.raises(DomainError, match="styregruppe"):
        services.approve(users["koordinator"], item)
    # Nor can the local group's agenda link it.
    with pytest.raises(DomainError, match="kan ikke tilknyttes"):
        meeting_services.add_item(
            actor_user=users["koordinator"],
            meeting=meeting,
            title="Årsrapporten",
            link=(REPORT_KIND, report.pk),
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.figures is None


def test_publication_is_for_staff_and_approved_reports_only(
    users: dict[str, User], demo: Municipality
) -> None:
    report = make_report(users)
    with pytest.raises(DomainError, match="godkendt"):
        services.publish(actor_user=users["koordinator"], report=report)
    apply_decision(users["koordinator"], steering_item(users, demo, report))
    report.refresh_from_db()
    for role in NOT_WRITE:
        with pytest.raises(DomainError, match="Kun SSP-medarbejdere"):
            services.publish(actor_user=users[role], report=report)
    published = services.publish(actor_user=users["koordinator"], report=report)
    assert published.published_at is not None
    again = services.publish(actor_user=users["koordinator"], report=report)
    assert again.published_at == published.published_at
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.REPORT_PUBLISHED, object_id=str(report.pk)
        ).count()
        == 1
    )
    with pytest.raises(DomainError, match="godkendt årsrapport kan ikke rettes"):
        services.update_texts(
            actor_user=users["koordinator"],
            report=published,
            foreword="Efter godkendelsen",
            assessment="",
            recommendations="",
            expected_version=published.version,
        )


# --- Pages ------------------------------------------------------------------------------------


def report_page(user: User, year: int) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(reverse("reports:report", args=[year]))
    assert response.status_code == 200
    return str(response.content.decode())


@pytest.mark.parametrize("role", sorted(SEE | NOT_SEE))
def test_every_role_gets_what_the_rules_say(
    client_for: Any, users: dict[str, User], role: str
) -> None:
    report = make_report(users)
    client = client_for(role)
    pages = [
        reverse("reports:list"),
        reverse("reports:report", args=[report.year]),
        reverse("reports:pdf", args=[report.year]),
        reverse("reports:xlsx", args=[report.year]),
    ]
    for url in pages:
        status = client.get(url).status_code
        assert (status == 200) == (role in SEE), (url, status)
    edit = client.get(reverse("reports:edit", args=[report.year])).status_code
    assert (edit == 200) == (role == "koordinator"), edit


def test_the_coordinator_makes_last_years_report_from_the_list(client_for: Any) -> None:
    coordinator = client_for("koordinator")
    page = coordinator.get(reverse("reports:list")).content.decode()
    assert f"Lav årsrapport for {last_year()}" in page
    made = coordinator.post(reverse("reports:new"), {"year": last_year()})
    assert made.status_code == 302
    assert made["Location"] == reverse("reports:report", args=[last_year()])
    page = coordinator.get(reverse("reports:list")).content.decode()
    assert f"Lav årsrapport for {last_year()}" not in page
    assert f"Årsrapport {last_year()}" in page
    # Again: to the one there is.
    again = coordinator.post(reverse("reports:new"), {"year": last_year()})
    assert again.status_code == 302 and unpublished_reports() == 1
    # A future year is refused on the list page.
    future = coordinator.post(reverse("reports:new"), {"year": timezone.localdate().year + 1})
    assert future.status_code == 400 and "fra 2000 til" in future.content.decode()
    for role in ("politiker", "laerer"):
        refused = client_for(role).post(reverse("reports:new"), {"year": last_year() - 1})
        assert refused.status_code == 403
    assert unpublished_reports() == 1


def test_the_edit_form_keeps_the_input_on_error(client_for: Any, users: dict[str, User]) -> None:
    report = make_report(users)
    coordinator = client_for("koordinator")
    url = reverse("reports:edit", args=[report.year])
    body = {
        "foreword": "Skriv til os på ssp@example.org",
        "assessment": "Tallene er stabile.",
        "recommendations": "",
        "version": report.version,
    }
    refused = coordinator.post(url, body)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "personoplysninger" in page and "Tallene er stabile." in page
    saved = coordinator.post(url, body | {"foreword": "Et roligt år."})
    assert saved.status_code == 302
    stale = coordinator.post(url, body | {"foreword": "Et andet år."})
    assert stale.status_code == 409 and "Et andet år." in stale.content.decode()
    report.refresh_from_db()
    assert report.foreword == "Et roligt år." and report.assessment == "Tallene er stabile."
    assert client_for("politiker").post(url, body | {"version": report.version}).status_code == 403


def test_the_page_shows_the_tables_with_small_numbers_suppressed(
    client_for: Any, users: dict[str, User], demo: Municipality
) -> None:
    move_cases_into_last_year(3)
    report = make_report(users)
    page = client_for("koordinator").get(reverse("reports:report", args=[report.year]))
    html = page.content.decode()
    assert "<caption>Sager oprettet i året efter status</caption>" in html
    table = html[html.index("<caption>Sager oprettet") : html.index("</table>")]
    assert ">&lt;5<" in table and ">3<" not in table
    assert html.count('data-testid="suppression-note"') == 1
    assert "Ret tekst" in html and "Offentliggør" not in html
    assert "Hent som PDF" in html and "Hent som Excel" in html


def test_the_politician_sees_the_report_but_no_name(
    client_for: Any, users: dict[str, User], demo: Municipality
) -> None:
    move_cases_into_last_year(2)
    report = make_report(users)
    politician = client_for("politiker")
    html = politician.get(reverse("reports:report", args=[report.year])).content.decode()
    assert "Sager oprettet i året efter status" in html
    assert "Ret tekst" not in html
    assert_no_names(html)
    listing = politician.get(reverse("reports:list")).content.decode()
    assert "Lav årsrapport" not in listing
    assert_no_names(listing)


def test_pdf_and_excel_show_the_suppressed_figures_and_no_name(
    client_for: Any, users: dict[str, User]
) -> None:
    move_cases_into_last_year(3)
    report = make_report(users)
    services.update_texts(
        actor_user=users["koordinator"],
        report=report,
        foreword="=SUM(A1:A2) er ikke en formel her.",
        assessment="",
        recommendations="",
        expected_version=report.version,
    )
    client = client_for("politiker")
    xlsx = client.get(reverse("reports:xlsx", args=[report.year]))
    assert xlsx.status_code == 200
    assert f"aarsrapport-aadal-{report.year}.xlsx" in xlsx["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames[0] == "Tekst"
    assert len(workbook.sheetnames) == 3
    text_values = [cell.value for row in workbook["Tekst"].iter_rows() for cell in row]
    assert "'=SUM(A1:A2) er ikke en formel her." in text_values
    cases_sheet = workbook.worksheets[1]
    values = [cell.value for row in cases_sheet.iter_rows() for cell in row]
    assert SMALL in values and 3 not in values
    all_text = " ".join(
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )
    assert_no_names(all_text)

    pdf = client.get(reverse("reports:pdf", args=[report.year]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_pdf_text_has_the_small_cell_and_no_name(
    users: dict[str, User], tmp_path: Path
) -> None:
    from ssp.reports import export

    move_cases_into_last_year(3)
    report = make_report(users)
    pdf_path = tmp_path / "rapport.pdf"
    pdf_path.write_bytes(export.report_pdf(export.report_export(report)))
    text = subprocess.run(
        ["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert SMALL in text and "Sager oprettet i året efter status" in text
    assert_no_names(text)


def test_sheet_names_are_short_unique_and_valid() -> None:
    long = "Bekymringer efter kilde, niveau og aldersgruppe i året"
    names = sheet_names([long, long, "Fravær: opfølgning [x]/y?", "tekst"], {"Tekst"})
    assert all(len(name) <= 31 for name in names)
    assert len({name.casefold() for name in [*names, "Tekst"]}) == 5
    assert not any(char in name for name in names for char in "[]:*?/\\")


def test_publish_and_the_public_page(
    client_for: Any, users: dict[str, User], demo: Municipality
) -> None:
    move_cases_into_last_year(3)
    report = make_report(users)
    public_url = reverse("reports:public", args=[demo.slug, report.year])
    public_pdf = reverse("reports:public_pdf", args=[demo.slug, report.year])
    from django.test import Client

    anonymous = Client()
    assert anonymous.get(public_url).status_code == 404
    assert anonymous.get(public_pdf).status_code == 404
    coordinator = client_for("koordinator")
    publish_url = reverse("reports:publish", args=[report.year])
    refused = coordinator.post(publish_url)
    assert refused.status_code == 400  # a draft is not published
    apply_decision(users["koordinator"], steering_item(users, demo, report))
    assert anonymous.get(public_url).status_code == 404  # approved, not published yet
    page = coordinator.get(reverse("reports:report", args=[report.year])).content.decode()
    assert "Offentliggør" in page and "Ret tekst" not in page
    assert client_for("politiker").post(publish_url).status_code == 403
    assert coordinator.post(publish_url).status_code == 302
    shown = anonymous.get(public_url)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "Sager oprettet i året efter status" in html and "&lt;5" in html
    assert_no_names(html)
    pdf = anonymous.get(public_pdf)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Another municipality's slug, or another year: 404.
    assert anonymous.get(reverse("reports:public", args=["ukendt", report.year])).status_code == 404
    other_year = reverse("reports:public", args=[demo.slug, report.year - 5])
    assert anonymous.get(other_year).status_code == 404
