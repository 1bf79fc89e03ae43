"""The catalogue as a document: the schema of catalogue YAML files.

A catalogue file is a mapping with any of the keys `sectors`, `dimensions`, `indicators`,
`forms`, `regimes`, `rules`, `reconciliations`, `dashboards`, `targets` and `alerts`, each a
list of entries identified by `code` (targets, which have none, by indicator, unit and
period). Loading a directory merges its files. Every entry is validated against these models
(unknown keys are refused), then against the stored catalogue by
`baocao.catalogue.services.catalogue_apply`.
The same models are produced by `baocao.catalogue.files.catalogue_dump`, so a dump loads
back to the same catalogue. docs/catalogue.md describes the format with examples.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from baocao.catalogue.choices import (
    AggregationType,
    AlertSeverity,
    ChartKind,
    CutoffKindChoice,
    DashboardKind,
    DeadlineKindChoice,
    MissingValueStrategy,
    PeriodTypeChoice,
    ReconciliationKind,
    RegimeContent,
    RegimeKind,
    RuleImportance,
    RuleOperator,
    SendingMethod,
    ValueType,
)
from baocao.organisations.choices import Level, UnitType

Code = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z0-9][A-Z0-9._-]*$", max_length=64)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True)]


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True)


class SectorSpec(Spec):
    code: Code
    name: Name
    name_en: Text = ""
    order: Annotated[int, Field(ge=0)] = 0
    legal_source: Text = ""


class OptionSpec(Spec):
    code: Code
    name: Name
    name_en: Text = ""


class DimensionSpec(Spec):
    code: Code
    name: Name
    name_en: Text = ""
    description: LongText = ""
    legal_source: Text = ""
    options: Annotated[list[OptionSpec], Field(min_length=1)]


class IndicatorSpec(Spec):
    code: Code
    name: Name
    name_en: Text = ""
    description: LongText = ""
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    value_type: ValueType
    aggregation: AggregationType
    decimals: Annotated[int, Field(ge=0, le=6)] = 0
    sector: Code
    legal_source: Text = ""
    statistical_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=16)] = ""
    formula: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""
    illustrative: bool = False
    dimensions: list[Code] = []


class ColumnsSpec(Spec):
    dimension: Code
    # Empty: every option of the dimension, in its order.
    options: list[Code] = []
    total: bool = True


class RowSpec(Spec):
    indicator: Code
    label: Text = ""
    required: bool = True


class SectionSpec(Spec):
    code: Code
    title: Name
    columns: ColumnsSpec | None = None
    rows: Annotated[list[RowSpec], Field(min_length=1)]


class NarrativeSpec(Spec):
    code: Code
    label: Name
    help: LongText = ""
    required: bool = False
    max_length: Annotated[int, Field(ge=1)] | None = None


class FormSpec(Spec):
    code: Code
    name: Name
    name_en: Text = ""
    description: LongText = ""
    legal_source: Text = ""
    illustrative: bool = False
    sections: list[SectionSpec] = []
    narrative: list[NarrativeSpec] = []


class CutoffSpec(Spec):
    rule: CutoffKindChoice = CutoffKindChoice.DECREE_09
    day: int | None = None


class DeadlineSpec(Spec):
    rule: DeadlineKindChoice
    days: int | None = None
    month_offset: int | None = None
    day: int | None = None
    # Not `on`: YAML 1.1 reads a bare `on` key as the boolean true.
    date: dt.date | None = None
    roll: bool = True


class ReportersSpec(Spec):
    levels: list[Level] = []
    types: list[UnitType] = []
    units: list[Code] = []
    as_of: dt.date | None = None


class ReceiverSpec(Spec):
    # Exactly one: the reporter's ancestor at this level, or a fixed unit.
    level: Level | None = None
    unit: Code | None = None


class StepSpec(Spec):
    name: Text = ""
    reporters: ReportersSpec
    receiver: ReceiverSpec
    deadline: DeadlineSpec


class VersionSpec(Spec):
    valid_from: dt.date
    valid_to: dt.date | None = None
    legal_basis: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""
    frequency: PeriodTypeChoice
    cutoff: CutoffSpec = CutoffSpec()
    periods: list[str] = []
    sending: SendingMethod = SendingMethod.SYSTEM
    outline: LongText = ""
    forms: list[Code] = []
    steps: Annotated[list[StepSpec], Field(min_length=1)]


class RegimeSpec(Spec):
    code: Code
    name: Name
    name_en: Text = ""
    kind: RegimeKind
    content: RegimeContent
    sector: Code | None = None
    description: LongText = ""
    illustrative: bool = False
    versions: Annotated[list[VersionSpec], Field(min_length=1)]


# An expression of the rule language (baocao.catalogue.expressions); quoted in YAML, where a
# bare `#` starts a comment.
ExpressionText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)
]


class RuleSpec(Spec):
    """A validation rule (issue 5): `left operator right`, checked on every report it fits."""

    code: Code
    name: Name
    name_en: Text = ""
    description: LongText = ""
    left: ExpressionText
    operator: RuleOperator
    right: ExpressionText
    importance: RuleImportance = RuleImportance.ERROR
    missing_values: MissingValueStrategy = MissingValueStrategy.SKIP_IF_ALL_MISSING
    # None: reports of every period type; []: units of every level.
    period_type: PeriodTypeChoice | None = None
    unit_levels: list[Level] = []
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    sector: Code | None = None
    legal_source: Text = ""
    illustrative: bool = False


def _plain_decimal(value: Decimal) -> Decimal:
    """`2.5000` (as stored) and `2.5` (as written) alike as `2.5`; `10`, never `1E+1`."""
    if value.is_finite() and value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


# A number as a person writes it (a tolerance, a target, a threshold); its bounds and digits
# are checked by `catalogue_check`, with their own messages.
PlainDecimal = Annotated[Decimal, AfterValidator(_plain_decimal)]
Tolerance = PlainDecimal


class ReconciliationSpec(Spec):
    """A reconciliation rule (issue 5, scope 5): one indicator from two sides, within a tolerance.

    Sources are the codes values are stored under: a regime code for the values its reports
    carry (BC-DVC-THANG), or the source an import or a connector names (DVCQG). They are not
    required to be regimes. Tolerances are checked by `catalogue_check` (not here) so that a
    negative one or a percentage over 100 gets its own message, not a schema error.
    """

    code: Code
    name: Name
    name_en: Text = ""
    description: LongText = ""
    indicator: Code
    kind: ReconciliationKind = ReconciliationKind.SOURCES
    left_source: Code
    right_source: Code
    tolerance_absolute: Tolerance = Decimal(0)
    tolerance_percent: Tolerance = Decimal(0)
    # None: every period type; []: units of every level.
    period_type: PeriodTypeChoice | None = None
    unit_levels: list[Level] = []
    sector: Code | None = None
    legal_source: Text = ""
    illustrative: bool = False


# Dashboards, targets and alerts (issue 7) ----------------------------------------------------


def _unit_code_text(value: Any) -> Any:
    """Refuse a unit code YAML read as a number: `01` is the number 1, the code is "01"."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise PydanticCustomError("unit_code_number", "a unit code is text", {"value": value})
    return value


