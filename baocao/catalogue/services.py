"""Writing the catalogue: loading catalogue documents (YAML files) into the database.

`catalogue_apply` checks a whole document against the stored catalogue and the
organisation registry, then writes all of it in one transaction, or nothing. Entries
are matched by code (targets by indicator, unit and period): an entry that is already
stored exactly as written is left alone, so loading the same files twice changes nothing.
Entries not mentioned are kept (a ministry can load only its own regimes).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path
from typing import Any

from django.db import transaction

from baocao.audit.choices import AuditAction
from baocao.audit.services import Actor, Change, change_records_create
from baocao.catalogue.checks import catalogue_check
from baocao.catalogue.files import CatalogueDocument, catalogue_read
from baocao.catalogue.formulas import formula_references
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
from baocao.catalogue.spec import (
    AlertSpec,
    DashboardSpec,
    DimensionSpec,
    FormSpec,
    IndicatorSpec,
    ReconciliationSpec,
    RegimeSpec,
    RuleSpec,
    SectorSpec,
    StepSpec,
    TargetSpec,
    VersionSpec,
)
from baocao.catalogue.specs_from_db import (
    alert_spec,
    alerts_for_specs,
    dashboard_spec,
    dashboards_for_specs,
    dimension_spec,
    dimensions_for_specs,
    form_spec,
    forms_for_specs,
    indicator_spec,
    indicators_for_specs,
    reconciliation_spec,
    reconciliations_for_specs,
    regime_spec,
    regimes_for_specs,
    rule_spec,
    rules_for_specs,
    sector_spec,
    target_spec,
    targets_for_specs,
)
from baocao.organisations.models import Unit

# The sample catalogue loaded by `make demo` (docs/catalogue.md says what is illustrative).
SAMPLE_CATALOGUE = Path(__file__).resolve().parent / "data" / "sample"


@dataclasses.dataclass
class LoadSummary:
    """What a load did, per kind of entry."""

    created: Counter[str] = dataclasses.field(default_factory=Counter)
    updated: Counter[str] = dataclasses.field(default_factory=Counter)
    unchanged: Counter[str] = dataclasses.field(default_factory=Counter)

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
        }


def catalogue_load(*, path: Path, actor: Actor) -> LoadSummary:
    """Load a catalogue file or directory; all of it or, on any problem, nothing."""
    document = catalogue_read(path)
    return catalogue_apply(document=document, actor=actor, reason=f"catalogue load {path.name}")


def catalogue_apply(*, document: CatalogueDocument, actor: Actor, reason: str = "") -> LoadSummary:
    """Validate a document against what is stored and write it in one transaction."""
    with transaction.atomic():
        catalogue_check(document)
        writer = _Writer(actor=actor)
        writer.write(document)
        change_records_create(actor=actor, changes=writer.changes, reason=reason)
    return writer.summary


def _operands_first(specs: list[IndicatorSpec]) -> list[IndicatorSpec]:
    """Indicators ordered so that a formula's operands are saved before it (no cycles here)."""
    by_code = {spec.code: spec for spec in specs}
    ordered: list[IndicatorSpec] = []
    done: set[str] = set()

    def visit(spec: IndicatorSpec) -> None:
        if spec.code in done:
            return
        done.add(spec.code)
        for code in formula_references(spec.formula):
            if code in by_code:
                visit(by_code[code])
        ordered.append(spec)

    for spec in specs:
        visit(spec)
    return ordered


