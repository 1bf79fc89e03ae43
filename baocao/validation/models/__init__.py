from baocao.validation.models.run import RuleViolation, ValidationRun

__all__ = ["RuleViolation", "ValidationRun"]
