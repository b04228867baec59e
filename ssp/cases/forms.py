"""Forms for concerns and cases. They validate input only; the services apply the rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ssp.autocomplete import AutocompleteChoiceField, AutocompleteMixin
from ssp.cases import adhoc, services
from ssp.cases.models import (
    PRIMARY_STATEMENTS,
    RISK_FACTORS,
    Case,
    Concern,
    ConcernSource,
    ConcernSubject,
    Consent,
    ConsentForm,
    CustodyHolder,
    Disclosure,
    LegalBasis,
    Level,
    Outcome,
    Task,
    YoungPerson,
)
from ssp.errors import DomainError
from ssp.forms import (
    DATE_WIDGET,
    ForumPicker,
    MemberPicker,
    MembersPicker,
    OneTimeTokenMixin,
    StyledForm,
    VersionedFormMixin,
)
from ssp.organisation.models import (
    AdhocSubject,
    Forum,
    Member,
    Municipality,
    SchoolDistrict,
    Sector,
    Unit,
)
from ssp.prevention.models import Activity, ActivityKind, AnnualPlan
from ssp.prevention.services import ActivityData
from ssp.validation import max_length_of, not_in_future, within_planning_horizon

# Columns without a length of their own (encrypted or plain text fields) take these.
DESCRIPTION_MAX_LENGTH = 5000
LONG_TEXT_MAX_LENGTH = 5000
# The reason goes into the case's timeline (a 500-character line) with the two fora's names.
ESCALATION_REASON_MAX_LENGTH = 300

# The consent form's choice for "given by the young person", beside the custody holders' ids.
GIVEN_BY_YOUNG_PERSON = "young"


def _limit_choices(
    form: forms.Form, name: str, queryset: QuerySet[Any], search_url: str = ""
) -> None:
    """Offer only the given (access-scoped) records in a model choice field; a picker also gets
    the search endpoint that searches the same records (ssp/autocomplete.py)."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a model choice field")
    field.queryset = queryset
    if isinstance(field, AutocompleteMixin):
        field.search_url = search_url


