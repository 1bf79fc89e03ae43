from baocao.validation.models.reconciliation import Discrepancy, DiscrepancyEvent
from baocao.validation.models.run import OutlierFinding, RuleViolation, ValidationRun

__all__ = ["Discrepancy", "DiscrepancyEvent", "OutlierFinding", "RuleViolation", "ValidationRun"]
