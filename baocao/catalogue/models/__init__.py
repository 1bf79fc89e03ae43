from baocao.catalogue.models.dashboard import (
    AlertRule,
    Dashboard,
    DashboardPanel,
    DashboardPanelIndicator,
    IndicatorTarget,
)
from baocao.catalogue.models.dimension import Dimension, DimensionOption
from baocao.catalogue.models.form import Form, FormColumn, FormRow, FormSection, NarrativeField
from baocao.catalogue.models.indicator import Indicator, IndicatorDimension
from baocao.catalogue.models.reconciliation import ReconciliationRule
from baocao.catalogue.models.regime import Regime, RegimeForm, RegimeVersion, ReportingStep
from baocao.catalogue.models.rule import ValidationRule
from baocao.catalogue.models.sector import Sector

__all__ = [
    "AlertRule",
    "Dashboard",
    "DashboardPanel",
    "DashboardPanelIndicator",
    "Dimension",
    "DimensionOption",
    "Form",
    "FormColumn",
    "FormRow",
    "FormSection",
    "Indicator",
    "IndicatorDimension",
    "IndicatorTarget",
    "NarrativeField",
    "ReconciliationRule",
    "Regime",
    "RegimeForm",
    "RegimeVersion",
    "ReportingStep",
    "Sector",
    "ValidationRule",
]
