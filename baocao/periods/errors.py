"""Errors of the period engine, with stable codes and named arguments.

The engine has no Django import, so it cannot translate. Every error carries a stable
snake_case `code` and a dict `args` of named values; the Django layer looks the code up in its
own gettext catalogue and renders the translated template with `args` (STYLE.md: every
rejection has a stable error code with named placeholders). `str(error)` is a short English
message for logs and tests only.

Codes and their args (dates are `datetime.date`, periods and kinds are their code strings):

PeriodCodeError, a period code or period value is wrong:

- `period_code_invalid` {value}: not a period code at all (`abc`, empty, lowercase `2026q3`).
- `period_out_of_range` {value, min_year, max_year}: a period outside the years 1900..9999.
- `period_date_invalid` {value}: a day or range code naming a day that does not exist
  (`20260230`).
- `period_month_out_of_range` {value, month}: month not in 1..12 (`202613`).
- `period_quarter_out_of_range` {value, quarter}: quarter not in 1..4 (`2026Q5`).
- `period_half_year_out_of_range` {value, half}: half-year not in 1..2 (`2026S3`).
- `period_week_out_of_range` {value, year, week, max_week}: ISO week not in 1..52, or 53 in
  an ISO year with 53 weeks (`2025W53`).
- `period_range_reversed` {value, start, end}: a date range that starts after it ends.
- `nine_months_out_of_range` {day}: a day in October to December has no nine-month period.
- `period_type_not_allowed` {type, operation}: RANGE asked for where only calendar periods
  make sense (`period_of`, `periods_between`, `children`).
- `period_bounds_invalid` {type, start, end}: a `Period` built directly with dates that are not
  a period of its type (e.g. a MONTH from the 3rd).

PeriodRuleError, a cutoff, deadline or calendar rule is impossible:

- `cutoff_day_missing` {kind}: a SHIFTED cutoff without its day.
- `cutoff_day_out_of_range` {kind, day, min, max}: a SHIFTED day outside 2..28.
- `cutoff_day_unexpected` {kind, day}: a day given to a DECREE_09 or CALENDAR cutoff.
- `deadline_parameter_missing` {kind, parameter}: e.g. WORKING_DAYS_AFTER_CUTOFF without
  `days`.
- `deadline_parameter_out_of_range` {kind, parameter, value, min, max}: days outside 0..366,
  month_offset outside 0..12, day outside 1..31 (or not a whole number); `on` not a date
  (min and max are then None).
- `deadline_parameter_unexpected` {kind, parameter, value}: a parameter the kind does not use.
- `deadline_before_cutoff` {period, deadline, cutoff_end}: the deadline of `period` falls
  before the end of its data cutoff window, so the report could never be complete.
- `deadline_out_of_range` {period}: the deadline would fall after 31/12/9999.
- `calendar_day_conflict` {day}: a day listed both as an extra day off and an extra working
  day.
- `rule_kind_invalid` {kind, expected}: a cutoff or deadline kind that does not exist;
  `expected` lists the valid ones, comma-separated.
"""

from __future__ import annotations

import enum
from typing import Any, TypeVar

_Kind = TypeVar("_Kind", bound=enum.StrEnum)


class PeriodErrorCode(enum.StrEnum):
    """Every code the engine raises; the values are the stable strings of the API."""

    CODE_INVALID = "period_code_invalid"
    OUT_OF_RANGE = "period_out_of_range"
    DATE_INVALID = "period_date_invalid"
    MONTH_OUT_OF_RANGE = "period_month_out_of_range"
    QUARTER_OUT_OF_RANGE = "period_quarter_out_of_range"
    HALF_YEAR_OUT_OF_RANGE = "period_half_year_out_of_range"
    WEEK_OUT_OF_RANGE = "period_week_out_of_range"
    RANGE_REVERSED = "period_range_reversed"
    NINE_MONTHS_OUT_OF_RANGE = "nine_months_out_of_range"
    TYPE_NOT_ALLOWED = "period_type_not_allowed"
    BOUNDS_INVALID = "period_bounds_invalid"
    CUTOFF_DAY_MISSING = "cutoff_day_missing"
    CUTOFF_DAY_OUT_OF_RANGE = "cutoff_day_out_of_range"
    CUTOFF_DAY_UNEXPECTED = "cutoff_day_unexpected"
    DEADLINE_PARAMETER_MISSING = "deadline_parameter_missing"
    DEADLINE_PARAMETER_OUT_OF_RANGE = "deadline_parameter_out_of_range"
    DEADLINE_PARAMETER_UNEXPECTED = "deadline_parameter_unexpected"
    DEADLINE_BEFORE_CUTOFF = "deadline_before_cutoff"
    DEADLINE_OUT_OF_RANGE = "deadline_out_of_range"
    CALENDAR_DAY_CONFLICT = "calendar_day_conflict"
    RULE_KIND_INVALID = "rule_kind_invalid"


