from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from ssp.organisation.models import AccessRole, Member, Municipality

pytestmark = pytest.mark.django_db


def test_it_refuses_without_debug_or_the_explicit_flag(settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")


def test_it_is_safe_to_run_again(demo: Municipality, capsys: Any) -> None:
    users = User.objects.count()
    call_command("seed_demo", i_know_this_is_not_production=True)
    assert User.objects.count() == users
    assert "already there" in capsys.readouterr().out


def test_every_demo_role_exists_with_the_right_access(demo: Municipality) -> None:
    roles = {
        m.user.username: (m.access_role, m.is_authority, m.sector)
        for m in Member.objects.filter(user__isnull=False).select_related("user")
        if m.user is not None
    }
    assert roles == {
        "koordinator": (AccessRole.SSP_STAFF, True, "buf"),
        "laerer": (AccessRole.EMPLOYEE, True, "buf"),
        "socialraadgiver": (AccessRole.EMPLOYEE, True, "sof"),
        "politi": (AccessRole.EMPLOYEE, True, "police"),
        "boligsocial": (AccessRole.EMPLOYEE, False, "housing"),
        "politiker": (AccessRole.POLITICIAN, False, "politics"),
        "admin": (AccessRole.ADMINISTRATOR, False, "other"),
        "tilsyn": (AccessRole.SUPERVISOR, False, "other"),
        # Issue 14: the steering group's other permanent members sign its protocol.
        "naestformand": (AccessRole.POLITICIAN, False, "politics"),
        "byraadsmedlem": (AccessRole.POLITICIAN, False, "politics"),
        "politileder": (AccessRole.EMPLOYEE, True, "police"),
        "centerchef": (AccessRole.EMPLOYEE, True, "sof"),
    }
    assert User.objects.get(username="admin").is_staff
    assert not User.objects.filter(is_superuser=True).exists()
