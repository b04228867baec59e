"""The biennial evaluation (Høje-Taastrup): making it, sending it (one invitation per member and
forum, one mail per person), answering once and anonymously, personal data refused in the
comment, access, closing, the summary's suppression and the annual report's table.

Demo fora: Distrikt Øst's local group has five members with a login (koordinator, laerer,
socialraadgiver, politi, boligsocial), the coordination group three (koordinator,
socialraadgiver, politi)."""

from __future__ import annotations

import random
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
from ssp.reports.suppression import _attack, _Item, _Line, _State, suppress
from ssp.reports.tables import HIDDEN, SMALL, SuppressedTable

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


def answered(
    demo: Municipality,
    users: dict[str, User],
    client_for: Any,
    names: tuple[str, ...],
    **extra: str,
) -> Evaluation:
    evaluation = sent(demo, users, OEST)
    for name in names:
        client_for(name).post(answer_url(evaluation, forum(demo, OEST).pk), ALL_YES | extra)
    return evaluation


def close(evaluation: Evaluation, users: dict[str, User]) -> Evaluation:
    assert evaluations.close_evaluation(actor_user=users["koordinator"], evaluation=evaluation)
    evaluation.refresh_from_db()
    return evaluation


FIVE = ("laerer", "socialraadgiver", "politi", "boligsocial", "koordinator")


