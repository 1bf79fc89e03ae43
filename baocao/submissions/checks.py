"""The checks a report goes through, supplied by the apps above this one.

Submissions sits below validation in the dependency order (docs/architecture.md), so it
cannot call the validation engine; instead the validation app registers its checks here when
Django starts (`ValidationConfig.ready`). Each check looks at a report's stored content and
returns findings: errors block the submission, warnings need an explanation (a comment on
one of the values they concern), as issue 5 asks. The entry form asks the same checks about
the values on the page while the officer types.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from baocao.submissions.layout import CellKey
from baocao.submissions.models import Report

ERROR = "error"
WARNING = "warning"


@dataclasses.dataclass(frozen=True)
class Finding:
    """Something a check found in a report: a rule it breaks, with the cells concerned."""

    code: str
    importance: str  # ERROR or WARNING
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
