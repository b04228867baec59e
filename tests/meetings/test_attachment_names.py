"""An attachment is stored under a random name: the uploaded name may name a child, and object
storage shows keys in listings and logs. The name a user sees is kept in the record."""

from __future__ import annotations

from ssp.meetings.models import Attachment, attachment_path


def test_the_stored_name_is_random_and_keeps_only_the_suffix() -> None:
    uploaded = "Referat om Noah Krogh 12.03.pdf"
    first = attachment_path(Attachment(name=uploaded), uploaded)
    second = attachment_path(Attachment(name=uploaded), uploaded)
    assert first != second
    assert "noah" not in first.lower() and "krogh" not in first.lower()
    assert first.startswith("meetings/") and first.endswith(".pdf")
