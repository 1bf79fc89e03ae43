"""baocao: National Reporting Information System and Government Direction Center."""

__version__ = "0.1.0"
