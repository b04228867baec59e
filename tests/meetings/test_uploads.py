"""Attachments from an allow-list, checked by content (`ssp/meetings/uploads.py`): what the
bytes are decides, and the name must fit what they are."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ssp.errors import DomainError
from ssp.meetings import services, uploads
from ssp.meetings.models import Meeting, MeetingStatus, Visibility
from ssp.organisation.models import Municipality
from tests.helpers_db import unchanged

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def zipped(entries: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, content) in enumerate(entries):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=method)
    return buffer.getvalue()


DOCX = zipped([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")])
ODT = zipped(
    [("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<office/>")],
    stored_first=True,
)
PLAIN_ZIP = zipped([("readme.txt", b"hello")])
OLE2 = uploads.OLE2_HEADER + b"\x00" * 504
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("referat.pdf", PDF, uploads.PDF),
        ("notat.docx", DOCX, uploads.OFFICE_OPEN_XML),
        ("tal.xlsx", DOCX, uploads.OFFICE_OPEN_XML),
        ("notat.odt", ODT, uploads.OPEN_DOCUMENT),
        ("gammel.doc", OLE2, uploads.LEGACY_OFFICE),
        ("foto.png", PNG, uploads.PNG),
        ("foto.JPG", JPEG, uploads.JPEG),
        ("kort.gif", GIF, uploads.GIF),
        ("kort.webp", WEBP, uploads.WEBP),
        ("notat.txt", "Mødet blev holdt på Østskolen.\r\n\tPunkt 2".encode(), uploads.TEXT),
        ("liste.csv", "navn;alder\nÆble;12\n".encode("cp1252"), uploads.TEXT),
        ("bom.csv", "\ufeffnavn;alder\n".encode(), uploads.TEXT),
    ],
)
def test_it_accepts_the_allowed_kinds_by_their_content(
    name: str, content: bytes, kind: uploads.FileKind
) -> None:
    upload = ContentFile(content, name=name)
    assert uploads.check_attachment(upload, name=name) == kind
    assert upload.read() == content  # rewound for saving


def test_it_refuses_a_renamed_executable_named_pdf() -> None:
    with pytest.raises(ValidationError, match="Tilladt er PDF, Word") as refused:
        uploads.check_attachment(ContentFile(EXECUTABLE, name="referat.pdf"), name="referat.pdf")
    assert refused.value.code == "kind_not_allowed"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("arkiv.zip", PLAIN_ZIP),  # a zip that is no Office or ODF document
        ("falsk.docx", b"PK\x03\x04 not really a zip"),
        ("binaer.txt", b"tekst\x00med NUL"),
        ("styretegn.txt", b"tekst med \x1b[31m escape"),
        ("c1.txt", "tekst med \u0085 NEL".encode()),
        ("udefineret.txt", b"\x81\x8d\x8f"),  # neither UTF-8 nor Windows-1252
    ],
)
def test_it_refuses_what_is_not_on_the_allow_list(name: str, content: bytes) -> None:
    with pytest.raises(ValidationError) as refused:
        uploads.check_attachment(ContentFile(content, name=name), name=name)
    assert refused.value.code == "kind_not_allowed"


@pytest.mark.parametrize(
    ("name", "content"),
    [("program.bat", b"@echo off\r\ndel *.*\r\n"), ("billede.pdf", PNG), ("notat", b"Tekst")],
)
def test_it_refuses_a_name_that_does_not_fit_the_content(name: str, content: bytes) -> None:
    with pytest.raises(ValidationError, match="navnet skal ende på") as refused:
        uploads.check_attachment(ContentFile(content, name=name), name=name)
    assert refused.value.code == "name_does_not_match"


def test_it_refuses_an_empty_file_and_one_over_the_size_limit() -> None:
    with pytest.raises(ValidationError, match="tomt"):
        uploads.check_attachment(ContentFile(b"", name="tom.txt"), name="tom.txt")
    with pytest.raises(ValidationError, match="højst fylde 1 MB"):
        uploads.check_attachment(
            ContentFile(b"a" * (1024 * 1024 + 1), name="stor.txt"),
            name="stor.txt",
            max_bytes=1024 * 1024,
        )


# --- On the page and in the service ------------------------------------------------------


@pytest.fixture
def meeting(demo: Municipality) -> Meeting:
    return Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)


def test_repro_a_renamed_executable_is_refused_on_the_item_form_with_the_typed_text(
    meeting: Meeting, client_for: Any
) -> None:
    client = client_for("koordinator")
    with unchanged():
        response = client.post(
            reverse("meetings:item_new", kwargs={"pk": meeting.pk}),
            {
                "title": "Sommerferiens aktiviteter",
                "visibility": Visibility.INTERNAL,
                "attachment": SimpleUploadedFile("program.pdf", EXECUTABLE),
            },
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Filen kan ikke bruges som bilag. Tilladt er PDF, Word" in page
    assert 'value="Sommerferiens aktiviteter"' in page  # the typed title stays


def test_the_service_refuses_an_attachment_of_a_kind_not_allowed(
    meeting: Meeting, users: dict[str, Any]
) -> None:
    item = meeting.items.get(title="Aftener ved klubben")
    with pytest.raises(DomainError, match="Tilladt er"):
        services.add_attachment(
            actor_user=users["koordinator"],
            item=item,
            upload=ContentFile(EXECUTABLE, name="program.pdf"),
        )
    assert not item.attachments.exists()
