"""The prevention API (`/api/v1/prevention/`): filled in by the pages' and API's work."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["prevention"])
