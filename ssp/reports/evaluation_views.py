"""The biennial evaluation (Høje-Taastrup): staff send a short questionnaire to the members of
chosen fora; members answer in the platform; the summary shows counts without names,
suppressed.

Every decision is an access function (`ssp/reports/access.py`); the views parse, look up, call
a service or selector (`ssp/reports/evaluations.py`) and render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ssp import access, autocomplete
from ssp.errors import DomainError
from ssp.http import actor_of, user_of
from ssp.prevention.services import PersonalDataFound
from ssp.reports import access as report_access
from ssp.reports import evaluations as service
from ssp.reports.evaluation_forms import (
    AnswerForm,
    EvaluationEditForm,
    EvaluationForm,
    EvaluationNewForm,
    ForaPicker,
)
from ssp.reports.models import EVALUATION_QUESTIONS, Evaluation, EvaluationStatus
from ssp.reports.selectors import has_suppressed_cells, table_view
from ssp.reports.tables import HIDDEN, SMALL
from ssp.versioning import StaleEdit

INVALID = 400
# The fora picker searches through the new-evaluation page itself (GET with `fora__q`): the
# same access rule and the same queryset as the form.
FORA_SEARCH = "fora" + autocomplete.SEARCH_SUFFIX


def _keep_on_form(form: Any, error: DomainError) -> None:
    form.add_error(None, error.message)
    if isinstance(error, PersonalDataFound):
        for name in error.fields:
            if name in form.fields:
                form.add_error(name, _("Fjern personoplysningerne her."))


@access.require(report_access.can_see_reports)
def evaluations(request: HttpRequest) -> HttpResponse:
    """The municipality's evaluations (staff: all, with the response rate; others: those sent
    out) and the user's own open invitations."""
    actor = actor_of(request)
    page, rows = service.evaluations_page(actor, request.GET.get("side"))
    return render(
        request,
        "reports/evaluations.html",
        {
            "page": page,
            "rows": rows,
            "invitations": service.invitations_of(actor),
            "can_manage": report_access.can_manage_evaluations(actor),
        },
    )


def _form_page(
    request: HttpRequest, form: EvaluationForm, evaluation: Evaluation | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "reports/evaluation_form.html",
        {"form": form, "evaluation": evaluation},
        status=status,
    )


@access.require(report_access.can_manage_evaluations)
def evaluation_new(request: HttpRequest) -> HttpResponse:
    """A new evaluation (a draft): title, introduction, deadline and fora. A GET with `fora__q`
    is the fora picker's search."""
    actor = actor_of(request)
    fora = service.fora_for(actor)
    if request.method == "GET" and FORA_SEARCH in request.GET:
        return autocomplete.search_response(request, ForaPicker(queryset=fora))
    search_url = reverse("reports:evaluation_new")
    form = EvaluationNewForm(request.POST or None, fora=fora, search_url=search_url)
    if request.method != "POST" or autocomplete.is_search_step(form):
        return _form_page(request, form, None)
    if form.is_valid():
        try:
            created = service.create_evaluation(
                actor_user=user_of(request), data=form.to_data(), token=form.token()
            )
        except DomainError as error:
            _keep_on_form(form, error)
            return _form_page(request, form, None, error.status_code)
        messages.success(
            request, _("Evalueringen er gemt som kladde. Send den ud, når den er klar.")
        )
        return redirect("reports:evaluation", pk=created.pk)
    return _form_page(request, form, None, INVALID)


@access.require(report_access.can_see_reports)
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """An evaluation: its facts, the questions and, once closed with at least 5 answers, the
    summary (suppressed); comments for staff then; send and close for staff."""
    actor = actor_of(request)
    the_evaluation = service.evaluation_detail(actor, pk)
    can_manage = report_access.can_manage_evaluations(actor)
    result = service.summary(the_evaluation, staff=can_manage)
    return render(
        request,
        "reports/evaluation.html",
        {
            "evaluation": the_evaluation,
            "summary": result,
            "tables": [table_view(table) for table in result.tables],
            "has_suppressed": has_suppressed_cells(result.tables),
            "small": SMALL,
            "hidden": HIDDEN,
            "questions": [question for _key, question in EVALUATION_QUESTIONS],
            "can_manage": can_manage,
            "is_draft": the_evaluation.status == EvaluationStatus.DRAFT,
            "is_open": the_evaluation.status == EvaluationStatus.OPEN,
            "answering_open": service.is_answering_open(the_evaluation),
        },
    )


