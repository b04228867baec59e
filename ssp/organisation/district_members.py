"""Issue 16 (9): members of a police district (the police director, the mayors of the district's
municipalities that do not run the platform) belong to the district, not to a municipality, and
sit only in the district's fora (the Kredsråd).

The one rule of who may sit in a forum by where they belong, used by the admin, the presets and
the elections (`ssp.meetings.terms`), so they give the same Danish reason.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ssp.organisation.models import Forum, Member, Municipality


def belongs_problem(*, municipality_id: int | None, police_district_id: int | None) -> str | None:
    """Why a member's home is not valid (exactly one of a municipality and a police district),
    in Danish; None when it is."""
    if (municipality_id is None) == (police_district_id is None):
        return _(
            "Et medlem hører enten til en kommune eller - som medlem af Kredsrådet uden en "
            "kommune på platformen - til en politikreds. Vælg præcis én af dem."
        )
    return None


def member_district_id(member: Member) -> int | None:
    """The police district the member belongs to: her own, or her municipality's."""
    if member.municipality_id is None:
        return member.police_district_id
    district: int | None = (
        Municipality.objects.filter(pk=member.municipality_id)
        .values_list("police_district_id", flat=True)
        .first()
    )
    return district


def may_sit_in(member: Member, forum: Forum) -> bool:
    """A member of a municipality sits in its fora and in its police district's fora; a member
    of a police district only in that district's fora."""
    if forum.police_district_id is not None:
        return member_district_id(member) == forum.police_district_id
    return member.municipality_id is not None and member.municipality_id == forum.municipality_id


def membership_problem(member: Member, forum: Forum) -> str | None:
    """Why the member cannot sit in the forum, in Danish; None when she can."""
    if may_sit_in(member, forum):
        return None
    if member.municipality_id is None:
        return _(
            "%(member)s hører til politikredsen og kan kun være medlem af politikredsens fora "
            "(Kredsrådet)."
        ) % {"member": member.name}
    return _("%(member)s hører til en anden kommune end forummet.") % {"member": member.name}
