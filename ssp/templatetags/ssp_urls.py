"""`{% row_url 'cases:case_detail' case.pk %}`: a row's link like `{% url %}`, formatted from a
pattern reversed once for the process (`ssp.http.row_url`; a `{% url %}` costs about 40 µs,
and a start page or a list has dozens)."""

from __future__ import annotations

from django import template

from ssp import http

register = template.Library()


@register.simple_tag
def row_url(viewname: str, pk: int) -> str:
    return http.row_url(viewname, pk)