def _intervention_field() -> forms.TypedChoiceField:
    """The optional "Indsats fra kataloget" (R7): a select of the municipality's interventions
    in use, by name (a small catalogue; the view caps the choices, `prevention.usage`)."""
    return forms.TypedChoiceField(
        label=_("Indsats fra kataloget"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Valgfri. Kataloget tæller, hvor ofte hver indsats bruges (kun antal)."),
    )


def _offer_interventions(
    form: forms.Form, name: str, interventions: Sequence[tuple[int, str]]
) -> None:
    """Offer the interventions in the select `name`, or leave the field out when there are
    none (a municipality without a catalogue)."""
    if not interventions:
        del form.fields[name]
        return
    field = form.fields[name]
    if not isinstance(field, forms.TypedChoiceField):
        raise TypeError(f"{name} is not a choice field")
    field.choices = [("", "—"), *interventions]


def chosen_intervention(form: forms.Form, name: str = "intervention") -> int | None:
    value = form.cleaned_data.get(name)
    return value if isinstance(value, int) else None


class ConcernForm(StyledForm):
    # The CPR number is given by the page (a record's), not typed: no birth date instead of it.
    cpr_fixed = False

    subject = forms.ChoiceField(
        label=_("Hvem eller hvad handler bekymringen om?"),
        choices=ConcernSubject.choices,
        widget=forms.RadioSelect,
        initial=ConcernSubject.PERSON,
    )
    first_name = forms.CharField(
        label=_("Fornavn"), max_length=max_length_of(YoungPerson, "first_name"), required=False
    )
    last_name = forms.CharField(
        label=_("Efternavn"), max_length=max_length_of(YoungPerson, "last_name"), required=False
    )
    cpr = forms.CharField(
        label=_("CPR-nummer"),
        max_length=11,
        required=False,
        help_text=_(
            "Fx 010203-1234. Kender du det ikke, så skriv fødselsdatoen eller skole og klasse."
        ),
    )
    birth_date = forms.DateField(
        label=_("Fødselsdato"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Kun hvis du ikke kender CPR-nummeret."),
    )
    school = forms.ModelChoiceField(label=_("Skole"), queryset=Unit.objects.none(), required=False)
    class_name = forms.CharField(
        label=_("Klasse"), max_length=max_length_of(YoungPerson, "class_name"), required=False
    )
    parent_name = forms.CharField(
        label=_("Forældremyndighedsindehaver"),
        max_length=max_length_of(CustodyHolder, "name"),
        required=False,
    )
    parent_phone = forms.CharField(
        label=_("Telefon"), max_length=max_length_of(CustodyHolder, "phone"), required=False
    )
    # Issue 15: more than one custody holder (the model has always allowed several). The labels
    # are short; the template groups each pair under "Forældremyndighedsindehaver nr. N".
    parent_name_2 = forms.CharField(
        label=_("Navn"), max_length=max_length_of(CustodyHolder, "name"), required=False
    )
    parent_phone_2 = forms.CharField(
        label=_("Telefon"), max_length=max_length_of(CustodyHolder, "phone"), required=False
    )
    parent_name_3 = forms.CharField(
        label=_("Navn"), max_length=max_length_of(CustodyHolder, "name"), required=False
    )
    parent_phone_3 = forms.CharField(
        label=_("Telefon"), max_length=max_length_of(CustodyHolder, "phone"), required=False
    )
    group_size = forms.IntegerField(
        label=_("Ca. hvor mange?"), min_value=2, max_value=200, required=False
    )
    group_age_min = forms.IntegerField(
        label=_("Alder fra"), min_value=0, max_value=30, required=False
    )
    group_age_max = forms.IntegerField(
        label=_("Alder til"), min_value=0, max_value=30, required=False
    )
    place = forms.CharField(
        label=_("Sted"), max_length=max_length_of(Concern, "place"), required=False
    )
    school_district = forms.ModelChoiceField(
        label=_("Skoledistrikt / område"), queryset=SchoolDistrict.objects.none(), required=False
    )
    intervention = _intervention_field()
    source = forms.ChoiceField(
        label=_("Hvordan har du fået kendskab til det?"), choices=ConcernSource.choices
    )
    level = forms.ChoiceField(label=_("Niveau"), choices=Level.choices, initial=Level.YELLOW)
    case_level = forms.TypedChoiceField(
        label=_("Sagsniveau"),
        choices=[("", "—"), (1, "1"), (2, "2"), (3, "3"), (4, "4")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    description = forms.CharField(
        label=_("Beskriv din bekymring"),
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-input"}),
        max_length=DESCRIPTION_MAX_LENGTH,
    )
    use_worksheet = forms.BooleanField(
        label=_("Udfyld arbejdsarket 'Hvornår er man kriminalitetstruet'"), required=False
    )
    other_factor = forms.CharField(
        label=_("Andet"), max_length=max_length_of(Concern, "other_factor"), required=False
    )
    worksheet_coordinator = forms.CharField(
        label=_("Tovholder"),
        max_length=max_length_of(Concern, "worksheet_coordinator"),
        required=False,
    )
    worksheet_contact_person = forms.CharField(
        label=_("Kontaktperson"),
        max_length=max_length_of(Concern, "worksheet_contact_person"),
        required=False,
    )
    worksheet_first_action = forms.CharField(
        label=_("Første handling"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-input"}),
        max_length=LONG_TEXT_MAX_LENGTH,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        units: QuerySet[Unit],
        districts: QuerySet[SchoolDistrict],
        case_levels: bool,
        interventions: Sequence[tuple[int, str]] = (),
        risk_help: Mapping[str, str] | None = None,
        municipality: Municipality | None = None,
        **kwargs: Any,
    ) -> None:
        """`municipality`: for the identity rules of a named child (issue 15: the birth date's
        range), taken from the units when not given; `interventions`: (id, name) of the
        catalogue's interventions in use, for a group or
        place concern (`prevention.usage.intervention_choices`); `risk_help`: the
        municipality's help text per worksheet statement or risk factor (issue 16,
        `risk_factor_help`), shown under each."""
        super().__init__(*args, **kwargs)
        # Issue 15: the pupil's school is a school (not the council, the police ...).
        _limit_choices(self, "school", units.filter(kind__in=services.SCHOOL_KINDS))
        _limit_choices(self, "school_district", districts)
        _offer_interventions(self, "intervention", interventions)
        if municipality is None:
            unit = units.select_related("municipality").first()
            municipality = unit.municipality if unit is not None else None
        self.municipality = municipality
        if not case_levels:
            del self.fields["case_level"]
        helps = risk_help or {}
        for name, label in (*PRIMARY_STATEMENTS, *RISK_FACTORS):
            field = forms.BooleanField(label=label, required=False, help_text=helps.get(name, ""))
            if field.help_text:
                # The hint is shown under the checkbox (concern_form.html) and read with it.
                field.widget.attrs["aria-describedby"] = f"{name}-hint"
            self.fields[name] = field
        self.style_widgets()

    primary_names = [name for name, _label in PRIMARY_STATEMENTS]
    risk_names = [name for name, _label in RISK_FACTORS]

    def primary_fields(self) -> list[Any]:
        return [self[name] for name in self.primary_names]

    def risk_fields(self) -> list[Any]:
        return [self[name] for name in self.risk_names]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        subject = data.get("subject")
        if subject == ConcernSubject.PERSON:
            self._check_identity(data)
        elif subject == ConcernSubject.GROUP:
            if not data.get("group_size"):
                self.add_error("group_size", _("Skriv ca. hvor mange der er i gruppen."))
            if not data.get("place"):
                self.add_error("place", _("Skriv hvor gruppen opholder sig."))
            lo, hi = data.get("group_age_min"), data.get("group_age_max")
            if lo is not None and hi is not None and lo > hi:
                self.add_error("group_age_max", _("'Alder til' skal være mindst 'alder fra'."))
        elif subject == ConcernSubject.PLACE and not data.get("place"):
            self.add_error("place", _("Skriv hvilket sted det drejer sig om."))
        return data

    def _check_identity(self, data: dict[str, Any]) -> None:
        """Issue 15: the service's own identity rules (`services.identity_problems`), shown at
        the fields they concern."""
        if any(name in self.errors for name in ("first_name", "last_name", "cpr", "birth_date")):
            return
        municipality = self.municipality
        if municipality is None:
            return
        values = {
            **data,
            "first_name": data.get("first_name") or "",
            "last_name": data.get("last_name") or "",
        }
        person = services.YoungPersonData.from_values(values, school=data.get("school"))
        for name, message in services.identity_problems(municipality, person).items():
            if name == services.CUSTODY_HOLDERS_FIELD:
                self._holders_error(data, message)
            else:
                self.add_error(name or None, message)

    def _holders_error(self, data: dict[str, Any], message: str) -> None:
        """The custody holders' problem at each name missing beside a phone, else above all."""
        names = [
            f"parent_name{suffix}"
            for suffix in services.CUSTODY_HOLDER_SUFFIXES
            if data.get(f"parent_phone{suffix}") and not data.get(f"parent_name{suffix}")
        ]
        for name in names:
            if name in self.fields:
                self.add_error(name, message)
        if not any(name in self.fields for name in names):
            self.add_error(None, message)

    def to_data(self) -> services.ConcernData:
        """The input of `services.raise_concern`, built the same way as the API's."""
        data = self.cleaned_data
        person = (
            services.YoungPersonData.from_values(data, school=data.get("school"))
            if data["subject"] == ConcernSubject.PERSON
            else None
        )
        result = services.ConcernData.from_values(
            data, young_person=person, worksheet=self.worksheet()
        )
        # Only a group or place concern points to an intervention (the field may have been
        # filled in before the subject was changed to a person).
        if data["subject"] != ConcernSubject.PERSON:
            result.intervention_id = chosen_intervention(self)
        return result

    def worksheet(self) -> dict[str, Any] | None:
        if not self.cleaned_data.get("use_worksheet"):
            return None
        names = [*self.primary_names, *self.risk_names]
        sheet: dict[str, Any] = {name: bool(self.cleaned_data.get(name)) for name in names}
        for name in (
            "other_factor",
            "worksheet_coordinator",
            "worksheet_contact_person",
            "worksheet_first_action",
        ):
            sheet[name] = self.cleaned_data.get(name, "")
        return sheet


class RouteForm(StyledForm):
    forum = ForumPicker(label=_("Send til"), queryset=Forum.objects.none())

    def __init__(
        self, *args: Any, fora: QuerySet[Forum], fora_search: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _limit_choices(self, "forum", fora, fora_search)


class DropForm(StyledForm):
    note = forms.CharField(
        label=_("Begrundelse"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-input"}),
        max_length=LONG_TEXT_MAX_LENGTH,
    )


class OpenCaseForm(StyledForm):
    level = forms.ChoiceField(label=_("Niveau"), choices=Level.choices, initial=Level.RED)
    forum = ForumPicker(label=_("Behandles i"), queryset=Forum.objects.none())

    def __init__(
        self, *args: Any, fora: QuerySet[Forum], fora_search: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _limit_choices(self, "forum", fora, fora_search)


class AgreementForm(StyledForm):
    first_action = forms.CharField(
        label=_("Første handling"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-input"}),
        max_length=LONG_TEXT_MAX_LENGTH,
    )
    coordinator = MemberPicker(label=_("Tovholder"), queryset=Member.objects.none())
    contact_person = MemberPicker(label=_("Kontaktperson"), queryset=Member.objects.none())
    participants = MembersPicker(
        label=_("Øvrige deltagere"), queryset=Member.objects.none(), required=False
    )
    follow_up_date = forms.DateField(
        label=_("Opfølgning"), widget=DATE_WIDGET, validators=[within_planning_horizon]
    )
    task_description = forms.CharField(
        label=_("Opgave"), max_length=max_length_of(Task, "description"), required=False
    )
    task_owner = MemberPicker(label=_("Ansvarlig"), queryset=Member.objects.none(), required=False)
    task_due_date = forms.DateField(
        label=_("Frist"), widget=DATE_WIDGET, required=False, validators=[within_planning_horizon]
    )
    task_intervention = _intervention_field()

    def __init__(
        self,
        *args: Any,
        members: QuerySet[Member],
        members_search: str = "",
        interventions: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        """`members`: `case_access.choosable_members(actor, case)`, the one rule;
        `members_search`: the case's search endpoint over them; `interventions`: (id, name) of
        the catalogue's interventions in use (`prevention.usage.intervention_choices`)."""
        super().__init__(*args, **kwargs)
        for name in ("coordinator", "contact_person", "participants", "task_owner"):
            _limit_choices(self, name, members, members_search)
        _offer_interventions(self, "task_intervention", interventions)
        self.fields["follow_up_date"].initial = timezone.localdate() + timedelta(days=14)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        task_fields = [
            data.get("task_description"),
            data.get("task_owner"),
            data.get("task_due_date"),
        ]
        if any(task_fields) and not all(task_fields):
            self.add_error("task_description", _("En opgave skal have tekst, ansvarlig og frist."))
        return data

    def tasks(self) -> list[services.TaskData]:
        """The first task, when one was filled in."""
        data = self.cleaned_data
        if not data.get("task_description"):
            return []
        return [
            services.TaskData(
                owner=data["task_owner"],
                description=data["task_description"],
                due_date=data["task_due_date"],
                intervention_id=chosen_intervention(self, "task_intervention"),
            )
        ]


class TaskForm(OneTimeTokenMixin, StyledForm):
    description = forms.CharField(label=_("Opgave"), max_length=max_length_of(Task, "description"))
    owner = MemberPicker(label=_("Ansvarlig"), queryset=Member.objects.none())
    due_date = forms.DateField(
        label=_("Frist"), widget=DATE_WIDGET, validators=[within_planning_horizon]
    )
    intervention = _intervention_field()

    def __init__(
        self,
        *args: Any,
        members: QuerySet[Member],
        members_search: str = "",
        interventions: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        """`members`: `case_access.choosable_members(actor, case)`, the one rule;
        `interventions`: (id, name) of the catalogue's interventions in use."""
        super().__init__(*args, **kwargs)
        _limit_choices(self, "owner", members, members_search)
        _offer_interventions(self, "intervention", interventions)

    def to_data(self) -> services.TaskData:
        data = self.cleaned_data
        return services.TaskData(
            owner=data["owner"],
            description=data["description"],
            due_date=data["due_date"],
            intervention_id=chosen_intervention(self),
        )


class ConsentRecordForm(OneTimeTokenMixin, StyledForm):
    given_by = forms.ChoiceField(label=_("Givet af"))
    form = forms.ChoiceField(label=_("Form"), choices=ConsentForm.choices, initial=ConsentForm.ORAL)
    given_on = forms.DateField(label=_("Dato"), widget=DATE_WIDGET, validators=[not_in_future])
    scope = forms.CharField(
        label=_("Omfang"),
        max_length=max_length_of(Consent, "scope"),
        initial=_("Udveksling af oplysninger i SSP-samarbejdet"),
    )
    refused = forms.BooleanField(label=_("Samtykke blev afvist"), required=False)

    def __init__(
        self, *args: Any, holders: list[CustodyHolder], case: Case | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.holders = holders
        self.case = case
        given_by = self.fields["given_by"]
        if not isinstance(given_by, forms.ChoiceField):
            raise TypeError("given_by is not a choice field")
        young_label = (
            _("Den unge selv (fra %(age)s år)")
            % {"age": services.own_consent_age(case.municipality)}
            if case is not None
            else _("Den unge selv")
        )
        given_by.choices = [
            *[(str(h.pk), f"{h.name} ({h.relation or _('forældremyndighed')})") for h in holders],
            (GIVEN_BY_YOUNG_PERSON, young_label),
        ]
        self.fields["given_on"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        """R4: below the own-consent age the young person's own answer is not a consent."""
        cleaned = super().clean() or {}
        given_on = cleaned.get("given_on")
        if (
            self.case is not None
            and cleaned.get("given_by") == GIVEN_BY_YOUNG_PERSON
            and given_on is not None
        ):
            try:
                services.check_own_consent_age(case=self.case, given_on=given_on)
            except DomainError as error:
                self.add_error("given_by", error.message)
        return cleaned

    @property
    def by_young_person(self) -> bool:
        return bool(self.cleaned_data["given_by"] == GIVEN_BY_YOUNG_PERSON)

    @property
    def custody_holder(self) -> CustodyHolder | None:
        chosen = self.cleaned_data["given_by"]
        return next((h for h in self.holders if str(h.pk) == chosen), None)


class DisclosureForm(OneTimeTokenMixin, StyledForm):
    # Only current bases are offered (`selectors.legal_bases`); one retired after the form was
    # opened is no longer a choice: the user is asked to choose again (issue 16).
    legal_basis = forms.ModelChoiceField(
        label=_("Hjemmel"),
        queryset=LegalBasis.objects.none(),
        error_messages={"invalid_choice": _("Hjemlen er ændret; vælg igen.")},
    )
    purpose = forms.CharField(label=_("Formål"), max_length=max_length_of(Disclosure, "purpose"))
    information = forms.CharField(
        label=_("Hvilke oplysninger"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-input"}),
        max_length=LONG_TEXT_MAX_LENGTH,
    )
    given_by = MemberPicker(label=_("Givet af"), queryset=Member.objects.none())
    receivers = MembersPicker(label=_("Modtagere"), queryset=Member.objects.none())
    disclosed_on = forms.DateField(label=_("Dato"), widget=DATE_WIDGET, validators=[not_in_future])

    def __init__(
        self,
        *args: Any,
        members: QuerySet[Member],
        bases: QuerySet[LegalBasis],
        members_search: str = "",
        **kwargs: Any,
    ) -> None:
        """`members`: `case_access.choosable_members(actor, case)`, the one rule."""
        super().__init__(*args, **kwargs)
        _limit_choices(self, "legal_basis", bases)
        _limit_choices(self, "given_by", members, members_search)
        _limit_choices(self, "receivers", members, members_search)
        self.fields["disclosed_on"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        giver, receivers = data.get("given_by"), data.get("receivers")
        if giver is not None and receivers and giver in receivers:
            self.add_error(
                "receivers", _("Den, der giver oplysningerne, kan ikke også være modtager.")
            )
        return data


ADHOC_TASK_HELP = _(
    "Hvad skal gruppen finde en løsning på? Skriv ingen navne, CPR-numre eller kontaktoplysninger."
)


class AdhocGroupForm(OneTimeTokenMixin, StyledForm):
    """The case page's ad hoc group: for the case's young person, from the case's forum."""

    members = MembersPicker(
        label=_("Medlemmer (myndighedspersoner)"), queryset=Member.objects.none()
    )
    task = forms.CharField(
        label=_("Opgave"),
        required=False,
        max_length=adhoc.TASK_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=ADHOC_TASK_HELP,
    )
    between_meetings = forms.BooleanField(
        label=_("Nedsat imellem møderne (forummet orienteres på sit næste møde)"),
        required=False,
    )

    def __init__(
        self, *args: Any, members: QuerySet[Member], members_search: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _limit_choices(self, "members", members, members_search)


class AdhocCasePicker(AutocompleteChoiceField):
    """An open case, found by its number or (for those who may search cases) the young person's
    name; `AdhocSetUpForm` sets which."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("search_fields", CASE_NAME_SEARCH_FIELDS)
        kwargs.setdefault("search_by_pk", True)
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return str(_("Sag nr. %(n)s: %(name)s") % {"n": obj.pk, "name": obj.young_person})


# What the case picker searches by besides the case number.
CASE_NAME_SEARCH_FIELDS = ("young_person__first_name", "young_person__last_name")


class AdhocSetUpForm(OneTimeTokenMixin, StyledForm):
    """R1 (Høje-Taastrup): the parent forum's chair or SSP staff set up an ad hoc group."""

    parent = ForumPicker(label=_("Nedsættes fra forummet"), queryset=Forum.objects.none())
    subject = forms.ChoiceField(
        label=_("Handlegruppen vedrører"),
        choices=AdhocSubject.choices,
        widget=forms.RadioSelect,
        initial=AdhocSubject.AREA,
    )
    case = AdhocCasePicker(
        label=_("Sagen (kun når gruppen vedrører en navngiven ung)"),
        queryset=Case.objects.none(),
        required=False,
    )
    task = forms.CharField(
        label=_("Opgave"),
        max_length=adhoc.TASK_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=ADHOC_TASK_HELP,
    )
    members = MembersPicker(
        label=_("Medlemmer (ved en navngiven ung kun myndighedspersoner)"),
        queryset=Member.objects.none(),
    )
    between_meetings = forms.BooleanField(
        label=_("Nedsat imellem møderne (forummet orienteres på sit næste møde)"),
        required=False,
        initial=True,
    )

    def __init__(
        self,
        *args: Any,
        parents: QuerySet[Forum],
        cases: QuerySet[Case],
        members: QuerySet[Member],
        search_urls: dict[str, str] | None = None,
        case_names_searchable: bool = True,
        **kwargs: Any,
    ) -> None:
        """`search_urls`: the search endpoints of "parent", "case" and "members";
        `case_names_searchable`: whether the case picker finds cases by name or only by number
        (§115: no free search for the police)."""
        super().__init__(*args, **kwargs)
        urls = search_urls or {}
        _limit_choices(self, "parent", parents, urls.get("parent", ""))
        _limit_choices(self, "case", cases, urls.get("case", ""))
        _limit_choices(self, "members", members, urls.get("members", ""))
        if not case_names_searchable:
            case_field = self.fields["case"]
            if isinstance(case_field, AdhocCasePicker):
                case_field.search_fields = ()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("subject") == AdhocSubject.PERSON and cleaned.get("case") is None:
            self.add_error("case", _("Vælg den sag, handlegruppen skal arbejde med."))
        return cleaned


class AdhocDissolveForm(StyledForm):
    """Dissolution by decision, with a short result for the parent forum's agenda."""

    result = forms.CharField(
        label=_("Resultat"),
        max_length=adhoc.RESULT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kort og uden personoplysninger: resultatet vises på det overordnede forums "
            'dagsorden under "Resultater fra tidligere handlegrupper".'
        ),
    )


class EscalateForm(StyledForm):
    forum = ForumPicker(label=_("Send sagen til"), queryset=Forum.objects.none())
    reason = forms.CharField(label=_("Begrundelse"), max_length=ESCALATION_REASON_MAX_LENGTH)

    def __init__(
        self, *args: Any, fora: QuerySet[Forum], fora_search: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _limit_choices(self, "forum", fora, fora_search)


class CloseCaseForm(VersionedFormMixin, StyledForm):
    """The evaluation that closes a case; it carries the case's version (no lost update)."""

    outcome = forms.ChoiceField(label=_("Resultat"), choices=Outcome.choices)
    partners = forms.CharField(
        label=_("Samarbejdspartnere"), max_length=max_length_of(Case, "evaluation_partners")
    )
    # R8: the annual report counts the partners by sector; the text above keeps their names.
    sectors = forms.MultipleChoiceField(
        label=_("Samarbejdspartnere (sektorer)"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    what_worked = forms.CharField(
        label=_("Hvad virkede?"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-input"}),
        max_length=LONG_TEXT_MAX_LENGTH,
    )

    def evaluation(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "partners": data["partners"],
            "sectors": list(data["sectors"]),
            "what_worked": data["what_worked"],
        }


class SearchForm(StyledForm):
    q = forms.CharField(label=_("Navn eller CPR-nummer"), max_length=100, required=False)


# --- Issue 16 --------------------------------------------------------------------------------


class CaseLevelForm(VersionedFormMixin, StyledForm):
    """Change a case's level with a reason; it carries the case's version (no lost update)."""

    level = forms.ChoiceField(label=_("Niveau"), choices=Level.choices)
    case_level = forms.TypedChoiceField(
        label=_("Sagsniveau"),
        choices=[("", "—"), (1, "1"), (2, "2"), (3, "3"), (4, "4")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=services.LEVEL_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-input"}),
        help_text=_("Hvorfor ændres niveauet? Begrundelsen vises kun for dem, der kan se sagen."),
    )

    def __init__(self, *args: Any, case_levels: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not case_levels:
            del self.fields["case_level"]

    def change(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "level": data["level"],
            "case_level": data.get("case_level"),
            "reason": data["reason"],
            "expected_version": self.expected_version(),
        }


class ConcernToPreventionForm(OneTimeTokenMixin, StyledForm):
    """A general concern about a group or a place as an activity in the prevention plan: the
    texts are suggested from the group and the place (never the description)."""

    plan = forms.ModelChoiceField(
        label=_("Årsplan"),
        queryset=AnnualPlan.objects.none(),
        error_messages={"invalid_choice": _("Vælg en af årsplanerne på listen.")},
    )
    title = forms.CharField(label=_("Aktivitet"), max_length=max_length_of(Activity, "title"))
    kind = forms.ChoiceField(label=_("Type"), choices=ActivityKind.choices)
    goal = forms.CharField(
        label=_("Mål"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-input"}),
    )
    target_group = forms.CharField(
        label=_("Målgruppe"), max_length=max_length_of(Activity, "target_group"), required=False
    )
    place = forms.CharField(
        label=_("Sted"), max_length=max_length_of(Activity, "place"), required=False
    )
    starts_on = forms.DateField(label=_("Fra dato"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Til dato"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, plans: QuerySet[AnnualPlan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_choices(self, "plan", plans)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts is not None and ends is not None and ends < starts:
            self.add_error("ends_on", _("'Til' skal være samme dag som eller efter 'Fra'."))
        return data

    def activity_data(self) -> ActivityData:
        data = self.cleaned_data
        return ActivityData(
            title=data["title"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            kind=data["kind"],
            goal=data.get("goal") or "",
            target_group=data.get("target_group") or "",
            place=data.get("place") or "",
        )
