"""Forms for the weekly review, deadlines, network councils, imports, absence and hot spots.
They validate input and build the services' data (`to_data()`); the services apply the rules."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ssp.cases.cpr import InvalidCpr, parse_cpr
from ssp.cases.forms import ConcernForm
from ssp.cases.models import Concern, ConcernSource, ConcernSubject, YoungPerson
from ssp.forms import (
    DATE_WIDGET,
    ForumPicker,
    MemberPicker,
    MembersChoiceField,
    ModelMultipleChoiceField,
    StyledForm,
    VersionedFormMixin,
    set_picker,
)
from ssp.organisation.models import Forum, Member
from ssp.police import absence, imports, services
from ssp.police.corrections import REASON_MAX, CorrectionData
from ssp.police.hot_spots import HotSpotData
from ssp.police.models import (
    AbsenceRecord,
    HotSpot,
    HotSpotStatus,
    NetworkCouncil,
    Offence,
    OffenceAlias,
    PoliceReport,
    Routing,
)
from ssp.validation import (
    SEARCH_MAX_LENGTH,
    max_length_of,
    not_in_future,
    within_planning_horizon,
)

MIDNIGHT = time(0, 0)


def _model_choice(form: forms.Form, name: str) -> forms.ModelChoiceField[Any]:
    """A model choice field of the form, typed as one (its choices are scoped per actor)."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a model choice field")
    return field


