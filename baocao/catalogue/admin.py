"""Admin pages for editing the catalogue.

Ministries that keep their regimes under version control use `baocao catalogue load`;
the admin is for small edits. Every save and delete here is written to the audit trail,
and the rules that need more than one field (formulas, aggregation per value type,
cutoff and deadline rules, validation rule expressions, reconciliation sources) are checked by
the models' `clean()`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest

from baocao.audit.choices import AuditAction
from baocao.audit.services import change_record_create, snapshot
from baocao.catalogue.models import (
    Dimension,
    DimensionOption,
    Form,
    FormColumn,
    FormRow,
    FormSection,
    Indicator,
    IndicatorDimension,
    NarrativeField,
    ReconciliationRule,
    Regime,
    RegimeForm,
    RegimeVersion,
    ReportingStep,
    Sector,
    ValidationRule,
)


class AuditedAdmin(admin.ModelAdmin):
    """Records every admin save and delete in the audit trail."""

    def save_model(
        self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool
    ) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)
        change_record_create(
            actor=request.user,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            instance=obj,
            before=before,
            after=snapshot(obj),
            reason="admin",
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        change_record_create(
            actor=request.user,
            action=AuditAction.DELETE,
            instance=obj,
            before=snapshot(obj),
            reason="admin",
        )
        super().delete_model(request, obj)


@admin.register(Sector)
class SectorAdmin(AuditedAdmin):
    list_display = ["code", "name", "name_en", "order"]
    search_fields = ["code", "name", "name_en"]


class DimensionOptionInline(admin.TabularInline):
    model = DimensionOption
    extra = 0


@admin.register(Dimension)
class DimensionAdmin(AuditedAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]
    inlines = [DimensionOptionInline]


class IndicatorDimensionInline(admin.TabularInline):
    model = IndicatorDimension
    extra = 0
    autocomplete_fields = ["dimension"]


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = [
        "code",
        "name",
        "unit_of_measure",
        "value_type",
        "aggregation",
        "sector",
        "is_derived",
        "illustrative",
    ]
    list_filter = ["sector", "value_type", "aggregation", "illustrative"]
    search_fields = ["code", "name", "name_en", "statistical_code"]
    inlines = [IndicatorDimensionInline]

    @admin.display(boolean=True, description=Indicator._meta.get_field("formula").verbose_name)
    def is_derived(self, obj: Indicator) -> bool:
        return obj.is_derived


class FormSectionInline(admin.StackedInline):
    model = FormSection
    extra = 0
    show_change_link = True


class NarrativeFieldInline(admin.StackedInline):
    model = NarrativeField
    extra = 0


@admin.register(Form)
class FormAdmin(AuditedAdmin):
    list_display = ["code", "name", "illustrative"]
    search_fields = ["code", "name"]
    inlines = [FormSectionInline, NarrativeFieldInline]


class FormColumnInline(admin.TabularInline):
    model = FormColumn
    extra = 0


class FormRowInline(admin.TabularInline):
    model = FormRow
    extra = 0
    autocomplete_fields = ["indicator"]


@admin.register(FormSection)
class FormSectionAdmin(AuditedAdmin):
    list_display = ["form", "code", "title", "column_dimension"]
    list_filter = ["form"]
    inlines = [FormColumnInline, FormRowInline]


class RegimeVersionInline(admin.TabularInline):
    model = RegimeVersion
    extra = 0
    fields = ["valid_from", "valid_to", "frequency", "cutoff_kind", "legal_basis"]
    show_change_link = True


@admin.register(Regime)
class RegimeAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "content", "sector", "illustrative"]
    list_filter = ["kind", "content", "sector", "illustrative"]
    search_fields = ["code", "name", "name_en"]
    inlines = [RegimeVersionInline]


class RegimeFormInline(admin.TabularInline):
    model = RegimeForm
    extra = 0


class ReportingStepInline(admin.StackedInline):
    model = ReportingStep
    extra = 0
    raw_id_fields = ["reporter_units", "receiver_unit"]


@admin.register(RegimeVersion)
class RegimeVersionAdmin(AuditedAdmin):
    list_display = ["regime", "valid_from", "valid_to", "frequency", "cutoff_kind"]
    list_filter = ["frequency", "regime"]
    inlines = [RegimeFormInline, ReportingStepInline]


@admin.register(ValidationRule)
class ValidationRuleAdmin(AuditedAdmin):
    """Validation rules; `ValidationRule.clean()` refuses what `catalogue load` would refuse."""

    list_display = ["code", "name", "operator", "importance", "sector", "illustrative"]
    list_filter = ["importance", "operator", "sector", "period_type", "illustrative"]
    search_fields = ["code", "name", "name_en", "left", "right"]
    fields = [
        "code",
        "name",
        "name_en",
        "description",
        "left",
        "operator",
        "right",
        "importance",
        "missing_values",
        "period_type",
        "unit_levels",
        "message",
        "sector",
        "legal_source",
        "illustrative",
    ]


@admin.register(ReconciliationRule)
class ReconciliationRuleAdmin(AuditedAdmin):
    """Reconciliation rules; `ReconciliationRule.clean()` refuses a rule that cannot be compared."""

    list_display = [
        "code",
        "name",
        "indicator",
        "kind",
        "left_source",
        "right_source",
        "tolerance_absolute",
        "tolerance_percent",
        "illustrative",
    ]
    list_filter = ["kind", "sector", "period_type", "illustrative"]
    search_fields = ["code", "name", "name_en", "indicator__code", "left_source", "right_source"]
    autocomplete_fields = ["indicator"]
    list_select_related = ["indicator"]
    fields = [
        "code",
        "name",
        "name_en",
        "description",
        "indicator",
        "kind",
        "left_source",
        "right_source",
        "tolerance_absolute",
        "tolerance_percent",
        "period_type",
        "unit_levels",
        "sector",
        "legal_source",
        "illustrative",
    ]