# English templates for str(); the translated ones live in the Django layer, keyed by code.
# The StrEnum keys hash and compare as their values, so a plain string code finds its template.
MESSAGES: dict[str, str] = {
    PeriodErrorCode.CODE_INVALID: "not a period code: %(value)r",
    PeriodErrorCode.OUT_OF_RANGE: "period %(value)s is outside years %(min_year)s..%(max_year)s",
    PeriodErrorCode.DATE_INVALID: "period %(value)s names a day that does not exist",
    PeriodErrorCode.MONTH_OUT_OF_RANGE: "period %(value)s: month %(month)s is not in 1..12",
    PeriodErrorCode.QUARTER_OUT_OF_RANGE: "period %(value)s: quarter %(quarter)s is not in 1..4",
    PeriodErrorCode.HALF_YEAR_OUT_OF_RANGE: "period %(value)s: half-year %(half)s is not 1 or 2",
    PeriodErrorCode.WEEK_OUT_OF_RANGE: (
        "period %(value)s: ISO year %(year)s has weeks 1..%(max_week)s, not %(week)s"
    ),
    PeriodErrorCode.RANGE_REVERSED: "period %(value)s starts on %(start)s, after its end %(end)s",
    PeriodErrorCode.NINE_MONTHS_OUT_OF_RANGE: "%(day)s is not in a nine-month period (Jan-Sep)",
    PeriodErrorCode.TYPE_NOT_ALLOWED: "period type %(type)s is not allowed in %(operation)s",
    PeriodErrorCode.BOUNDS_INVALID: "%(start)s..%(end)s is not a %(type)s period",
    PeriodErrorCode.CUTOFF_DAY_MISSING: "a %(kind)s cutoff needs a day",
    PeriodErrorCode.CUTOFF_DAY_OUT_OF_RANGE: (
        "a %(kind)s cutoff day must be in %(min)s..%(max)s, not %(day)r"
    ),
    PeriodErrorCode.CUTOFF_DAY_UNEXPECTED: "a %(kind)s cutoff takes no day (got %(day)r)",
    PeriodErrorCode.DEADLINE_PARAMETER_MISSING: "a %(kind)s deadline needs %(parameter)s",
    PeriodErrorCode.DEADLINE_PARAMETER_OUT_OF_RANGE: (
        "a %(kind)s deadline needs %(parameter)s in %(min)s..%(max)s, not %(value)r"
    ),
    PeriodErrorCode.DEADLINE_PARAMETER_UNEXPECTED: (
        "a %(kind)s deadline takes no %(parameter)s (got %(value)r)"
    ),
    PeriodErrorCode.DEADLINE_BEFORE_CUTOFF: (
        "impossible rule: deadline before the data cutoff "
        "(period %(period)s: deadline %(deadline)s, cutoff ends %(cutoff_end)s)"
    ),
    PeriodErrorCode.DEADLINE_OUT_OF_RANGE: "the deadline of period %(period)s is after 9999",
    PeriodErrorCode.CALENDAR_DAY_CONFLICT: "%(day)s is both an extra day off and a working day",
    PeriodErrorCode.RULE_KIND_INVALID: "unknown rule kind %(kind)r; expected one of %(expected)s",
}


class PeriodError(ValueError):
    """A period, rule or calendar value was rejected; see the module docstring for codes.

    `args` is deliberately the dict of named values, not the usual tuple: the Django layer
    renders its translated template with it, as `DomainError` does with its arguments.
    """

    def __init__(self, code: PeriodErrorCode, /, **args: Any) -> None:
        self.code: str = str(code)
        self._named_args: dict[str, object] = dict(args)
        super().__init__(self.message)

    @property
    def args(self) -> dict[str, object]:  # type: ignore[override]
        return self._named_args

    @property
    def message(self) -> str:
        """The short English message; the UI translates by `code` instead."""
        template = MESSAGES.get(self.code, self.code)
        try:
            return template % self._named_args
        except (KeyError, TypeError, ValueError):
            # A raise site that forgot an argument still says which error it was.
            return f"{self.code} {self._named_args!r}"

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self._named_args!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # BaseException pickles its C-level args tuple, which here is the message; rebuild
        # from the code and the named arguments instead (multiprocessing, task queues).
        return (_rebuild, (type(self), self.code, self._named_args))


def _rebuild(cls: type[PeriodError], code: str, args: dict[str, Any]) -> PeriodError:
    return cls(PeriodErrorCode(code), **args)


class PeriodCodeError(PeriodError):
    """A period code, or the numbers given to build a period, do not name a period."""


class PeriodRuleError(PeriodError):
    """A cutoff, deadline or calendar rule is impossible."""


def rule_kind(kinds: type[_Kind], value: object) -> _Kind:
    """`value` as a member of `kinds`, or `rule_kind_invalid` (for strings from the catalogue)."""
    if isinstance(value, kinds):
        return value
    try:
        return kinds(str(value))
    except ValueError:
        expected = ", ".join(member.value for member in kinds)
        raise PeriodRuleError(
            PeriodErrorCode.RULE_KIND_INVALID, kind=str(value), expected=expected
        ) from None
