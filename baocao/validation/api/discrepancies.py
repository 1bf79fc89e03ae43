"""Reconciliation and data-quality counts through the API (issue 5, scopes 5 and 6).

`/discrepancies/` lists the figures on which two sources disagree, with their follow-up;
`/discrepancies/compare/` compares the sources now; `/data-quality/counts/` gives, per unit
and period, the counts a dashboard colours a map with.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baocao.accounts import scope
from baocao.catalogue.models import Indicator, ReconciliationRule
from baocao.core.errors import DomainError, Rejected
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.submissions import selectors as submission_selectors
from baocao.submissions.errors import SubmissionDenied
from baocao.submissions.values import canonical_decimal
from baocao.validation import selectors, services
from baocao.validation.errors import ValidationError
from baocao.validation.exports import discrepancies_csv
from baocao.validation.models import Discrepancy, DiscrepancyEvent

# At most this many units and periods in one counts request (34 provinces x 60 months fits).
MAX_COUNT_CELLS = 50_000

# Serializers ------------------------------------------------------------------------------------


class DiscrepancyEventSerializer(serializers.ModelSerializer[DiscrepancyEvent]):
    class Meta:
        model = DiscrepancyEvent
        fields = ["kind", "created_at", "author_name", "text", "left_value", "right_value"]
        read_only_fields = fields


class DiscrepancySerializer(serializers.ModelSerializer[Discrepancy]):
    rule: serializers.SlugRelatedField[ReconciliationRule] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    indicator: serializers.SlugRelatedField[Indicator] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    # Values are canonical texts (1234.5) so that no precision is lost in JSON numbers.
    difference = serializers.SerializerMethodField()

    class Meta:
        model = Discrepancy
        fields = [
            "id",
            "rule",
            "indicator",
            "disaggregation",
            "unit",
            "period",
            "left_source",
            "left_value",
            "right_source",
            "right_value",
            "difference",
            "status",
            "found_at",
            "checked_at",
            "resolved_at",
            "resolved_by_name",
            "resolution",
        ]
        read_only_fields = fields

    def get_difference(self, item: Discrepancy) -> str:
        return canonical_decimal(selectors.discrepancy_difference(item))


class DiscrepancyDetailSerializer(DiscrepancySerializer):
    events = DiscrepancyEventSerializer(many=True, read_only=True)

    class Meta(DiscrepancySerializer.Meta):
        fields = [*DiscrepancySerializer.Meta.fields, "events"]
        read_only_fields = fields


class CompareInputSerializer(serializers.Serializer[dict[str, object]]):
    periods = serializers.ListField(child=serializers.CharField(max_length=32), max_length=120)
    unit = serializers.CharField(required=False, allow_blank=True, max_length=64)
    rules = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=1000
    )


class TextInputSerializer(serializers.Serializer[dict[str, object]]):
    text = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")


class QualityCountsSerializer(serializers.Serializer[dict[str, object]]):
    unit = serializers.CharField()
    unit_name = serializers.CharField()
    period = serializers.CharField()
    # The API's field is `errors`; DRF's Serializer has an `errors` property of its own.
    errors = serializers.IntegerField()  # type: ignore[assignment]
    warnings = serializers.IntegerField()
    not_evaluable = serializers.IntegerField()
    outliers = serializers.IntegerField()
    open_discrepancies = serializers.IntegerField()
    judged = serializers.BooleanField(help_text="Whether a validation run judged this unit.")
    runs = serializers.ListField(child=serializers.IntegerField())


# Views ------------------------------------------------------------------------------------------


class DiscrepancyListView(generics.ListAPIView[Discrepancy]):
    """Discrepancies over the caller's units; `?download=csv` downloads them all."""

    serializer_class = DiscrepancySerializer

    def get_queryset(self) -> QuerySet[Discrepancy]:
        if getattr(self, "swagger_fake_view", False):
            return Discrepancy.objects.none()
        params = self.request.query_params
        code = params.get("unit", "")
        return selectors.discrepancies(
            user=self.request.user,
            status=params.get("status", ""),
            rule=params.get("rule", ""),
            unit=org_selectors.unit_get(code=code) if code else None,
            period=params.get("period", ""),
            indicator=params.get("indicator", ""),
            source=params.get("source", ""),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=["open", "corrected", "accepted"]),
            OpenApiParameter("period", str),
            OpenApiParameter("unit", str, description="The unit and everything below it."),
            OpenApiParameter("rule", str),
            OpenApiParameter("indicator", str),
            OpenApiParameter("source", str, description="Either side's source."),
            OpenApiParameter("download", str, enum=["csv"]),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if request.query_params.get("download") == "csv":
            found = self.get_queryset().iterator(chunk_size=2000)
            response = StreamingHttpResponse(discrepancies_csv(found), content_type="text/csv")
            response["Content-Disposition"] = 'attachment; filename="chenh-lech-nguon.csv"'
            return response
        return super().get(request, *args, **kwargs)


