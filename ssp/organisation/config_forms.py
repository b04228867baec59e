"""Issue 16: the forms of the municipality's configuration pages. They validate input and build
the services' data; the services (`ssp.organisation.configuration`, `ssp.cases.legal_bases`)
check the rules again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ssp.cases.legal_bases import LegalBasisData
from ssp.cases.models import LegalBasis
from ssp.forms import (
    ForumPicker,
    StyledForm,
    VersionedFormMixin,
    bound_field_limits,
    set_picker,
)
from ssp.organisation import configuration as conf
from ssp.organisation.models import Forum, ForumType, Municipality, StandingItem
from ssp.validation import max_length_of

WEEKDAYS = (
    ("", _("Ingen fast ugedag")),
    ("0", _("Mandag")),
    ("1", _("Tirsdag")),
    ("2", _("Onsdag")),
    ("3", _("Torsdag")),
    ("4", _("Fredag")),
    ("5", _("Lørdag")),
    ("6", _("Søndag")),
)


def _int(label: Any, low: int, high: int, *, required: bool = True, help_text: Any = "") -> Any:
    return forms.IntegerField(
        label=label, min_value=low, max_value=high, required=required, help_text=help_text
    )


class RulesForm(StyledForm, VersionedFormMixin):
    target_age_min = _int(_("Målgruppe, fra alder"), conf.AGE_MIN, conf.AGE_MAX)
    target_age_max = _int(_("Målgruppe, til alder"), conf.AGE_MIN, conf.AGE_MAX)
    ssp_plus_age_min = _int(
        _("SSP+, fra alder"),
        conf.SSP_PLUS_AGE_MIN,
        conf.SSP_PLUS_AGE_MAX,
        required=False,
        help_text=_("Udfyld begge SSP+ aldre, eller lad begge være tomme."),
    )
    ssp_plus_age_max = _int(
        _("SSP+, til alder"), conf.SSP_PLUS_AGE_MIN, conf.SSP_PLUS_AGE_MAX, required=False
    )
    family_meeting_deadline_days = _int(
        _("Frist for møde med familien (dage)"),
        1,
        conf.FAMILY_MEETING_DAYS_MAX,
        help_text=_("Fra politiets anmeldelse er fremlagt i SSP-teamet. 1-30 dage."),
    )
    network_council_deadline_days = forms.IntegerField(
        label=_("Frist for netværkssamråd (dage)"),
        min_value=1,
        max_value=conf.STATUTORY_NETWORK_COUNCIL_DAYS,
        help_text=_(
            "Loven kræver netværkssamråd senest 7 dage efter, at politiet har sendt "
            "oplysningerne; fristen kan gøres kortere, ikke længere."
        ),
        error_messages={
            "max_value": _(
                "Loven kræver netværkssamråd senest 7 dage efter, at politiet har sendt "
                "oplysningerne; fristen kan gøres kortere, ikke længere."
            )
        },
    )
    police_review_weekday = forms.TypedChoiceField(
        label=_("Ugedag for gennemgang af politiets liste"),
        choices=WEEKDAYS,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("SSP-teamets møde den dag får listen på dagsordenen."),
    )
    agenda_days_before = _int(
        _("Dagsordenen sendes ud (dage før mødet)"), conf.AGENDA_DAYS_MIN, conf.AGENDA_DAYS_MAX
    )
    absence_threshold_percent = _int(
        _("Grænse for bekymrende fravær (procent)"),
        conf.ABSENCE_PERCENT_MIN,
        conf.ABSENCE_PERCENT_MAX,
    )
    case_levels = forms.BooleanField(
        label=_("Sager har niveauer (fx grøn, gul, rød)"), required=False
    )
    general_prevention_forum = ForumPicker(
        label=_("Forum for generel forebyggelse"),
        queryset=Forum.objects.none(),
        required=False,
        help_text=_(
            "Generelle (grønne) bekymringer om en gruppe eller et sted går hertil, "
            "fx et trivsels- og sundhedsråd eller lokalgruppen."
        ),
    )

    def __init__(
        self, *args: Any, municipality: Municipality, search_url: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_picker(
            self,
            "general_prevention_forum",
            conf.general_prevention_fora(municipality),
            search_url,
        )

    @staticmethod
    def initial_for(municipality: Municipality) -> dict[str, Any]:
        rules = municipality.rules or {}
        initial: dict[str, Any] = {
            name: rules.get(name, default) for name, default in conf.RULE_DEFAULTS.items()
        }
        key = initial.pop(conf.GENERAL_PREVENTION_FORUM_RULE)
        forum = conf.general_prevention_fora(municipality).filter(key=key).first() if key else None
        initial["general_prevention_forum"] = forum.pk if forum is not None else None
        weekday = initial["police_review_weekday"]
        initial["police_review_weekday"] = "" if weekday is None else str(weekday)
        for name in conf.AGE_COLUMNS:
            initial[name] = getattr(municipality, name)
        initial["version"] = municipality.version
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("target_age_min"), data.get("target_age_max")
        if low is not None and high is not None and low > high:
            self.add_error("target_age_max", _("Til-alderen må ikke være lavere end fra-alderen."))
        plus_low, plus_high = data.get("ssp_plus_age_min"), data.get("ssp_plus_age_max")
        if (plus_low is None) != (plus_high is None) and not (
            self.has_error("ssp_plus_age_min") or self.has_error("ssp_plus_age_max")
        ):
            self.add_error(
                "ssp_plus_age_max", _("Udfyld både fra- og til-alder for SSP+, eller ingen.")
            )
        elif plus_low is not None and plus_high is not None and plus_low > plus_high:
            self.add_error(
                "ssp_plus_age_max", _("Til-alderen må ikke være lavere end fra-alderen.")
            )
        return data

    def to_data(self) -> conf.RulesData:
        data = self.cleaned_data
        forum = data.get("general_prevention_forum")
        return conf.RulesData(
            target_age_min=data["target_age_min"],
            target_age_max=data["target_age_max"],
            ssp_plus_age_min=data.get("ssp_plus_age_min"),
            ssp_plus_age_max=data.get("ssp_plus_age_max"),
            family_meeting_deadline_days=data["family_meeting_deadline_days"],
            network_council_deadline_days=data["network_council_deadline_days"],
            police_review_weekday=data.get("police_review_weekday"),
            agenda_days_before=data["agenda_days_before"],
            absence_threshold_percent=data["absence_threshold_percent"],
            case_levels=bool(data.get("case_levels")),
            general_prevention_forum=forum.key if isinstance(forum, Forum) else "",
        )


class WorksheetHelpForm(StyledForm, VersionedFormMixin):
    """One help text per primary statement and risk factor of the worksheet."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in conf.worksheet_help_names():
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=conf.RISK_FACTOR_HELP_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # Added after StyledForm bounded and styled the class's own fields: again for these.
        bound_field_limits(self)
        self.style_widgets()

    @staticmethod
    def initial_for(municipality: Municipality) -> dict[str, Any]:
        return {**conf.risk_factor_help(municipality), "version": municipality.version}

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name, _l in conf.worksheet_help_names()}


