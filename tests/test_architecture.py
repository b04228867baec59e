"""Architecture kept by tests (docs/architecture.md, issue 8: one home for every access decision).

- Views, selectors, API modules and templates decide no access themselves: no `actor.is_*` or
  `actor.role` test, no `is_superuser` test, no `raise PermissionDenied`. They call the access
  functions of the app's `access.py` (or `ssp/access.py`); templates get booleans computed by
  those functions (`can_close`, not `actor.is_police`).
- Views, API modules and forms never query a model holding personal data: they go through an
  access lookup, a selector or a service. A form may start a field from `.objects.none()`.
- Access modules depend one way: organisation <- ssp/access <- cases <- meetings, police.

Each failure names the file and line.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]
SSP = ROOT / "ssp"

DECIDING_MODULES = ("views.py", "selectors.py", "api.py")
QUERYING_MODULES = ("views.py", "api.py", "forms.py")

# Models whose rows are about young people, or name them (R1-R6): reached only through
# access.py, selectors.py and services.py.
PERSONAL_DATA_MODELS = frozenset(
    {
        # cases
        "YoungPerson",
        "CustodyHolder",
        "Concern",
        "Case",
        "CaseEvent",
        "ActionAgreement",
        "Task",
        "Consent",
        "Disclosure",
        # police
        "PoliceReport",
        "Deadline",
        "NetworkCouncil",
        "AbsenceRecord",
        "HotSpot",
        # meetings: items (a closed item names a child), their files, contributions, the
        # minutes' attendance, the decisions' tasks and the signatures
        "AgendaItem",
        "Attachment",
        "Contribution",
        "Attendance",
        "MeetingTask",
        "Signature",
    }
)
MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})

# Access modules: which other apps each may build on (besides ssp.access and itself).
ACCESS_DEPENDS_ON: dict[str, frozenset[str]] = {
    "cases": frozenset({"organisation"}),
    "meetings": frozenset({"organisation", "cases"}),
    "police": frozenset({"organisation", "cases"}),
}
DEFAULT_DEPENDS_ON = frozenset({"organisation"})
CORE_MODULES = frozenset({"ssp.access"})  # the one shared module an access.py builds on

TEMPLATE_ROLE_TEST = re.compile(r"\bactor\.(?:is_\w+|role)\b|\bis_superuser\b")


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def python_files(names: tuple[str, ...]) -> list[Path]:
    """The modules with these file names in ssp/ and its apps (ssp/views.py included)."""
    return sorted(
        path
        for name in names
        for path in SSP.rglob(name)
        if "migrations" not in path.parts and "management" not in path.parts
    )


def templates() -> list[Path]:
    return sorted(
        path
        for path in SSP.rglob("*.html")
        if "templates" in path.relative_to(SSP).parts and "static" not in path.parts
    )


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _is_actor(node: ast.expr) -> bool:
    """`actor`, `self.actor`, `request_actor`, ...: an expression naming an Actor."""
    if isinstance(node, ast.Name):
        name = node.id
    elif isinstance(node, ast.Attribute):
        name = node.attr
    else:
        return False
    return re.fullmatch(r"(?:\w+_)?actor", name) is not None


def _exception_name(node: ast.expr | None) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def role_tests(path: Path) -> Iterator[str]:
    for node in ast.walk(_parse(path)):
        if not isinstance(node, ast.Attribute):
            continue
        if node.attr == "is_superuser" or (
            (node.attr.startswith("is_") or node.attr == "role") and _is_actor(node.value)
        ):
            yield f"{_relative(path)}:{node.lineno}: {ast.unparse(node)}"


def permission_denied_raises(path: Path) -> Iterator[str]:
    for node in ast.walk(_parse(path)):
        if isinstance(node, ast.Raise) and _exception_name(node.exc) == "PermissionDenied":
            yield f"{_relative(path)}:{node.lineno}: {ast.unparse(node)}"


def personal_data_queries(path: Path) -> Iterator[str]:
    """`<PersonalModel>.objects...`; in a form module `.objects.none()` is allowed."""
    tree = _parse(path)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr in MANAGERS):
            continue
        model = node.value
        model_name = (
            model.id
            if isinstance(model, ast.Name)
            else model.attr
            if isinstance(model, ast.Attribute)
            else ""
        )
        if model_name not in PERSONAL_DATA_MODELS:
            continue
        parent = parents.get(node)
        if (
            path.name == "forms.py"
            and isinstance(parent, ast.Attribute)
            and parent.attr == "none"
            and isinstance(parents.get(parent), ast.Call)
        ):
            continue
        yield f"{_relative(path)}:{node.lineno}: {ast.unparse(parent or node)}"


def template_role_tests(path: Path) -> Iterator[str]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if TEMPLATE_ROLE_TEST.search(line):
            yield f"{_relative(path)}:{number}: {line.strip()}"


def _report(offenders: list[str], advice: str) -> str:
    return f"{len(offenders)} found; {advice}:\n" + "\n".join(offenders)


# --- Who may do what is decided in access modules only ---------------------------------------


def test_no_view_selector_or_api_module_tests_a_role() -> None:
    offenders = [hit for path in python_files(DECIDING_MODULES) for hit in role_tests(path)]
    assert offenders == [], _report(
        offenders, "call a function of the app's access.py (or ssp/access.py) instead"
    )


def test_no_template_tests_a_role() -> None:
    offenders = [hit for path in templates() for hit in template_role_tests(path)]
    assert offenders == [], _report(
        offenders, "pass a boolean from an access function in the view's context instead"
    )


def test_no_view_selector_or_api_module_raises_permission_denied() -> None:
    offenders = [
        hit for path in python_files(DECIDING_MODULES) for hit in permission_denied_raises(path)
    ]
    assert offenders == [], _report(
        offenders,
        "use access.require(...) or an access lookup (get_*_for, Http404 where existence "
        "is itself personal data)",
    )


def test_no_view_api_or_form_module_queries_personal_data() -> None:
    offenders = [
        hit for path in python_files(QUERYING_MODULES) for hit in personal_data_queries(path)
    ]
    assert offenders == [], _report(
        offenders, "go through an access lookup, a selector or a service"
    )


def test_the_personal_data_models_exist() -> None:
    """A renamed model must not drop out of the check above unnoticed."""
    names = {model.__name__ for model in apps.get_models()}
    assert PERSONAL_DATA_MODELS - names == set()


def test_the_checks_find_what_they_look_for(tmp_path: Path) -> None:
    """The checks above can fail: each finds its pattern in a sample module and template."""
    module = tmp_path / "views.py"
    module.write_text(
        "def view(request, actor):\n"
        "    if actor.is_police or request.user.is_superuser or actor.role == 'x':\n"
        "        raise PermissionDenied\n"
        "    access.is_ssp_staff(actor)\n"
        "    Case.objects.filter(pk=1)\n"
        "    Concern.objects.none()\n"
        "    Member.objects.all()\n",
        encoding="utf-8",
    )
    hits = [
        *role_tests(module),
        *permission_denied_raises(module),
        *personal_data_queries(module),
    ]
    assert sorted(hit.split(": ", 1)[1] for hit in hits) == sorted(
        [
            "actor.is_police",
            "request.user.is_superuser",
            "actor.role",
            "raise PermissionDenied",
            "Case.objects.filter",
            "Concern.objects.none",  # allowed in a form module only
        ]
    )
    form_module = tmp_path / "forms.py"
    form_module.write_text("field.queryset = Concern.objects.none()\n", encoding="utf-8")
    assert list(personal_data_queries(form_module)) == []
    template = tmp_path / "page.html"
    template.write_text(
        "{% if actor.is_police %}x{% endif %}{% if can_close %}y{% endif %}\n", encoding="utf-8"
    )
    assert len(list(template_role_tests(template))) == 1


# --- The ORM stays out of pages and endpoints ------------------------------------------------


def test_views_and_api_modules_never_query_models_directly() -> None:
    offenders = []
    for path in list(SSP.rglob("views.py")) + list(SSP.rglob("api.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"\.objects\b", line):
                offenders.append(f"{path.relative_to(SSP.parent)}:{number}: {line.strip()}")
    assert offenders == [], "use a selector or service instead:\n" + "\n".join(offenders)


# --- Access modules depend one way ---------------------------------------------------------


def test_the_access_core_imports_only_the_organisation_models() -> None:
    source = (SSP / "access.py").read_text(encoding="utf-8")
    imports = re.findall(r"^from (ssp\.[\w.]+) import", source, flags=re.MULTILINE)
    assert set(imports) <= {"ssp.organisation.models"}


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for each import; `from ssp.cases import access` gives ssp.cases.access."""
    app = path.parent.name
    for node in ast.walk(_parse(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                yield node.lineno, f"ssp.{app}"
                continue
            module = node.module or ""
            package = module == "ssp" or (SSP / module.removeprefix("ssp.")).is_dir()
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}" if package else module


def access_import_allowed(app: str, module: str) -> bool:
    top = module.split(".")[0]
    if top == "__future__" or top in sys.stdlib_module_names or top == "django":
        return True
    if module in CORE_MODULES or module == f"ssp.{app}" or module.startswith(f"ssp.{app}."):
        return True
    parts = module.split(".")
    if len(parts) >= 3 and parts[0] == "ssp":
        other, kind = parts[1], parts[2]
        depends_on = ACCESS_DEPENDS_ON.get(app, DEFAULT_DEPENDS_ON)
        return other in depends_on and kind in {"models", "access"}
    return False


def test_app_access_modules_import_only_the_core_their_app_models_and_django() -> None:
    offenders = []
    for path in sorted(SSP.glob("*/access.py")):
        app = path.parent.name
        for line, module in imported_modules(path):
            if not access_import_allowed(app, module):
                offenders.append(f"{_relative(path)}:{line}: imports {module}")
    assert offenders == [], _report(
        offenders,
        "an app's access.py builds on ssp.access, its own app, the models (and access) of the "
        "apps below it (organisation <- cases <- meetings, police) and django only",
    )


def test_the_access_dependency_check_can_fail() -> None:
    assert access_import_allowed("police", "ssp.cases.access")
    assert access_import_allowed("meetings", "ssp.organisation.models")
    assert not access_import_allowed("cases", "ssp.police.models")
    assert not access_import_allowed("cases", "ssp.meetings.access")
    assert not access_import_allowed("police", "ssp.meetings.access")
    assert not access_import_allowed("police", "ssp.cases.selectors")
    assert not access_import_allowed("cases", "ninja")
