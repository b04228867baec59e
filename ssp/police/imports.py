"""Reading police lists and absence files (CSV in UTF-8 or Windows-1252, or Excel .xlsx) into
validated rows. Nothing is written here: the services import all rows or none.

The file's type is decided by its content, not its name: a real xlsx is a zip holding the
workbook's parts; anything else must be text in UTF-8 or Windows-1252. Every cell is held to the
column it ends up in (length, no control characters, dates in the domain range), so a row that
could not be stored is refused here, by its number, instead of failing the whole import later.

Files are read as streams, row by row (issue 11): a list of 100,000 rows is never held in
memory. The limit is by rows (`MAX_ROWS`); the byte cap (`MAX_BYTES`) only stops abuse.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import unicodedata
import zipfile
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp.cases.cpr import InvalidCpr, parse_cpr
from ssp.cases.models import YoungPerson
from ssp.organisation.models import Unit
from ssp.police.models import AbsenceRecord, ImportKind, PoliceReport
from ssp.validation import check_date_range, has_control_characters, max_length_of

# A list is limited by its rows; the byte cap is generous (a 200,000-row CSV is ~26 MB) and
# only stops abuse. Both are checked without reading the file into memory.
MAX_ROWS = 200_000
MAX_BYTES = 64 * 1024 * 1024
# A report lists this many failing (or skipped) rows and counts the rest.
MAX_REPORTED_ROWS = 200
# A workbook is a zip: refuse one that unpacks to more than this (a "zip bomb").
MAX_XLSX_UNPACKED_BYTES = 256 * 1024 * 1024
XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
READ_CHUNK_BYTES = 1024 * 1024
SNIFF_CHARS = 4096
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

# An upload or a stored file: bytes, or a seekable binary file.
Content = bytes | IO[bytes]


class FileError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class RowError:
    row: int
    message: str


def join_problems(problems: Sequence[str]) -> str:
    """A row's problems as one message: "a; b", without a full stop before a separator
    ("fødselsdato.; datoen" read badly, issue 15)."""
    return "; ".join(problem.rstrip(". ") for problem in problems if problem.strip())


@dataclass
class Parsed:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def norm_header(header: Any) -> str:
    """A header cell as a key: ASCII letters and digits in lower case ("Fravær i alt" ->
    "fravrialt")."""
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


def binary(content: Content) -> IO[bytes]:
    """The file as a binary stream at its start: bytes are wrapped (not copied), a file (an
    upload or the stored file the worker opened) is rewound. It must be seekable."""
    if isinstance(content, bytes):
        return io.BytesIO(content)
    content.seek(0)
    return content


def size_of(stream: IO[bytes]) -> int:
    """The stream's length in bytes, found by seeking: nothing is read."""
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    return size


def _is_xlsx(stream: IO[bytes]) -> bool:
    """A real xlsx: a zip holding the workbook's parts (its directory is read, not the parts)."""
    head = stream.read(4)
    stream.seek(0)
    if head != b"PK\x03\x04":
        return False
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return False
    finally:
        stream.seek(0)
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise FileError(_("Excel-filen er for stor, når den pakkes ud."))
    return all(part in names for part in XLSX_PARTS)


def _not_text() -> FileError:
    return FileError(
        _(
            "Filen er ikke en tekstfil. Vælg en CSV-fil i UTF-8 eller Windows-1252 "
            "(som Excel gemmer den) eller en Excel-fil (.xlsx)."
        )
    )


