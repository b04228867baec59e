"""How a decision was taken, as the protocol shows it (issue 14): "Enstemmigt", or "Vedtaget:
3 for, 1 imod, 1 undlod" and, where the forum's rule says so (`Forum.votes_by_name`), who voted
how. Read by `access.item_view` (every channel) and `services.protocol_text` (what is signed).
Pure reads of the models: no access decisions here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from ssp.meetings.models import AgendaItem, Vote, VoteChoice, VoteKind

# Where `prefetch` puts an item's votes (with their members, in the protocol's order).
PREFETCHED_VOTES = "prefetched_votes"


@dataclass(frozen=True)
class Tally:
    votes_for: int
    against: int
    abstain: int

    @property
    def carried(self) -> bool:
        """Carried when more voted for than against."""
        return self.votes_for > self.against


def tally(votes: list[Vote]) -> Tally:
    return Tally(
        votes_for=sum(1 for v in votes if v.choice == VoteChoice.FOR),
        against=sum(1 for v in votes if v.choice == VoteChoice.AGAINST),
        abstain=sum(1 for v in votes if v.choice == VoteChoice.ABSTAIN),
    )


def prefetch() -> Prefetch[str, Any, str]:
    """The items' votes with their members, read once for a whole agenda (issue 14: no query
    per item); `prefetched` reads them back."""
    return Prefetch(
        "votes",
        queryset=Vote.objects.select_related("member").order_by("member__name", "pk"),
        to_attr=PREFETCHED_VOTES,
    )


def prefetched(item: AgendaItem) -> list[Vote]:
    """The item's votes as `prefetch` read them, else read now."""
    rows = getattr(item, PREFETCHED_VOTES, None)
    return _votes(item) if rows is None else list(rows)


def _votes(item: AgendaItem) -> list[Vote]:
    if item.vote_kind != VoteKind.RECORDED:
        return []  # no vote recorded: no query
    return list(item.votes.select_related("member").order_by("member__name", "pk"))


def result_text(item: AgendaItem, votes: list[Vote] | None = None) -> str:
    """The vote's result as the protocol shows it; "" when the decision was not voted on."""
    if item.vote_kind == VoteKind.UNANIMOUS:
        return _("Vedtaget enstemmigt")
    if item.vote_kind != VoteKind.RECORDED:
        return ""
    count = tally(_votes(item) if votes is None else votes)
    outcome = _("Vedtaget") if count.carried else _("Forkastet")
    return _("%(outcome)s: %(for)s for, %(against)s imod, %(abstain)s undlod") % {
        "outcome": outcome,
        "for": count.votes_for,
        "against": count.against,
        "abstain": count.abstain,
    }


def by_name(
    item: AgendaItem,
    votes: list[Vote] | None = None,
    *,
    label: Callable[[Vote], str] | None = None,
) -> list[str]:
    """Who voted how ("Poul Madsen: for"), where the forum's rule shows it; else []. `label`
    names the voter (the public version: `access.public_member_label`), else her name."""
    if item.vote_kind != VoteKind.RECORDED or not item.meeting.forum.votes_by_name:
        return []
    return [
        f"{label(vote) if label else vote.member.name}: {VoteChoice(vote.choice).label.lower()}"
        for vote in (_votes(item) if votes is None else votes)
    ]


def protocol_line(item: AgendaItem) -> str:
    """The vote in the signed text (language-independent, so the hash does not depend on the
    reader's language): kind, counts and, by the forum's rule, the votes by member id."""
    if item.vote_kind == VoteKind.UNANIMOUS:
        return "vote: unanimous"
    if item.vote_kind != VoteKind.RECORDED:
        return ""
    votes = prefetched(item)
    count = tally(votes)
    line = f"vote: {count.votes_for} for, {count.against} against, {count.abstain} abstain"
    if item.meeting.forum.votes_by_name:
        line += " | " + ", ".join(f"{v.member.name}={v.choice}" for v in votes)
    return line
