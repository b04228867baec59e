"""Issue 14: the public pages answer in the municipality's language (Danish) whatever the
browser's Accept-Language or language cookie says; dates read "torsdag 10. december 2026"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ssp.meetings.models import Meeting
from ssp.organisation.models import Municipality

pytestmark = pytest.mark.django_db


def english_client() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_public_protocol_answers_in_danish_to_an_english_browser(demo: Municipality) -> None:
    meeting = Meeting.objects.filter(published_at__isnull=False).first()
    assert meeting is not None
    client = english_client()
    page = client.get(f"/offentlig/moeder/{meeting.pk}/")
    assert page.status_code == 200
    assert page["Content-Language"] == "da"
    text = page.content.decode()
    assert "Decision protocol" not in text
    assert 'lang="da"' in text
    listing = client.get(f"/offentlig/{demo.slug}/moeder/")
    assert listing["Content-Language"] == "da"
    assert "Decision protocol" not in listing.content.decode()
    pdf = client.get(f"/offentlig/moeder/{meeting.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Language"] == "da"


def test_a_logged_in_page_still_follows_the_chosen_language(
    demo: Municipality, client_for: object
) -> None:
    client = english_client()
    page = client.get(reverse("accounts:login"))
    assert page["Content-Language"] == "en"


def test_the_date_filters_read_in_the_danish_pattern() -> None:
    moment = dt.datetime(2026, 12, 10, 15, 0, tzinfo=dt.UTC)  # 16.00 in Copenhagen
    template = Template(
        "{% load ssp_dates %}{{ d|dansk_dato }}|{{ m|dansk_dato_tid }}|{{ none|dansk_dato }}"
    )
    context = Context({"d": dt.date(2026, 12, 10), "m": moment, "none": None})
    with translation.override("da"):
        assert template.render(context) == (
            "torsdag 10. december 2026|torsdag 10. december 2026 kl. 16.00|"
        )
    with translation.override("en"):
        assert template.render(context).startswith("Thursday 10. December 2026|")
