"""Admin pages for editing the catalogue.

Ministries that keep their regimes under version control use `baocao catalogue load`;
the admin is for small edits. Every save and delete here, inline rows included, is written to
the audit trail, and the rules that need more than one field (formulas, aggregation per value
type, cutoff and deadline rules, validation rule expressions, reconciliation sources) are
checked by the models' `clean()`. Dashboard panels, targets and alerts are checked by the forms
below with the functions `catalogue load` uses (`checks.panel_problems`), so that the admin
refuses what a file would.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from baocao.audit.choices import AuditAction
from baocao.audit.services import change_record_create, snapshot
from baocao.catalogue.checks import PanelProblem, panel_problems
from baocao.catalogue.choices import NUMERIC_VALUE_TYPES, ValueType
from baocao.catalogue.errors import CatalogueError
from baocao.catalogue.models import (
    AlertRule,
    Dashboard,
    DashboardPanel,
    DashboardPanelIndicator,
    Dimension,
    DimensionOption,
    Form,
    FormColumn,
    FormRow,
    FormSection,
    Indicator,
    IndicatorDimension,
    IndicatorTarget,
    NarrativeField,
    ReconciliationRule,
    Regime,
    RegimeForm,
    RegimeVersion,
    ReportingStep,
    Sector,
    ValidationRule,
)
from baocao.catalogue.models.rule import IndicatorShape
from baocao.catalogue.rules import period_problem
from baocao.catalogue.spec import PanelSpec
from baocao.organisations.choices import Level
from baocao.periods import PeriodError, parse_period


class AuditedAdmin(admin.ModelAdmin):
    """Records every admin save and delete in the audit trail, inline rows included."""

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

    def save_formset(
        self, request: HttpRequest, form: ModelForm[Any], formset: Any, change: bool
    ) -> None:
        # The rows as stored, read before the formset writes over them.
        before = {
            row.instance.pk: snapshot(type(row.instance).objects.get(pk=row.instance.pk))
            for row in formset.initial_forms
            if row.instance.pk is not None and row.has_changed()
        }
        for row in formset.deleted_forms:
            if row.instance.pk is not None:
                change_record_create(
                    actor=request.user,
                    action=AuditAction.DELETE,
                    instance=row.instance,
                    before=before.get(row.instance.pk),
                    reason="admin",
                )
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            change_record_create(
                actor=request.user,
                action=AuditAction.CREATE,
                instance=obj,
                after=snapshot(obj),
                reason="admin",
            )
        for obj, _fields in formset.changed_objects:
            change_record_create(
                actor=request.user,
                action=AuditAction.UPDATE,
                instance=obj,
                before=before.get(obj.pk),
                after=snapshot(obj),
                reason="admin",
            )


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


# Dashboards, targets and alerts (issue 7) ------------------------------------------------------


def _shapes(codes: Collection[str] | None = None) -> dict[str, IndicatorShape]:
    """Value type and dimensions of indicators (all, or those named), as the checks need."""
    indicators = Indicator.objects.prefetch_related("dimension_links__dimension")
    if codes is not None:
        indicators = indicators.filter(code__in=codes)
    return {
        indicator.code: IndicatorShape(
            indicator.value_type,
            tuple(
                link.dimension.code
                for link in sorted(indicator.dimension_links.all(), key=lambda link: link.order)
            ),
        )
        for indicator in indicators
    }


def _options() -> dict[str, list[str]]:
    return {
        dimension.code: [option.code for option in dimension.options.all()]
        for dimension in Dimension.objects.prefetch_related("options")
    }


def _panel_problems(
    *,
    chart: str,
    indicators: list[str],
    disaggregation: str,
    level: str,
    regime: Regime | None,
) -> list[PanelProblem]:
    """`catalogue load`'s checks of a panel, on what the admin form holds."""
    spec = PanelSpec.model_construct(
        chart=chart,
        indicators=indicators,
        disaggregation=disaggregation,
        level=level or None,
        regime=regime.code if regime else None,
    )
    return panel_problems(
        spec,
        indicators=_shapes(indicators),
        options=_options(),
        regimes=set(Regime.objects.values_list("code", flat=True)),
    )


def _not_numeric(indicator: Indicator | None, error: CatalogueError) -> str | None:
    if indicator is None or indicator.value_type in NUMERIC_VALUE_TYPES:
        return None
    return error.render(
        {"code": indicator.code, "value_type": ValueType(indicator.value_type).label}
    )


