"""The personal-data text check (R6 publication; later prevention, reports and public forms):
CPR-like numbers, registered young people's names, e-mail addresses and phone numbers."""

from __future__ import annotations

import pytest

from ssp.cases.personal_data import Finding, FindingKind, find_personal_data, normalise_name


def kinds(text: str, names: tuple[str, ...] = ()) -> list[FindingKind]:
    return [finding.kind for finding in find_personal_data(text, names=names)]


@pytest.mark.parametrize("cpr", ["120312-4137", "1203124137"])
def test_it_finds_a_cpr_number_with_or_without_the_dash(cpr: str) -> None:
    assert find_personal_data(f"Født {cpr}.") == [Finding(FindingKind.CPR, cpr)]


@pytest.mark.parametrize("cpr", ["120312-4137", "1203124137"])
def test_it_does_not_take_a_cpr_number_for_a_phone_number_too(cpr: str) -> None:
    assert kinds(f"CPR {cpr}") == [FindingKind.CPR]


@pytest.mark.parametrize("phone", ["20 30 40 50", "20304050", "+45 20 30 40 50", "+45 2030 4050"])
def test_it_finds_a_danish_phone_number(phone: str) -> None:
    assert find_personal_data(f"Ring på {phone} i dag") == [Finding(FindingKind.PHONE, phone)]


def test_it_ignores_numbers_that_are_no_phone_numbers() -> None:
    assert find_personal_data("Budget 2025: 1.250.000 kr. for 123 unge, 1234567 i alt") == []


def test_it_finds_an_email_address() -> None:
    assert find_personal_data("Skriv til sara.holm+ssp@skole.aadal.dk.") == [
        Finding(FindingKind.EMAIL, "sara.holm+ssp@skole.aadal.dk")
    ]


def test_it_finds_a_registered_name_whatever_its_case() -> None:
    names = (normalise_name("Emil", "Sandberg"), normalise_name("Sara", "Holm"))
    assert find_personal_data("Vi talte om EMIL SANDBERG.", names=names) == [
        Finding(FindingKind.REGISTERED_NAME, "Emil Sandberg")
    ]


def test_it_looks_for_names_only_when_it_is_given_them() -> None:
    assert find_personal_data("Emil Sandberg er flyttet.") == []


def test_it_reports_every_kind_in_one_text_in_a_fixed_order() -> None:
    text = "Emil Sandberg (120312-4137) er flyttet. Kontakt mig på 20 30 40 50 eller x@y.dk"
    assert kinds(text, (normalise_name("Emil", "Sandberg"),)) == [
        FindingKind.CPR,
        FindingKind.EMAIL,
        FindingKind.PHONE,
        FindingKind.REGISTERED_NAME,
    ]


def test_an_empty_text_has_nothing() -> None:
    assert find_personal_data("", names=("emil sandberg",)) == []


def test_the_kinds_carry_danish_labels_for_the_page() -> None:
    assert str(FindingKind.CPR.label) == "CPR-nummer"
    assert str(FindingKind.REGISTERED_NAME.label) == "navn på registreret ung"


@pytest.mark.parametrize("cpr", ["120312 4137", "120312.4137", "cpr120312-4137", "CPR:1203124137"])
def test_it_finds_a_cpr_number_written_with_a_space_a_dot_or_glued_to_letters(cpr: str) -> None:
    assert kinds(f"Født {cpr}.") == [FindingKind.CPR]


@pytest.mark.parametrize("phone", ["12-34-56-78", "12.34.56.78", "+4512345678"])
def test_it_finds_a_phone_number_with_hyphens_or_dots(phone: str) -> None:
    assert kinds(f"Ring på {phone}") == [FindingKind.PHONE]


@pytest.mark.parametrize(
    "text",
    [
        "Se https://aadal.dk/ssp/20304050/plan",
        "Læs www.example.dk/nyhed/12345678 om temadagen",
        "Mødet er 01-02-2025 og 01.02.2025",
        "Et 12345678901 langt tal",
    ],
)
def test_it_takes_no_link_date_or_long_number_for_a_phone_or_cpr_number(text: str) -> None:
    assert find_personal_data(text) == []
