"""The stored catalogue as specs: what `catalogue dump` writes and `catalogue load` compares.

One conversion per kind, so that a dump and the change detection of a load can never
disagree about what an entry is.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from baocao.catalogue.models import (
    AlertRule,
    Dashboard,
    DashboardPanel,
    DashboardPanelIndicator,
    Dimension,
    Form,
    FormSection,
    Indicator,
    IndicatorDimension,
    IndicatorTarget,
    ReconciliationRule,
    Regime,
    RegimeForm,
    RegimeVersion,
    ReportingStep,
    Sector,
    ValidationRule,
)
from baocao.catalogue.spec import (
    AlertSpec,
    CatalogueSpec,
    ColumnsSpec,
    CutoffSpec,
    DashboardSpec,
    DeadlineSpec,
    DimensionSpec,
    FormSpec,
    IndicatorSpec,
    NarrativeSpec,
    OptionSpec,
    PanelSpec,
    ReceiverSpec,
    ReconciliationSpec,
    RegimeSpec,
    ReportersSpec,
    RowSpec,
    RuleSpec,
    SectionSpec,
    SectorSpec,
    StepSpec,
    TargetSpec,
    VersionSpec,
)


def sector_spec(sector: Sector) -> SectorSpec:
    return SectorSpec(
        code=sector.code,
        name=sector.name,
        name_en=sector.name_en,
        order=sector.order,
        legal_source=sector.legal_source,
    )


def dimension_spec(dimension: Dimension) -> DimensionSpec:
    return DimensionSpec(
        code=dimension.code,
        name=dimension.name,
        name_en=dimension.name_en,
        description=dimension.description,
        legal_source=dimension.legal_source,
        options=[
            OptionSpec(code=option.code, name=option.name, name_en=option.name_en)
            for option in dimension.options.all()
        ],
    )


def indicator_spec(indicator: Indicator) -> IndicatorSpec:
    links = sorted(indicator.dimension_links.all(), key=lambda link: link.order)
    return IndicatorSpec(
        code=indicator.code,
        name=indicator.name,
        name_en=indicator.name_en,
        description=indicator.description,
        unit=indicator.unit_of_measure,
        value_type=indicator.value_type,  # type: ignore[arg-type]
        aggregation=indicator.aggregation,  # type: ignore[arg-type]
        decimals=indicator.decimals,
        sector=indicator.sector.code,
        legal_source=indicator.legal_source,
        statistical_code=indicator.statistical_code,
        formula=indicator.formula,
        illustrative=indicator.illustrative,
        dimensions=[link.dimension.code for link in links],
    )


def form_spec(form: Form) -> FormSpec:
    sections = []
    for section in form.sections.all():
        columns = None
        if section.column_dimension is not None:
            chosen = [column.option.code for column in section.columns.all()]
            every = [option.code for option in section.column_dimension.options.all()]
            columns = ColumnsSpec(
                dimension=section.column_dimension.code,
                options=[] if chosen == every else chosen,
                total=section.show_total,
            )
        sections.append(
            SectionSpec(
                code=section.code,
                title=section.title,
                columns=columns,
                rows=[
                    RowSpec(indicator=row.indicator.code, label=row.label, required=row.required)
                    for row in section.rows.all()
                ],
            )
        )
    return FormSpec(
        code=form.code,
        name=form.name,
        name_en=form.name_en,
        description=form.description,
        legal_source=form.legal_source,
        illustrative=form.illustrative,
        sections=sections,
        narrative=[
            NarrativeSpec(
                code=field.code,
                label=field.label,
                help=field.help_text,
                required=field.required,
                max_length=field.max_length,
            )
            for field in form.narrative_fields.all()
        ],
    )


def step_spec(step: ReportingStep) -> StepSpec:
    return StepSpec(
        name=step.name,
        reporters=ReportersSpec(
            levels=list(step.reporter_levels),
            types=list(step.reporter_types),
            units=sorted(unit.code for unit in step.reporter_units.all()),
            as_of=step.reporter_units_as_of,
        ),
        receiver=ReceiverSpec(
            level=step.receiver_level or None,  # type: ignore[arg-type]
            unit=step.receiver_unit.code if step.receiver_unit else None,
        ),
        deadline=DeadlineSpec(
            rule=step.deadline_kind,  # type: ignore[arg-type]
            days=step.deadline_days,
            month_offset=step.deadline_month_offset,
            day=step.deadline_day,
            date=step.deadline_on,
            roll=step.deadline_roll,
        ),
    )


def version_spec(version: RegimeVersion) -> VersionSpec:
    links = sorted(version.form_links.all(), key=lambda link: link.order)
    return VersionSpec(
        valid_from=version.valid_from,
        valid_to=version.valid_to,
        legal_basis=version.legal_basis,
        frequency=version.frequency,  # type: ignore[arg-type]
        cutoff=CutoffSpec(rule=version.cutoff_kind, day=version.cutoff_day),  # type: ignore[arg-type]
        periods=list(version.periods),
        sending=version.sending_method,  # type: ignore[arg-type]
        outline=version.outline,
        forms=[link.form.code for link in links],
        steps=[step_spec(step) for step in version.steps.all()],
    )


def regime_spec(regime: Regime) -> RegimeSpec:
    return RegimeSpec(
        code=regime.code,
        name=regime.name,
        name_en=regime.name_en,
        kind=regime.kind,  # type: ignore[arg-type]
        content=regime.content,  # type: ignore[arg-type]
        sector=regime.sector.code if regime.sector else None,
        description=regime.description,
        illustrative=regime.illustrative,
        versions=[version_spec(version) for version in regime.versions.all()],
    )


def rule_spec(rule: ValidationRule) -> RuleSpec:
    return RuleSpec(
        code=rule.code,
        name=rule.name,
        name_en=rule.name_en,
        description=rule.description,
        left=rule.left,
        operator=rule.operator,  # type: ignore[arg-type]
        right=rule.right,
        importance=rule.importance,  # type: ignore[arg-type]
        missing_values=rule.missing_values,  # type: ignore[arg-type]
        period_type=rule.period_type or None,  # type: ignore[arg-type]
        unit_levels=list(rule.unit_levels),
        message=rule.message,
        sector=rule.sector.code if rule.sector else None,
        legal_source=rule.legal_source,
        illustrative=rule.illustrative,
    )


def reconciliation_spec(rule: ReconciliationRule) -> ReconciliationSpec:
    return ReconciliationSpec(
        code=rule.code,
        name=rule.name,
        name_en=rule.name_en,
        description=rule.description,
        indicator=rule.indicator.code,
        kind=rule.kind,  # type: ignore[arg-type]
        left_source=rule.left_source,
        right_source=rule.right_source,
        tolerance_absolute=rule.tolerance_absolute,
        tolerance_percent=rule.tolerance_percent,
        period_type=rule.period_type or None,  # type: ignore[arg-type]
        unit_levels=list(rule.unit_levels),
        sector=rule.sector.code if rule.sector else None,
        legal_source=rule.legal_source,
        illustrative=rule.illustrative,
    )


def panel_spec(panel: DashboardPanel) -> PanelSpec:
    entries = sorted(panel.entries.all(), key=lambda entry: entry.order)
    return PanelSpec(
        title=panel.title,
        title_en=panel.title_en,
        chart=panel.chart,  # type: ignore[arg-type]
        indicators=[entry.indicator.code for entry in entries],
        periods=panel.periods,
        disaggregation=panel.disaggregation,
        level=panel.level or None,  # type: ignore[arg-type]
        regime=panel.regime.code if panel.regime else None,
        width=panel.width,
    )


def dashboard_spec(dashboard: Dashboard) -> DashboardSpec:
    panels = sorted(dashboard.panels.all(), key=lambda panel: panel.order)
    return DashboardSpec(
        code=dashboard.code,
        name=dashboard.name,
        name_en=dashboard.name_en,
        description=dashboard.description,
        kind=dashboard.kind,  # type: ignore[arg-type]
        sector=dashboard.sector.code if dashboard.sector else None,
        order=dashboard.order,
        rotation=dashboard.rotation,
        rotation_seconds=dashboard.rotation_seconds,
        panels=[panel_spec(panel) for panel in panels],
    )


def target_spec(target: IndicatorTarget) -> TargetSpec:
    return TargetSpec(
        indicator=target.indicator.code,
        unit=target.unit.code,
        period=target.period,
        value=target.value,
        legal_source=target.legal_source,
    )


def alert_spec(alert: AlertRule) -> AlertSpec:
    return AlertSpec(
        code=alert.code,
        name=alert.name,
        name_en=alert.name_en,
        description=alert.description,
        indicator=alert.indicator.code,
        operator=alert.operator,  # type: ignore[arg-type]
        threshold=alert.threshold,
        level=alert.level,  # type: ignore[arg-type]
        period_type=alert.period_type,  # type: ignore[arg-type]
        severity=alert.severity,  # type: ignore[arg-type]
        active=alert.active,
        sector=alert.sector.code if alert.sector else None,
        legal_source=alert.legal_source,
    )


def dimensions_for_specs() -> QuerySet[Dimension]:
    return Dimension.objects.prefetch_related("options")


def indicators_for_specs() -> QuerySet[Indicator]:
    return Indicator.objects.select_related("sector").prefetch_related(
        Prefetch("dimension_links", queryset=IndicatorDimension.objects.select_related("dimension"))
    )


def forms_for_specs() -> QuerySet[Form]:
    return Form.objects.prefetch_related(
        Prefetch(
            "sections",
            queryset=FormSection.objects.select_related("column_dimension").prefetch_related(
                "columns__option", "rows__indicator", "column_dimension__options"
            ),
        ),
        "narrative_fields",
    )


def regimes_for_specs() -> QuerySet[Regime]:
    """Regimes with their versions, forms and steps in a fixed number of queries."""
    form_links: Prefetch[Any, Any, Any] = Prefetch(
        "form_links", queryset=RegimeForm.objects.select_related("form")
    )
    steps: Prefetch[Any, Any, Any] = Prefetch(
        "steps",
        queryset=ReportingStep.objects.select_related("receiver_unit").prefetch_related(
            "reporter_units"
        ),
    )
    versions: Prefetch[Any, Any, Any] = Prefetch(
        "versions", queryset=RegimeVersion.objects.prefetch_related(form_links, steps)
    )
    return Regime.objects.select_related("sector").prefetch_related(versions)


def rules_for_specs() -> QuerySet[ValidationRule]:
    return ValidationRule.objects.select_related("sector")


def reconciliations_for_specs() -> QuerySet[ReconciliationRule]:
    return ReconciliationRule.objects.select_related("indicator", "sector")


def dashboards_for_specs() -> QuerySet[Dashboard]:
    """Dashboards with their panels and the panels' indicators in a fixed number of queries."""
    entries: Prefetch[Any, Any, Any] = Prefetch(
        "entries", queryset=DashboardPanelIndicator.objects.select_related("indicator")
    )
    panels: Prefetch[Any, Any, Any] = Prefetch(
        "panels", queryset=DashboardPanel.objects.select_related("regime").prefetch_related(entries)
    )
    return Dashboard.objects.select_related("sector").prefetch_related(panels)