class DiscrepancyDetailView(generics.RetrieveAPIView[Discrepancy]):
    """One discrepancy with its follow-up."""

    serializer_class = DiscrepancyDetailSerializer

    def get_object(self) -> Discrepancy:
        return selectors.discrepancy_get(discrepancy_id=self.kwargs["pk"], user=self.request.user)


class DiscrepancyActionView(APIView):
    """`comment` (text), `accept` and `reopen` (text: the reason), `recheck`."""

    action_name = ""

    @extend_schema(request=TextInputSerializer, responses={200: DiscrepancyDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        discrepancy = selectors.discrepancy_get(discrepancy_id=pk, user=request.user)
        given = TextInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        text = str(given.validated_data.get("text", ""))
        if self.action_name == "comment":
            services.discrepancy_comment(discrepancy=discrepancy, text=text, actor=request.user)
        elif self.action_name == "accept":
            services.discrepancy_accept(discrepancy=discrepancy, reason=text, actor=request.user)
        elif self.action_name == "reopen":
            services.discrepancy_reopen(discrepancy=discrepancy, reason=text, actor=request.user)
        else:
            services.discrepancy_recheck(discrepancy=discrepancy, actor=request.user)
        discrepancy.refresh_from_db()
        return Response(DiscrepancyDetailSerializer(discrepancy).data)


class DiscrepancyCompareView(APIView):
    """Compare the sources now, for periods and a unit (and everything below it)."""

    @extend_schema(request=CompareInputSerializer, responses={200: dict[str, int]})
    def post(self, request: Request) -> Response:
        given = CompareInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(given.validated_data)
        unit = org_selectors.unit_get(code=data["unit"]) if data.get("unit") else None
        summary = services.discrepancies_compare(
            periods=data["periods"], unit=unit, rules=data.get("rules", []), actor=request.user
        )
        return Response(summary.as_dict())


class QualityCountsView(APIView):
    """Per unit and period: errors, warnings, outliers and open discrepancies.

    Each unit's counts include everything below it (a province adds up its communes).
    Give `unit` (repeatable) or `children_of` (every unit directly below it), and `period`
    (repeatable). Errors, warnings and outliers are those of the latest finished validation
    run that judged the unit and period; `judged` says whether one did.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, many=True, required=True),
            OpenApiParameter("unit", str, many=True),
            OpenApiParameter("children_of", str),
        ],
        responses={200: QualityCountsSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        problems: list[DomainError] = []
        periods: list[str] = []
        for index, raw in enumerate(params.getlist("period")):
            try:
                periods.append(
                    submission_selectors.period_parse(raw, field=f"period[{index}]").code
                )
            except DomainError as error:
                problems.append(error)
        if not params.getlist("period"):
            problems.append(DomainError(ValidationError.NO_PERIODS, field="period"))
        units = [org_selectors.unit_get(code=code) for code in params.getlist("unit")]
        parent_code = params.get("children_of", "")
        if parent_code:
            parent = org_selectors.unit_get(code=parent_code)
            units += [
                version.unit
                for version in org_selectors.unit_children(unit=parent, on=org_selectors.today())
            ]
        if not units:
            own = getattr(request.user, "unit", None)
            units = [own] if own is not None else []
        if len(units) * max(len(periods), 1) > MAX_COUNT_CELLS:
            problems.append(
                DomainError(ValidationError.TOO_MANY_CELLS, field="unit", maximum=MAX_COUNT_CELLS)
            )
        if problems:
            raise Rejected(problems)
        visible = scope.unit_ids_in_scope(request.user)
        for unit in units:
            if visible is not None and unit.pk not in visible:
                raise SubmissionDenied(
                    ValidationError.UNIT_OUT_OF_SCOPE, field="unit", unit=unit.code
                )
        counts = selectors.quality_counts(units=units, periods=periods)
        rows = [
            {
                "unit": unit.code,
                "unit_name": org_selectors.unit_name_as_of(unit=unit),
                "period": period,
                "errors": item.errors,
                "warnings": item.warnings,
                "not_evaluable": item.not_evaluable,
                "outliers": item.outliers,
                "open_discrepancies": item.open_discrepancies,
                "judged": item.judged,
                "runs": sorted(item.run_ids),
            }
            for unit in units
            for period in periods
            for item in [counts[(unit.pk, period)]]
        ]
        return Response(rows)  # plain numbers and texts; the serializer documents them
