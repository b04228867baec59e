"""Every municipality that existed before the prevention app gets the default three-step
staircase (as `load_preset` gives a municipality without a prevention file), so that its SSP
staff can fill the catalogue at once. A municipality with steps is left alone; the goals are
written here, not imported, so the migration stays as it was when it ran."""

from __future__ import annotations

from typing import Any

from django.db import migrations

DEFAULT_STAIRCASE = (
    (1, "Gode og trygge vilkår for alle børn og unge", "general"),
    (2, "Forebygge risikoadfærd og kriminalitet blandt børn og unge i risiko", "specific"),
    (3, "Hjælpe den enkelte unge væk fra et kriminelt handlemønster", "individual"),
)


def install_default_staircases(apps: Any, schema_editor: Any) -> None:
    municipality_model = apps.get_model("organisation", "Municipality")
    step_model = apps.get_model("prevention", "StaircaseStep")
    with_steps = step_model.objects.values("municipality_id")
    for municipality_id in municipality_model.objects.exclude(pk__in=with_steps).values_list(
        "pk", flat=True
    ):
        step_model.objects.bulk_create(
            step_model(municipality_id=municipality_id, number=number, goal=goal, level=level)
            for number, goal, level in DEFAULT_STAIRCASE
        )


class Migration(migrations.Migration):
    dependencies = [
        ("prevention", "0002_intervention_name_any_case"),
        ("organisation", "0004_adhoc_group_lifecycle"),
    ]

    operations = [
        migrations.RunPython(install_default_staircases, migrations.RunPython.noop),
    ]
