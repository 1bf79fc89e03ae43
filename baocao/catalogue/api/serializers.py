"""API representations of the catalogue (codes, ISO dates), and of periods and obligations."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from baocao.catalogue.labels import period_label, step_deadline_label
from baocao.catalogue.models import (
    Dimension,
    DimensionOption,
    Form,
    FormSection,
    Indicator,
    NarrativeField,
    Regime,
    RegimeVersion,
    ReportingStep,
    Sector,
)
from baocao.organisations.models import Unit
from baocao.periods import Period


class SectorSerializer(serializers.ModelSerializer[Sector]):
    class Meta:
        model = Sector
        fields = ["code", "name", "name_en", "order", "legal_source"]


class OptionSerializer(serializers.ModelSerializer[DimensionOption]):
    class Meta:
        model = DimensionOption
        fields = ["code", "name", "name_en"]


class DimensionSerializer(serializers.ModelSerializer[Dimension]):
    options = OptionSerializer(many=True, read_only=True)

    class Meta:
        model = Dimension
        fields = ["code", "name", "name_en", "description", "legal_source", "options"]


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    sector: serializers.SlugRelatedField[Sector] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    dimensions: serializers.SlugRelatedField[Dimension] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    derived = serializers.BooleanField(source="is_derived", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "name_en",
            "description",
            "unit_of_measure",
            "value_type",
            "aggregation",
            "decimals",
            "sector",
            "legal_source",
            "statistical_code",
            "formula",
            "derived",
            "illustrative",
            "dimensions",
        ]


class SectionSerializer(serializers.ModelSerializer[FormSection]):
    column_dimension: serializers.SlugRelatedField[Dimension] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    columns = serializers.SerializerMethodField()
    rows = serializers.SerializerMethodField()

    class Meta:
        model = FormSection
        fields = ["code", "title", "column_dimension", "columns", "show_total", "rows"]

    def get_columns(self, section: FormSection) -> list[str]:
        return [column.option.code for column in section.columns.all()]

    def get_rows(self, section: FormSection) -> list[dict[str, Any]]:
        return [
            {
                "indicator": row.indicator.code,
                "label": row.display_label,
                "unit_of_measure": row.indicator.unit_of_measure,
                "required": row.required,
            }
            for row in section.rows.all()
        ]


class NarrativeFieldSerializer(serializers.ModelSerializer[NarrativeField]):
    class Meta:
        model = NarrativeField
        fields = ["code", "label", "help_text", "required", "max_length"]


class FormSerializer(serializers.ModelSerializer[Form]):
    sections = SectionSerializer(many=True, read_only=True)
    narrative_fields = NarrativeFieldSerializer(many=True, read_only=True)

    class Meta:
        model = Form
        fields = [
            "code",
            "name",
            "name_en",
            "description",
            "legal_source",
            "illustrative",
            "sections",
            "narrative_fields",
        ]


class StepSerializer(serializers.ModelSerializer[ReportingStep]):
    reporter_units: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    receiver_unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    deadline_rule = serializers.SerializerMethodField()

    class Meta:
        model = ReportingStep
        fields = [
            "order",
            "name",
            "reporter_levels",
            "reporter_types",
            "reporter_units",
            "reporter_units_as_of",
            "receiver_kind",
            "receiver_level",
            "receiver_unit",
            "deadline_kind",
            "deadline_days",
            "deadline_month_offset",
            "deadline_day",
            "deadline_on",
            "deadline_roll",
            "deadline_rule",
        ]

    def get_deadline_rule(self, step: ReportingStep) -> str:
        return step_deadline_label(step)


class VersionSerializer(serializers.ModelSerializer[RegimeVersion]):
    forms = serializers.SerializerMethodField()
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = RegimeVersion
        fields = [
            "valid_from",
            "valid_to",
            "legal_basis",
            "frequency",
            "cutoff_kind",
            "cutoff_day",
            "periods",
            "sending_method",
            "outline",
            "forms",
            "steps",
        ]

    def get_forms(self, version: RegimeVersion) -> list[str]:
        links = sorted(version.form_links.all(), key=lambda link: link.order)
        return [link.form.code for link in links]


class RegimeSerializer(serializers.ModelSerializer[Regime]):
    sector: serializers.SlugRelatedField[Sector] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    versions = VersionSerializer(many=True, read_only=True)

    class Meta:
        model = Regime
        fields = [
            "code",
            "name",
            "name_en",
            "kind",
            "content",
            "sector",
            "description",
            "illustrative",
            "versions",
        ]


class PeriodSerializer(serializers.Serializer[Any]):
    """A period: its code, type, dates (inclusive), name and neighbours."""

    code = serializers.CharField()
    type = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    # The stubs declare Field.label as a string; a field named "label" is fine at run time.
    label = serializers.SerializerMethodField()  # type: ignore[assignment]
    previous = serializers.SerializerMethodField()
    next = serializers.SerializerMethodField()
    same_period_last_year = serializers.SerializerMethodField()

    def get_label(self, period: Period) -> str:
        return period_label(period)

    def get_previous(self, period: Period) -> str | None:
        return None if period.type == "range" else period.previous().code

    def get_next(self, period: Period) -> str | None:
        return None if period.type == "range" else period.next().code

    def get_same_period_last_year(self, period: Period) -> str:
        return period.same_period_last_year().code


class StepDeadlineSerializer(serializers.Serializer[Any]):
    step = serializers.IntegerField(source="step.order")
    name = serializers.CharField(source="step.name")
    deadline = serializers.DateField()
    rule = serializers.SerializerMethodField()

    def get_rule(self, item: Any) -> str:
        return step_deadline_label(item.step)


class RegimePeriodSerializer(serializers.Serializer[Any]):
    """A regime's period with its data cutoff window and each step's deadline."""

    regime = serializers.CharField(source="regime.code")
    version_valid_from = serializers.DateField(source="version.valid_from")
    period = PeriodSerializer()
    cutoff_start = serializers.DateField(source="window.start")
    cutoff_end = serializers.DateField(source="window.end")
    deadlines = StepDeadlineSerializer(many=True)


class ExpectedReportSerializer(serializers.Serializer[Any]):
    """A report a unit owes."""

    unit = serializers.CharField(source="unit.code")
    regime = serializers.CharField(source="regime.code")
    regime_name = serializers.CharField(source="regime.name")
    version_valid_from = serializers.DateField(source="version.valid_from")
    step = serializers.IntegerField(source="step.order")
    step_name = serializers.CharField(source="step.name")
    period = PeriodSerializer()
    cutoff_start = serializers.DateField(source="window.start")
    cutoff_end = serializers.DateField(source="window.end")
    deadline = serializers.DateField()
    receiver = serializers.SerializerMethodField()

    def get_receiver(self, report: Any) -> str | None:
        return report.receiver.code if report.receiver else None
