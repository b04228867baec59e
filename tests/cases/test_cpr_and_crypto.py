"""CPR validation (Hypothesis), encryption at rest and the blind index."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssp.cases.cpr import InvalidCpr, century, mask_cpr, parse_cpr
from ssp.crypto import blind_index, decrypt, encrypt, encryptor


def seventh_digit_for(year: int) -> st.SearchStrategy[int]:
    """The 7th digits CPR-kontoret uses for a birth year."""
    digits = [d for d in range(10) if century(year % 100, d) + year % 100 == year]
    return st.sampled_from(digits)


@st.composite
def valid_cpr(draw: st.DrawFn) -> tuple[str, date]:
    birth = draw(st.dates(min_value=date(1858, 1, 1), max_value=date(2036, 12, 31)))
    digit = draw(seventh_digit_for(birth.year))
    rest = draw(st.integers(min_value=0, max_value=999))
    dash = draw(st.sampled_from(["", "-"]))
    return f"{birth:%d%m%y}{dash}{digit}{rest:03d}", birth


@given(valid_cpr())
def test_a_valid_cpr_gives_its_birth_date(case: tuple[str, date]) -> None:
    raw, birth = case
    digits, parsed = parse_cpr(raw)
    assert parsed == birth
    assert len(digits) == 10 and digits.isdigit()


@given(st.text(max_size=15).filter(lambda s: not s.strip().replace("-", "").isdigit()))
def test_anything_but_digits_is_refused(raw: str) -> None:
    with pytest.raises(InvalidCpr, match="10 cifre"):
        parse_cpr(raw)


@pytest.mark.parametrize("raw", ["310299-1234", "300212-4123", "001212-1234", "011312-1234"])
def test_an_impossible_date_is_refused(raw: str) -> None:
    with pytest.raises(InvalidCpr, match="gyldig fødselsdato"):
        parse_cpr(raw)


@pytest.mark.parametrize(
    ("raw", "year"),
    [("010101-0001", 1901), ("010101-4001", 2001), ("010150-4001", 1950), ("010160-5001", 1860)],
)
def test_the_century_follows_the_seventh_digit(raw: str, year: int) -> None:
    assert parse_cpr(raw)[1].year == year


@given(valid_cpr())
def test_the_mask_hides_the_serial_number(case: tuple[str, date]) -> None:
    digits, _birth = parse_cpr(case[0])
    assert digits[6:] not in mask_cpr(digits)[6:]


@given(st.text(min_size=1, max_size=200))
def test_encryption_round_trips_and_hides_the_text(text: str) -> None:
    token = encrypt(text)
    assert decrypt(token) == text
    if len(text) > 3:
        assert text not in token


@given(st.text(min_size=1, max_size=200))
def test_the_bulk_encryptor_gives_tokens_that_decrypt(text: str) -> None:
    encrypt_one = encryptor()
    token = encrypt_one(text)
    assert decrypt(token) == text
    assert token != encrypt_one(text)  # a fresh IV each time, as `encrypt` gives
    if len(text) > 3:
        assert text not in token


def test_the_bulk_encryptor_uses_the_current_key(settings: object) -> None:
    settings.SSP_FIELD_KEY = "a key for the bulk encryptor"  # type: ignore[attr-defined]
    token = encryptor()("0103124123")
    assert decrypt(token) == "0103124123"
    settings.SSP_FIELD_KEY = "yet another key"  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="cannot decrypt"):
        decrypt(token)


def test_the_blind_index_is_stable_and_keyed(settings: object) -> None:
    first = blind_index("0103124123")
    assert first == blind_index("0103124123")
    assert first != blind_index("0103124124")
    settings.SSP_FIELD_KEY = "another key"  # type: ignore[attr-defined]
    assert blind_index("0103124123") != first
