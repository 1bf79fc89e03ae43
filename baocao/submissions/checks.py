"""The checks a report goes through, supplied by the apps above this one.

Submissions sits below validation in the dependency order (docs/architecture.md), so it
cannot call the validation engine; instead the validation app registers its checks here when
Django starts (`ValidationConfig.ready`). Each check looks at a report's stored content and
returns findings: errors block the submission, warnings need an explanation (a comment on
one of the values they concern), as issue 5 asks. Notices (an outlier against the unit's own
history) are shown to the officer and never block: a value far from the usual is a question,
not a mistake, since a true surge is legitimate and the reviewer sees the same outliers on the
review page. The entry form asks the same checks about the values on the page while the
officer types.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from baocao.submissions.layout import CellKey
from baocao.submissions.models import Report

ERROR = "error"  # blocks the submission
WARNING = "warning"  # blocks it until one of its values carries a comment
# Shown, never blocking, no comment needed. Like any finding it keeps a report of a regime
# that accepts automatically for a reviewer (`report_submit`): someone should look at it.
NOTICE = "notice"


@dataclasses.dataclass(frozen=True)
class Finding:
    """Something a check found in a report: a rule it breaks, with the cells concerned."""

    code: str
    importance: str  # ERROR, WARNING or NOTICE
    message: str
    cells: tuple[CellKey, ...] = ()


# A check receives the report and, while the officer types, the values on the page as
# canonical texts; `None` means the values stored in the database.
SubmitCheck = Callable[[Report, Mapping[CellKey, str] | None], list[Finding]]

_CHECKS: list[SubmitCheck] = []


def submit_check_register(check: SubmitCheck) -> None:
    """Add a check run on every submission (idempotent: a check is registered once)."""
    if check not in _CHECKS:
        _CHECKS.append(check)


def findings_for(report: Report, texts: Mapping[CellKey, str] | None = None) -> list[Finding]:
    """What every registered check finds in the report as stored, or in the given values."""
    found: list[Finding] = []
    for check in _CHECKS:
        found.extend(check(report, texts))
    return found