def targets_for_specs() -> QuerySet[IndicatorTarget]:
    # By codes, whatever the related models' orderings become: a dump lists its targets in
    # the same order after it is reloaded into an empty database.
    return IndicatorTarget.objects.select_related("indicator", "unit").order_by(
        "indicator__code", "unit__code", "period"
    )


def alerts_for_specs() -> QuerySet[AlertRule]:
    return AlertRule.objects.select_related("indicator", "sector")


def catalogue_spec() -> CatalogueSpec:
    """The whole stored catalogue, in code order (sectors and dashboards in their own order,
    targets by indicator, unit and period)."""
    return CatalogueSpec(
        sectors=[sector_spec(sector) for sector in Sector.objects.all()],
        dimensions=[dimension_spec(dimension) for dimension in dimensions_for_specs()],
        indicators=[indicator_spec(indicator) for indicator in indicators_for_specs()],
        forms=[form_spec(form) for form in forms_for_specs()],
        regimes=[regime_spec(regime) for regime in regimes_for_specs()],
        rules=[rule_spec(rule) for rule in rules_for_specs()],
        reconciliations=[reconciliation_spec(rule) for rule in reconciliations_for_specs()],
        dashboards=[dashboard_spec(dashboard) for dashboard in dashboards_for_specs()],
        targets=[target_spec(target) for target in targets_for_specs()],
        alerts=[alert_spec(alert) for alert in alerts_for_specs()],
    )