class StandingItemForm(StyledForm):
    forum_type = forms.ChoiceField(label=_("Forumtype"), choices=())
    title = forms.CharField(label=_("Titel"), max_length=max_length_of(StandingItem, "title"))
    position = forms.IntegerField(
        label=_("Rækkefølge"),
        min_value=0,
        max_value=conf.STANDING_ITEM_POSITION_MAX,
        initial=0,
        help_text=_("Lavt tal først. Punkter med samme tal står i den rækkefølge, de er oprettet."),
    )

    def __init__(self, *args: Any, forum_types: list[ForumType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["forum_type"]
        if isinstance(field, forms.ChoiceField):
            field.choices = [(kind.value, kind.label) for kind in forum_types]


class StandingItemEditForm(StyledForm):
    title = forms.CharField(label=_("Titel"), max_length=max_length_of(StandingItem, "title"))
    position = forms.IntegerField(
        label=_("Rækkefølge"), min_value=0, max_value=conf.STANDING_ITEM_POSITION_MAX
    )


class LegalBasisForm(StyledForm):
    title = forms.CharField(label=_("Titel"), max_length=max_length_of(LegalBasis, "title"))
    reference = forms.CharField(
        label=_("Lovhenvisning"),
        required=False,
        max_length=max_length_of(LegalBasis, "reference"),
        help_text=_("Fx Retsplejeloven § 115, stk. 1, nr. 1"),
    )
    is_consent = forms.BooleanField(label=_("Hjemlen er samtykke"), required=False)
    requires_parent_involvement = forms.BooleanField(
        label=_("Forældrene skal inddrages bagefter"), required=False
    )

    @staticmethod
    def initial_for(basis: LegalBasis) -> dict[str, Any]:
        return {
            "title": basis.title,
            "reference": basis.reference,
            "is_consent": basis.is_consent,
            "requires_parent_involvement": basis.requires_parent_involvement,
        }

    def to_data(self) -> LegalBasisData:
        data = self.cleaned_data
        return LegalBasisData(
            title=data["title"],
            reference=data.get("reference") or "",
            is_consent=bool(data.get("is_consent")),
            requires_parent_involvement=bool(data.get("requires_parent_involvement")),
            code=data.get("code") or "",
        )


class LegalBasisNewForm(LegalBasisForm):
    code = forms.SlugField(
        label=_("Kode"),
        required=False,
        max_length=max_length_of(LegalBasis, "code"),
        help_text=_("Kort navn uden mellemrum. Tom: laves ud fra titlen."),
    )

    field_order = ["title", "reference", "code", "is_consent", "requires_parent_involvement"]
