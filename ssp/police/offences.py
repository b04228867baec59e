"""The offence catalogue that police lists are matched against (R5: `serious` marks the offences
that call for a network council).

Reference data: installed by the data migration `0002_offence_catalogue` and, because a flushed
database (the browser tests' live server) loses what migrations wrote, by the demo as well.
Never on a read or import path. Installing it again only adds missing codes and never
overwrites an edited offence.

Issue 16: these are the national (statutory) kinds (`municipality` NULL); a municipality adds
local kinds and its own aliases (`OffenceAlias`) on its catalogue page (`catalogue.py`). Matching
reads the national kinds, the municipality's active local kinds and its aliases once per import
(`services.load_offences`); `match_names` is what a list's text is compared with.
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
    national = offence_model.objects.all()
    if any(field.name == "municipality" for field in offence_model._meta.get_fields()):
        # Issue 16: only the national kinds count (a local kind may share a code's spelling);
        # the migration that installs the catalogue runs before the field exists.
        national = national.filter(municipality__isnull=True)
    existing = set(national.values_list("code", flat=True))
    missing = [
        offence_model(code=code, name=name, serious=serious, aliases=aliases)
        for code, name, serious, aliases in CATALOGUE
        if code not in existing
    ]
    offence_model.objects.bulk_create(missing)
    return len(missing)


# The names an offence is matched by, attached by `services.load_offences` (its name, its
# built-in aliases and the municipality's own aliases), kept on the instance.
MATCH_NAMES_ATTRIBUTE = "_ssp_match_names"


def normalised(text: str) -> str:
    """A name or alias as matching compares it: trimmed, lower case, single spaces."""
    return " ".join(text.split()).lower()


def builtin_names(offence: Any) -> set[str]:
    """The offence's own name and its comma-separated aliases, normalised."""
    names = {normalised(offence.name)}
    names.update(normalised(alias) for alias in offence.aliases.split(",") if alias.strip())
    return names


def match_names(offence: Any) -> frozenset[str]:
    """The names `offence` is matched by: what `load_offences` attached, else its own."""
    attached: frozenset[str] | None = offence.__dict__.get(MATCH_NAMES_ATTRIBUTE)
    if attached is None:
        attached = frozenset(builtin_names(offence))
        offence.__dict__[MATCH_NAMES_ATTRIBUTE] = attached
    return attached


def attach_names(offence: Any, local_aliases: list[str]) -> None:
    offence.__dict__[MATCH_NAMES_ATTRIBUTE] = frozenset(
        builtin_names(offence) | {normalised(alias) for alias in local_aliases}
    )
