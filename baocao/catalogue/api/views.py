"""Read-only API over the catalogue, periods and expected reports.

Catalogue metadata is readable by every signed-in user and system; expected reports
are restricted to the units in the caller's scope (`baocao.accounts.scope`).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baocao.accounts.scope import unit_ids_in_scope
from baocao.catalogue import selectors
from baocao.catalogue.api.serializers import (
    DimensionSerializer,
    ExpectedReportSerializer,
    FormSerializer,
    IndicatorSerializer,
    PeriodSerializer,
    RegimePeriodSerializer,
    RegimeSerializer,
    SectorSerializer,
)
from baocao.catalogue.choices import PeriodTypeChoice
from baocao.catalogue.models import Dimension, Form, Indicator, Regime, Sector
from baocao.catalogue.rules import period_problem
from baocao.core.dates import parse_iso_date
from baocao.organisations import selectors as org_selectors
from baocao.periods import Period, PeriodError, PeriodType, parse_period, periods_between

CODE = "[A-Za-z0-9._-]+"
FROM = OpenApiParameter("from", OpenApiTypes.DATE, description="First day (ISO 8601).")
TO = OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (ISO 8601).")
# A list of periods is capped so that one request cannot enumerate centuries of days.
MAX_PERIODS = 1000


def _date_param(request: Request, name: str, default: dt.date) -> dt.date:
    raw = request.query_params.get(name)
    if not raw:
        return default
    try:
        return parse_iso_date(raw)
    except ValueError:
        raise ValidationError({name: [f"{raw!r}: YYYY-MM-DD"]}) from None


def _range(request: Request, *, before: int, after: int) -> tuple[dt.date, dt.date]:
    today = org_selectors.today()
    start = _date_param(request, "from", today - dt.timedelta(days=before))
    end = _date_param(request, "to", today + dt.timedelta(days=after))
    if end < start:
        raise ValidationError({"to": ["to < from"]})
    return start, end


def _period(code: str) -> Period:
    try:
        return parse_period(code)
    except PeriodError as error:
        raise period_problem(error, field="period") from None


class CodeLookupMixin:
    lookup_field = "code"
    lookup_value_regex = CODE


@extend_schema_view(list=extend_schema(summary="Sectors (QĐ 293/QĐ-TTg areas)"))
class SectorViewSet(CodeLookupMixin, viewsets.ReadOnlyModelViewSet[Sector]):
    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    pagination_class = None


@extend_schema_view(list=extend_schema(summary="Disaggregation dimensions and their options"))
class DimensionViewSet(CodeLookupMixin, viewsets.ReadOnlyModelViewSet[Dimension]):
    queryset = selectors.dimensions()
    serializer_class = DimensionSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Indicators",
        parameters=[
            OpenApiParameter("sector", OpenApiTypes.STR, description="Sector code."),
            OpenApiParameter("dimension", OpenApiTypes.STR, description="Dimension code."),
            OpenApiParameter("q", OpenApiTypes.STR, description="Code or name contains."),
        ],
    )
)
class IndicatorViewSet(CodeLookupMixin, viewsets.ReadOnlyModelViewSet[Indicator]):
    serializer_class = IndicatorSerializer

    def get_queryset(self) -> QuerySet[Indicator]:
        params = self.request.query_params
        return selectors.indicators(
            sector=params.get("sector") or None,
            search=params.get("q") or None,
            dimension=params.get("dimension") or None,
        )


class FormViewSet(CodeLookupMixin, viewsets.ReadOnlyModelViewSet[Form]):
    serializer_class = FormSerializer

    def get_queryset(self) -> QuerySet[Form]:
        return selectors.forms()


class RegimeViewSet(CodeLookupMixin, viewsets.ReadOnlyModelViewSet[Regime]):
    """Regimes with every version and step; `periods` gives windows and deadlines."""

    serializer_class = RegimeSerializer

    def get_queryset(self) -> QuerySet[Regime]:
        return selectors.regimes()

    @extend_schema(
        summary="The regime's periods ending between two dates, with cutoffs and deadlines",
        parameters=[FROM, TO],
        responses=RegimePeriodSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def periods(self, request: Request, code: str) -> Response:
        regime = selectors.regime_get(code=code)
        start, end = _range(request, before=366, after=366)
        items = selectors.regime_periods(regime=regime, start=start, end=end)
        return Response(RegimePeriodSerializer(items[:MAX_PERIODS], many=True).data)

    @extend_schema(
        summary="Cutoff window and deadlines of one period of the regime",
        responses=RegimePeriodSerializer,
    )
    @action(detail=True, methods=["get"], url_path=r"periods/(?P<period>[0-9WQSN-]+)")
    def period(self, request: Request, code: str, period: str) -> Response:
        regime = selectors.regime_get(code=code)
        item = selectors.regime_period(regime=regime, period=_period(period))
        return Response(RegimePeriodSerializer(item).data)


@extend_schema_view(
    list=extend_schema(
        summary="Periods of a type between two dates",
        parameters=[
            OpenApiParameter(
                "type",
                OpenApiTypes.STR,
                enum=[value for value in PeriodTypeChoice.values if value != "range"],
                required=True,
            ),
            FROM,
            TO,
        ],
        responses=PeriodSerializer(many=True),
    ),
    retrieve=extend_schema(summary="A period by its code", responses=PeriodSerializer),
)
class PeriodViewSet(viewsets.ViewSet):
    """Period codes: `20261121`, `2026W47`, `202611`, `2026Q3`, `2026S1`, `2026N9`, `2026`."""

    lookup_field = "code"
    lookup_value_regex = "[0-9WQSN-]+"

    def list(self, request: Request) -> Response:
        raw = request.query_params.get("type", "")
        if raw not in PeriodTypeChoice.values or raw == "range":
            raise ValidationError({"type": [f"{raw!r}"]})
        start, end = _range(request, before=0, after=365)
        periods = periods_between(PeriodType(raw), start, end)[:MAX_PERIODS]
        return Response(PeriodSerializer(periods, many=True).data)

    def retrieve(self, request: Request, code: str) -> Response:
        return Response(PeriodSerializer(_period(code)).data)


class ExpectedReportView(APIView):
    """Reports a unit owes with a deadline between two dates."""

    @extend_schema(
        summary="Expected reports of a unit (default: the caller's unit)",
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.STR, description="Unit code."),
            FROM,
            TO,
        ],
        responses=ExpectedReportSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        code = request.query_params.get("unit")
        unit = org_selectors.unit_get(code=code) if code else getattr(request.user, "unit", None)
        if unit is None:
            raise ValidationError({"unit": ["required"]})
        scope = unit_ids_in_scope(request.user)
        if scope is not None and unit.pk not in scope:
            raise PermissionDenied()
        start, end = _range(request, before=7, after=60)
        reports = selectors.expected_reports(unit=unit, start=start, end=end)
        return Response(ExpectedReportSerializer(reports, many=True).data)