def test_nothing_is_published_while_open(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    evaluation = answered(demo, users, client_for, FIVE, comment="Godt")
    staff = evaluations.summary(evaluation, staff=True)
    assert (staff.published, staff.tables, staff.comments) == (False, [], [])
    assert (staff.invited, staff.answered) == (5, 5)
    politician = evaluations.summary(evaluation, staff=False)
    assert (politician.published, politician.answered) == (False, None)
    url = reverse("reports:evaluation", kwargs={"pk": evaluation.pk})
    html = client_for("politiker").get(url).content.decode()
    assert "Resultatet vises, når evalueringen er afsluttet." in html
    assert 'data-testid="evaluation-answered"' not in html
    staff_html = client_for("koordinator").get(url).content.decode()
    assert 'data-testid="evaluation-answered">5<' in staff_html
    assert "Godt" not in staff_html
    body = client_for("politiker").get(f"/api/v1/reports/evaluations/{evaluation.pk}").json()
    assert (body["published"], body["tables"], body["responses"]) == (False, [], "")
    assert evaluations.report_tables(demo.pk, timezone.localdate().year) == []


def test_nothing_is_published_below_five_answers(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    evaluation = close(answered(demo, users, client_for, FIVE[:4], comment="Hemmelig"), users)
    result = evaluations.summary(evaluation, staff=True)
    assert (result.published, result.tables, result.comments) == (False, [], [])
    assert result.responses == SMALL
    url = reverse("reports:evaluation", kwargs={"pk": evaluation.pk})
    html = client_for("koordinator").get(url).content.decode()
    assert "Færre end 5 har svaret" in html and "Hemmelig" not in html
    body = client_for("politiker").get(f"/api/v1/reports/evaluations/{evaluation.pk}").json()
    assert (body["published"], body["tables"], body["responses"]) == (False, [], SMALL)
    assert evaluations.report_tables(demo.pk, timezone.localdate().year) == []


def test_a_closed_evaluation_of_five_publishes_one_answer_table(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    evaluation = close(answered(demo, users, client_for, FIVE), users)
    result = evaluations.summary(evaluation, staff=False)
    assert result.published and result.responses == "5"
    answers, per_forum = result.tables
    assert answers.row_labels == ["Ja", "Delvist", "Nej", "Ved ikke"]
    assert answers.cells == [["5", "5", "5"], ["0", "0", "0"], ["0", "0", "0"], ["0", "0", "0"]]
    assert answers.column_totals == ["5", "5", "5"] and answers.row_totals == []
    assert per_forum.cells == [["5"]] and per_forum.column_totals == ["5"]
    html = (
        client_for("politiker")
        .get(reverse("reports:evaluation", kwargs={"pk": evaluation.pk}))
        .content.decode()
    )
    assert 'data-testid="evaluation-responses">5<' in html
    assert "Lars" not in html and "Berg" not in html  # no names of who answered


def test_comments_are_for_staff_sorted_and_without_forum(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    evaluation = sent(demo, users, OEST)
    oest = forum(demo, OEST)
    texts = {
        "laerer": "Ønsker flere møder",
        "politi": "Alt fungerer",
        "koordinator": "Bedre",
        "socialraadgiver": "",
        "boligsocial": "",
    }
    for name, text in texts.items():
        client_for(name).post(answer_url(evaluation, oest.pk), ALL_YES | {"comment": text})
    close(evaluation, users)
    result = evaluations.summary(evaluation, staff=True)
    assert result.comments == ["Alt fungerer", "Bedre", "Ønsker flere møder"]
    assert evaluations.summary(evaluation, staff=False).comments == []
    url = reverse("reports:evaluation", kwargs={"pk": evaluation.pk})
    staff_page = client_for("koordinator").get(url).content.decode()
    assert "Alt fungerer" in staff_page
    comments = staff_page[staff_page.index('data-testid="evaluation-comments"') :]
    assert oest.name not in comments
    assert "Alt fungerer" not in client_for("politiker").get(url).content.decode()


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


def test_the_list_shows_progress_to_staff_and_the_published_number_when_closed(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    evaluation = answered(demo, users, client_for, FIVE[:3])
    row = next(
        r
        for r in evaluations.evaluations_page(get_actor(users["koordinator"]), None)[1]
        if r.evaluation.pk == evaluation.pk
    )
    assert (row.invited, row.answered, row.responses) == (5, 3, "")
    row = next(
        r
        for r in evaluations.evaluations_page(get_actor(users["politiker"]), None)[1]
        if r.evaluation.pk == evaluation.pk
    )
    assert (row.invited, row.answered, row.responses) == (5, None, "")
    close(evaluation, users)
    row = next(
        r
        for r in evaluations.evaluations_page(get_actor(users["politiker"]), None)[1]
        if r.evaluation.pk == evaluation.pk
    )
    assert (row.answered, row.responses) == (None, SMALL)
    assert client_for("politiker").get(reverse("reports:evaluations")).status_code == 200


def test_the_api_lists_and_summarises_without_comments(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    evaluation = close(answered(demo, users, client_for, FIVE, comment="Hemmelig note"), users)
    client = client_for("politiker")
    listed = client.get("/api/v1/reports/evaluations/").json()
    assert evaluation.pk in [item["id"] for item in listed]
    detail = client.get(f"/api/v1/reports/evaluations/{evaluation.pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert (body["responses"], body["published"], body["invited"]) == ("5", True, 5)
    assert "Hemmelig" not in detail.content.decode()
    assert body["tables"][0]["column_totals"] == ["5", "5", "5"]
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


def test_the_report_table_equals_the_page_table_cell_for_cell(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    evaluation = sent(demo, users, OEST, KOORDINATION)
    oest, koordination = forum(demo, OEST), forum(demo, KOORDINATION)
    partly = ALL_YES | {"meaningful": "partly"}
    for name in ("laerer", "socialraadgiver", "politi", "boligsocial"):
        client_for(name).post(answer_url(evaluation, oest.pk), ALL_YES)
    for name in ("socialraadgiver", "politi"):
        client_for(name).post(answer_url(evaluation, koordination.pk), partly)
    close(evaluation, users)
    page = evaluations.summary(evaluation, staff=False)
    assert page.published and page.responses == "6"
    report = [
        t
        for t in suppress(publication(demo.pk, timezone.localdate().year))
        if t.key == f"evaluation_{evaluation.pk}"
    ]
    assert len(report) == 1
    assert report[0].to_json() == page.tables[0].to_json()
    # Meaningful: 4 yes, 2 partly, both "<5"; with N = 6 each is 2-4: neither is pinned.
    assert page.tables[0].cells == [
        ["6", SMALL, "6"],
        ["0", SMALL, "0"],
        ["0", "0", "0"],
        ["0", "0", "0"],
    ]
    assert page.tables[0].column_totals == ["6", "6", "6"]
    assert [row[0] for row in page.tables[1].cells] == [SMALL, SMALL]
    listed = next(
        r
        for r in evaluations.evaluations_page(get_actor(users["politiker"]), None)[1]
        if r.evaluation.pk == evaluation.pk
    )
    assert listed.responses == page.responses


def test_the_close_rewrites_the_responses_in_random_order(
    demo: Municipality, users: dict[str, User], client_for: Any, monkeypatch: Any
) -> None:
    evaluation = answered(demo, users, client_for, FIVE[:3], comment="")
    client_for("boligsocial").post(
        answer_url(evaluation, forum(demo, OEST).pk), ALL_YES | {"relevant": "no"}
    )

    def content() -> list[tuple[Any, ...]]:
        return sorted(
            EvaluationResponse.objects.filter(evaluation=evaluation).values_list(
                "forum_id", "relevant", "meaningful", "contributing", "comment"
            )
        )

    before_ids = set(
        EvaluationResponse.objects.filter(evaluation=evaluation).values_list("pk", flat=True)
    )
    before = content()
    shuffled: list[int] = []
    real = random.SystemRandom

    class Recording(real):  # type: ignore[misc, valid-type]
        def shuffle(self, x: Any) -> None:
            shuffled.append(len(x))
            super().shuffle(x)

    monkeypatch.setattr(random, "SystemRandom", Recording)
    close(evaluation, users)
    assert shuffled == [4]
    assert content() == before
    after_ids = set(
        EvaluationResponse.objects.filter(evaluation=evaluation).values_list("pk", flat=True)
    )
    assert len(after_ids) == 4 and not after_ids & before_ids
    event = AuditEvent.objects.get(action=AuditAction.EVALUATION_CLOSED)
    assert event.data == {"responses": 4}


def test_an_answer_after_the_close_is_refused_by_the_lock(
    demo: Municipality, users: dict[str, User]
) -> None:
    evaluation = sent(demo, users, OEST)
    invitation = EvaluationInvitation.objects.get(evaluation=evaluation, user=users["laerer"])
    # The invitation was fetched while open; the close commits before the answer's lock.
    close(evaluation, users)
    with pytest.raises(DomainError, match="afsluttet"):
        evaluations.answer_evaluation(
            actor_user=users["laerer"],
            invitation=invitation,
            answers={"relevant": "yes", "meaningful": "yes", "contributing": "yes"},
            comment="",
        )
    assert not EvaluationResponse.objects.filter(evaluation=evaluation).exists()
    invitation.refresh_from_db()
    assert invitation.answered_on is None


def test_a_token_race_on_create_returns_the_winner(
    demo: Municipality, users: dict[str, User], monkeypatch: Any
) -> None:
    token = uuid.uuid4()
    first = evaluations.create_evaluation(
        actor_user=users["koordinator"],
        data=evaluations.EvaluationData(
            title="Først",
            introduction="",
            closes_on=timezone.localdate() + timedelta(days=14),
            fora=[forum(demo, OEST)],
        ),
        token=token,
    )
    # The second post's early look-up ran before the first committed: it saw nothing.
    real_filter = Evaluation.objects.filter
    calls = {"n": 0}

    def racing_filter(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            return Evaluation.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Evaluation.objects, "filter", racing_filter)
    again = make(demo, users, OEST, title="Anden")  # no token: a plain create still works
    assert again.pk != first.pk
    calls["n"] = 0
    second = evaluations.create_evaluation(
        actor_user=users["koordinator"],
        data=evaluations.EvaluationData(
            title="Først",
            introduction="",
            closes_on=timezone.localdate() + timedelta(days=14),
            fora=[forum(demo, OEST)],
        ),
        token=token,
    )
    assert second.pk == first.pk
    assert Evaluation.objects.filter(form_token=token).count() == 1


def test_the_send_queues_the_mails_through_the_worker(
    demo: Municipality,
    users: dict[str, User],
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    queued: list[tuple[Any, ...]] = []

    class Queue:
        @staticmethod
        def enqueue(*args: Any) -> None:
            queued.append(args)

    monkeypatch.setattr(evaluations, "send_email", Queue)
    evaluation = make(demo, users, OEST)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send(evaluation, users)
    assert queued == [] and len(callbacks) == 5  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(queued) == 5 and len(mail.outbox) == 0
    assert all(len(to) == 1 for to, _subject, _body in queued)


# --- The attacker ---------------------------------------------------------------------------


def _published_lines(
    tables: list[SuppressedTable], n: int, cells: list[list[int]], fora: list[int]
) -> tuple[list[_Item], list[_Line]]:
    """Everything a reader knows of a published evaluation as items and lines for the interval
    attacker: the answer table's columns (each cell plus the column total), the per-forum table
    (cells plus total), and that every column total and the per-forum total is N (the list
    publishes N, and everyone answers every question)."""
    items: list[_Item] = []

    def item(text: str, value: int) -> int:
        state = {SMALL: _State.SMALL, HIDDEN: _State.HIDDEN}.get(text, _State.VISIBLE)
        if state == _State.VISIBLE:
            assert int(text) == value
        items.append(_Item(value=value, state=state))
        return len(items) - 1

    lines: list[_Line] = []
    n_item = item(str(n), n)
    answers = tables[0]
    for c in range(3):
        members = tuple(item(answers.cells[r][c], cells[r][c]) for r in range(4))
        total = item(answers.column_totals[c], n)
        lines += [_Line(members=members, total=total), _Line(members=(total,), total=n_item)]
    if len(tables) > 1:
        per_forum = tables[1]
        members = tuple(
            item(row[0], value) for row, value in zip(per_forum.cells, fora, strict=True)
        )
        total = item(per_forum.column_totals[0], n)
        lines += [_Line(members=members, total=total), _Line(members=(total,), total=n_item)]
    return items, lines


def test_no_small_number_can_be_pinned_in_random_small_evaluations() -> None:
    """300 random closed evaluations (1-4 fora, 0-12 answers): the published answer table, the
    per-forum table, the annual report's table and the list's N let an interval attacker pin
    no hidden figure; the report's table equals the page's; nothing is published below 5."""
    generator = random.Random(13)
    published = 0
    for number in range(300):
        fora = [Forum(pk=100 + f, name=f"Forum {f}") for f in range(generator.randint(1, 4))]
        people = generator.randint(0, 12)
        chosen = [
            (generator.choice(fora).pk, [generator.randrange(4) for _ in range(3)])
            for _ in range(people)
        ]
        answers = evaluations._empty_answers()
        per_forum: dict[int, int] = {}
        for forum_pk, picks in chosen:
            per_forum[forum_pk] = per_forum.get(forum_pk, 0) + 1
            for key, pick in zip(evaluations.QUESTION_KEYS, picks, strict=True):
                answers[key][evaluations.ANSWERS[pick].value] += 1
        responses = evaluations.Responses(answers=answers, per_forum=per_forum)
        evaluation = Evaluation(
            pk=number + 1,
            title="Evaluering",
            status=EvaluationStatus.CLOSED,
            closed_at=timezone.now(),
            closes_on=timezone.localdate(),
        )
        tables = evaluations.publication(evaluation, responses, fora)
        open_one = Evaluation(pk=number + 1, title="Evaluering", status=EvaluationStatus.OPEN)
        assert evaluations.publication(open_one, responses, fora) is None
        if people < evaluations.MIN_RESPONSES:
            assert tables is None
            continue
        if tables is None:
            continue  # withheld (a column total had to be hidden): nothing to attack
        published += 1
        (report,) = suppress([evaluations.answer_table(evaluation, responses)])
        assert report.to_json() == tables[0].to_json()
        cells = [
            [answers[key][answer.value] for key in evaluations.QUESTION_KEYS]
            for answer in evaluations.ANSWERS
        ]
        counts = [per_forum.get(forum.pk, 0) for forum in fora]
        items, lines = _published_lines(tables, people, cells, counts)
        assert _attack(items, lines) == [], (number, tables)
    assert published > 100


def test_the_list_page_uses_a_constant_number_of_queries(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    actor = get_actor(users["koordinator"])
    close(answered(demo, users, client_for, FIVE), users)
    with CaptureQueriesContext(connection) as one:
        evaluations.evaluations_page(actor, None)
    close(answered(demo, users, client_for, FIVE[:2]), users)
    sent(demo, users, KOORDINATION)
    with CaptureQueriesContext(connection) as three:
        _page, rows = evaluations.evaluations_page(actor, None)
    assert len(three.captured_queries) == len(one.captured_queries)
    assert [row.responses for row in rows[:3]] == ["", SMALL, "5"]