class UploadForm(StyledForm):
    file = forms.FileField(label=_("Fil (CSV eller Excel)"))

    def clean_file(self) -> Any:
        """The size is checked before the file is read; its type is checked by its content
        (`imports.count_data_rows`, through the service)."""
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(
                gettext("Filen er for stor (højst %(mb)s MB).")
                % {"mb": imports.MAX_BYTES // (1024 * 1024)}
            )
        return upload


class ReportForm(StyledForm):
    cpr = forms.CharField(label=_("CPR-nummer"), max_length=11)
    name = forms.CharField(label=_("Navn"), max_length=200)
    date = forms.DateField(label=_("Gerningsdato"), widget=DATE_WIDGET, validators=[not_in_future])
    time = forms.TimeField(
        label=_("Tidspunkt"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    offence = forms.CharField(
        label=_("Forhold"), max_length=max_length_of(PoliceReport, "offence_text")
    )
    reference = forms.CharField(
        label=_("Politiets journalnummer"),
        max_length=max_length_of(PoliceReport, "police_reference"),
    )
    description = forms.CharField(
        label=_("Beskrivelse"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_cpr(self) -> str:
        try:
            parse_cpr(self.cleaned_data["cpr"])
        except InvalidCpr as exc:
            raise forms.ValidationError(exc.message) from exc
        return str(self.cleaned_data["cpr"])

    def clean(self) -> dict[str, Any]:
        """A crime has happened: today's date with a later hour is refused too."""
        data = super().clean() or {}
        day = data.get("date")
        if day is not None and "time" not in self.errors:
            at = timezone.make_aware(datetime.combine(day, data.get("time") or MIDNIGHT))
            if at > timezone.now():
                self.add_error("time", _("Gerningstidspunktet ligger i fremtiden."))
        return data

    def to_data(self) -> dict[str, Any]:
        """The row of `services.register_report`, shaped like a row of an imported list."""
        data = self.cleaned_data
        digits, birth = parse_cpr(data["cpr"])
        first, _space, last = data["name"].strip().partition(" ")
        return {
            "cpr": digits,
            "birth": birth,
            "first_name": first,
            "last_name": last or "-",
            "date": data["date"],
            "time": data["time"] or MIDNIGHT,
            "offence": data["offence"],
            "reference": data["reference"],
            "description": data["description"],
        }


class RoutingForm(StyledForm):
    """One report's routing. The person and local-group pickers search on the server
    (ssp/autocomplete.py): a municipality has thousands of authority members and hundreds of
    local groups, and the review must not send them all for every report."""

    routing = forms.ChoiceField(label=_("Fordeles til"), choices=Routing.choices)
    member = MemberPicker(label=_("Person"), queryset=Member.objects.none(), required=False)
    forum = ForumPicker(label=_("Lokalgruppe"), queryset=Forum.objects.none(), required=False)
    other = forms.CharField(
        label=_("Andre"), max_length=max_length_of(PoliceReport, "routed_to_other"), required=False
    )
    home_contact = MemberPicker(label=_("Kontakter hjemmet"), queryset=Member.objects.none())
    raise_concern = forms.BooleanField(label=_("Opret bekymring"), required=False, initial=True)

    def __init__(
        self, *args: Any, members: QuerySet[Member], fora: QuerySet[Forum], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        member_search = reverse("police:route_member_search")
        set_picker(self, "member", members, member_search)
        set_picker(self, "home_contact", members, member_search)
        set_picker(self, "forum", fora, reverse("police:route_forum_search"))

    def to_data(self) -> services.RoutingData:
        data = self.cleaned_data
        return services.RoutingData(
            routing=data["routing"],
            home_contact=data["home_contact"],
            member=data["member"],
            forum=data["forum"],
            other=data["other"],
            raise_concern=data["raise_concern"],
        )


class MetForm(StyledForm):
    """The date a deadline was met (the family contacted, the council called): the day it
    happened, not the day it is registered; never in the future, never before the deadline's
    start (the report's presentation or receipt)."""

    met_on = forms.DateField(
        label=_("Overholdt den"), widget=DATE_WIDGET, validators=[not_in_future]
    )

    def __init__(self, *args: Any, starts_on: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.starts_on = starts_on

    def clean_met_on(self) -> date:
        met_on: date = self.cleaned_data["met_on"]
        if self.starts_on is not None and met_on < self.starts_on:
            raise forms.ValidationError(
                _("Datoen må ikke ligge før fristens start, %(date)s.")
                % {"date": date_format(self.starts_on, "j. F Y")},
                code="before_start",
            )
        return met_on


class CouncilForm(StyledForm):
    meeting_at = forms.DateTimeField(
        label=_("Tidspunkt"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        validators=[within_planning_horizon],
    )
    # Issue 16: where the council is held (in the invitations and the family's letter).
    place = forms.CharField(
        label=_("Sted"),
        max_length=max_length_of(NetworkCouncil, "place"),
        help_text=_("Fx mødelokale og adresse. Står i invitationerne og i brevet til familien."),
    )
    professionals = MembersChoiceField(
        label=_("Fagpersoner"), queryset=Member.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    network = forms.CharField(
        label=_("Netværk (fx træner, morfar)"),
        max_length=max_length_of(NetworkCouncil, "network"),
        required=False,
    )
    late_reason = forms.CharField(
        label=_("Begrundelse, hvis samrådet holdes efter fristen"),
        max_length=max_length_of(NetworkCouncil, "late_reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    invited_young_person = forms.BooleanField(
        label=_("Den unge inviteres"), required=False, initial=True
    )
    invited_custody_holders = forms.BooleanField(
        label=_("Forældremyndighedsindehaverne inviteres"), required=False, initial=True
    )

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "professionals").queryset = members

    def to_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of `services.call_network_council` besides actor and deadline."""
        data = self.cleaned_data
        return {
            "meeting_at": data["meeting_at"],
            "professionals": list(data["professionals"]),
            "network": data["network"],
            "invited_young_person": data["invited_young_person"],
            "invited_custody_holders": data["invited_custody_holders"],
            "late_reason": data["late_reason"],
        }


class HeldForm(StyledForm):
    held_on = forms.DateField(
        label=_("Afholdt den"), widget=DATE_WIDGET, validators=[not_in_future]
    )


HOT_SPOT_FIELDS = (
    "name",
    "address",
    "latitude",
    "longitude",
    "period_start",
    "period_end",
    "description",
    "outreach_plan",
    "status",
)


class HotSpotForm(StyledForm):
    name = forms.CharField(label=_("Navn"), max_length=max_length_of(HotSpot, "name"))
    address = forms.CharField(label=_("Adresse"), max_length=max_length_of(HotSpot, "address"))
    latitude = forms.DecimalField(
        label=_("Breddegrad"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-90,
        max_value=90,
    )
    longitude = forms.DecimalField(
        label=_("Længdegrad"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-180,
        max_value=180,
    )
    period_start = forms.DateField(label=_("Fra"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Til"), required=False, widget=DATE_WIDGET)
    description = forms.CharField(label=_("Beskrivelse"), widget=forms.Textarea(attrs={"rows": 3}))
    outreach_plan = forms.CharField(
        label=_("Plan for opsøgende arbejde"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=HotSpotStatus.choices)
    concerns = ModelMultipleChoiceField[Concern](
        label=_("Bekymringer om grupper og steder"),
        queryset=Concern.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, concerns: QuerySet[Concern], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "concerns").queryset = concerns

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("Slutdatoen ligger før startdatoen."))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Angiv både bredde- og længdegrad, eller ingen af dem."))
        return data

    def to_data(self) -> HotSpotData:
        data = self.cleaned_data
        return HotSpotData(
            name=data["name"],
            address=data["address"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            description=data["description"],
            outreach_plan=data["outreach_plan"],
            status=data["status"],
            concerns=list(data["concerns"]),
        )

    @staticmethod
    def initial_for(spot: HotSpot) -> dict[str, Any]:
        """The form's initial values for changing a hot spot."""
        initial: dict[str, Any] = {name: getattr(spot, name) for name in HOT_SPOT_FIELDS}
        initial["concerns"] = list(spot.concerns.all())
        return initial


class HotSpotEditForm(HotSpotForm, VersionedFormMixin):
    """Changing a hot spot: the form carries the version it was opened at (no lost update)."""

    @staticmethod
    def initial_for(spot: HotSpot) -> dict[str, Any]:
        return {**HotSpotForm.initial_for(spot), "version": spot.version}

    @classmethod
    def stored_values(cls, current: dict[str, Any]) -> list[tuple[str, Any]]:
        """What the other person saved (`StaleEdit.current`), as (label, value) for the page."""
        labels = {name: field.label for name, field in cls.base_fields.items()}
        shown: list[tuple[str, Any]] = []
        for name in HOT_SPOT_FIELDS:
            if name not in current:
                continue
            value = current[name]
            if name == "status":
                value = HotSpotStatus(value).label
            shown.append((str(labels[name]), value))
        return shown


class AbsenceConcernForm(ConcernForm):
    """The concern form opened from a worrying absence record (R5), filled in.

    The CPR field shows the record's masked number and cannot be changed: the number itself is
    taken from the record on the server (`absence.raise_absence_concern`), so it is never sent
    to the browser and a posted number cannot point the concern at another child.
    """

    def __init__(
        self, *args: Any, record: AbsenceRecord, person: YoungPerson | None, **kwargs: Any
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "subject": ConcernSubject.PERSON,
                "first_name": person.first_name if person else "",
                "last_name": person.last_name if person else "",
                "school": record.school_id,
                "class_name": record.class_name,
                "source": ConcernSource.ABSENCE,
                "description": gettext(
                    "Bekymrende fravær i %(month)s: %(total)s %% i alt, %(unauth)s %% ulovligt."
                )
                % {
                    "month": record.month.strftime("%m/%Y"),
                    "total": record.total_percent,
                    "unauth": record.unauthorised_percent,
                },
            },
        )
        super().__init__(*args, **kwargs)
        self.record = record
        cpr = self.fields["cpr"]
        cpr.disabled = True
        cpr.initial = record.cpr_masked
        cpr.help_text = gettext("CPR-nummeret er fra fraværslisten og kan ikke ændres.")
        # The number is known: no birth date to type instead of it (issue 15).
        del self.fields["birth_date"]
        self.cpr_fixed = True

    def clean_cpr(self) -> str:
        """The record's number (the field only shows it masked)."""
        return absence.record_cpr(self.record)


class CouncilInviteForm(StyledForm):
    """Issue 16: "Send invitationer". A council called before the place existed asks for it."""

    place = forms.CharField(
        label=_("Sted"),
        max_length=max_length_of(NetworkCouncil, "place"),
        required=False,
        help_text=_("Fx mødelokale og adresse. Står i invitationerne og i brevet til familien."),
    )

    def __init__(self, *args: Any, needs_place: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if needs_place:
            self.fields["place"].required = True
        else:
            del self.fields["place"]


# --- Issue 16: the offence catalogue and corrections of reports ------------------------------


class LocalOffenceForm(StyledForm):
    """A local kind of the municipality (the statutory kinds are read only)."""

    name = forms.CharField(label=_("Navn"), max_length=max_length_of(Offence, "name"))
    code = forms.CharField(
        label=_("Kode"),
        max_length=max_length_of(Offence, "code"),
        required=False,
        help_text=_("Valgfri. Uden kode dannes den af navnet."),
    )
    serious = forms.BooleanField(label=_("Alvorlig kriminalitet (netværkssamråd)"), required=False)


class LocalOffenceEditForm(StyledForm):
    """Editing a local kind: the form carries the values it was opened with."""

    name = forms.CharField(label=_("Navn"), max_length=max_length_of(Offence, "name"))
    serious = forms.BooleanField(label=_("Alvorlig kriminalitet (netværkssamråd)"), required=False)
    opened = forms.CharField(widget=forms.HiddenInput, max_length=64)


class AliasForm(StyledForm):
    alias = forms.CharField(
        label=_("Ny betegnelse"),
        max_length=max_length_of(OffenceAlias, "alias"),
        help_text=_("Som politiets lister skriver forholdet, fx „Simpel vold“."),
    )


class ReportSearchForm(StyledForm):
    """The correction list's search: a journal number (or part of it) and a received date."""

    q = forms.CharField(label=_("Journalnummer"), max_length=SEARCH_MAX_LENGTH, required=False)
    modtaget = forms.DateField(label=_("Modtaget"), required=False, widget=DATE_WIDGET)


class CorrectionForm(StyledForm):
    offence = forms.ModelChoiceField(
        label=_("Kategori"),
        queryset=Offence.objects.none(),
        required=False,
        empty_label=_("Ingen kategori (ukendt forhold)"),
    )
    offence_text = forms.CharField(
        label=_("Forhold (som på listen)"), max_length=max_length_of(PoliceReport, "offence_text")
    )
    attempt = forms.BooleanField(label=_("Forsøg"), required=False)
    incident_on = forms.DateField(
        label=_("Gerningsdato"), widget=DATE_WIDGET, validators=[not_in_future]
    )
    incident_time = forms.TimeField(
        label=_("Tidspunkt"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    police_reference = forms.CharField(
        label=_("Politiets journalnummer"),
        max_length=max_length_of(PoliceReport, "police_reference"),
    )
    received_on = forms.DateField(
        label=_("Modtaget"), widget=DATE_WIDGET, validators=[not_in_future]
    )
    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hvorfor rettes rapporten? Skriv ikke om barnet."),
    )
    opened = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, offences: list[Offence], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _model_choice(self, "offence")
        field.queryset = Offence.objects.filter(pk__in=[o.pk for o in offences]).order_by("name")

    @staticmethod
    def initial_for(report: PoliceReport, opened: str) -> dict[str, Any]:
        local = timezone.localtime(report.incident_at)
        return {
            "offence": report.offence_id,
            "offence_text": report.offence_text,
            "attempt": report.attempt,
            "incident_on": local.date(),
            "incident_time": local.time().replace(second=0, microsecond=0),
            "police_reference": report.police_reference,
            "received_on": report.received_on,
            "opened": opened,
        }

    def to_data(self) -> CorrectionData:
        data = self.cleaned_data
        return CorrectionData(
            offence=data["offence"],
            offence_text=data["offence_text"],
            attempt=data["attempt"],
            incident_on=data["incident_on"],
            incident_time=data["incident_time"] or MIDNIGHT,
            police_reference=data["police_reference"],
            received_on=data["received_on"],
            reason=data["reason"],
        )


class WithdrawForm(StyledForm):
    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hvorfor trækkes rapporten tilbage? Skriv ikke om barnet."),
    )
