"""Effect measurement (issue 13, Fredericia): the import of the police's aggregate figures and of
the youth profile survey (CSV and Excel, all rows or none, the years replaced), the trends and
their verdicts against the goal, suppression on the page and in the API, the annual report's
effect tables, and who may see and import (`reports:effect`, `reports:effect_import`,
`/api/v1/reports/effect/`)."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from ssp.audit.models import AuditAction, AuditEvent
from ssp.errors import DomainError
from ssp.organisation.models import AccessRole, Member, Municipality, PoliceDistrict
from ssp.reports import effect
from ssp.reports import services as report_services
from ssp.reports.demo_effect import seed_effect
from ssp.reports.figures import effect as effect_figures
from ssp.reports.models import CrimeFigure, EffectImport, EffectSource, SurveyResult
from ssp.reports.tables import Table

pytestmark = pytest.mark.django_db

PAGE = "/rapporter/effekt/"
IMPORT = "/rapporter/effekt/indlaes/"
API = "/api/v1/reports/effect/"

POLICE_CSV = (
    "År;Aldersgruppe;Forholdsgruppe;Opgørelse;Antal\n"
    "2021;15-17 år;Vold;Sigtede;20\n"
    "2021;12-14 år;Vold;Sigtede;3\n"
    "2021;15-17 år;Tyveri;Sigtede;30\n"
    "2022;15-17 år;Vold;Sigtede;18\n"
    "2022;12-14 år;Vold;Sigtede;4\n"
    "2022;15-17 år;Tyveri;Sigtede;25\n"
    "2023;15-17 år;Vold;Sigtede;12\n"
    "2023;12-14 år;Vold;Sigtede;2\n"
    "2023;15-17 år;Tyveri;Sigtede;26\n"
    "2023;15-17 år;Vold;Sigtelser;40\n"
)
# Row 3 has no number, row 5 repeats row 2: nothing of the file may be written.
BROKEN_CSV = (
    "År;Aldersgruppe;Forholdsgruppe;Antal\n"
    "2024;15-17 år;Vold;10\n"
    "2024;15-17 år;Tyveri;mange\n"
    "2024;12-14 år;Vold;7\n"
    "2024;15-17 år;Vold;11\n"
)
SMALL_CSV = (
    "År;Aldersgruppe;Forholdsgruppe;Antal\n"
    "2022;15-17 år;Vold;3\n"
    "2022;15-17 år;Tyveri;10\n"
    "2023;15-17 år;Vold;2\n"
    "2023;15-17 år;Tyveri;12\n"
)


@pytest.fixture(autouse=True)
def no_demo_effect(demo: Municipality) -> None:
    """The tests start from no effect figures (the demo may seed some)."""
    EffectImport.objects.filter(municipality=demo).delete()


def csv_file(text: str, name: str = "politiets-tal.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def survey_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["År", "Spørgsmål", "Andel", "Besvarelser", "Mål"])
    sheet.append([2019, "Har begået kriminalitet", 15.5, 600, "faldende"])
    sheet.append([2022, "Har begået kriminalitet", "12,5 %", 580, None])
    sheet.append([2019, "Trives i skolen", 75, 600, "Stigende"])
    sheet.append([2022, "Trives i skolen", "80", 3, "stigende"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_police(users: dict[str, User], text: str = POLICE_CSV) -> effect.EffectImportResult:
    return effect.import_effect(
        actor_user=users["koordinator"], filename="politiets-tal.csv", content=text.encode()
    )


def crime_rows(demo: Municipality) -> list[tuple[Any, ...]]:
    return list(
        CrimeFigure.objects.filter(municipality=demo)
        .order_by("year", "measure", "offence_group", "age_band")
        .values_list("year", "measure", "age_band", "offence_group", "count")
    )


# --- Import ----------------------------------------------------------------------------------


def test_a_good_csv_is_imported_with_one_audit_event(
    demo: Municipality, users: dict[str, User]
) -> None:
    result = import_police(users)
    assert result.ok and result.rows == 10 and result.years == [2021, 2022, 2023]
    assert crime_rows(demo) == [
        (2021, "suspects", "15-17 år", "Tyveri", 30),
        (2021, "suspects", "12-14 år", "Vold", 3),
        (2021, "suspects", "15-17 år", "Vold", 20),
        (2022, "suspects", "15-17 år", "Tyveri", 25),
        (2022, "suspects", "12-14 år", "Vold", 4),
        (2022, "suspects", "15-17 år", "Vold", 18),
        (2023, "charges", "15-17 år", "Vold", 40),
        (2023, "suspects", "15-17 år", "Tyveri", 26),
        (2023, "suspects", "12-14 år", "Vold", 2),
        (2023, "suspects", "15-17 år", "Vold", 12),
    ]
    log = EffectImport.objects.get(municipality=demo)
    assert (log.source, log.rows, log.years) == (EffectSource.POLICE, 10, [2021, 2022, 2023])
    assert log.imported_by == users["koordinator"]
    event = AuditEvent.objects.filter(action=AuditAction.EFFECT_IMPORTED).latest("pk")
    assert event.object_id == str(log.pk)
    assert event.data == {"source": "police", "rows": 10, "replaced": 0}


def test_an_excel_survey_is_imported(demo: Municipality, users: dict[str, User]) -> None:
    result = effect.import_effect(
        actor_user=users["koordinator"], filename="ungeprofil.xlsx", content=survey_xlsx()
    )
    assert result.ok and result.source == EffectSource.SURVEY and result.years == [2019, 2022]
    assert list(
        SurveyResult.objects.filter(municipality=demo)
        .order_by("year", "indicator")
        .values_list("year", "indicator", "share", "respondents", "goal")
    ) == [
        (2019, "Har begået kriminalitet", Decimal("15.5"), 600, "falling"),
        (2019, "Trives i skolen", Decimal("75.0"), 600, "rising"),
        (2022, "Har begået kriminalitet", Decimal("12.5"), 580, "falling"),
        (2022, "Trives i skolen", Decimal("80.0"), 3, "rising"),
    ]


def test_an_excel_survey_in_percent_cells_is_refused_naming_the_rows(
    demo: Municipality, users: dict[str, User]
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["År", "Spørgsmål", "Andel", "Besvarelser"])
    sheet.append([2019, "Har begået kriminalitet", 0.155, 600])
    sheet.append([2022, "Har begået kriminalitet", 0.125, 580])
    sheet.append([2022, "Trives i skolen", 0, 580])
    for row in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].number_format = "0.0%"
    out = io.BytesIO()
    book.save(out)
    result = effect.import_effect(
        actor_user=users["koordinator"], filename="ungeprofil.xlsx", content=out.getvalue()
    )
    assert not result.ok and result.error_count == 3
    assert [error.row for error in result.errors] == [2, 3, 4]
    assert "formateret som procent i Excel" in result.errors[0].message
    assert not SurveyResult.objects.filter(municipality=demo).exists()


def test_shares_of_zero_and_one_in_a_csv_are_not_taken_for_percent_cells(
    demo: Municipality, users: dict[str, User]
) -> None:
    text = "År;Spørgsmål;Andel\n2022;Har begået kriminalitet;1\n2022;Trives i skolen;0,5\n"
    result = effect.import_effect(
        actor_user=users["koordinator"], filename="ungeprofil.csv", content=text.encode()
    )
    assert result.ok and result.rows == 2


def test_a_share_without_respondents_is_shown_with_a_note(
    demo: Municipality, users: dict[str, User]
) -> None:
    text = "År;Spørgsmål;Andel\n2022;Har begået kriminalitet;12,5\n"
    assert effect.import_effect(
        actor_user=users["koordinator"], filename="ungeprofil.csv", content=text.encode()
    ).ok
    trend = effect.survey_trend(demo.pk)
    assert trend is not None and trend.rows[0].cells == ["12,5 %"]
    assert "uden antal besvarelser" in trend.note
    assert effect.import_effect(
        actor_user=users["koordinator"], filename="ungeprofil.xlsx", content=survey_xlsx()
    ).ok
    trend = effect.survey_trend(demo.pk)
    assert trend is not None and trend.note == ""


def test_a_token_race_on_import_returns_the_winner(
    demo: Municipality, users: dict[str, User], monkeypatch: Any
) -> None:
    token = uuid.uuid4()
    first = effect.import_effect(
        actor_user=users["koordinator"],
        filename="politiets-tal.csv",
        content=POLICE_CSV.encode(),
        token=token,
    )
    real_filter = EffectImport.objects.filter
    calls = {"n": 0}

    def racing_filter(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1  # the early look-up ran before the first import committed
        return EffectImport.objects.none() if calls["n"] == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(EffectImport.objects, "filter", racing_filter)
    second = effect.import_effect(
        actor_user=users["koordinator"],
        filename="politiets-tal.csv",
        content=POLICE_CSV.encode(),
        token=token,
    )
    assert second.effect_import == first.effect_import
    assert real_filter(municipality=demo).count() == 1


def test_a_broken_file_writes_nothing_and_names_the_rows(
    demo: Municipality, users: dict[str, User]
) -> None:
    import_police(users)
    before = (crime_rows(demo), EffectImport.objects.count(), AuditEvent.objects.count())
    result = import_police(users, BROKEN_CSV)
    assert not result.ok and result.error_count == 2
    assert [(e.row, e.message) for e in result.errors] == [
        (3, "Antal skal være et helt tal fra 0 til 1000000 (ikke 'mange')"),
        (5, "samme år og gruppe som række 2"),
    ]
    assert (crime_rows(demo), EffectImport.objects.count(), AuditEvent.objects.count()) == before


def test_a_broken_file_through_the_page_shows_the_row_report(
    demo: Municipality, client_for: Any
) -> None:
    answer = client_for("koordinator").post(IMPORT, {"file": csv_file(BROKEN_CSV)})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Række 3: Antal skal være et helt tal" in page
    assert "Række 5: samme år og gruppe som række 2" in page
    assert not CrimeFigure.objects.filter(municipality=demo).exists()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "Navn;Klasse\nAli;7.b\n",
            "Filen mangler kolonnerne: År, Aldersgruppe, Forholdsgruppe, Antal",
        ),
        ("År;Aldersgruppe;Forholdsgruppe;Antal\n", "ingen rækker"),
    ],
)
def test_a_file_of_the_wrong_kind_is_refused(
    users: dict[str, User], text: str, reason: str
) -> None:
    with pytest.raises(DomainError, match=reason):
        import_police(users, text)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("1999;15-17 år;Vold;3", "året 1999 skal være mellem 2000"),
        ("2099;15-17 år;Vold;3", "året 2099 skal være mellem 2000"),
        ("2022;15-17 år;Vold;-1", "Antal skal være et helt tal"),
        ("2022;15-17 år;Vold;2000000", "Antal skal være et helt tal"),
        ("2022;15-17 år;Vold;2,5", "Antal skal være et helt tal"),
        ("2022;" + "1" * 21 + ";Vold;3", "Aldersgruppe har for mange tegn"),
        ("2022;15-17 år;Vo\x01ld;3", "Forholdsgruppe indeholder et usynligt kontroltegn"),
        ("2022;15-17 år;;3", "Forholdsgruppe mangler"),
    ],
)
def test_every_cell_is_checked(users: dict[str, User], line: str, reason: str) -> None:
    result = import_police(users, f"År;Aldersgruppe;Forholdsgruppe;Antal\n{line}\n")
    assert not result.ok
    assert result.errors[0].row == 2 and reason in result.errors[0].message


def test_a_survey_share_outside_0_to_100_is_refused(users: dict[str, User]) -> None:
    result = effect.import_effect(
        actor_user=users["koordinator"],
        filename="u.csv",
        content="År;Indikator;Andel\n2022;Hash;101\n2022;Vold;12,5\n".encode(),
    )
    assert [(e.row, e.message) for e in result.errors] == [
        (2, "andelen '101' skal være et tal fra 0 til 100")
    ]


def test_a_reimport_replaces_the_years_of_the_file(
    demo: Municipality, users: dict[str, User]
) -> None:
    import_police(users)
    result = import_police(users, "År;Aldersgruppe;Forholdsgruppe;Antal\n2023;15-17 år;Vold;9\n")
    assert result.ok
    assert [row for row in crime_rows(demo) if row[0] == 2023] == [
        (2023, "suspects", "15-17 år", "Vold", 9)
    ]
    assert len(crime_rows(demo)) == 7  # 2021 and 2022 stay
    latest = AuditEvent.objects.filter(action=AuditAction.EFFECT_IMPORTED).order_by("-pk")[0]
    assert latest.data == {"source": "police", "rows": 1, "replaced": 4}


def test_the_service_refuses_a_politician(users: dict[str, User]) -> None:
    with pytest.raises(DomainError, match="Kun SSP-medarbejdere"):
        effect.import_effect(
            actor_user=users["politiker"], filename="p.csv", content=POLICE_CSV.encode()
        )


# --- Trends and verdicts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("earlier", "later", "goal", "expected"),
    [
        (10, 8, "falling", effect.FALLING_AS_GOAL),
        (8, 8, "falling", effect.NOT_FALLING),
        (8, 10, "falling", effect.NOT_FALLING),
        (None, 8, "falling", effect.UNKNOWN),
        (8, None, "falling", effect.UNKNOWN),
        (70, 75, "rising", effect.RISING_AS_GOAL),
        (75, 70, "rising", effect.NOT_RISING),
    ],
)
def test_the_verdict(earlier: float | None, later: float | None, goal: str, expected: str) -> None:
    assert effect.verdict(earlier, later, goal) == expected


def test_the_page_shows_the_trends_and_verdicts(client_for: Any, users: dict[str, User]) -> None:
    import_police(users)
    effect.import_effect(
        actor_user=users["koordinator"], filename="ungeprofil.xlsx", content=survey_xlsx()
    )
    answer = client_for("politiker").get(PAGE)
    assert answer.status_code == 200
    found = answer.context["trends"]
    suspects, charges = found.crime
    assert suspects.table.column_labels == ["2021", "2022", "2023"]
    assert suspects.table.row_labels == ["Tyveri", "Vold"]
    assert suspects.table.cells == [["30", "25", "26"], ["23", "22", "14"]]
    assert suspects.table.column_totals == ["53", "47", "40"]
    assert [(s.label, s.latest, s.since_first) for s in suspects.rows] == [
        ("Tyveri", effect.NOT_FALLING, effect.FALLING_AS_GOAL),
        ("Vold", effect.FALLING_AS_GOAL, effect.FALLING_AS_GOAL),
    ]
    assert (suspects.total.latest, suspects.total.since_first) == (
        effect.FALLING_AS_GOAL,
        effect.FALLING_AS_GOAL,
    )
    assert charges.table.cells == [["40"]] and charges.total.latest == effect.UNKNOWN
    assert found.survey.years == [2019, 2022]
    assert [(s.label, s.cells, s.latest) for s in found.survey.rows] == [
        ("Har begået kriminalitet", ["15,5 %", "12,5 %"], effect.FALLING_AS_GOAL),
        ("Trives i skolen", ["75,0 %", "–"], effect.UNKNOWN),  # 3 respondents: not shown
    ]
    page = answer.content.decode()
    assert "Faldende som målet" in page and "Ikke faldende" in page
    assert "Kan ikke vurderes" in page and "80,0" not in page
    assert page.count("<svg") == 2 and "<script" not in page.split("<main")[-1]
    assert 'data-testid="effect-import"' not in page  # a politician does not import


def test_suppressed_cells_give_no_verdict_on_the_page_and_in_the_api(
    client_for: Any, users: dict[str, User]
) -> None:
    import_police(users, SMALL_CSV)
    page = client_for("laerer").get(PAGE)
    suspects = page.context["trends"].crime[0]
    assert suspects.table.row_labels == ["Tyveri", "Vold"]
    assert suspects.table.cells == [["x", "x"], ["<5", "<5"]]
    assert [s.latest for s in suspects.rows] == [effect.UNKNOWN, effect.UNKNOWN]
    assert "&lt;5" in page.content.decode()
    body = client_for("politiker").get(API).json()
    table = body["crime"][0]["table"]
    assert table["cells"] == [["x", "x"], ["<5", "<5"]]
    assert table["column_totals"] == ["13", "14"]
    assert body["crime"][0]["rows"][1]["latest"] == "unknown"
    assert body["crime"][0]["total"]["latest"] == "not_falling"
    assert '"3"' not in str(body["crime"]) and "'2'" not in str(body["crime"])


def test_the_empty_page(client_for: Any) -> None:
    page = client_for("koordinator").get(PAGE).content.decode()
    assert "Der er ikke indlæst effekttal endnu." in page
    assert 'data-testid="effect-import"' in page


def test_the_page_uses_a_constant_number_of_queries(
    client_for: Any, users: dict[str, User]
) -> None:
    client = client_for("koordinator")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PAGE).status_code == 200
        return len(captured)

    import_police(users, SMALL_CSV)
    few = queries()
    import_police(users)
    effect.import_effect(
        actor_user=users["koordinator"], filename="ungeprofil.xlsx", content=survey_xlsx()
    )
    assert queries() == few


def test_a_good_upload_through_the_page_redirects_with_a_message(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("koordinator")
    answer = client.post(IMPORT, {"file": csv_file(POLICE_CSV)}, follow=True)
    assert answer.redirect_chain[-1][0] == PAGE
    page = answer.content.decode()
    assert "Filen er indlæst: 10 rækker for 2021, 2022, 2023." in page
    assert "Mette Holm" in page  # who imported, in the list of imports
    assert len(crime_rows(demo)) == 10


def test_the_same_upload_posted_twice_imports_once(demo: Municipality, client_for: Any) -> None:
    client = client_for("koordinator")
    token = str(uuid.uuid4())
    events = AuditEvent.objects.filter(action=AuditAction.EFFECT_IMPORTED)
    before = events.count()
    for _ in range(2):
        answer = client.post(IMPORT, {"file": csv_file(POLICE_CSV), "form_token": token})
        assert answer.status_code == 302
    assert EffectImport.objects.filter(form_token=token).count() == 1
    assert events.count() == before + 1
    assert len(crime_rows(demo)) == 10


# --- The annual report -----------------------------------------------------------------------


def test_the_report_holds_the_effect_tables(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    import_police(users)
    effect.import_effect(
        actor_user=users["koordinator"], filename="ungeprofil.xlsx", content=survey_xlsx()
    )
    assert effect_figures.tables(demo.pk, 2022) == [
        Table(
            key="effect_suspects",
            title="Effektmåling: Sigtede unge efter forholdsgruppe",
            row_labels=["Tyveri", "Vold"],
            column_labels=["2021", "2022"],
            cells=[[30, 25], [23, 22]],
            note="Politiets opgørelse for kommunen, alle aldersgrupper. Målet: faldende.",
        ),
        Table(
            key="effect_survey",
            title="Ungeprofilundersøgelsen 2022: andel af de unge (%)",
            row_labels=["Har begået kriminalitet"],
            column_labels=["2022"],
            cells=[[13]],  # 12,5 % rounded; "Trives i skolen" had 3 respondents: left out
            counts_people=False,
            total_row=False,
            note=(
                "Andelen af de unge i procent, afrundet til hele procent. Målet er faldende, "
                "undtagen for: ingen. Andele fra færre end 5 besvarelser er udeladt."
            ),
        ),
    ]
    report_services.create_report(actor_user=users["koordinator"], year=2023)
    body = client_for("politiker").get("/api/v1/reports/annual/2023").json()
    tables = {table["key"]: table for table in body["tables"]}
    assert tables["effect_suspects"]["cells"] == [["30", "25", "26"], ["23", "22", "14"]]
    assert tables["effect_suspects"]["column_totals"] == ["53", "47", "40"]
    assert tables["effect_charges"]["cells"] == [["40"]]
    assert tables["effect_survey"]["cells"] == [["13"]]
    report_page = client_for("politiker").get(reverse("reports:report", args=[2023]))
    assert "Effektmåling: Sigtede unge efter forholdsgruppe" in report_page.content.decode()


# --- Access ----------------------------------------------------------------------------------


def test_a_politician_sees_the_page_but_cannot_import(demo: Municipality, client_for: Any) -> None:
    politician = client_for("politiker")
    assert politician.get(PAGE).status_code == 200
    assert politician.post(IMPORT, {"file": csv_file(POLICE_CSV)}).status_code == 403
    assert not CrimeFigure.objects.filter(municipality=demo).exists()
    assert client_for("tilsyn").get(PAGE).status_code in {403, 404}
    assert Client().get(API).status_code == 401


def test_an_employee_of_another_municipality_sees_nothing_of_ours(
    users: dict[str, User],
) -> None:
    import_police(users)
    district = PoliceDistrict.objects.order_by("pk").first()
    assert district is not None
    other = Municipality.objects.create(name="Andenby", slug="andenby", police_district=district)
    stranger = User.objects.create_user("andenby-laerer")
    Member.objects.create(
        municipality=other,
        name="Anne Anden",
        sector="buf",
        user=stranger,
        access_role=AccessRole.EMPLOYEE,
    )
    client = Client()
    client.force_login(stranger)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Der er ikke indlæst effekttal endnu." in page.content.decode()
    assert "Tyveri" not in page.content.decode()
    assert client.get(API).json() == {"crime": [], "survey": None}


def test_the_demo_figures_are_falling(demo: Municipality) -> None:
    seed_effect(demo)
    assert EffectImport.objects.filter(municipality=demo).count() == 2
    suspects = effect.crime_tables(demo.pk, None)[0]
    totals = [sum(row[c] for row in suspects.cells) for c in range(5)]
    assert totals == sorted(totals, reverse=True) and totals[0] > totals[-1]
