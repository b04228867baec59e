"""SCAFFOLD: the effect endpoints under /api/v1/reports/effect/ (mounted in ssp/api.py)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["reports"])