class DashboardPanelForm(forms.ModelForm[DashboardPanel]):
    """A panel's own fields; its indicators are checked by `PanelIndicatorFormSet`."""

    level = forms.ChoiceField(
        label=_("level of the units shown"),
        choices=[("", "---------"), *Level.choices],
        required=False,
    )

    # On the dashboard's page the indicators are not edited: a panel's stored indicators are
    # then checked against its new chart and disaggregation.
    check_stored_indicators = False

    class Meta:
        model = DashboardPanel
        fields = [
            "order",
            "title",
            "title_en",
            "chart",
            "periods",
            "disaggregation",
            "level",
            "regime",
            "width",
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("chart"):
            return cleaned
        stored: list[str] = []
        if self.check_stored_indicators and self.instance.pk is not None:
            stored = list(
                DashboardPanelIndicator.objects.filter(panel=self.instance)
                .order_by("order")
                .values_list("indicator__code", flat=True)
            )
        problems = _panel_problems(
            chart=cleaned["chart"],
            indicators=stored,
            disaggregation=cleaned.get("disaggregation") or "",
            level=cleaned.get("level") or "",
            regime=cleaned.get("regime"),
        )
        for problem in problems:
            field = str(problem.path[0])
            if field == "indicators" and (
                not self.check_stored_indicators
                or problem.error == CatalogueError.PANEL_NO_INDICATORS
            ):
                # Checked with the indicators as edited, or once the panel has some.
                continue
            self.add_error(field if field in self.fields else None, problem.message)
        return cleaned


class DashboardPanelInlineForm(DashboardPanelForm):
    check_stored_indicators = True


class DashboardPanelInline(admin.TabularInline):
    model = DashboardPanel
    form = DashboardPanelInlineForm
    extra = 0
    show_change_link = True
    autocomplete_fields = ["regime"]


@admin.register(Dashboard)
class DashboardAdmin(AuditedAdmin):
    """Pages of the direction center; each panel's indicators are edited on the panel's page."""

    list_display = ["code", "name", "kind", "sector", "order", "rotation"]
    list_filter = ["kind", "sector", "rotation"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["sector"]
    inlines = [DashboardPanelInline]


class PanelIndicatorFormSet(BaseInlineFormSet[DashboardPanelIndicator, DashboardPanel, Any]):
    """A panel's indicators, in order, checked against the panel's chart and disaggregation."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        rows = [
            row.cleaned_data
            for row in self.forms
            if row.cleaned_data
            and not row.cleaned_data.get("DELETE")
            and row.cleaned_data.get("indicator")
        ]
        rows.sort(key=lambda data: data.get("order") or 0)
        codes = [data["indicator"].code for data in rows]
        # The panel as its form above has just read it (the admin builds it before the rows).
        panel = self.instance
        if not panel.chart:
            return
        found = _panel_problems(
            chart=panel.chart,
            indicators=codes,
            disaggregation=panel.disaggregation,
            level=panel.level,
            regime=panel.regime if panel.regime_id else None,
        )
        problems = [problem.message for problem in found if problem.path[:1] == ("indicators",)]
        if problems:
            raise ValidationError(problems)


class DashboardPanelIndicatorInline(admin.TabularInline):
    model = DashboardPanelIndicator
    formset = PanelIndicatorFormSet
    fields = ["indicator", "order"]
    ordering = ["order"]
    extra = 0
    autocomplete_fields = ["indicator"]


@admin.register(DashboardPanel)
class DashboardPanelAdmin(AuditedAdmin):
    form = DashboardPanelForm
    list_display = ["dashboard", "order", "title", "chart", "level", "width"]
    list_filter = ["chart", "dashboard"]
    search_fields = ["title", "title_en", "dashboard__code", "dashboard__name"]
    list_select_related = ["dashboard"]
    autocomplete_fields = ["regime"]
    fields = ["dashboard", *DashboardPanelForm.Meta.fields]
    inlines = [DashboardPanelIndicatorInline]


class IndicatorTargetForm(forms.ModelForm[IndicatorTarget]):
    class Meta:
        model = IndicatorTarget
        fields = ["indicator", "unit", "period", "value", "legal_source"]

    def clean_period(self) -> str:
        period = str(self.cleaned_data["period"]).strip()
        try:
            parse_period(period)
        except PeriodError as error:
            raise ValidationError(period_problem(error).message) from None
        return period

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        problem = _not_numeric(
            cleaned.get("indicator"), CatalogueError.TARGET_INDICATOR_NOT_NUMERIC
        )
        if problem:
            self.add_error("indicator", problem)
        return cleaned


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(AuditedAdmin):
    form = IndicatorTargetForm
    list_display = ["indicator", "unit", "period", "value", "legal_source"]
    list_filter = ["indicator__sector", "period"]
    search_fields = ["indicator__code", "indicator__name", "unit__code", "period"]
    list_select_related = ["indicator", "unit"]
    autocomplete_fields = ["indicator", "unit"]


class AlertRuleForm(forms.ModelForm[AlertRule]):
    class Meta:
        model = AlertRule
        fields = [
            "code",
            "name",
            "name_en",
            "description",
            "indicator",
            "operator",
            "threshold",
            "level",
            "period_type",
            "severity",
            "active",
            "sector",
            "legal_source",
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        problem = _not_numeric(cleaned.get("indicator"), CatalogueError.ALERT_INDICATOR_NOT_NUMERIC)
        if problem:
            self.add_error("indicator", problem)
        return cleaned


@admin.register(AlertRule)
class AlertRuleAdmin(AuditedAdmin):
    form = AlertRuleForm
    list_display = [
        "code",
        "name",
        "indicator",
        "operator",
        "threshold",
        "level",
        "severity",
        "active",
    ]
    list_filter = ["severity", "active", "level", "period_type", "sector"]
    search_fields = ["code", "name", "name_en", "indicator__code"]
    list_select_related = ["indicator"]
    autocomplete_fields = ["indicator"]
