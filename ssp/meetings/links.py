"""Agenda items that act on another app's objects, without the meetings app knowing the app.

Two extension points, each registered by the app that owns the objects (in its
`AppConfig.ready`), so that `ssp.meetings` never imports prevention, reports or any later app:

- **Links with a decision hook** (`LinkKind`): an agenda item can refer to one object (an annual
  plan to approve, a focus area to set). The minutes form then offers the kind's
  `decision_label` ("Beslutningen godkender årsplanen"); when the minutes are saved with it
  ticked, the owner's `apply` runs once, inside the minutes' transaction
  (`AgendaItem.link_applied_at` is claimed by a conditional UPDATE, so a double submit or two
  minute-takers at once apply it once).
- **Item panels** (`ItemPanel`): a standing item can show live content from another app under
  its text on the agenda (Høje-Taastrup's "Koordinering af oplæg, undervisning ...": the
  coming period's activities in the forum's area).

Nothing here decides access: `choices` and `rows` get the actor and answer with what the owner's
access module lets the actor see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from ssp.access import Actor
    from ssp.meetings.models import AgendaItem, Meeting
    from ssp.organisation.models import Forum


@dataclass(frozen=True)
class Linked:
    """How an agenda item shows the object it links to."""

    title: str
    url: str
    state: str = ""


@dataclass(frozen=True)
class LinkKind:
    """A kind of object an agenda item may link to, registered by the object's app.

    - `choices(actor, forum)`: the objects this forum's agenda may link to, as (id, label), at
      most a short bounded list (the owner keeps it bounded);
    - `describe(object_id)`: the object as the agenda shows it, or None when it is gone;
    - `apply(actor_user, item)`: the decision acts on the object (approve, set); called at most
      once per item, inside the minutes' transaction; raises `DomainError` to refuse.
    """

    key: str
    label: str | Promise
    decision_label: str | Promise
    choices: Callable[[Actor, Forum], list[tuple[int, str]]]
    describe: Callable[[int], Linked | None]
    apply: Callable[[User, AgendaItem], None]


@dataclass(frozen=True)
class PanelRow:
    when: str
    text: str
    url: str = ""
    warning: str = ""


@dataclass
class PanelContent:
    """What a panel shows under an item: a heading, rows, and a link to the rest."""

    heading: str
    rows: list[PanelRow] = field(default_factory=list)
    empty_text: str = ""
    more_url: str = ""
    more_text: str = ""


@dataclass(frozen=True)
class ItemPanel:
    """Live content under the agenda items `matches` accepts (by title: standing items are
    copied onto each agenda by their title). `content` runs once per matching item, so an
    agenda's number of queries does not grow with the number of items."""

    key: str
    matches: Callable[[AgendaItem], bool]
    content: Callable[[Actor, Meeting], PanelContent]


_KINDS: dict[str, LinkKind] = {}
_PANELS: dict[str, ItemPanel] = {}


def register_link_kind(kind: LinkKind) -> None:
    """Register (or replace, on a second `ready()`) a kind of linked object."""
    _KINDS[kind.key] = kind


def register_panel(panel: ItemPanel) -> None:
    _PANELS[panel.key] = panel


def unregister_link_kind(key: str) -> None:
    """Forget a kind (a test's fixture teardown); unknown keys are ignored."""
    _KINDS.pop(key, None)


def unregister_panel(key: str) -> None:
    _PANELS.pop(key, None)


def link_kinds() -> list[LinkKind]:
    return list(_KINDS.values())


def link_kind(key: str) -> LinkKind | None:
    return _KINDS.get(key)


def link_of(item: AgendaItem) -> tuple[str, int] | None:
    """The item's link as (kind key, object id), None without one."""
    if not item.link_kind or item.link_id is None:
        return None
    return (item.link_kind, item.link_id)


def link_value(link: tuple[str, int]) -> str:
    """A link as a form's option value: "kind_key:id"."""
    return f"{link[0]}:{link[1]}"


def parse_link_value(value: str) -> tuple[str, int] | None:
    """The inverse of `link_value`; None for "" or anything malformed."""
    key, sep, object_id = value.rpartition(":")
    if not sep or not key or not object_id.isdecimal() or len(object_id) > 10:
        return None
    return (key, int(object_id))


def awaits_decision(item: AgendaItem) -> LinkKind | None:
    """The kind of the item's link when its decision has not been applied yet (the minutes
    form then offers the kind's `decision_label`); None otherwise."""
    if item.link_id is None or item.link_applied_at is not None:
        return None
    return _KINDS.get(item.link_kind)


def linked(item: AgendaItem) -> Linked | None:
    """The object an item links to, as the agenda shows it; None without a (live) link."""
    kind = _KINDS.get(item.link_kind)
    if kind is None or item.link_id is None:
        return None
    return kind.describe(item.link_id)


def apply_decision(actor_user: User, item: AgendaItem) -> bool:
    """Let the linked object's owner act on the item's decision, once. Returns whether it ran
    now (False: no link, or applied before). Call inside the minutes' transaction."""
    from ssp.meetings.models import AgendaItem

    kind = _KINDS.get(item.link_kind)
    if kind is None or item.link_id is None:
        return False
    now = timezone.now()
    claimed = AgendaItem.objects.filter(pk=item.pk, link_applied_at__isnull=True).update(
        link_applied_at=now
    )
    if claimed != 1:
        return False
    item.link_applied_at = now
    kind.apply(actor_user, item)
    return True


def panels_for(
    actor: Actor, meeting: Meeting, items: Iterable[AgendaItem]
) -> dict[int, PanelContent]:
    """The panels to show under the meeting's items, keyed by item id."""
    shown: dict[int, PanelContent] = {}
    for item in items:
        for panel in _PANELS.values():
            if panel.matches(item):
                shown[item.pk] = panel.content(actor, meeting)
                break
    return shown


# --- Issue 16: the weekly police review's item (`ssp/meetings/police_review.py`) -------------
# Registered here (the item is the meetings app's own kind); the content is read lazily, as
# police_review imports this module.

POLICE_REVIEW_PANEL = "police_review"


def _police_review_matches(item: AgendaItem) -> bool:
    return item.kind == "police_review"  # ItemKind.POLICE_REVIEW: no model import here


def _police_review_content(actor: Actor, meeting: Meeting) -> PanelContent:
    from ssp.meetings import police_review

    return police_review.panel_content(actor, meeting)


register_panel(
    ItemPanel(
        key=POLICE_REVIEW_PANEL, matches=_police_review_matches, content=_police_review_content
    )
)
