"""What an uploaded attachment is, decided by its content, not by its name.

An allow-list: PDF, Office Open XML (docx, xlsx, pptx), OpenDocument (odt, ods, odp), legacy
Office (doc, xls, ppt), images (PNG, JPEG, GIF, WebP), plain text and CSV. A file is one of
these when its bytes say so (the magic numbers below); its name must then end in one of that
kind's extensions, because a downloaded file is opened by its name: a renamed executable is
refused by its content, and a script that is valid text but named `.bat` by its name.

Used by the meetings forms and services; the prevention app will reuse it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ssp.validation import has_control_characters

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODF_MIMETYPE_PREFIX = b"application/vnd.oasis.opendocument."
# How much of the `mimetype` entry of an ODF file is read: enough for the longest type.
ODF_MIMETYPE_READ = 100


@dataclass(frozen=True)
class FileKind:
    """One kind of file on the allow-list and the names it may carry."""

    name: str
    extensions: tuple[str, ...]


PDF = FileKind("PDF", (".pdf",))
OFFICE_OPEN_XML = FileKind("Office", (".docx", ".xlsx", ".pptx"))
OPEN_DOCUMENT = FileKind("OpenDocument", (".odt", ".ods", ".odp", ".odg"))
LEGACY_OFFICE = FileKind("Office 97-2003", (".doc", ".xls", ".ppt"))
PNG = FileKind("PNG", (".png",))
JPEG = FileKind("JPEG", (".jpg", ".jpeg"))
GIF = FileKind("GIF", (".gif",))
WEBP = FileKind("WebP", (".webp",))
TEXT = FileKind("TXT/CSV", (".txt", ".csv"))

ALLOWED_KINDS = (PDF, OFFICE_OPEN_XML, OPEN_DOCUMENT, LEGACY_OFFICE, PNG, JPEG, GIF, WEBP, TEXT)


def allowed_kinds_text() -> str:
    """The allow-list as users read it, for messages and help texts."""
    return _(
        "PDF, Word, Excel og PowerPoint (også ældre formater), OpenDocument, billeder "
        "(PNG, JPEG, GIF, WebP) samt tekst- og CSV-filer"
    )


def _zip_kind(content: bytes) -> FileKind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            if not entries:
                return None
            first = entries[0]
            if first.filename == "mimetype":
                with archive.open(first) as mimetype:
                    if mimetype.read(ODF_MIMETYPE_READ).startswith(ODF_MIMETYPE_PREFIX):
                        return OPEN_DOCUMENT
            if "[Content_Types].xml" in archive.namelist():
                return OFFICE_OPEN_XML
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        return None
    return None


def _is_text(content: bytes) -> bool:
    """Text in UTF-8 (with or without a byte order mark) or Windows-1252, without NUL and
    other control characters than tab, line feed and carriage return."""
    if not content:
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not has_control_characters(text)
    return False


def detect_kind(content: bytes) -> FileKind | None:
    """The kind of file the bytes are, or None when it is not on the allow-list."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(OLE2_HEADER):
        return LEGACY_OFFICE
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return WEBP
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content)
    if _is_text(content):
        return TEXT
    return None


def _extension(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return "." + base.rsplit(".", 1)[-1] if "." in base else ""


def read_upload(upload: IO[bytes] | Any, *, max_bytes: int) -> bytes:
    """At most `max_bytes + 1` bytes of the upload, and the upload rewound for saving."""
    upload.seek(0)
    content: bytes = upload.read(max_bytes + 1)
    upload.seek(0)
    return content


def check_attachment(
    upload: IO[bytes] | Any, *, name: str, max_bytes: int = MAX_ATTACHMENT_BYTES
) -> FileKind:
    """The kind of an uploaded attachment, or a ValidationError with a Danish message that
    names what is allowed: too large, empty, not on the allow-list by its content, or named
    as another kind than it is."""
    content = read_upload(upload, max_bytes=max_bytes)
    if len(content) > max_bytes:
        raise ValidationError(
            _("Bilaget må højst fylde %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)},
            code="too_large",
        )
    if not content:
        raise ValidationError(_("Bilaget er tomt."), code="empty")
    kind = detect_kind(content)
    if kind is None:
        raise ValidationError(
            _("Filen kan ikke bruges som bilag. Tilladt er %(kinds)s.")
            % {"kinds": allowed_kinds_text()},
            code="kind_not_allowed",
        )
    if _extension(name) not in kind.extensions:
        raise ValidationError(
            _(
                "Filens navn passer ikke til indholdet: den er en %(kind)s-fil, og navnet skal "
                "ende på %(extensions)s."
            )
            % {"kind": kind.name, "extensions": ", ".join(kind.extensions)},
            code="name_does_not_match",
        )
    return kind
