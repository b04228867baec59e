"""Reading police lists and absence files (CSV in UTF-8 or Windows-1252, or Excel .xlsx) into
validated rows. Nothing is written here: the services import all rows or none."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from ssp.cases.cpr import InvalidCpr, parse_cpr
from ssp.police.models import ImportKind

MAX_BYTES = 5 * 1024 * 1024


class FileError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class RowError:
    row: int
    message: str


@dataclass
class Parsed:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _norm(header: Any) -> str:
    text = unicodedata.normalize("NFKD", str(header or "")).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum())


POLICE_HEADERS = {
    "cpr": {"cpr", "cprnummer", "cprnr", "personnummer"},
    "name": {"navn", "fuldenavn", "name"},
    "date": {"dato", "gerningsdato", "haendelsesdato", "hndelsesdato", "gerningsdag"},
    "time": {"tid", "tidspunkt", "klokkeslaet", "klokkeslt", "kl"},
    "offence": {
        "forhold",
        "overtraedelse",
        "overtrdelse",
        "gerning",
        "lovovertraedelse",
        "lovovertrdelse",
        "sigtelse",
    },
    "reference": {
        "journalnummer",
        "journalnr",
        "politietsjournalnummer",
        "reference",
        "sagsnummer",
    },
    "description": {"beskrivelse", "bemaerkninger", "bemrkninger", "resume", "resum"},
}
ABSENCE_HEADERS = {
    "school": {"skole", "skolenavn"},
    "class": {"klasse"},
    "cpr": {"cpr", "cprnummer", "cprnr"},
    "month": {"maaned", "maned", "mned", "md", "periode"},
    "total": {
        "fravaer",
        "fravr",
        "fravaerialt",
        "fravrialt",
        "samletfravaer",
        "samletfravr",
        "fravaerpct",
    },
    "unauthorised": {"ulovligtfravaer", "ulovligtfravr", "ulovligt", "ulovligtfravaerpct"},
}
COLUMN_LABELS = {
    "cpr": "CPR-nummer",
    "name": "Navn",
    "date": "Gerningsdato",
    "time": "Tidspunkt",
    "offence": "Forhold",
    "reference": "Journalnummer",
    "description": "Beskrivelse",
    "school": "Skole",
    "class": "Klasse",
    "month": "Måned",
    "total": "Fravær",
    "unauthorised": "Ulovligt fravær",
}
REQUIRED = {
    ImportKind.POLICE: ("cpr", "name", "date", "offence", "reference"),
    ImportKind.ABSENCE: ("school", "class", "cpr", "month", "total", "unauthorised"),
}


def _table(filename: str, content: bytes) -> list[list[Any]]:
    if len(content) > MAX_BYTES:
        raise FileError(_("Filen er for stor (højst 5 MB)."))
    if filename.lower().endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook gives the same answer
            raise FileError(_("Excel-filen kan ikke læses. Gem den igen som .xlsx.")) from exc
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    if not filename.lower().endswith((".csv", ".txt")):
        raise FileError(_("Vælg en CSV-fil eller en Excel-fil (.xlsx)."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";"
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _columns(header: list[Any], names: dict[str, set[str]], kind: ImportKind) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _norm(cell)
        for name, variants in names.items():
            if key in variants and name not in found:
                found[name] = index
    missing = [COLUMN_LABELS[name] for name in REQUIRED[kind] if name not in found]
    if missing:
        raise FileError(
            _("Filen mangler kolonnerne: %(columns)s. Første række skal være overskrifter.")
            % {"columns": ", ".join(missing)}
        )
    return found


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for fmt in ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%y"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time zone
        except ValueError:
            continue
    raise ValueError(_("datoen '%(value)s' kan ikke læses (brug dd-mm-åååå)") % {"value": text})


def _time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return value.time()
    text = str(value or "").strip().replace(".", ":")
    if not text:
        return time(0, 0)
    try:
        hours, _sep, minutes = text.partition(":")
        return time(int(hours), int(minutes or 0))
    except ValueError as exc:
        raise ValueError(
            _("tidspunktet '%(value)s' kan ikke læses (brug tt:mm)") % {"value": text}
        ) from exc


def _month(value: Any) -> date:
    if isinstance(value, datetime | date):
        return date(value.year, value.month, 1)
    text = str(value or "").strip()
    for fmt in ("%Y-%m", "%m-%Y", "%m/%Y", "%Y/%m"):
        try:
            parsed = datetime.strptime(text, fmt)  # noqa: DTZ007
            return date(parsed.year, parsed.month, 1)
        except ValueError:
            continue
    raise ValueError(_("måneden '%(value)s' kan ikke læses (brug åååå-mm)") % {"value": text})


def _percent(value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace("%", "").replace(",", "."))
    except (InvalidOperation, AttributeError) as exc:
        raise ValueError(_("'%(value)s' er ikke et tal") % {"value": value}) from exc
    if not Decimal(0) <= number <= Decimal(100):
        raise ValueError(_("fraværet skal være mellem 0 og 100 %"))
    return number


def _cell(row: list[Any], columns: dict[str, int], name: str) -> Any:
    index = columns.get(name)
    if index is None or index >= len(row):
        return None
    value = row[index]
    return value.strip() if isinstance(value, str) else value


def _rows(
    filename: str, content: bytes, headers: dict[str, set[str]], kind: ImportKind
) -> Iterator[tuple[int, list[Any], dict[str, int], dict[str, Any], list[str]]]:
    """Each non-empty data row with its number, the column map, a result holding the row
    number and the parsed CPR number, and the list of problems found so far."""
    table = _table(filename, content)
    if not table:
        raise FileError(_("Filen er tom."))
    columns = _columns(table[0], headers, kind)
    for number, row in enumerate(table[1:], start=2):
        if not any(str(cell or "").strip() for cell in row):
            continue
        problems: list[str] = []
        result: dict[str, Any] = {"row": number}
        try:
            result["cpr"], result["birth"] = parse_cpr(str(_cell(row, columns, "cpr") or ""))
        except InvalidCpr as exc:
            problems.append(exc.message)
        yield number, row, columns, result, problems


def parse_police_list(filename: str, content: bytes) -> Parsed:
    parsed = Parsed()
    references: dict[tuple[str, str], int] = {}
    for number, row, columns, result, problems in _rows(
        filename, content, POLICE_HEADERS, ImportKind.POLICE
    ):
        name = str(_cell(row, columns, "name") or "")
        if not name:
            problems.append(_("navnet mangler"))
        first, _space, last = name.partition(" ")
        result["first_name"], result["last_name"] = first, last or "-"
        try:
            result["date"] = _date(_cell(row, columns, "date"))
            result["time"] = _time(_cell(row, columns, "time"))
        except ValueError as exc:
            problems.append(str(exc))
        result["offence"] = str(_cell(row, columns, "offence") or "")
        if not result["offence"]:
            problems.append(_("forholdet mangler"))
        result["reference"] = str(_cell(row, columns, "reference") or "")
        if not result["reference"]:
            problems.append(_("journalnummeret mangler"))
        result["description"] = str(_cell(row, columns, "description") or "")
        key = (result["reference"], result.get("cpr", ""))
        if result["reference"] and key in references:
            problems.append(_("står også i række %(row)s") % {"row": references[key]})
        references[key] = number
        if problems:
            parsed.errors.append(RowError(number, "; ".join(problems)))
        else:
            parsed.rows.append(result)
    return parsed


def parse_absence(filename: str, content: bytes) -> Parsed:
    parsed = Parsed()
    seen: dict[tuple[str, date], int] = {}
    for number, row, columns, result, problems in _rows(
        filename, content, ABSENCE_HEADERS, ImportKind.ABSENCE
    ):
        result["school"] = str(_cell(row, columns, "school") or "")
        result["class"] = str(_cell(row, columns, "class") or "")
        if not result["school"]:
            problems.append(_("skolen mangler"))
        try:
            result["month"] = _month(_cell(row, columns, "month"))
            result["total"] = _percent(_cell(row, columns, "total"))
            result["unauthorised"] = _percent(_cell(row, columns, "unauthorised"))
            if result["unauthorised"] > result["total"]:
                problems.append(_("ulovligt fravær kan ikke være større end det samlede fravær"))
        except ValueError as exc:
            problems.append(str(exc))
        key = (result.get("cpr", ""), result.get("month", date.min))
        if "cpr" in result and "month" in result:
            if key in seen:
                problems.append(
                    _("eleven står to gange for samme måned (række %(row)s)") % {"row": seen[key]}
                )
            seen[key] = number
        if problems:
            parsed.errors.append(RowError(number, "; ".join(problems)))
        else:
            parsed.rows.append(result)
    return parsed
