"""The offence catalogue that police lists are matched against (R5: `serious` marks the offences
that call for a network council).

Reference data: installed by the data migration `0002_offence_catalogue` and, because a flushed
database (the browser tests' live server) loses what migrations wrote, by the demo as well.
Never on a read or import path. The catalogue can be extended in the admin; installing it again
only adds missing codes and never overwrites an edited offence.
"""

from __future__ import annotations

from typing import Any

# (code, name, serious, aliases separated by commas)
CATALOGUE: tuple[tuple[str, str, bool, str], ...] = (
    ("vold", "Vold", True, "vold,simpel vold,straffelovens § 244,244"),
    ("grov-vold", "Grov vold", True, "grov vold,§ 245,245"),
    ("voldtaegt", "Voldtægt", True, "voldtægt,§ 216,216"),
    ("roeveri", "Røveri", True, "røveri,§ 288,288"),
    ("groft-haervaerk", "Groft hærværk", True, "groft hærværk,§ 291 stk. 2"),
    ("betydeligt-tyveri", "Betydeligt tyveri", True, "grov tyveri,betydeligt tyveri,§ 286"),
    ("tyveri", "Tyveri", False, "tyveri,butikstyveri,§ 276,276"),
    ("haervaerk", "Hærværk", False, "hærværk,§ 291,291"),
    ("indbrud", "Indbrud", False, "indbrud,indbrudstyveri"),
    ("trusler", "Trusler", False, "trusler,§ 266,266"),
    ("brugstyveri", "Brugstyveri", False, "brugstyveri,§ 293"),
    ("narko", "Besiddelse af euforiserende stoffer", False, "narko,hash,euforiserende stoffer"),
    ("knivloven", "Overtrædelse af knivloven", False, "knivloven,kniv"),
)


def install_catalogue(offence_model: Any) -> int:
    """Add the offences of the catalogue that are missing; return how many were added.

    `offence_model` is `Offence`, or its historical version in a migration
    (`apps.get_model("police", "Offence")`), hence untyped.
    """
    existing = set(offence_model.objects.values_list("code", flat=True))
    missing = [
        offence_model(code=code, name=name, serious=serious, aliases=aliases)
        for code, name, serious, aliases in CATALOGUE
        if code not in existing
    ]
    offence_model.objects.bulk_create(missing)
    return len(missing)
