"""Between the catalogue's stored rules and the period engine (`baocao.periods`).

The engine knows nothing of Django; this module builds its rule objects from specs and
models, and turns its errors into the catalogue's translated `DomainError`s.
"""

from __future__ import annotations

from typing import Any

from baocao.catalogue.errors import error_for_code
from baocao.catalogue.models import RegimeVersion
from baocao.catalogue.spec import CutoffSpec, DeadlineSpec
from baocao.core.errors import DomainError
from baocao.periods import (
    CutoffKind,
    CutoffRule,
    DeadlineKind,
    DeadlineRule,
    PeriodError,
    PeriodType,
)


def cutoff_rule_from_spec(spec: CutoffSpec) -> CutoffRule:
    return CutoffRule(kind=CutoffKind(spec.rule), day=spec.day)


def deadline_rule_from_spec(spec: DeadlineSpec) -> DeadlineRule:
    return DeadlineRule(
        kind=DeadlineKind(spec.rule),
        days=spec.days,
        month_offset=spec.month_offset,
        day=spec.day,
        on=spec.date,
        roll_to_working_day=spec.roll,
    )


def frequency_of(version: RegimeVersion) -> PeriodType:
    return PeriodType(version.frequency)


def period_problem(error: PeriodError, **where: Any) -> DomainError:
    """The catalogue's translated error for an engine error, at a place in a file."""
    code = error_for_code(error.code)
    args = {key: _readable(value) for key, value in error.args.items()}
    args.setdefault("reason", str(error))
    return DomainError(code, **where, **args)


def _readable(value: Any) -> Any:
    # Dates in messages read dd/mm/yyyy, as everywhere in the interface.
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return value
