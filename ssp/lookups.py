"""Query shapes the access rules need at scale.

`field__any_of=subquery` is `field = ANY(ARRAY(subquery))` on PostgreSQL and `field IN
(subquery)` elsewhere. PostgreSQL runs the array's subquery once, before the scan, and can then
serve each arm of an OR from an index and combine them (a BitmapOr). With `IN (subquery)` in an
OR it must test every row of the table against a hashed subplan: a sequential scan of all the
municipality's cases or concerns for every visibility check (issue 11).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Lookup
from django.db.models.sql.compiler import SQLCompiler


class AnyOf(Lookup[Any]):
    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        params = (*lhs_params, *rhs_params)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(ARRAY{rhs})", params
        return f"{lhs} IN {rhs}", params


def register() -> None:
    """Called once from `SspConfig.ready`."""
    for field in (models.BigAutoField, models.AutoField, models.ForeignKey):
        field.register_lookup(AnyOf)
