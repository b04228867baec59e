"""SCAFFOLD: the evaluation endpoints under /api/v1/reports/evaluation/ (mounted in ssp/api.py)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["reports"])
