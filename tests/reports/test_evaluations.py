"""The biennial evaluation (Høje-Taastrup): making it, sending it (one invitation per member and
forum, one mail per person), answering once and anonymously, personal data refused in the
comment, access, closing, the summary's suppression and the annual report's table.

Demo fora: Distrikt Øst's local group has five members with a login (koordinator, laerer,
socialraadgiver, politi, boligsocial), the coordination group three (koordinator,
socialraadgiver, politi)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ssp.access import get_actor
from ssp.audit.models import AuditAction, AuditEvent
from ssp.errors import DomainError
from ssp.organisation.models import Forum, ForumType, Municipality
from ssp.reports import evaluations
from ssp.reports.demo_evaluation import seed_evaluation
from ssp.reports.figures import publication
from ssp.reports.models import (
    Evaluation,
    EvaluationInvitation,
    EvaluationResponse,
    EvaluationStatus,
)
from ssp.reports.suppression import suppress
from ssp.reports.tables import SMALL

pytestmark = pytest.mark.django_db

OEST = "lokal-ssp-oest"
KOORDINATION = "koordinationsgruppe"
CPR_LIKE = re.compile(r"\d{6}-?\d{4}")


def forum(demo: Municipality, key: str) -> Forum:
    return Forum.objects.get(municipality=demo, key=key)


def make(demo: Municipality, users: dict[str, User], *keys: str, title: str = "") -> Evaluation:
    return evaluations.create_evaluation(
        actor_user=users["koordinator"],
        data=evaluations.EvaluationData(
            title=title or "Evaluering af opgaverne i de valgte fora",
            introduction="Tre korte spørgsmål om jeres opgaver.",
            closes_on=timezone.localdate() + timedelta(days=14),
            fora=[forum(demo, key) for key in keys or (OEST,)],
        ),
    )


def send(evaluation: Evaluation, users: dict[str, User]) -> evaluations.SendResult:
    return evaluations.send_evaluation(
        actor_user=users["koordinator"], evaluation=evaluation, base_url="https://ssp.example/"
    )


def sent(demo: Municipality, users: dict[str, User], *keys: str) -> Evaluation:
    evaluation = make(demo, users, *keys)
    send(evaluation, users)
    evaluation.refresh_from_db()
    return evaluation


def answer_url(evaluation: Evaluation, forum_pk: int) -> str:
    return reverse("reports:evaluation_answer", kwargs={"pk": evaluation.pk, "forum_pk": forum_pk})


ALL_YES = {"relevant": "yes", "meaningful": "yes", "contributing": "yes", "comment": ""}


# --- Create and send ------------------------------------------------------------------------


def test_it_sends_one_invitation_per_member_and_forum_and_one_mail_per_person(
    demo: Municipality, users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    evaluation = make(demo, users, OEST, KOORDINATION)
    with django_capture_on_commit_callbacks(execute=True):
        result = send(evaluation, users)
    assert (result.sent, result.invitations, result.people) == (True, 8, 5)
    assert EvaluationInvitation.objects.filter(evaluation=evaluation).count() == 8
    assert len(mail.outbox) == 5
    to_coordinator = next(m for m in mail.outbox if m.to == ["koordinator@aadal.invalid"])
    assert "Evaluering af opgaverne i de valgte fora" in to_coordinator.subject
    body = to_coordinator.body
    assert forum(demo, OEST).name in body and forum(demo, KOORDINATION).name in body
    assert answer_url(evaluation, forum(demo, OEST).pk) in body
    for message in mail.outbox:
        assert not CPR_LIKE.search(str(message.body))
        assert "Mette" not in message.body  # no names, not even the coordinator's
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.OPEN and evaluation.sent_at is not None
    event = AuditEvent.objects.get(action=AuditAction.EVALUATION_SENT)
    assert event.data == {"invitations": 8, "people": 5, "mails": 5}


def test_a_second_send_does_nothing(
    demo: Municipality, users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    evaluation = sent(demo, users, OEST)
    with django_capture_on_commit_callbacks(execute=True):
        again = send(evaluation, users)
    assert again.sent is False
    assert len(mail.outbox) == 0
    assert EvaluationInvitation.objects.filter(evaluation=evaluation).count() == 5
    assert AuditEvent.objects.filter(action=AuditAction.EVALUATION_SENT).count() == 1


def test_the_pages_create_edit_and_send(
    demo: Municipality, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("koordinator")
    oest = forum(demo, OEST)
    closes_on = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(
        reverse("reports:evaluation_new"),
        {"title": "Evaluering 2026", "introduction": "", "closes_on": closes_on, "fora": [oest.pk]},
    )
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(title="Evaluering 2026")
    assert list(evaluation.fora.all()) == [oest]
    edit = reverse("reports:evaluation_edit", kwargs={"pk": evaluation.pk})
    stale = client.post(
        edit,
        {"title": "Ny titel", "closes_on": closes_on, "fora": [oest.pk], "version": 99},
    )
    assert stale.status_code == 409
    assert "Ny titel" in stale.content.decode()  # the input is kept
    saved = client.post(
        edit,
        {
            "title": "Ny titel",
            "closes_on": closes_on,
            "fora": [oest.pk],
            "version": evaluation.version,
        },
    )
    assert saved.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:evaluation_send", kwargs={"pk": evaluation.pk}))
    assert len(mail.outbox) == 5
    assert client.get(edit).status_code == 302  # no edit once sent


def test_a_double_click_on_new_makes_one_draft(demo: Municipality, client_for: Any) -> None:
    client = client_for("koordinator")
    data = {
        "title": "Dobbeltklik",
        "closes_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "fora": [forum(demo, OEST).pk],
        "form_token": str(uuid.uuid4()),
    }
    first = client.post(reverse("reports:evaluation_new"), data)
    second = client.post(reverse("reports:evaluation_new"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Evaluation.objects.filter(title="Dobbeltklik").count() == 1


def test_it_refuses_a_deadline_in_the_past_and_an_ad_hoc_group(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    oest = forum(demo, OEST)
    data = evaluations.EvaluationData(
        title="Evaluering",
        introduction="",
        closes_on=timezone.localdate() - timedelta(days=1),
        fora=[oest],
    )
    with pytest.raises(DomainError, match="Svarfristen"):
        evaluations.create_evaluation(actor_user=users["koordinator"], data=data)
    adhoc = Forum.objects.filter(forum_type=ForumType.ADHOC, municipality=demo).first()
    if adhoc is not None:
        response = client_for("koordinator").post(
            reverse("reports:evaluation_new"),
            {
                "title": "Evaluering",
                "closes_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
                "fora": [adhoc.pk],
            },
        )
        assert response.status_code == 400
        assert not Evaluation.objects.filter(title="Evaluering").exists()


def test_the_fora_picker_searches_standing_fora(demo: Municipality, client_for: Any) -> None:
    oest = forum(demo, OEST)
    response = client_for("koordinator").get(
        reverse("reports:evaluation_new"), {"fora__q": oest.name[:6], "multiple": "1"}
    )
    assert response.status_code == 200
    assert oest.name in response.content.decode()


def test_an_employee_cannot_create(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    assert client_for("laerer").get(reverse("reports:evaluation_new")).status_code == 403
    with pytest.raises(DomainError):
        evaluations.create_evaluation(
            actor_user=users["laerer"],
            data=evaluations.EvaluationData(
                title="x",
                introduction="",
                closes_on=timezone.localdate() + timedelta(days=3),
                fora=[forum(demo, OEST)],
            ),
        )


# --- Answering ------------------------------------------------------------------------------


def test_an_answer_counts_once(demo: Municipality, users: dict[str, User], client_for: Any) -> None:
    evaluation = sent(demo, users, OEST)
    oest = forum(demo, OEST)
    client = client_for("laerer")
    page = client.get(answer_url(evaluation, oest.pk))
    assert page.status_code == 200
    assert 'type="radio"' in page.content.decode()
    first = client.post(answer_url(evaluation, oest.pk), ALL_YES)
    assert first.status_code == 302
    second = client.post(answer_url(evaluation, oest.pk), ALL_YES)
    assert second.status_code == 302  # the receipt again, not a second answer
    assert EvaluationResponse.objects.filter(evaluation=evaluation).count() == 1
    invitation = EvaluationInvitation.objects.get(evaluation=evaluation, user=users["laerer"])
    assert invitation.answered_on == timezone.localdate()
    # The invitation is gone from the list and the answer form.
    assert client.get(answer_url(evaluation, oest.pk)).status_code == 404
    listing = client.get(reverse("reports:evaluations")).content.decode()
    assert 'data-testid="evaluation-invitation"' not in listing


def test_the_service_refuses_a_second_answer(demo: Municipality, users: dict[str, User]) -> None:
    evaluation = sent(demo, users, OEST)
    invitation = EvaluationInvitation.objects.get(evaluation=evaluation, user=users["laerer"])
    answers = {"relevant": "yes", "meaningful": "no", "contributing": "partly"}
    evaluations.answer_evaluation(
        actor_user=users["laerer"], invitation=invitation, answers=answers, comment=""
    )
    with pytest.raises(evaluations.AlreadyAnswered):
        evaluations.answer_evaluation(
            actor_user=users["laerer"], invitation=invitation, answers=answers, comment=""
        )
    assert EvaluationResponse.objects.filter(evaluation=evaluation).count() == 1


def test_an_answer_is_anonymous(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    evaluation = sent(demo, users, OEST)
    names = {f.name for f in EvaluationResponse._meta.get_fields()}
    assert not names & {"user", "invitation", "created_at", "answered_at"}
    client = client_for("laerer")  # logging in is audited; answering is not
    events = AuditEvent.objects.count()
    client.post(answer_url(evaluation, forum(demo, OEST).pk), ALL_YES)
    assert EvaluationResponse.objects.filter(evaluation=evaluation).count() == 1
    assert AuditEvent.objects.count() == events  # not audited: it would link person and answer


def test_the_summary_of_three_answers_shows_small_numbers(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    evaluation = sent(demo, users, OEST)
    oest = forum(demo, OEST)
    for name in ("laerer", "socialraadgiver", "politi"):
        client_for(name).post(answer_url(evaluation, oest.pk), ALL_YES)
    result = evaluations.summary(evaluation, with_comments=True)
    assert result.responses == SMALL
    relevant = result.tables[0]
    assert relevant.cells == [[SMALL, "0", "0", "0"]]
    assert relevant.grand_total == SMALL
    rate = result.tables[-1]
    assert rate.cells == [["5", SMALL]]
    page = client_for("politiker").get(reverse("reports:evaluation", kwargs={"pk": evaluation.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "&lt;5" in html
    assert "Lars" not in html and "Berg" not in html  # no names of who answered


def test_comments_are_sorted_for_staff_and_name_the_forum_from_five_answers(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    evaluation = sent(demo, users, OEST)
    oest = forum(demo, OEST)
    texts = {"laerer": "Ønsker flere møder", "politi": "Alt fungerer", "koordinator": "Bedre"}
    for name, text in texts.items():
        client_for(name).post(answer_url(evaluation, oest.pk), ALL_YES | {"comment": text})
    result = evaluations.summary(evaluation, with_comments=True)
    assert [c.text for c in result.comments] == ["Alt fungerer", "Bedre", "Ønsker flere møder"]
    assert {c.forum for c in result.comments} == {""}  # three answers: no forum named
    for name in ("socialraadgiver", "boligsocial"):
        client_for(name).post(answer_url(evaluation, oest.pk), ALL_YES | {"comment": "Godt"})
    result = evaluations.summary(evaluation, with_comments=True)
    assert {c.forum for c in result.comments} == {oest.name}
    staff_page = client_for("koordinator").get(
        reverse("reports:evaluation", kwargs={"pk": evaluation.pk})
    )
    assert "Alt fungerer" in staff_page.content.decode()
    politician_page = client_for("politiker").get(
        reverse("reports:evaluation", kwargs={"pk": evaluation.pk})
    )
    assert "Alt fungerer" not in politician_page.content.decode()


def test_a_comment_with_a_cpr_number_is_refused_and_kept(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    evaluation = sent(demo, users, OEST)
    comment = "Tal med drengen 010203-1234 om det"
    response = client_for("laerer").post(
        answer_url(evaluation, forum(demo, OEST).pk), ALL_YES | {"comment": comment}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "personoplysninger" in html
    assert comment in html  # kept on the form for the user to correct
    assert not EvaluationResponse.objects.filter(evaluation=evaluation).exists()
    assert not EvaluationInvitation.objects.filter(
        evaluation=evaluation, answered_on__isnull=False
    ).exists()


# --- Access ---------------------------------------------------------------------------------


def test_who_is_not_invited_cannot_answer(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    evaluation = sent(demo, users, OEST)
    url = answer_url(evaluation, forum(demo, OEST).pk)
    assert client_for("politiker").get(url).status_code == 404
    assert client_for("politiker").post(url, ALL_YES).status_code == 404
    # Invited for Øst, not for the coordination group.
    other = answer_url(evaluation, forum(demo, KOORDINATION).pk)
    assert client_for("laerer").get(other).status_code == 404
    assert not EvaluationResponse.objects.filter(evaluation=evaluation).exists()


def test_a_draft_is_for_staff_only(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    evaluation = make(demo, users, OEST)
    url = reverse("reports:evaluation", kwargs={"pk": evaluation.pk})
    assert client_for("koordinator").get(url).status_code == 200
    assert client_for("politiker").get(url).status_code == 404
    listing = client_for("politiker").get(reverse("reports:evaluations")).content.decode()
    assert evaluation.title not in listing


def test_closing_stops_answers(demo: Municipality, users: dict[str, User], client_for: Any) -> None:
    evaluation = sent(demo, users, OEST)
    invitation = EvaluationInvitation.objects.get(evaluation=evaluation, user=users["laerer"])
    assert evaluations.close_evaluation(actor_user=users["koordinator"], evaluation=evaluation)
    assert not evaluations.close_evaluation(actor_user=users["koordinator"], evaluation=evaluation)
    assert client_for("laerer").get(answer_url(evaluation, invitation.forum_id)).status_code == 404
    with pytest.raises(DomainError, match="afsluttet"):
        evaluations.answer_evaluation(
            actor_user=users["laerer"],
            invitation=invitation,
            answers={"relevant": "yes", "meaningful": "yes", "contributing": "yes"},
            comment="",
        )
    assert AuditEvent.objects.filter(action=AuditAction.EVALUATION_CLOSED).count() == 1


def test_an_open_evaluation_past_its_deadline_takes_no_answers(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    evaluation = sent(demo, users, OEST)
    Evaluation.objects.filter(pk=evaluation.pk).update(
        closes_on=timezone.localdate() - timedelta(days=1)
    )
    url = answer_url(evaluation, forum(demo, OEST).pk)
    assert client_for("laerer").post(url, ALL_YES).status_code == 404
    assert evaluations.invitations_of(get_actor(users["laerer"])) == []


# --- Start page, list, API ------------------------------------------------------------------


def test_the_start_page_names_the_open_invitation(
    demo: Municipality, users: dict[str, User], client_for: Any, django_assert_num_queries: Any
) -> None:
    evaluation = sent(demo, users, OEST)
    actor = get_actor(users["laerer"])
    with django_assert_num_queries(1):
        invitations = evaluations.invitations_of(actor)
    assert [i.evaluation_id for i in invitations] == [evaluation.pk]
    html = client_for("laerer").get(reverse("home")).content.decode()
    assert "Du er inviteret til at svare på evalueringen" in html
    assert answer_url(evaluation, forum(demo, OEST).pk) in html
    assert "Du er inviteret til at svare" not in (
        client_for("politiker").get(reverse("home")).content.decode()
    )


def test_the_list_shows_the_response_rate_to_staff(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    evaluation = sent(demo, users, OEST)
    for name in ("laerer", "socialraadgiver", "politi", "boligsocial", "koordinator"):
        client_for(name).post(answer_url(evaluation, forum(demo, OEST).pk), ALL_YES)
    actor = get_actor(users["koordinator"])
    _page, rows = evaluations.evaluations_page(actor, None)
    row = next(r for r in rows if r.evaluation.pk == evaluation.pk)
    assert (row.invited, row.answered) == ("5", "5")
    assert client_for("politiker").get(reverse("reports:evaluations")).status_code == 200


def test_the_api_lists_and_summarises_without_comments(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    evaluation = sent(demo, users, OEST)
    client_for("laerer").post(
        answer_url(evaluation, forum(demo, OEST).pk), ALL_YES | {"comment": "Hemmelig note"}
    )
    client = client_for("politiker")
    listed = client.get("/api/v1/reports/evaluations/").json()
    assert evaluation.pk in [item["id"] for item in listed]
    detail = client.get(f"/api/v1/reports/evaluations/{evaluation.pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["responses"] == SMALL
    assert "Hemmelig" not in detail.content.decode()
    assert body["tables"][0]["cells"] == [[SMALL, "0", "0", "0"]]
    draft = make(demo, users, OEST, title="Kladde")
    assert client.get(f"/api/v1/reports/evaluations/{draft.pk}").status_code == 404


# --- The annual report ----------------------------------------------------------------------


def test_the_report_has_a_table_per_closed_evaluation(demo: Municipality) -> None:
    evaluation = seed_evaluation(demo) or Evaluation.objects.get(title__startswith="Evaluering af")
    year = timezone.localdate().year - 1
    tables = [t for t in publication(demo.pk, year) if t.key == f"evaluation_{evaluation.pk}"]
    assert len(tables) == 1
    table = tables[0]
    assert table.counts_people
    # Demo answers: Øst's first four members (of five), the coordination group's first two (of
    # three): relevant yes 5, partly 1; meaningful yes 4, partly 2; contributing yes 3,
    # partly 1, unknown 1 ... (see DEMO_ANSWERS).
    assert table.row_labels == ["Ja", "Delvist", "Nej", "Ved ikke"]
    assert [sum(row[c] for row in table.cells) for c in range(3)] == [6, 6, 6]
    assert table.cells == [[5, 4, 4], [1, 2, 1], [0, 0, 0], [0, 0, 1]]
    (published,) = suppress([table])
    assert published.cells[1][0] == SMALL
    assert published.column_totals == ["6", "6", "6"]
    # Not closed in the year: not in the report.
    assert [t for t in publication(demo.pk, year - 1) if t.key.startswith("evaluation_")] == []
