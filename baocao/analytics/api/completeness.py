"""`/api/v1/analytics/completeness/`: who sent a regime's reports, on time or late, and who
has not, per unit and period, as JSON or CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baocao.analytics.completeness import CompletenessRow, reporting_completeness
from baocao.analytics.errors import AnalyticsError
from baocao.core.errors import DomainError, Rejected

CSV_COLUMNS = [
    "regime",
    "unit",
    "unit_name",
    "period",
    "expected",
    "received",
    "accepted",
    "on_time",
    "late",
    "missing",
    "missing_overdue",
    "received_rate",
    "on_time_rate",
    "missing_units",
    "late_units",
]
TRUE = ("1", "true", "yes")
T = TypeVar("T")


def step_parse(text: str | None, *, field: str = "step") -> int | None:
    """The reporting step asked for (`0` is the first), or None for every step."""
    if text is None or not text.strip():
        return None
    try:
        step = int(text)
    except ValueError:
        step = -1
    if step < 0:
        raise DomainError(AnalyticsError.BAD_STEP, field=field, value=text)
    return step


def day_parse(text: str | None, *, field: str = "on") -> dt.date | None:
    if text is None or not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(AnalyticsError.BAD_DATE, field=field, value=text) from None


def _parsed(
    parse: Callable[[str | None], T | None], text: str | None, problems: list[DomainError]
) -> T | None:
    try:
        return parse(text)
    except DomainError as error:
        problems.append(error)
        return None


def csv_rows(rows: list[CompletenessRow]) -> list[dict[str, Any]]:
    """Rows for a CSV file: unit lists as codes separated by spaces, empty when not listed."""
    return [
        {
            **row.as_dict(),
            "missing_units": " ".join(row.missing_units or ()),
            "late_units": " ".join(row.late_units or ()),
        }
        for row in rows
    ]


class CompletenessView(APIView):
    """Completeness and timeliness of a regime's reports: `regime` (required), `period`
    (repeats), `unit` (repeats) and/or `children_of` (every unit directly below it on the
    period's last day); `step` keeps one reporting step (0 is the first); `on` is the day
    deadlines are judged against (default today); `with_units=true` lists the missing and late
    units of every row (always listed for a unit with nothing below it); `download=csv`."""

    @extend_schema(
        parameters=[
            OpenApiParameter("regime", str, required=True),
            OpenApiParameter("period", str, many=True, required=True),
            OpenApiParameter("unit", str, many=True),
            OpenApiParameter("children_of", str),
            OpenApiParameter("step", int, description="Order of the step: 0 is the first."),
            OpenApiParameter("on", dt.date, description="YYYY-MM-DD; default today."),
            OpenApiParameter("with_units", bool),
            OpenApiParameter("download", str, enum=["csv"]),
        ],
        responses={200: dict[str, Any]},
    )
    def get(self, request: Request) -> Any:
        params = request.query_params
        problems: list[DomainError] = []
        step = _parsed(step_parse, params.get("step"), problems)
        on = _parsed(day_parse, params.get("on"), problems)
        if problems:
            raise Rejected(problems)
        rows = reporting_completeness(
            regime=params.get("regime", ""),
            periods=params.getlist("period"),
            units=params.getlist("unit"),
            children_of=params.get("children_of", ""),
            step=step,
            user=request.user,
            on=on,
            with_units=params.get("with_units", "").lower() in TRUE,
        )
        if params.get("download") == "csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(csv_rows(rows))
            response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="tinh-hinh-gui-bao-cao.csv"'
            return response
        return Response({"rows": [row.as_dict() for row in rows]})
