"""Approved minutes along the forum's configured lines (R6, issue 14).

Up to the forum it reports to (`Forum.parent`, `services.forward_minutes`), down or up to the
fora its `ForwardingLine`s name (Høje-Taastrup: the Kredsråd's minutes go down to the
Lokalråd) as orientation without closed items, and by e-mail to recipients outside the
platform (the city council, the police management) with the public PDF attached: the
protocol's public items only, never a closed item's content.

Each line is served once per meeting: a `ForwardedMinutes` row per forum and a `MinutesMailed`
row per external line (unique), claimed inside the approval's transaction; the e-mail goes
out through the task worker after the commit, so a repeat approval sends nothing again.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.meetings import pdf, selectors
from ssp.meetings.access import Mode
from ssp.meetings.models import ForwardedMinutes, Meeting, MinutesMailed
from ssp.organisation.models import ForwardDirection, ForwardingLine
from ssp.templatetags.ssp_dates import dato_tid


def _audit(actor_user: User | None, action: AuditAction, meeting: Meeting, **data: int) -> None:
    record_event(
        actor=actor_user,
        action=action,
        obj=meeting,
        municipality_id=meeting.forum.municipality_id,
        data=data,
    )


def forward_along_lines(*, actor_user: User | None, meeting: Meeting) -> int:
    """Send approved minutes along the forum's lines (besides the line up to its parent);
    returns how many lines were served now (0 on a repeat). Runs inside the approval's
    transaction: the rows are the claims, the e-mails leave after the commit."""
    if meeting.approved_at is None:
        return 0
    served = 0
    lines = ForwardingLine.objects.filter(forum_id=meeting.forum_id).select_related("to_forum")
    for line in lines.order_by("pk"):
        if line.direction == ForwardDirection.EXTERNAL:
            mailed, created = MinutesMailed.objects.get_or_create(
                meeting=meeting, line=line, defaults={"recipient_name": line.recipient_name}
            )
            if created:
                served += 1
                _audit(actor_user, AuditAction.MINUTES_MAILED, meeting, line=line.pk)
                transaction.on_commit(partial(send_minutes_mail.enqueue, mailed.pk))
        elif line.to_forum is not None and line.to_forum.dissolved_at is None:
            _forward, created = ForwardedMinutes.objects.get_or_create(
                meeting=meeting, to_forum=line.to_forum
            )
            if created:
                served += 1
                _audit(
                    actor_user, AuditAction.MINUTES_FORWARDED, meeting, to_forum=line.to_forum.pk
                )
    return served


def minutes_message(mailed: MinutesMailed) -> EmailMessage:
    """The e-mail to a recipient outside the platform: a short Danish text naming the forum
    and the meeting's date, and the public protocol as PDF (public items only)."""
    meeting = mailed.meeting
    line = mailed.line
    if line is None:
        raise ValueError("the line has been removed: no address")
    with translation.override(settings.LANGUAGE_CODE):
        when = dato_tid(meeting.starts_at)
        subject = _("Referat: %(forum)s %(when)s") % {"forum": meeting.forum.name, "when": when}
        body = _(
            "Til %(recipient)s\n\n"
            "Hermed til orientering det godkendte referat fra %(forum)s' møde %(when)s.\n"
            "Referatet er vedhæftet som PDF og indeholder mødets offentlige punkter.\n\n"
            "Med venlig hilsen\n%(forum)s\n"
        ) % {"recipient": mailed.recipient_name, "forum": meeting.forum.name, "when": when}
        content = pdf.render_meeting(
            meeting=meeting,
            items=selectors.agenda_for(None, meeting, Mode.PUBLIC),
            public=True,
        )
    message = EmailMessage(subject, body, None, [line.recipient_email])
    message.attach(f"referat-{meeting.pk}.pdf", content, "application/pdf")
    return message


@task()
def send_minutes_mail(mailed_id: int) -> int:
    """The task worker's job: send one `MinutesMailed` (its line may have been removed since:
    then there is no address, and nothing is sent)."""
    mailed = (
        MinutesMailed.objects.select_related("meeting__forum", "line")
        .filter(pk=mailed_id, line__isnull=False)
        .first()
    )
    if mailed is None:
        return 0
    return minutes_message(mailed).send()
