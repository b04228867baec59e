"""Query shapes the access rules need at scale (issue 11).

`field__any_of=subquery` is `field = ANY(ARRAY(subquery))` on PostgreSQL and `field IN
(subquery)` elsewhere. PostgreSQL runs the array's subquery once, before the scan, and can then
serve each arm of an OR from an index and combine them (a BitmapOr). With `IN (subquery)` in an
OR it must test every row of the table against a hashed subplan: a sequential scan of all the
municipality's cases or concerns for every visibility check.

`field__any_of=ids` (a set of ints, such as an actor's fora) is `field = ANY(%s)` with one array
parameter on PostgreSQL and `field IN (%s, ...)` elsewhere: hundreds of `%s` cost more to build,
bind and parse than such a query costs to run.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Lookup
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.query import Query


class AnyOf(Lookup[Any]):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        # As `__in` does: a subquery's order (a model's default ordering) is only a cost here.
        if isinstance(self.rhs, Query):
            self.rhs.clear_ordering(clear_default=True)
        return super().get_prep_lookup()

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not hasattr(self.rhs, "as_sql"):
            return self._values_sql(lhs, tuple(lhs_params), connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        params = (*lhs_params, *rhs_params)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(ARRAY{rhs})", params
        return f"{lhs} IN {rhs}", params

    def _values_sql(
        self, lhs: str, lhs_params: tuple[Any, ...], connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        """A set of ids (the actor's fora): one array parameter on PostgreSQL, where a list of
        hundreds of `%s` costs more to build, bind and parse than the query costs to run."""
        values = sorted(int(value) for value in self.rhs)
        if not values:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*lhs_params, values)
        placeholders = ", ".join(["%s"] * len(values))
        return f"{lhs} IN ({placeholders})", (*lhs_params, *values)


def register() -> None:
    """Called once from `SspConfig.ready`."""
    for field in (models.BigAutoField, models.AutoField, models.ForeignKey):
        field.register_lookup(AnyOf)
