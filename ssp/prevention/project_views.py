"""Pages of the project register (R7, Fredericia): the list (search, running or ended), one
project, and the form for SSP staff."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp import access, autocomplete
from ssp.access import Actor
from ssp.errors import DomainError
from ssp.http import actor_of, page_number, user_of
from ssp.prevention import access as prevention_access
from ssp.prevention import project_forms
from ssp.prevention import projects as register
from ssp.prevention.models import Project
from ssp.prevention.services import PersonalDataFound
from ssp.versioning import StaleEdit

INVALID = 400


@access.require(prevention_access.can_see_prevention)
def projects(request: HttpRequest) -> HttpResponse:
    """The municipality's projects, newest first, searched by name, running or ended."""
    actor = actor_of(request)
    search = register.ProjectFilter.from_values(
        q=request.GET.get("q", ""), state=request.GET.get("status", "")
    )
    page = register.projects_page(actor, search, page_number(request))
    kept = {"q": search.q, "status": search.state}
    return render(
        request,
        "prevention/projects.html",
        {
            "search": search,
            "states": register.ProjectState.choices,
            "searched": bool(search.q or search.state),
            "page": page,
            "projects": list(page.object_list),
            "today": timezone.localdate(),
            "page_query": urlencode({k: v for k, v in kept.items() if v}),
            "can_manage": prevention_access.can_manage_projects(actor),
        },
    )


@access.require(prevention_access.can_see_prevention)
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    project = prevention_access.get_project_for(actor, pk)
    return render(
        request,
        "prevention/project_detail.html",
        {
            "project": project,
            "has_ended": project.ends_on < timezone.localdate(),
            "can_manage": prevention_access.can_manage_projects(actor),
        },
    )


def _form(
    actor: Actor, data: Any = None, project: Project | None = None
) -> project_forms.ProjectForm:
    choices: dict[str, Any] = {
        "focus_areas": register.focus_area_choices(
            actor, current=project.focus_area_id if project is not None else None
        ),
        "members": register.project_leaders(actor),
        "members_search": reverse("prevention:member_search"),
    }
    if project is None:
        return project_forms.ProjectNewForm(data, **choices)
    return project_forms.ProjectEditForm(
        data, initial=project_forms.ProjectEditForm.initial_for(project), **choices
    )


def _keep_on_form(form: project_forms.ProjectForm, error: DomainError) -> None:
    form.add_error(None, error.message)
    if isinstance(error, PersonalDataFound):
        for name in error.fields:
            if name in form.fields:
                form.add_error(name, _("Fjern personoplysningerne her."))


@access.require(prevention_access.can_manage_projects)
def project_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (`pk=None`) or change a project (SSP staff)."""
    actor = actor_of(request)
    project = (
        prevention_access.get_project_for(actor, pk, for_change=True) if pk is not None else None
    )
    form = _form(actor, request.POST or None, project)
    stored: list[tuple[str, object]] = []
    status = 200
    if request.method == "POST" and not autocomplete.is_search_step(form):
        status = INVALID
        if form.is_valid():
            try:
                if isinstance(form, project_forms.ProjectEditForm) and project is not None:
                    saved = register.update_project(
                        actor_user=user_of(request),
                        project=project,
                        data=form.to_data(),
                        expected_version=form.expected_version(),
                    )
                elif isinstance(form, project_forms.ProjectNewForm):
                    saved = register.create_project(
                        actor_user=user_of(request), data=form.to_data(), token=form.token()
                    )
                else:  # pragma: no cover - _form gives one of the two
                    raise TypeError("unexpected project form")
            except StaleEdit as stale:
                typed = request.POST.copy()
                typed["version"] = str(stale.version)
                form = _form(actor, typed, project)
                form.is_valid()
                form.add_error(None, stale.message)
                if project is not None:
                    stored = project_forms.ProjectEditForm.stored_values(stale.current, project)
                status = stale.status_code
            except DomainError as error:
                _keep_on_form(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Projektet er gemt."))
                return redirect("prevention:project", pk=saved.pk)
    return render(
        request,
        "prevention/project_form.html",
        {"form": form, "project": project, "stored": stored},
        status=status,
    )
