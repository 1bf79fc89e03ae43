"""Batch validation through the API: start a run, follow it, read or download what it found."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from baocao.organisations import selectors as org_selectors
from baocao.validation import selectors, services
from baocao.validation.api.serializers import (
    OutlierFindingSerializer,
    RuleViolationSerializer,
    ValidationRunInputSerializer,
    ValidationRunSerializer,
)
from baocao.validation.exports import outliers_csv, violations_csv
from baocao.validation.models import OutlierFinding, RuleViolation, ValidationRun


class ValidationRunListView(generics.ListAPIView[ValidationRun]):
    """Batch validation runs over the caller's units; POST queues a new one (202)."""

    serializer_class = ValidationRunSerializer

    def get_queryset(self) -> QuerySet[ValidationRun]:
        return selectors.validation_runs(user=self.request.user)

    @extend_schema(request=ValidationRunInputSerializer, responses={202: ValidationRunSerializer})
    def post(self, request: Request) -> Response:
        given = ValidationRunInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(given.validated_data)
        unit = org_selectors.unit_get(code=data["unit"]) if data.get("unit") else None
        run = services.validation_run_create(
            periods=data["periods"],
            unit=unit,
            rules=data.get("rules", []),
            source=data.get("value_source", ""),
            actor=request.user,
        )
        run = services.validation_run_enqueue(run=run)
        return Response(ValidationRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class ValidationRunDetailView(generics.RetrieveAPIView[ValidationRun]):
    """One run: its status, progress and counts by rule."""

    serializer_class = ValidationRunSerializer

    def get_object(self) -> ValidationRun:
        return selectors.validation_run_get(run_id=self.kwargs["pk"], user=self.request.user)


class RuleViolationListView(generics.ListAPIView[RuleViolation]):
    """The violations a run found; `?download=csv` downloads them all."""

    serializer_class = RuleViolationSerializer

    def get_queryset(self) -> QuerySet[RuleViolation]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is being drawn
            return RuleViolation.objects.none()
        run = selectors.validation_run_get(run_id=self.kwargs["pk"], user=self.request.user)
        violations = selectors.run_violations(run)
        params = self.request.query_params
        if params.get("rule"):
            violations = violations.filter(rule_code=params["rule"])
        if params.get("unit"):
            violations = violations.filter(unit__code=params["unit"])
        if params.get("status"):
            violations = violations.filter(status=params["status"])
        return violations

    @extend_schema(
        parameters=[
            OpenApiParameter("rule", str),
            OpenApiParameter("unit", str),
            OpenApiParameter("status", str),
            OpenApiParameter("download", str, enum=["csv"]),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if request.query_params.get("download") == "csv":
            run = selectors.validation_run_get(run_id=kwargs["pk"], user=request.user)
            response = StreamingHttpResponse(violations_csv(run), content_type="text/csv")
            response["Content-Disposition"] = f'attachment; filename="vi-pham-{run.pk}.csv"'
            return response
        return super().get(request, *args, **kwargs)


class OutlierFindingListView(generics.ListAPIView[OutlierFinding]):
    """The outliers a run found (issue 5); `?download=csv` downloads them all.

    Readable by whoever may read the run, as its violations are.
    """

    serializer_class = OutlierFindingSerializer

    def get_queryset(self) -> QuerySet[OutlierFinding]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is being drawn
            return OutlierFinding.objects.none()
        run = selectors.validation_run_get(run_id=self.kwargs["pk"], user=self.request.user)
        params = self.request.query_params
        return selectors.run_outliers(
            run, unit=params.get("unit", ""), indicator=params.get("indicator", "")
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", str),
            OpenApiParameter("indicator", str),
            OpenApiParameter("download", str, enum=["csv"]),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if request.query_params.get("download") == "csv":
            run = selectors.validation_run_get(run_id=kwargs["pk"], user=request.user)
            params = request.query_params
            rows = outliers_csv(
                run, unit=params.get("unit", ""), indicator=params.get("indicator", "")
            )
            response = StreamingHttpResponse(rows, content_type="text/csv")
            response["Content-Disposition"] = f'attachment; filename="khac-thuong-{run.pk}.csv"'
            return response
        return super().get(request, *args, **kwargs)
