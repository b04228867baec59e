"""Demo data for the biennial evaluation (Ådal Kommune): last year's round, closed, for two fora,
with answers from the members who have a login (for the demo and the screenshots). Written
directly, as the services refuse a deadline in the past."""

from __future__ import annotations

from datetime import date, datetime, time

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ssp.organisation.models import Forum, Membership, Municipality
from ssp.reports.models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationInvitation,
    EvaluationResponse,
    EvaluationStatus,
)

DEMO_TITLE = "Evaluering af forummernes opgaver %(year)s"
DEMO_FORA = ("lokal-ssp-oest", "koordinationsgruppe")
DEMO_COORDINATOR = "koordinator"

# The answers, in turn, for the invited members of each forum (relevant, meaningful,
# contributing, comment). Comments are about the work, never about persons.
_YES, _PARTLY, _NO, _UNKNOWN = (
    EvaluationAnswer.YES,
    EvaluationAnswer.PARTLY,
    EvaluationAnswer.NO,
    EvaluationAnswer.UNKNOWN,
)
DEMO_ANSWERS = (
    (_YES, _YES, _YES, "Godt med faste møder hver måned."),
    (_YES, _PARTLY, _YES, ""),
    (_YES, _YES, _PARTLY, "Vi bruger for lang tid på orientering; mere tid til sager."),
    (_PARTLY, _YES, _UNKNOWN, ""),
    (_YES, _YES, _YES, "Samarbejdet med klubberne er blevet bedre."),
    (_NO, _PARTLY, _PARTLY, ""),
)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


@transaction.atomic
def seed_evaluation(municipality: Municipality) -> Evaluation | None:
    """Last year's closed evaluation of Distrikt Øst's local group and the coordination group;
    does nothing when it exists or the fora are missing."""
    year = timezone.localdate().year - 1
    title = DEMO_TITLE % {"year": year}
    if Evaluation.objects.filter(municipality=municipality, title=title).exists():
        return None
    fora = list(Forum.objects.filter(municipality=municipality, key__in=DEMO_FORA))
    if not fora:
        return None
    evaluation = Evaluation.objects.create(
        municipality=municipality,
        title=title,
        introduction=(
            "Hvert andet år spørger vi forummernes medlemmer, om opgaverne stadig er de rigtige. "
            "Svarene bruges i årsrapporten og på styregruppens temamøde."
        ),
        closes_on=date(year, 11, 30),
        status=EvaluationStatus.CLOSED,
        created_by=User.objects.filter(username=DEMO_COORDINATOR).first(),
        sent_at=_aware(date(year, 11, 1)),
        closed_at=_aware(date(year, 12, 1)),
    )
    evaluation.fora.set(fora)
    Evaluation.objects.filter(pk=evaluation.pk).update(created_at=_aware(date(year, 10, 25)))
    for forum in fora:
        user_ids = sorted(
            set(
                Membership.objects.current()
                .filter(forum=forum, member__user__isnull=False, member__user__is_active=True)
                .values_list("member__user_id", flat=True)
            )
        )
        for index, user_id in enumerate(user_ids):
            # Everyone but the last of each forum answered.
            answered = index < len(user_ids) - 1 or len(user_ids) == 1
            EvaluationInvitation.objects.create(
                evaluation=evaluation,
                user_id=user_id,
                forum=forum,
                answered_on=date(year, 11, 10) if answered else None,
            )
            if answered:
                relevant, meaningful, contributing, comment = DEMO_ANSWERS[
                    index % len(DEMO_ANSWERS)
                ]
                EvaluationResponse.objects.create(
                    evaluation=evaluation,
                    forum=forum,
                    relevant=relevant,
                    meaningful=meaningful,
                    contributing=contributing,
                    comment=comment,
                )
    return evaluation
