"""`/api/v1/analytics/reporting-board/`: for a regime and some periods, each unit's report
cell by cell (accepted, sent, returned, a draft, missing; on time or late), with the
period totals; what the direction center's reporting board shows (issue 7)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baocao.analytics.api.completeness import _parsed, day_parse, step_parse
from baocao.analytics.completeness import CellStatus, reporting_board
from baocao.core.errors import DomainError, Rejected


def codes_param(request: Request, *names: str) -> list[str]:
    """Codes given by repeating a parameter or separated by commas, under any of `names`
    (`periods=202610,202611` or `period=202610&period=202611`), each once, in order."""
    codes: list[str] = []
    for name in names:
        for value in request.query_params.getlist(name):
            # No NUL character reaches the database: PostgreSQL refuses it in any text.
            clean = value.replace("\x00", "")
            codes.extend(part.strip() for part in clean.split(",") if part.strip())
    return list(dict.fromkeys(codes))


class BoardCellSerializer(serializers.Serializer[Any]):
    period = serializers.CharField()
    status = serializers.ChoiceField(choices=CellStatus.choices)
    deadline = serializers.DateField(allow_null=True)
    days_late = serializers.IntegerField(
        help_text="Received: days after the deadline it was first sent (0 on time). Not "
        "received: days since the deadline passed (0 before)."
    )
    report_id = serializers.IntegerField(allow_null=True)
    report_status = serializers.CharField(help_text="The report's own status; empty if none.")
    step = serializers.IntegerField(allow_null=True, help_text="0 is the first step.")


class BoardRowSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField()
    unit_name = serializers.CharField()
    # DRF takes declared fields off the class; mypy sees them clash with Field attributes.
    parent = serializers.CharField(  # type: ignore[assignment]
        help_text="The unit asked about that this unit is shown under."
    )
    parent_name = serializers.CharField()
    units_below = serializers.IntegerField()
    cells = BoardCellSerializer(many=True)


class BoardTotalsSerializer(serializers.Serializer[Any]):
    period = serializers.CharField()
    period_label = serializers.CharField()
    expected = serializers.IntegerField()
    received = serializers.IntegerField()
    accepted = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()
    missing_overdue = serializers.IntegerField()
    received_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)


class BoardPeriodSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    start = serializers.DateField()
    end = serializers.DateField()


class BoardSerializer(serializers.Serializer[Any]):
    regime = serializers.CharField()
    regime_name = serializers.CharField()
    step = serializers.IntegerField(allow_null=True)
    on = serializers.DateField(help_text="The day deadlines were judged against.")
    periods = BoardPeriodSerializer(many=True)
    rows = BoardRowSerializer(many=True)
    totals = BoardTotalsSerializer(many=True)


class ReportingBoardView(APIView):
    """Who has sent a regime's reports: `regime` (required); `periods` (repeats, or
    separated by commas; `period` is accepted too); `children_of` (the units directly below
    it on each period's last day) and/or `units` (`unit`); a unit that owes nothing itself is
    replaced by the nearest units below it that do. `step` keeps one reporting step (0 is
    the first); `on` is the day deadlines are judged against (default today). A user sees
    only units of their scope."""

    @extend_schema(
        parameters=[
            OpenApiParameter("regime", str, required=True),
            OpenApiParameter("periods", str, many=True, required=True),
            OpenApiParameter("children_of", str),
            OpenApiParameter("units", str, many=True),
            OpenApiParameter("step", int, description="Order of the step: 0 is the first."),
            OpenApiParameter("on", dt.date, description="YYYY-MM-DD; default today."),
        ],
        responses={200: BoardSerializer},
    )
    def get(self, request: Request) -> Any:
        params = request.query_params
        problems: list[DomainError] = []
        step = _parsed(step_parse, params.get("step"), problems)
        on = _parsed(day_parse, params.get("on"), problems)
        if problems:
            raise Rejected(problems)
        board = reporting_board(
            regime=params.get("regime", "").replace("\x00", ""),
            periods=codes_param(request, "periods", "period"),
            units=codes_param(request, "units", "unit"),
            children_of=params.get("children_of", "").replace("\x00", "").strip(),
            step=step,
            user=request.user,
            on=on,
        )
        return Response(BoardSerializer(board).data)
