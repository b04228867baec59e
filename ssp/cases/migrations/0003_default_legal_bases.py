"""Reference data: every existing municipality gets the default legal bases (R4).

Until now the pages created them on first read; reads no longer write. New municipalities get
them from `cases.services.install_default_legal_bases` when they are set up. The rows are
copied here, as they were when this migration was written, so that later edits of the
defaults do not change history.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

LEGAL_BASES: tuple[dict[str, Any], ...] = (
    {
        "code": "consent",
        "title": "Samtykke fra forældremyndighedsindehaver",
        "reference": "",
        "is_consent": True,
        "requires_parent_involvement": False,
    },
    {
        "code": "rpl-115-clarify",
        "title": "Afklaring af tværfaglig bekymring uden samtykke",
        "reference": "Retsplejeloven § 115, stk. 1, nr. 1",
        "is_consent": False,
        "requires_parent_involvement": True,
    },
    {
        "code": "rpl-115-effort",
        "title": "Kriminalpræventiv indsats, forældrene afviser samtykke",
        "reference": "Retsplejeloven § 115, stk. 1, nr. 1",
        "is_consent": False,
        "requires_parent_involvement": True,
    },
)


def add_default_legal_bases(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    municipality_model = apps.get_model("organisation", "Municipality")
    legal_basis_model = apps.get_model("cases", "LegalBasis")
    for municipality in municipality_model.objects.all():
        if legal_basis_model.objects.filter(municipality=municipality).exists():
            continue  # a catalogue of its own is kept as it is
        for basis in LEGAL_BASES:
            legal_basis_model.objects.create(municipality=municipality, **basis)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_concern_reported_name"),
        ("organisation", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_default_legal_bases, migrations.RunPython.noop)]
