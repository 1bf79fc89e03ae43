from baocao.submissions.models.policy import DEFAULT_GRACE_DAYS, ReportingPolicy
from baocao.submissions.models.reminder import Reminder
from baocao.submissions.models.report import Report, ReportTransition, ReportVersion
from baocao.submissions.models.signing import UnitCertificate, UnitSigningKey
from baocao.submissions.models.value import (
    Attachment,
    DataValue,
    DataValueHistory,
    NarrativeText,
)

__all__ = [
    "DEFAULT_GRACE_DAYS",
    "Attachment",
    "DataValue",
    "DataValueHistory",
    "NarrativeText",
    "Reminder",
    "Report",
    "ReportTransition",
    "ReportVersion",
    "ReportingPolicy",
    "UnitCertificate",
    "UnitSigningKey",
]
