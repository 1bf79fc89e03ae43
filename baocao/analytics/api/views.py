"""`/api/v1/analytics`: any indicator for any units and periods, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baocao.analytics import selectors
from baocao.analytics.engine import HISTORICAL

CSV_COLUMNS = [
    "indicator",
    "unit",
    "unit_name",
    "period",
    "disaggregation",
    "value",
    "values",
    "provisional",
    "remapped",
    "partial",
    "previous",
    "last_year",
    "growth_previous",
    "growth_last_year",
]


class AnalyticsView(APIView):
    """Aggregated values: `indicator`, `unit` and `period` repeat; `children_of` gives every
    unit directly below a unit; `structure` is `historical` (default) or a date (YYYY-MM-DD)
    to see earlier data on that date's units; `comparison` adds `previous` or `last_year`
    with the growth in percent; `download=csv` downloads the rows (as the other endpoints do;
    DRF keeps `format` for itself)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("indicator", str, many=True, required=True),
            OpenApiParameter("period", str, many=True, required=True),
            OpenApiParameter("unit", str, many=True),
            OpenApiParameter("children_of", str),
            OpenApiParameter("level", str, description="Of the units below: province, commune…"),
            OpenApiParameter("disaggregation", str, description='"", DIM=OPT or DIM=*'),
            OpenApiParameter("structure", str, description="historical or YYYY-MM-DD"),
            OpenApiParameter("source", str, description="Empty: the official value."),
            OpenApiParameter("comparison", str, many=True, enum=["previous", "last_year"]),
            OpenApiParameter("download", str, enum=["csv"]),
        ],
        responses={200: dict[str, Any]},
    )
    def get(self, request: Request) -> Any:
        params = request.query_params
        result = selectors.analytics_query(
            indicators=params.getlist("indicator"),
            periods=params.getlist("period"),
            units=params.getlist("unit"),
            children_of=params.get("children_of", ""),
            level=params.get("level", ""),
            disaggregation=params.get("disaggregation", ""),
            structure=params.get("structure", "") or HISTORICAL,
            source=params.get("source", ""),
            comparisons=params.getlist("comparison"),
            user=request.user,
        )
        rows = [row.as_dict() for row in result.rows]
        if params.get("download") == "csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
            response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="phan-tich.csv"'
            return response
        return Response(
            {
                "generation": result.generation,
                "live_changes": result.live_changes,
                "structure": result.structure,
                "seconds": round(result.seconds, 4),
                "rows": rows,
            }
        )
