"""baocao: National Reporting Information System with a Government Information and Direction Center."""

__version__ = "0.1.0"
