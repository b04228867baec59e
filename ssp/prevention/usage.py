"""How often each catalogue intervention is used (R7): by action agreements' tasks, by group and
place concerns, and by the annual plans' activities. Counts only.

Why the counts reveal no person: a count is a number per intervention, grouped in the database
(`GROUP BY intervention_id`), and nothing is read or returned that links it to a case, a task, a
concern or a young person: no ids, no names, no dates, no forum. The catalogue and its counts
are visible to everyone with a role in the municipality (the same `visible_interventions`
scope), and the counts are of the actor's municipality's interventions only. A concern counted
here is a group or place concern (the forms and services offer the intervention only for those),
never a named person's. Still, a task belongs to a child's case, so a count of tasks or concerns
under `SMALL_COUNT` is shown as "færre end 5" (as the reports suppress small cells): "used in 1
task" of a rare intervention would point at one child. The activities' count is shown as it is
(activities are about classes and places). The choice offered on the task and concern forms
(`intervention_choices`) lists catalogue names, which are not personal data either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, Value

from ssp.access import Actor
from ssp.cases.models import Concern, Task
from ssp.prevention import access as prevention_access
from ssp.prevention.models import Activity

# The task and concern forms offer at most this many active interventions (a catalogue has a
# few dozen; the cap keeps the <select> bounded whatever happens).
CHOICES_MAX = 200


# Counts of tasks and concerns from 1 to SMALL_COUNT - 1 are not shown as they are.
SMALL_COUNT = 5


@dataclass(frozen=True)
class Usage:
    tasks: int = 0
    concerns: int = 0
    activities: int = 0

    @property
    def tasks_suppressed(self) -> bool:
        return 0 < self.tasks < SMALL_COUNT

    @property
    def concerns_suppressed(self) -> bool:
        return 0 < self.concerns < SMALL_COUNT


def _grouped(
    model: type[Task] | type[Concern] | type[Activity], kind: str, wanted: list[int]
) -> Any:
    return (
        model._default_manager.filter(intervention_id__in=wanted)
        .order_by()
        .values("intervention_id")
        .annotate(kind=Value(kind, output_field=CharField()), n=Count("pk"))
        .values_list("intervention_id", "kind", "n")
    )


def usage_counts(ids: Iterable[int]) -> dict[int, Usage]:
    """The uses of the given interventions (a page of them): one grouped query per table,
    joined by UNION ALL into one statement, whatever the number of ids. Interventions without
    any use get `Usage()`; the caller passes ids it already read through
    `visible_interventions`."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    counts: dict[int, dict[str, int]] = {pk: {} for pk in wanted}
    rows = _grouped(Task, "tasks", wanted).union(
        _grouped(Concern, "concerns", wanted), _grouped(Activity, "activities", wanted), all=True
    )
    for pk, kind, n in rows:
        counts[pk][kind] = n
    return {pk: Usage(**found) for pk, found in counts.items()}


def intervention_choices(actor: Actor) -> list[tuple[int, str]]:
    """The actor's municipality's interventions in use, by name, as (id, name) for a select on
    the task and concern forms; at most `CHOICES_MAX`."""
    rows = (
        prevention_access.visible_interventions(actor)
        .filter(active=True)
        .order_by("name", "pk")
        .values_list("pk", "name")[:CHOICES_MAX]
    )
    return [(pk, name) for pk, name in rows]


def is_choosable(actor: Actor, intervention_id: int, municipality_id: int) -> bool:
    """Whether a task or concern of `municipality_id` may point to the intervention: one of the
    actor's municipality's interventions in use."""
    return (
        prevention_access.visible_interventions(actor)
        .filter(pk=intervention_id, municipality_id=municipality_id, active=True)
        .exists()
    )
