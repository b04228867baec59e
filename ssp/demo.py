"""The whole demo in one call: the organisation, then each app's demo data on top of it."""

from __future__ import annotations

from django.db import transaction

from ssp.cases.demo import seed_cases
from ssp.meetings.demo import seed_meetings
from ssp.meetings.terms import seed_terms
from ssp.organisation.demo import seed_demo
from ssp.organisation.models import Municipality
from ssp.police.demo import seed_police
from ssp.prevention.demo import seed_prevention
from ssp.reports.demo import seed_reports


@transaction.atomic
def seed_all() -> Municipality:
    municipality = seed_demo()
    seed_cases(municipality)
    seed_meetings(municipality)
    seed_terms()
    seed_police(municipality)
    seed_prevention(municipality)
    seed_reports(municipality)
    return municipality
