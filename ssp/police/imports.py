"""Reading police lists and absence files (CSV in UTF-8 or Windows-1252, or Excel .xlsx) into
validated rows. Nothing is written here: the services import all rows or none.

The file's type is decided by its content, not its name: a real xlsx is a zip holding the
workbook's parts; anything else must be text in UTF-8 or Windows-1252. Every cell is held to the
column it ends up in (length, no control characters, dates in the domain range), so a row that
could not be stored is refused here, by its number, instead of failing the whole import later.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from ssp.cases.cpr import InvalidCpr, parse_cpr
from ssp.cases.models import YoungPerson
from ssp.organisation.models import Unit
from ssp.police.models import AbsenceRecord, ImportKind, PoliceReport
from ssp.validation import check_date_range, has_control_characters, max_length_of

MAX_BYTES = 5 * 1024 * 1024
# A workbook is a zip: refuse one that unpacks to more than this (a "zip bomb").
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024
XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
# Free text on a report (stored encrypted, no column length): the cap of a form's text area.
DESCRIPTION_MAX_LENGTH = 10_000
# Files that are certainly not text, by their first bytes.
BINARY_SIGNATURES = (
    b"%PDF",
    b"\xd0\xcf\x11\xe0",  # old Excel (.xls) and Word (.doc)
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",  # JPEG
    b"\x1f\x8b",  # gzip
    b"PK\x03\x04",  # a zip that is not a workbook
    b"\x7fELF",
    b"MZ",
)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


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


def _is_xlsx(content: bytes) -> bool:
    """A real xlsx: a zip holding the workbook's parts."""
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return False
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise FileError(_("Excel-filen er for stor, når den pakkes ud."))
    return all(part in names for part in XLSX_PARTS)


def _text(content: bytes) -> str:
    """The file as text: UTF-8 (with or without BOM), else Windows-1252; binary is refused."""
    not_text = _(
        "Filen er ikke en tekstfil. Vælg en CSV-fil i UTF-8 eller Windows-1252 "
        "(som Excel gemmer den) eller en Excel-fil (.xlsx)."
    )
    if content.startswith(UTF16_BOMS):
        raise FileError(
            _("Filen er gemt som Unicode (UTF-16). Gem den som CSV (UTF-8) eller .xlsx.")
        )
    if content.startswith(BINARY_SIGNATURES):
        raise FileError(not_text)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise FileError(not_text) from exc
    # A stray control character in a cell is that row's error; in the header line it means
    # the file is not text at all.
    if has_control_characters(text.split("\n", 1)[0]):
        raise FileError(not_text)
    return text


def _table(filename: str, content: bytes) -> list[list[Any]]:
    if len(content) > MAX_BYTES:
        raise FileError(_("Filen er for stor (højst 5 MB)."))
    name = filename.lower()
    if not name.endswith((".csv", ".txt", ".xlsx")):
        raise FileError(_("Vælg en CSV-fil eller en Excel-fil (.xlsx)."))
    if _is_xlsx(content):
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            return [list(row) for row in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook gives the same answer
            raise FileError(_("Excel-filen kan ikke læses. Gem den igen som .xlsx.")) from exc
    if name.endswith(".xlsx"):
        raise FileError(_("Filen er ikke en Excel-fil (.xlsx). Gem den igen fra Excel."))
    text = _text(content)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";"
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise FileError(_("CSV-filen kan ikke læses: %(reason)s") % {"reason": exc}) from exc


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
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        raise ValueError(_("fraværet skal være mellem 0 og 100 %"))
    return number


def _checked_text(
    value: Any, what: str, problems: list[str], *, max_length: int, required: bool = True
) -> str:
    """A text cell held to its column: present (when required), no control characters, not
    longer than the column. A problem is added to the row's list; the text is returned."""
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            problems.append(_("%(what)s mangler") % {"what": what})
        return text
    if has_control_characters(text):
        problems.append(_("%(what)s indeholder et usynligt kontroltegn") % {"what": what})
    if len(text) > max_length:
        problems.append(
            _("%(what)s har for mange tegn (%(length)s, højst %(max)s)")
            % {"what": what, "length": len(text), "max": max_length}
        )
    return text


def _checked_date(day: date, problems: list[str], *, latest: date | None = None) -> None:
    try:
        if latest is None:
            check_date_range(day)
        else:
            check_date_range(day, latest=latest)
    except ValidationError as exc:
        problems.append(" ".join(exc.messages).rstrip(".").lower())


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


def count_data_rows(filename: str, content: bytes, kind: ImportKind) -> int:
    """Check a file's type, size and header and count its data rows (for the job's progress).

    Raises FileError; reads no row's content beyond the header."""
    table = _table(filename, content)
    if not table:
        raise FileError(_("Filen er tom."))
    _columns(table[0], POLICE_HEADERS if kind == ImportKind.POLICE else ABSENCE_HEADERS, kind)
    rows = sum(1 for row in table[1:] if any(str(cell or "").strip() for cell in row))
    if rows == 0:
        raise FileError(_("Filen har ingen rækker under overskrifterne."))
    return rows


def parse_police_list(filename: str, content: bytes) -> Parsed:
    parsed = Parsed()
    references: dict[tuple[str, str], int] = {}
    first_max = max_length_of(YoungPerson, "first_name")
    last_max = max_length_of(YoungPerson, "last_name")
    offence_max = max_length_of(PoliceReport, "offence_text")
    reference_max = max_length_of(PoliceReport, "police_reference")
    today = timezone.localdate()
    for number, row, columns, result, problems in _rows(
        filename, content, POLICE_HEADERS, ImportKind.POLICE
    ):
        name = _checked_text(
            _cell(row, columns, "name"), _("navnet"), problems, max_length=first_max + last_max
        )
        first, _space, last = name.partition(" ")
        result["first_name"], result["last_name"] = first, last.strip() or "-"
        if len(first) > first_max or len(result["last_name"]) > last_max:
            problems.append(
                _("navnet har for mange tegn (højst %(max)s i fornavn og i efternavn)")
                % {"max": first_max}
            )
        try:
            result["date"] = _date(_cell(row, columns, "date"))
            result["time"] = _time(_cell(row, columns, "time"))
        except ValueError as exc:
            problems.append(str(exc))
        else:
            _checked_date(result["date"], problems, latest=today)
        result["offence"] = _checked_text(
            _cell(row, columns, "offence"), _("forholdet"), problems, max_length=offence_max
        )
        result["reference"] = _checked_text(
            _cell(row, columns, "reference"),
            _("journalnummeret"),
            problems,
            max_length=reference_max,
        )
        result["description"] = _checked_text(
            _cell(row, columns, "description"),
            _("beskrivelsen"),
            problems,
            max_length=DESCRIPTION_MAX_LENGTH,
            required=False,
        )
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
    school_max = max_length_of(Unit, "name")
    class_max = max_length_of(AbsenceRecord, "class_name")
    for number, row, columns, result, problems in _rows(
        filename, content, ABSENCE_HEADERS, ImportKind.ABSENCE
    ):
        result["school"] = _checked_text(
            _cell(row, columns, "school"), _("skolen"), problems, max_length=school_max
        )
        result["class"] = _checked_text(
            _cell(row, columns, "class"),
            _("klassen"),
            problems,
            max_length=class_max,
            required=False,
        )
        try:
            result["month"] = _month(_cell(row, columns, "month"))
            _checked_date(result["month"], problems)
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
