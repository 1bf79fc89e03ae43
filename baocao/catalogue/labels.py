"""Human names of periods, in the user's language ("Tháng 11/2026", "Quý 3/2026")."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext

from baocao.catalogue.models import ReportingStep
from baocao.periods import Period, PeriodError, PeriodType, parse_period


def day_label(day: dt.date) -> str:
    # Forms and pages show dd/mm/yyyy (DESIGN.md); the API uses ISO 8601.
    return day.strftime("%d/%m/%Y")


def period_label(period: Period) -> str:
    start, end = period.start, period.end
    match period.type:
        case PeriodType.DAY:
            return day_label(start)
        case PeriodType.WEEK:
            iso_year, week, _ = start.isocalendar()
            return gettext("Week %(week)s/%(year)s") % {"week": week, "year": iso_year}
        case PeriodType.MONTH:
            return gettext("Month %(month)s/%(year)s") % {"month": start.month, "year": start.year}
        case PeriodType.QUARTER:
            quarter = (start.month - 1) // 3 + 1
            return gettext("Quarter %(quarter)s/%(year)s") % {
                "quarter": quarter,
                "year": start.year,
            }
        case PeriodType.HALF_YEAR:
            if start.month == 1:
                return gettext("First half of %(year)s") % {"year": start.year}
            return gettext("Second half of %(year)s") % {"year": start.year}
        case PeriodType.NINE_MONTHS:
            return gettext("First nine months of %(year)s") % {"year": start.year}
        case PeriodType.YEAR:
            return gettext("Year %(year)s") % {"year": start.year}
    return f"{day_label(start)} – {day_label(end)}"


def period_code_label(code: str) -> str:
    """The name of a stored period code; the code itself if it is not one."""
    try:
        return period_label(parse_period(code))
    except PeriodError:
        return code


def cutoff_label(kind: str, day: int | None) -> str:
    """How a version's data cutoff rule reads."""
    if kind == "decree09":
        return gettext("Decree 09/2019 default: from the 15th of the month before to the 14th")
    if kind == "calendar":
        return gettext("The calendar period itself")
    return gettext("From day %(day)s of the month before to day %(previous)s") % {
        "day": day,
        "previous": (day or 2) - 1,
    }


def deadline_label(
    kind: str,
    *,
    days: int | None = None,
    month_offset: int | None = None,
    day: int | None = None,
    on: dt.date | None = None,
    roll: bool = True,
) -> str:
    """How a step's deadline rule reads ("2 working days after the data cutoff")."""
    if kind == "working_days_after_cutoff":
        text = gettext("%(days)s working day(s) after the data cutoff") % {"days": days}
    elif kind == "days_after_cutoff":
        text = gettext("%(days)s day(s) after the data cutoff") % {"days": days}
    elif kind == "fixed_day" and not month_offset:
        text = gettext("day %(day)s of the last month of the period") % {"day": day}
    elif kind == "fixed_day":
        text = gettext("day %(day)s of the %(months)s month(s) after the period") % {
            "day": day,
            "months": month_offset,
        }
    else:
        text = day_label(on) if on else ""
    if roll and kind != "working_days_after_cutoff":
        text += gettext(" (moved to the next working day if it is a day off)")
    return text


def step_deadline_label(step: ReportingStep) -> str:
    return deadline_label(
        step.deadline_kind,
        days=step.deadline_days,
        month_offset=step.deadline_month_offset,
        day=step.deadline_day,
        on=step.deadline_on,
        roll=step.deadline_roll,
    )
