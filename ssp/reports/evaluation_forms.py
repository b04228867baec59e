"""The evaluation's forms: a new evaluation and a draft's changes (title, introduction,
deadline, the fora as a searched picker), and a member's answer (radio buttons per question and
an optional comment)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ssp.autocomplete import AutocompleteMultipleChoiceField
from ssp.forms import DATE_WIDGET, OneTimeTokenMixin, StyledForm, VersionedFormMixin, set_picker
from ssp.organisation.models import Forum
from ssp.reports.evaluations import FORA_MAX, EvaluationData, latest_closing_day
from ssp.reports.models import (
    EVALUATION_QUESTIONS,
    EVALUATION_TEXT_MAX,
    EVALUATION_TITLE_MAX,
    Evaluation,
    EvaluationAnswer,
)


class ForaPicker(AutocompleteMultipleChoiceField):
    """Several fora, found by name (a municipality may have hundreds)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("search_fields", ("name",))
        super().__init__(*args, **kwargs)


class EvaluationForm(StyledForm):
    title = forms.CharField(label=_("Titel"), max_length=EVALUATION_TITLE_MAX)
    introduction = forms.CharField(
        label=_("Indledning"),
        help_text=_(
            "Vises øverst i spørgeskemaet. Skriv om forummernes opgaver, aldrig om personer."
        ),
        required=False,
        max_length=EVALUATION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    closes_on = forms.DateField(
        label=_("Svarfrist"),
        help_text=_("Efter i dag og højst et år frem."),
        widget=DATE_WIDGET,
    )
    fora = ForaPicker(label=_("Fora"), queryset=Forum.objects.none())

    def __init__(self, *args: Any, fora: QuerySet[Forum], search_url: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_picker(self, "fora", fora, search_url)
        self.fields["fora"].help_text = _(
            "Medlemmerne af de valgte fora inviteres (højst %(n)s fora)."
        ) % {"n": FORA_MAX}
        self.fields["closes_on"].widget.attrs["max"] = latest_closing_day().isoformat()

    def clean_fora(self) -> list[Forum]:
        chosen = list(self.cleaned_data.get("fora") or [])
        if len(chosen) > FORA_MAX:
            raise forms.ValidationError(_("Vælg højst %(n)s fora.") % {"n": FORA_MAX})
        return chosen

    def to_data(self) -> EvaluationData:
        return EvaluationData(
            title=self.cleaned_data["title"],
            introduction=self.cleaned_data["introduction"],
            closes_on=self.cleaned_data["closes_on"],
            fora=list(self.cleaned_data["fora"]),
        )


class EvaluationNewForm(OneTimeTokenMixin, EvaluationForm):
    """A new evaluation: a double click makes one draft."""


class EvaluationEditForm(VersionedFormMixin, EvaluationForm):
    @staticmethod
    def initial_for(evaluation: Evaluation, fora: list[Forum]) -> dict[str, Any]:
        return {
            "title": evaluation.title,
            "introduction": evaluation.introduction,
            "closes_on": evaluation.closes_on,
            "fora": [forum.pk for forum in fora],
            "version": evaluation.version,
        }


class AnswerForm(StyledForm):
    """One radio group per question of `EVALUATION_QUESTIONS` and an optional comment.

    No one-time token: the invitation itself is the token (`answer_evaluation` marks it
    answered with a conditional UPDATE, so a second post of the form counts once)."""

    comment = forms.CharField(
        label=_("Kommentar (frivillig)"),
        help_text=_(
            "Vises for SSP-medarbejderne uden dit navn. Skriv ikke navne, CPR-numre, "
            "telefonnumre eller andet om personer."
        ),
        required=False,
        max_length=EVALUATION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        questions = {
            key: forms.ChoiceField(
                label=question,
                choices=EvaluationAnswer.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Vælg et svar.")},
            )
            for key, question in EVALUATION_QUESTIONS
        }
        self.fields = {**questions, **self.fields}

    def answers(self) -> dict[str, str]:
        return {key: str(self.cleaned_data[key]) for key, _question in EVALUATION_QUESTIONS}