@access.require(report_access.can_manage_evaluations)
def evaluation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft's title, introduction, deadline and fora (versioned)."""
    actor = actor_of(request)
    the_evaluation = report_access.get_evaluation_for(actor, pk, for_change=True)
    if the_evaluation.status != EvaluationStatus.DRAFT:
        messages.info(request, _("En evaluering kan kun rettes, før den er sendt ud."))
        return redirect("reports:evaluation", pk=pk)
    fora = service.fora_for(actor)
    initial = EvaluationEditForm.initial_for(the_evaluation, service.chosen_fora(the_evaluation))
    search_url = reverse("reports:evaluation_new")
    form = EvaluationEditForm(
        request.POST or None, initial=initial, fora=fora, search_url=search_url
    )
    if request.method != "POST" or autocomplete.is_search_step(form):
        return _form_page(request, form, the_evaluation)
    status = INVALID
    if form.is_valid():
        try:
            service.update_evaluation(
                actor_user=user_of(request),
                evaluation=the_evaluation,
                data=form.to_data(),
                expected_version=form.expected_version(),
            )
        except StaleEdit as stale:
            typed = request.POST.copy()
            typed["version"] = str(stale.version)
            form = EvaluationEditForm(typed, initial=initial, fora=fora, search_url=search_url)
            form.is_valid()
            form.add_error(None, stale.message)
            status = stale.status_code
        except DomainError as error:
            _keep_on_form(form, error)
            status = error.status_code
        else:
            messages.success(request, _("Evalueringen er gemt."))
            return redirect("reports:evaluation", pk=pk)
    return _form_page(request, form, the_evaluation, status)


@require_POST
@access.require(report_access.can_manage_evaluations)
def evaluation_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a draft out (the button asks first); a second send does nothing."""
    the_evaluation = report_access.get_evaluation_for(actor_of(request), pk, for_change=True)
    result = service.send_evaluation(
        actor_user=user_of(request),
        evaluation=the_evaluation,
        base_url=request.build_absolute_uri("/"),
    )
    if result.sent:
        messages.success(
            request,
            _("Evalueringen er sendt ud: %(n)s invitationer til %(people)s personer.")
            % {"n": result.invitations, "people": result.people},
        )
    else:
        messages.info(request, _("Evalueringen var allerede sendt ud."))
    return redirect("reports:evaluation", pk=pk)


@require_POST
@access.require(report_access.can_manage_evaluations)
def evaluation_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an open evaluation (the button asks first); a second close does nothing."""
    the_evaluation = report_access.get_evaluation_for(actor_of(request), pk, for_change=True)
    if service.close_evaluation(actor_user=user_of(request), evaluation=the_evaluation):
        messages.success(request, _("Evalueringen er afsluttet."))
    else:
        messages.info(request, _("Evalueringen var allerede afsluttet."))
    return redirect("reports:evaluation", pk=pk)


@access.require(access.has_access_role)
def evaluation_answer(request: HttpRequest, pk: int, forum_pk: int) -> HttpResponse:
    """A member's answer for one forum (her own open invitation, or 404)."""
    actor = actor_of(request)
    try:
        invitation = report_access.get_invitation_for(actor, pk, forum_pk)
    except Http404:
        if request.method == "POST" and service.has_answered(actor, pk, forum_pk):
            messages.info(request, _("Du har allerede svaret for dette forum."))
            return redirect("reports:evaluations")
        raise
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            try:
                service.answer_evaluation(
                    actor_user=user_of(request),
                    invitation=invitation,
                    answers=form.answers(),
                    comment=form.cleaned_data["comment"],
                )
            except service.AlreadyAnswered as error:
                messages.info(request, error.message)
                return redirect("reports:evaluations")
            except DomainError as error:
                _keep_on_form(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Tak for dit svar. Det er gemt uden dit navn."))
                return redirect("reports:evaluations")
    return render(
        request,
        "reports/evaluation_answer.html",
        {"form": form, "invitation": invitation, "evaluation": invitation.evaluation},
        status=status,
    )