def _encoding(stream: IO[bytes]) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as UTF-8, else Windows-1252;
    binary is refused. Read in chunks, so a large file is never held whole."""
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(UTF16_BOMS):
        raise FileError(
            _("Filen er gemt som Unicode (UTF-16). Gem den som CSV (UTF-8) eller .xlsx.")
        )
    if head.startswith(BINARY_SIGNATURES):
        raise _not_text()
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(READ_CHUNK_BYTES):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        stream.seek(0)
        try:
            while chunk := stream.read(READ_CHUNK_BYTES):
                chunk.decode("cp1252")  # a single-byte code: chunks decode on their own
        except UnicodeDecodeError as exc:
            raise _not_text() from exc
        return "cp1252"
    finally:
        stream.seek(0)
    return "utf-8-sig"


def _csv_rows(text: IO[str], delimiter: str) -> Iterator[Sequence[Any]]:
    try:
        for number, row in enumerate(csv.reader(text, delimiter=delimiter)):
            # A stray control character in a cell is that row's error; in the header line
            # it means the file is not text at all.
            if number == 0 and has_control_characters("".join(row)):
                raise _not_text()
            yield row
    except csv.Error as exc:
        raise FileError(_("CSV-filen kan ikke læses: %(reason)s") % {"reason": exc}) from exc
    except UnicodeDecodeError as exc:
        raise _not_text() from exc


def _xlsx_rows(sheet: Any) -> Iterator[Sequence[Any]]:
    """The first sheet's rows as they are read (openpyxl's read-only mode streams the XML)."""
    try:
        yield from sheet.iter_rows(values_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook gives the same answer
        raise FileError(_("Excel-filen kan ikke læses. Gem den igen som .xlsx.")) from exc


@contextmanager
def open_table(filename: str, content: Content) -> Iterator[Iterator[Sequence[Any]]]:
    """The file's rows (the header first), read as they are used: CSV through `csv.reader`
    over the file, xlsx through openpyxl's read-only mode. Never a list of all rows. Raises
    FileError for a file that is too big, of the wrong type or unreadable. Also used by the
    reports' effect-measurement import (`ssp/reports/effect.py`)."""
    stream = binary(content)
    if size_of(stream) > MAX_BYTES:
        raise FileError(
            _("Filen er for stor (højst %(mb)s MB).") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    name = filename.lower()
    if not name.endswith((".csv", ".txt", ".xlsx")):
        raise FileError(_("Vælg en CSV-fil eller en Excel-fil (.xlsx)."))
    if _is_xlsx(stream):
        # openpyxl (with Pillow) is loaded for an xlsx file only: the task worker that imports
        # a CSV list stays about 8 MB smaller.
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(stream, read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook gives the same answer
            raise FileError(_("Excel-filen kan ikke læses. Gem den igen som .xlsx.")) from exc
        try:
            yield _xlsx_rows(sheet)
        finally:
            workbook.close()
        return
    if name.endswith(".xlsx"):
        raise FileError(_("Filen er ikke en Excel-fil (.xlsx). Gem den igen fra Excel."))
    encoding = _encoding(stream)
    sample = stream.read(SNIFF_CHARS * 4).decode(encoding, errors="ignore")[:SNIFF_CHARS]
    stream.seek(0)
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";"
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        yield _csv_rows(text, delimiter)
    finally:
        text.detach()  # the caller's stream stays open


def _columns(header: Sequence[Any], names: dict[str, set[str]], kind: ImportKind) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = norm_header(cell)
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
    return _date_from_text(str(value or "").strip())


# A list has few distinct dates and times: each text is parsed once (errors are not cached).
@lru_cache(maxsize=4096)
def _date_from_text(text: str) -> date:
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
    return _time_from_text(str(value or "").strip().replace(".", ":"))


@lru_cache(maxsize=4096)
def _time_from_text(text: str) -> time:
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


def _cell(row: Sequence[Any], columns: dict[str, int], name: str) -> Any:
    index = columns.get(name)
    if index is None or index >= len(row):
        return None
    value = row[index]
    return value.strip() if isinstance(value, str) else value


DataRow = tuple[int, Sequence[Any], dict[str, int], dict[str, Any], list[str]]


def _rows(
    filename: str, content: Content, headers: dict[str, set[str]], kind: ImportKind
) -> Iterator[DataRow]:
    """Each non-empty data row, as it is read, with its number, the column map, a result
    holding the row number and the parsed CPR number, and the list of problems found so far.
    More than `MAX_ROWS` data rows is a FileError."""
    with open_table(filename, content) as table:
        header = next(table, None)
        if header is None:
            raise FileError(_("Filen er tom."))
        columns = _columns(header, headers, kind)
        cpr_column = columns["cpr"]
        count = 0
        for number, row in enumerate(table, start=2):
            if not any(str(cell or "").strip() for cell in row):
                continue
            count += 1
            if count > MAX_ROWS:
                raise too_many_rows()
            problems: list[str] = []
            result: dict[str, Any] = {"row": number}
            cpr = row[cpr_column] if cpr_column < len(row) else None
            try:
                result["cpr"], result["birth"] = parse_cpr(str(cpr or ""))
            except InvalidCpr as exc:
                problems.append(exc.message)
            yield number, row, columns, result, problems


def too_many_rows() -> FileError:
    return FileError(
        _("Filen har mere end %(max)s rækker. Del den i flere filer, og indlæs dem hver for sig.")
        % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
    )


def count_data_rows(filename: str, content: Content, kind: ImportKind) -> int:
    """Check a file's type, size and header and count its data rows (for the job's progress),
    reading it as a stream. Raises FileError, also for more than `MAX_ROWS` rows."""
    with open_table(filename, content) as table:
        header = next(table, None)
        if header is None:
            raise FileError(_("Filen er tom."))
        _columns(header, POLICE_HEADERS if kind == ImportKind.POLICE else ABSENCE_HEADERS, kind)
        rows = 0
        for row in table:
            if any(str(cell or "").strip() for cell in row):
                rows += 1
                if rows > MAX_ROWS:
                    raise too_many_rows()
    if rows == 0:
        raise FileError(_("Filen har ingen rækker under overskrifterne."))
    return rows


def sha256_of(content: Content) -> str:
    """The file's SHA-256 (read in chunks)."""
    stream = binary(content)
    digest = hashlib.sha256()
    while chunk := stream.read(READ_CHUNK_BYTES):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def police_rows(filename: str, content: Content) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """Each data row of a police list as it is read: the parsed values (with its number in
    "row") and the problems that keep it from being imported (none: a valid row).

    A row whose journal number and CPR number stand on an earlier row is a problem too
    (`_SeenPairs` remembers the pairs in little memory)."""
    seen = _SeenPairs()
    first_max = max_length_of(YoungPerson, "first_name")
    last_max = max_length_of(YoungPerson, "last_name")
    offence_max = max_length_of(PoliceReport, "offence_text")
    reference_max = max_length_of(PoliceReport, "police_reference")
    name_label, offence_label = _("navnet"), _("forholdet")
    reference_label, description_label = _("journalnummeret"), _("beskrivelsen")
    today = timezone.localdate()
    for number, row, columns, result, problems in _rows(
        filename, content, POLICE_HEADERS, ImportKind.POLICE
    ):
        name = _checked_text(
            _cell(row, columns, "name"), name_label, problems, max_length=first_max + last_max
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
            _cell(row, columns, "offence"), offence_label, problems, max_length=offence_max
        )
        result["reference"] = _checked_text(
            _cell(row, columns, "reference"),
            reference_label,
            problems,
            max_length=reference_max,
        )
        result["description"] = _checked_text(
            _cell(row, columns, "description"),
            description_label,
            problems,
            max_length=DESCRIPTION_MAX_LENGTH,
            required=False,
        )
        if result["reference"]:
            earlier = seen.add(result["reference"], result.get("cpr", ""), number)
            if earlier is not None:
                problems.append(_("står også i række %(row)s") % {"row": earlier})
        yield result, problems


class _SeenPairs:
    """The (journal number, CPR number) pairs of a list so far, in about 3 MB for 200,000 rows
    instead of a dict of strings: each pair is a 64-bit digest kept in an array in row order,
    and a bit filter (three bits a pair) answers "not seen" for nearly every new pair without
    a search; a possible repeat is confirmed by finding its digest in the array."""

    BITS = 1 << 24
    MASK = BITS - 1

    def __init__(self) -> None:
        self.filter = bytearray(self.BITS // 8)
        self.digests = array("Q")
        self.rows = array("L")

    def add(self, reference: str, cpr: str, row: int) -> int | None:
        """Remember the pair; the first earlier row that had it, if any."""
        pair = f"{reference}\x00{cpr}".encode()
        digest = int.from_bytes(hashlib.blake2b(pair, digest_size=8).digest(), "big")
        positions = (digest & self.MASK, (digest >> 20) & self.MASK, digest >> 40)
        earlier = None
        if all(self.filter[bit >> 3] & (1 << (bit & 7)) for bit in positions):
            with suppress(ValueError):  # not found: the filter's false alarm, a new pair
                earlier = self.rows[self.digests.index(digest)]
        for bit in positions:
            self.filter[bit >> 3] |= 1 << (bit & 7)
        self.digests.append(digest)
        self.rows.append(row)
        return earlier


def parse_absence(filename: str, content: Content) -> Parsed:
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
            parsed.errors.append(RowError(number, join_problems(problems)))
        else:
            parsed.rows.append(result)
    return parsed
