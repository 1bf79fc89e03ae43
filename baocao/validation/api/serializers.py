"""Serializers of the validation API."""

from __future__ import annotations

from rest_framework import serializers

from baocao.organisations.models import Unit
from baocao.validation.models import OutlierFinding, RuleViolation, ValidationRun


class ValidationRunInputSerializer(serializers.Serializer[dict[str, object]]):
    periods = serializers.ListField(child=serializers.CharField(max_length=32), max_length=120)
    unit = serializers.CharField(required=False, allow_blank=True, max_length=64)
    rules = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=5000
    )
    # `source` is a reserved attribute of DRF fields: the values' source is `value_source`.
    value_source = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=64
    )


class ValidationRunSerializer(serializers.ModelSerializer[ValidationRun]):
    unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = ValidationRun
        fields = [
            "id",
            "created_at",
            "created_by_name",
            "unit",
            "periods",
            "rules",
            "source",
            "status",
            "progress_done",
            "progress_total",
            "started_at",
            "finished_at",
            "counts",
            "error",
        ]
        read_only_fields = fields


class RuleViolationSerializer(serializers.ModelSerializer[RuleViolation]):
    unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = RuleViolation
        fields = ["rule_code", "importance", "unit", "period", "source", "status", "left", "right"]
        read_only_fields = fields


class OutlierFindingSerializer(serializers.ModelSerializer[OutlierFinding]):
    """An outlier a run found: the value and the range expected from the unit's history."""

    indicator = serializers.CharField(source="indicator_code", read_only=True)
    unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = OutlierFinding
        fields = [
            "indicator",
            "disaggregation",
            "unit",
            "period",
            "source",
            "value",
            "expected_low",
            "expected_high",
            "basis",
            "score",
        ]
        read_only_fields = fields