class _Writer:
    """Writes entries kind by kind, lowest first, recording what changed."""

    def __init__(self, *, actor: Actor) -> None:
        self.actor = actor
        self.summary = LoadSummary()
        self.changes: list[Change] = []

    def write(self, document: CatalogueDocument) -> None:
        sectors = {sector.code: sector for sector in Sector.objects.all()}
        for entry in document.sectors:
            self._sector(entry.spec, sectors)
        dimensions = {dimension.code: dimension for dimension in dimensions_for_specs()}
        for dimension_entry in document.dimensions:
            self._dimension(dimension_entry.spec, dimensions)
        indicators = {indicator.code: indicator for indicator in indicators_for_specs()}
        for spec in _operands_first([entry.spec for entry in document.indicators]):
            self._indicator(spec, indicators)
        forms = {form.code: form for form in forms_for_specs()}
        for form_entry in document.forms:
            self._form(form_entry.spec, forms)
        regimes = {regime.code: regime for regime in regimes_for_specs()}
        for regime_entry in document.regimes:
            self._regime(regime_entry.spec, regimes)
        # Rules last: they refer to indicators and dimension options of this document.
        rules = {rule.code: rule for rule in rules_for_specs()}
        for rule_entry in document.rules:
            self._rule(rule_entry.spec, rules)
        # Reconciliation rules point at indicators and sectors, written above.
        reconciliations = {rule.code: rule for rule in reconciliations_for_specs()}
        for reconciliation_entry in document.reconciliations:
            self._reconciliation(reconciliation_entry.spec, reconciliations)
        # Dashboards, targets and alerts last: they point at indicators, sectors and regimes.
        if document.dashboards:
            dashboards = {dashboard.code: dashboard for dashboard in dashboards_for_specs()}
            for dashboard_entry in document.dashboards:
                self._dashboard(dashboard_entry.spec, dashboards)
        if document.targets:
            wanted = {entry.spec.indicator for entry in document.targets}
            targets = {
                (target.indicator.code, target.unit.code, target.period): target
                for target in targets_for_specs().filter(indicator__code__in=wanted)
            }
            for target_entry in document.targets:
                self._target(target_entry.spec, targets)
        if document.alerts:
            alerts = {alert.code: alert for alert in alerts_for_specs()}
            for alert_entry in document.alerts:
                self._alert(alert_entry.spec, alerts)

    def _unchanged(self, kind: str, before: Any, spec: Any) -> bool:
        """An entry stored exactly as written is left alone (loads are idempotent)."""
        if before == spec:
            self.summary.unchanged[kind] += 1
            return True
        return False

    def _record(self, kind: str, instance: Any, before: Any, after: Any) -> None:
        action = AuditAction.CREATE if before is None else AuditAction.UPDATE
        (self.summary.created if before is None else self.summary.updated)[kind] += 1
        self.changes.append(
            Change(
                action,
                instance,
                None if before is None else before.model_dump(mode="json"),
                after.model_dump(mode="json"),
            )
        )

    # Sectors and dimensions --------------------------------------------------------------

    def _sector(self, spec: SectorSpec, existing: dict[str, Sector]) -> None:
        sector = existing.get(spec.code)
        before = sector_spec(sector) if sector else None
        if self._unchanged("sectors", before, spec):
            return
        sector = sector or Sector(code=spec.code)
        sector.name, sector.name_en = spec.name, spec.name_en
        sector.order, sector.legal_source = spec.order, spec.legal_source
        sector.full_clean()
        sector.save()
        self._record("sectors", sector, before, spec)

    def _dimension(self, spec: DimensionSpec, existing: dict[str, Dimension]) -> None:
        dimension = existing.get(spec.code)
        before = dimension_spec(dimension) if dimension else None
        if self._unchanged("dimensions", before, spec):
            return
        dimension = dimension or Dimension(code=spec.code)
        dimension.name, dimension.name_en = spec.name, spec.name_en
        dimension.description, dimension.legal_source = spec.description, spec.legal_source
        dimension.full_clean()
        dimension.save()
        # Options keep their identity (data values will point at them): update by code.
        options = {
            option.code: option for option in DimensionOption.objects.filter(dimension=dimension)
        }
        wanted = {option.code for option in spec.options}
        DimensionOption.objects.filter(dimension=dimension).exclude(code__in=wanted).delete()
        for order, option_spec in enumerate(spec.options):
            option = options.get(option_spec.code) or DimensionOption(
                dimension=dimension, code=option_spec.code
            )
            option.name, option.name_en, option.order = option_spec.name, option_spec.name_en, order
            option.full_clean()
            option.save()
        self._record("dimensions", dimension, before, spec)

    # Indicators ------------------------------------------------------------------------------

    def _indicator(self, spec: IndicatorSpec, existing: dict[str, Indicator]) -> None:
        indicator = existing.get(spec.code)
        before = indicator_spec(indicator) if indicator else None
        if self._unchanged("indicators", before, spec):
            return
        indicator = indicator or Indicator(code=spec.code)
        indicator.name, indicator.name_en = spec.name, spec.name_en
        indicator.description = spec.description
        indicator.unit_of_measure = spec.unit
        indicator.value_type = spec.value_type
        indicator.aggregation = spec.aggregation
        indicator.decimals = spec.decimals
        indicator.sector = Sector.objects.get(code=spec.sector)
        indicator.legal_source = spec.legal_source
        indicator.statistical_code = spec.statistical_code
        indicator.formula = spec.formula
        indicator.illustrative = spec.illustrative
        indicator.full_clean()
        indicator.save()
        IndicatorDimension.objects.filter(indicator=indicator).delete()
        dimensions = Dimension.objects.in_bulk(spec.dimensions, field_name="code")
        IndicatorDimension.objects.bulk_create(
            IndicatorDimension(indicator=indicator, dimension=dimensions[code], order=order)
            for order, code in enumerate(spec.dimensions)
        )
        self._record("indicators", indicator, before, spec)

    # Forms ---------------------------------------------------------------------------------------

    def _form(self, spec: FormSpec, existing: dict[str, Form]) -> None:
        form = existing.get(spec.code)
        before = form_spec(form) if form else None
        if self._unchanged("forms", before, spec):
            return
        form = form or Form(code=spec.code)
        form.name, form.name_en = spec.name, spec.name_en
        form.description, form.legal_source = spec.description, spec.legal_source
        form.illustrative = spec.illustrative
        form.full_clean()
        form.save()
        # The layout of a form is rebuilt whole: its rows and columns have no identity of
        # their own (values point at indicators and options, not at form rows).
        FormSection.objects.filter(form=form).delete()
        NarrativeField.objects.filter(form=form).delete()
        indicators = Indicator.objects.in_bulk(
            {row.indicator for section in spec.sections for row in section.rows}, field_name="code"
        )
        for order, section_spec in enumerate(spec.sections):
            columns = section_spec.columns
            dimension = Dimension.objects.get(code=columns.dimension) if columns else None
            section = FormSection.objects.create(
                form=form,
                code=section_spec.code,
                title=section_spec.title,
                order=order,
                column_dimension=dimension,
                show_total=columns.total if columns else True,
            )
            if columns and dimension:
                options = {option.code: option for option in dimension.options.all()}
                chosen = columns.options or list(options)
                FormColumn.objects.bulk_create(
                    FormColumn(section=section, option=options[code], order=index)
                    for index, code in enumerate(chosen)
                )
            FormRow.objects.bulk_create(
                FormRow(
                    section=section,
                    indicator=indicators[row.indicator],
                    label=row.label,
                    required=row.required,
                    order=index,
                )
                for index, row in enumerate(section_spec.rows)
            )
        NarrativeField.objects.bulk_create(
            NarrativeField(
                form=form,
                code=field.code,
                label=field.label,
                help_text=field.help,
                required=field.required,
                max_length=field.max_length,
                order=order,
            )
            for order, field in enumerate(spec.narrative)
        )
        self._record("forms", form, before, spec)

    # Regimes -------------------------------------------------------------------------------------

    def _regime(self, spec: RegimeSpec, existing: dict[str, Regime]) -> None:
        regime = existing.get(spec.code)
        before = regime_spec(regime) if regime else None
        if self._unchanged("regimes", before, spec):
            return
        regime = regime or Regime(code=spec.code)
        regime.name, regime.name_en = spec.name, spec.name_en
        regime.kind, regime.content = spec.kind, spec.content
        regime.sector = Sector.objects.get(code=spec.sector) if spec.sector else None
        regime.description, regime.illustrative = spec.description, spec.illustrative
        regime.full_clean()
        regime.save()
        # Versions keep their identity (reports will point at the version they answer).
        versions = {version.valid_from: version for version in regime.versions.all()}
        wanted = {version.valid_from for version in spec.versions}
        RegimeVersion.objects.filter(regime=regime).exclude(valid_from__in=wanted).delete()
        for version_spec in sorted(spec.versions, key=lambda version: version.valid_from):
            self._version(regime, version_spec, versions.get(version_spec.valid_from))
        self._record("regimes", regime, before, spec)

    def _version(self, regime: Regime, spec: VersionSpec, version: RegimeVersion | None) -> None:
        version = version or RegimeVersion(regime=regime, valid_from=spec.valid_from)
        version.valid_to = spec.valid_to
        version.legal_basis = spec.legal_basis
        version.frequency = spec.frequency
        version.cutoff_kind = spec.cutoff.rule
        version.cutoff_day = spec.cutoff.day
        version.periods = list(spec.periods)
        version.sending_method = spec.sending
        version.outline = spec.outline
        version.full_clean(validate_constraints=False)
        version.save()
        RegimeForm.objects.filter(version=version).delete()
        forms = Form.objects.in_bulk(spec.forms, field_name="code")
        RegimeForm.objects.bulk_create(
            RegimeForm(version=version, form=forms[code], order=order)
            for order, code in enumerate(spec.forms)
        )
        ReportingStep.objects.filter(version=version).delete()
        for order, step_spec in enumerate(spec.steps):
            self._step(version, order, step_spec)

    def _step(self, version: RegimeVersion, order: int, spec: StepSpec) -> None:
        receiver = spec.receiver
        deadline = spec.deadline
        step = ReportingStep(
            version=version,
            order=order,
            name=spec.name,
            reporter_levels=list(spec.reporters.levels),
            reporter_types=list(spec.reporters.types),
            reporter_units_as_of=spec.reporters.as_of,
            receiver_kind="ancestor" if receiver.level else "unit",
            receiver_level=receiver.level or "",
            receiver_unit=Unit.objects.get(code=receiver.unit) if receiver.unit else None,
            deadline_kind=deadline.rule,
            deadline_days=deadline.days,
            deadline_month_offset=deadline.month_offset,
            deadline_day=deadline.day,
            deadline_on=deadline.date,
            deadline_roll=deadline.roll,
        )
        step.full_clean(exclude=["version"], validate_constraints=False)
        step.save()
        if spec.reporters.units:
            step.reporter_units.set(Unit.objects.filter(code__in=spec.reporters.units))

    # Validation rules ----------------------------------------------------------------------------

    def _rule(self, spec: RuleSpec, existing: dict[str, ValidationRule]) -> None:
        rule = existing.get(spec.code)
        before = rule_spec(rule) if rule else None
        if self._unchanged("rules", before, spec):
            return
        # Matched by code: an edited rule keeps its identity (violations will point at it).
        rule = rule or ValidationRule(code=spec.code)
        rule.name, rule.name_en = spec.name, spec.name_en
        rule.description = spec.description
        rule.left, rule.operator, rule.right = spec.left, spec.operator, spec.right
        rule.importance = spec.importance
        rule.missing_values = spec.missing_values
        rule.period_type = spec.period_type or ""
        rule.unit_levels = list(spec.unit_levels)
        rule.message = spec.message
        rule.sector = Sector.objects.get(code=spec.sector) if spec.sector else None
        rule.legal_source = spec.legal_source
        rule.illustrative = spec.illustrative
        rule.full_clean()
        rule.save()
        self._record("rules", rule, before, spec)

    # Reconciliation rules ------------------------------------------------------------------

    def _reconciliation(
        self, spec: ReconciliationSpec, existing: dict[str, ReconciliationRule]
    ) -> None:
        rule = existing.get(spec.code)
        before = reconciliation_spec(rule) if rule else None
        if self._unchanged("reconciliations", before, spec):
            return
        # Matched by code: an edited rule keeps its identity (discrepancies point at it).
        rule = rule or ReconciliationRule(code=spec.code)
        rule.name, rule.name_en = spec.name, spec.name_en
        rule.description = spec.description
        rule.indicator = Indicator.objects.get(code=spec.indicator)
        rule.kind = spec.kind
        rule.left_source, rule.right_source = spec.left_source, spec.right_source
        rule.tolerance_absolute = spec.tolerance_absolute
        rule.tolerance_percent = spec.tolerance_percent
        rule.period_type = spec.period_type or ""
        rule.unit_levels = list(spec.unit_levels)
        rule.sector = Sector.objects.get(code=spec.sector) if spec.sector else None
        rule.legal_source = spec.legal_source
        rule.illustrative = spec.illustrative
        rule.full_clean()
        rule.save()
        self._record("reconciliations", rule, before, spec)

    # Dashboards, targets and alerts (issue 7) ------------------------------------------------

    def _dashboard(self, spec: DashboardSpec, existing: dict[str, Dashboard]) -> None:
        dashboard = existing.get(spec.code)
        before = dashboard_spec(dashboard) if dashboard else None
        if self._unchanged("dashboards", before, spec):
            return
        dashboard = dashboard or Dashboard(code=spec.code)
        dashboard.name, dashboard.name_en = spec.name, spec.name_en
        dashboard.description = spec.description
        dashboard.kind = spec.kind
        dashboard.sector = Sector.objects.get(code=spec.sector) if spec.sector else None
        dashboard.order = spec.order
        dashboard.rotation, dashboard.rotation_seconds = spec.rotation, spec.rotation_seconds
        dashboard.full_clean()
        dashboard.save()
        # Panels are rebuilt whole, as form layouts are: a panel is its place on the page and
        # nothing else points at it.
        DashboardPanel.objects.filter(dashboard=dashboard).delete()
        indicators = Indicator.objects.in_bulk(
            {code for panel in spec.panels for code in panel.indicators}, field_name="code"
        )
        regimes = Regime.objects.in_bulk(
            {panel.regime for panel in spec.panels if panel.regime}, field_name="code"
        )
        for order, panel_spec in enumerate(spec.panels):
            panel = DashboardPanel(
                dashboard=dashboard,
                order=order,
                title=panel_spec.title,
                title_en=panel_spec.title_en,
                chart=panel_spec.chart,
                periods=panel_spec.periods,
                disaggregation=panel_spec.disaggregation,
                level=panel_spec.level or "",
                regime=regimes[panel_spec.regime] if panel_spec.regime else None,
                width=panel_spec.width,
            )
            # The document's checks enforced the chart, the level and the positions, which the
            # constraints would verify again with a query each.
            panel.full_clean(validate_constraints=False)
            panel.save()
            DashboardPanelIndicator.objects.bulk_create(
                DashboardPanelIndicator(panel=panel, indicator=indicators[code], order=index)
                for index, code in enumerate(panel_spec.indicators)
            )
        self._record("dashboards", dashboard, before, spec)

    def _target(
        self, spec: TargetSpec, existing: dict[tuple[str, str, str], IndicatorTarget]
    ) -> None:
        target = existing.get((spec.indicator, spec.unit, spec.period))
        before = target_spec(target) if target else None
        if self._unchanged("targets", before, spec):
            return
        target = target or IndicatorTarget(
            indicator=Indicator.objects.get(code=spec.indicator),
            unit=Unit.objects.get(code=spec.unit),
            period=spec.period,
        )
        target.value = spec.value
        target.legal_source = spec.legal_source
        target.full_clean()
        target.save()
        self._record("targets", target, before, spec)

    def _alert(self, spec: AlertSpec, existing: dict[str, AlertRule]) -> None:
        alert = existing.get(spec.code)
        before = alert_spec(alert) if alert else None
        if self._unchanged("alerts", before, spec):
            return
        # Matched by code: an edited alert keeps its identity.
        alert = alert or AlertRule(code=spec.code)
        alert.name, alert.name_en = spec.name, spec.name_en
        alert.description = spec.description
        alert.indicator = Indicator.objects.get(code=spec.indicator)
        alert.operator, alert.threshold = spec.operator, spec.threshold
        alert.level, alert.period_type = spec.level, spec.period_type
        alert.severity, alert.active = spec.severity, spec.active
        alert.sector = Sector.objects.get(code=spec.sector) if spec.sector else None
        alert.legal_source = spec.legal_source
        alert.full_clean()
        alert.save()
        self._record("alerts", alert, before, spec)
