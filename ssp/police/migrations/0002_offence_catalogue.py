"""Reference data: the offence catalogue that police lists are matched against (R5)."""

from typing import Any

from django.db import migrations

from ssp.police.offences import install_catalogue


def install(apps: Any, schema_editor: Any) -> None:
    install_catalogue(apps.get_model("police", "Offence"))


class Migration(migrations.Migration):
    dependencies = [
        ("police", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
