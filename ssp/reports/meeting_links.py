"""Stub: being written."""

from __future__ import annotations


def register() -> None:
    """Register with ssp.meetings.links."""
