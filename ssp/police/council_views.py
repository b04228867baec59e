"""Issue 16: a network council's invitations: e-mail to the professionals, a letter (PDF) for
the family."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ssp import access
from ssp.errors import DomainError
from ssp.http import PDF, actor_of, file_response, user_of
from ssp.police import access as police_access
from ssp.police import council_invitations, forms
from ssp.police.models import NetworkCouncil
from ssp.templatetags.ssp_dates import dato_tid

INVALID = 400


def invitation_context(
    request: HttpRequest,
    council: NetworkCouncil,
    invite_form: forms.CouncilInviteForm | None = None,
) -> dict[str, Any]:
    """What the council page shows about its invitations: whether and when they were sent,
    the button (for those who may send them) and the professionals without an e-mail."""
    may_invite = police_access.can_send_council_invitations(actor_of(request))
    if invite_form is None and may_invite and council.invitations_sent_at is None:
        invite_form = forms.CouncilInviteForm(needs_place=not council.place)
    return {
        "may_invite": may_invite,
        "invite_form": invite_form,
        "without_email": council_invitations.professionals_without_email(council),
    }


@require_POST
@access.require(police_access.can_send_council_invitations)
def council_invite(request: HttpRequest, pk: int) -> HttpResponse:
    council = police_access.get_council_for(actor_of(request), pk)
    form = forms.CouncilInviteForm(request.POST, needs_place=not council.place)
    if form.is_valid():
        try:
            result = council_invitations.send_invitations(
                actor_user=user_of(request),
                council=council,
                place=form.cleaned_data.get("place", ""),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if not result.sent:
                messages.info(
                    request,
                    _("Invitationerne er allerede sendt %(when)s. Der er ikke sendt nye.")
                    % {"when": dato_tid(result.sent_at) if result.sent_at else ""},
                )
            else:
                messages.success(
                    request,
                    _("Invitationerne er sendt: %(n)s e-mail(s) til fagpersonerne.")
                    % {"n": result.emails},
                )
            return redirect("police:council", pk=pk)
    return render(
        request,
        "police/council_detail.html",
        {
            "council": council,
            "form": forms.HeldForm(initial={"held_on": timezone.localdate()}),
            **invitation_context(request, council, form),
        },
        status=INVALID,
    )


@require_GET
@access.require(police_access.can_send_council_invitations)
def council_letter(request: HttpRequest, pk: int) -> HttpResponse:
    council = police_access.get_council_for(actor_of(request), pk)
    content = council_invitations.render_letter(council)
    council_invitations.record_letter_printed(actor_user=user_of(request), council=council)
    return file_response(
        content, content_type=PDF, filename=council_invitations.letter_filename(council)
    )
