"""Approved minutes along the forum's configured lines (R6, issue 14).

Up to the forum it reports to (`Forum.parent`, `services.forward_minutes`), down or up to the
fora its `ForwardingLine`s name (Høje-Taastrup: the Kredsråd's minutes go down to the
Lokalråd) as orientation without closed items, when the minutes are approved; and by e-mail to
recipients outside the platform (the city council, the police management) with the public PDF
attached — the protocol's public items only, never a closed item's content — only once the
approved minutes are also PUBLISHED, that is, have passed the publication check
(`services.publication_findings`, what `services.publish` refuses on): `forward_external`,
called when the publication succeeds (and at the approval of minutes published before).

Each line is served once per meeting: a `ForwardedMinutes` row per forum and a `MinutesMailed`
row per external line (unique), claimed inside the approving or publishing transaction under
the meeting's lock; the e-mail goes out through the task worker after the commit, so a repeat
sends nothing again. The worker renders the PDF from the public agenda at the moment it sends,
under the meeting's lock, and sends nothing when the meeting is no longer approved and
published (a later edit took it down): it then releases the claim, so the next publication
sends the version published then.
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
    """Send approved minutes along the forum's lines to other fora (besides the line up to its
    parent), and outside the platform when they are published already (`forward_external`);
    returns how many lines were served now (0 on a repeat). Runs inside the approval's
    transaction: the rows are the claims, the e-mails leave after the commit."""
    if meeting.approved_at is None:
        return 0
    served = 0
    lines = (
        ForwardingLine.objects.filter(forum_id=meeting.forum_id)
        .exclude(direction=ForwardDirection.EXTERNAL)
        .select_related("to_forum")
    )
    for line in lines.order_by("pk"):
        if line.to_forum is None or line.to_forum.dissolved_at is not None:
            continue
        _forward, created = ForwardedMinutes.objects.get_or_create(
            meeting=meeting, to_forum=line.to_forum
        )
        if created:
            served += 1
            _audit(actor_user, AuditAction.MINUTES_FORWARDED, meeting, to_forum=line.to_forum.pk)
    return served + forward_external(meeting, actor_user=actor_user)


def _publicly_approved(meeting_id: int) -> bool:
    return Meeting.objects.filter(
        pk=meeting_id, approved_at__isnull=False, published_at__isnull=False
    ).exists()


def forward_external(meeting: Meeting, *, actor_user: User | None = None) -> int:
    """Claim the e-mail of the approved, published minutes to each recipient outside the
    platform (the forum's external lines), once per line; the task worker sends it after the
    commit. Nothing while the minutes are not both approved and published, or while their
    public items fail the publication check. Call inside the publishing (or approving)
    transaction, under the meeting's lock. Returns how many lines were claimed now."""
    if not _publicly_approved(meeting.pk):
        return 0
    # services imports this module (the approval's forwarding): import it when called.
    from ssp.meetings import services

    if services.publication_findings(meeting):
        return 0
    served = 0
    lines = ForwardingLine.objects.filter(
        forum_id=meeting.forum_id, direction=ForwardDirection.EXTERNAL
    )
    for line in lines.order_by("pk"):
        mailed, created = MinutesMailed.objects.get_or_create(
            meeting=meeting, line=line, defaults={"recipient_name": line.recipient_name}
        )
        if created:
            served += 1
            transaction.on_commit(partial(send_minutes_mail.enqueue, mailed.pk))
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
    """The task worker's job: send one `MinutesMailed`, with the PDF of the public agenda as it
    is now. Under the meeting's row lock it checks that the minutes are still approved and
    published; if not (a later edit voided the approval or took the publication down), it
    sends nothing and releases the claim, so the next publication sends again. A removed line
    has no address: nothing is sent."""
    with transaction.atomic():
        mailed = MinutesMailed.objects.select_related("line").filter(pk=mailed_id).first()
        if mailed is None or mailed.line is None:
            return 0
        meeting = (
            # Only the meeting's row: a Kredsråd has no municipality (an outer join PostgreSQL
            # cannot lock).
            Meeting.objects.select_for_update(of=("self",))
            .select_related("forum")
            .filter(pk=mailed.meeting_id, approved_at__isnull=False, published_at__isnull=False)
            .first()
        )
        if meeting is None:
            mailed.delete()
            return 0
        mailed.meeting = meeting
        message = minutes_message(mailed)
    sent = message.send()
    if sent:
        _audit(None, AuditAction.MINUTES_MAILED, meeting, line=mailed.line.pk)
    return sent