def _period_code_text(value: Any) -> Any:
    """A year or month code written bare (`2026`, `202606`) is read by YAML as a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


UnitCode = Annotated[Code, BeforeValidator(_unit_code_text)]
# Checked by `catalogue_check` against the period engine, with the engine's messages.
PeriodCode = Annotated[
    str,
    BeforeValidator(_period_code_text),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=32),
]
# "DIMENSION=OPTION" or "DIMENSION=*"; the form is checked by `catalogue_check`.
Disaggregation = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]


class PanelSpec(Spec):
    """A chart, table or set of tiles of a dashboard; its position is its place in the list."""

    title: Name
    title_en: Text = ""
    chart: ChartKind
    indicators: list[Code] = []
    periods: Annotated[int, Field(ge=1, le=60)] = 12
    disaggregation: Disaggregation = ""
    # Rankings, maps and tables: the level of the units shown below the page's unit.
    level: Level | None = None
    # Completeness panels: the regime whose reports are counted.
    regime: Code | None = None
    width: Annotated[int, Field(ge=1, le=3)] = 3


class DashboardSpec(Spec):
    """A page of the direction center; `catalogue load` rewrites its panels whole."""

    code: Code
    name: Name
    name_en: Text = ""
    description: LongText = ""
    kind: DashboardKind
    sector: Code | None = None
    order: Annotated[int, Field(ge=0)] = 0
    rotation: bool = False
    rotation_seconds: Annotated[int, Field(ge=10, le=600)] = 30
    panels: list[PanelSpec] = []


class TargetSpec(Spec):
    """A target of an indicator for a unit and a period, identified by those three."""

    indicator: Code
    unit: UnitCode
    period: PeriodCode
    value: PlainDecimal
    legal_source: Text = ""


class AlertSpec(Spec):
    """A threshold: units of `level` whose value crosses it are shown as alerts."""

    code: Code
    name: Name
    name_en: Text = ""
    description: LongText = ""
    indicator: Code
    operator: Literal["<", "<=", ">", ">="]
    threshold: PlainDecimal
    level: Level
    period_type: PeriodTypeChoice = PeriodTypeChoice.MONTH
    severity: AlertSeverity
    active: bool = True
    sector: Code | None = None
    legal_source: Text = ""


class CatalogueSpec(Spec):
    sectors: list[SectorSpec] = []
    dimensions: list[DimensionSpec] = []
    indicators: list[IndicatorSpec] = []
    forms: list[FormSpec] = []
    regimes: list[RegimeSpec] = []
    rules: list[RuleSpec] = []
    reconciliations: list[ReconciliationSpec] = []
    dashboards: list[DashboardSpec] = []
    targets: list[TargetSpec] = []
    alerts: list[AlertSpec] = []
