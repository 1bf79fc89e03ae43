"""Web pages of the catalogue and of a unit's reporting calendar (server-rendered, read-only).

Views are thin: they read the query string, call `baocao.catalogue.selectors` and hand the
result to a template. A `DomainError` raised on the way is shown on the page with its HTTP
status (400, 403 or 404) in one place, `PageView.dispatch`, never as a server error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, cast

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponseBase, QueryDict
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from baocao.accounts.models import User
from baocao.accounts.scope import sees_everything, unit_ids_in_scope
from baocao.catalogue import selectors
from baocao.catalogue.labels import cutoff_label, day_label, period_label, step_deadline_label
from baocao.catalogue.models import (
    Form,
    FormRow,
    FormSection,
    Indicator,
    Regime,
    RegimeVersion,
    ReportingStep,
)
from baocao.core.dates import parse_typed_date
from baocao.core.errors import DomainError, ErrorCode
from baocao.core.numbers import format_number
from baocao.organisations import selectors as org_selectors
from baocao.organisations.choices import Level, UnitType
from baocao.organisations.models import Unit, UnitVersion
from baocao.periods import DateRange, Period

# Default calendar range: a week back (reports just missed) and two months ahead.
CALENDAR_DAYS_BEFORE = 7
CALENDAR_DAYS_AFTER = 60
# A deadline this close (in days, today included) is flagged as coming up.
DUE_SOON_DAYS = 3
# Years a regime page may show: from before Decree 09/2019 to well ahead.
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_PARAM_LENGTH = 100
# Units offered in the calendar's unit picker (the children of the user's unit).
MAX_UNIT_CHOICES = 500

FROM_LABEL = _("From date")
TO_LABEL = _("To date")


class PageError(ErrorCode):
    """Why a page's query string was rejected."""

    INVALID_DATE = (
        "invalid_date",
        _(
            'The field "%(label)s" must be a date written dd/mm/yyyy (for example 15/10/2026), '
            'not "%(value)s".'
        ),
    )
    RANGE_REVERSED = (
        "range_reversed",
        _('The field "%(label)s" (%(end)s) must not be before "%(start_label)s" (%(start)s).'),
    )
    INVALID_YEAR = (
        "invalid_year",
        _('The year must be a number from %(first)s to %(last)s, not "%(value)s".'),
    )
    OUT_OF_SCOPE = (
        "out_of_scope",
        _(
            "You may not see the reporting calendar of unit %(code)s: "
            "it is not your unit or a unit under it."
        ),
    )


class OutOfScope(DomainError):
    """The user asked about a unit outside their scope (`baocao.accounts.scope`)."""

    http_status = 403


class PageView(LoginRequiredMixin, TemplateView):
    """A page for signed-in users; a domain error is shown on the page with its status."""

    error_template_name = "catalogue/error.html"
    # Which item of the main navigation is this page's ("calendar", "indicators", ...).
    nav = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = super().dispatch(request, *args, **kwargs)
            if isinstance(response, TemplateResponse):
                # Rendered here, so that an error raised while rendering is caught too.
                response.render()
            return response
        except DomainError as error:
            context = {**self.base_context(), **self.error_context(), "error": error.message}
            return render(request, self.error_template_name, context, status=error.http_status)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.base_context())
        return context

    def base_context(self) -> dict[str, Any]:
        """What the layout needs besides the user's unit (a context processor): the menu item."""
        return {"nav": self.nav}

    def error_context(self) -> dict[str, Any]:
        """What the error page needs besides the message (overridden by pages with a form)."""
        return {}

    @property
    def user(self) -> User:
        # LoginRequiredMixin has let only signed-in users of the project's user model in.
        return cast(User, self.request.user)


# Indicators -------------------------------------------------------------------------------------


class IndicatorListView(PageView):
    """Indicators by sector, filtered by sector and by a word of their code or name."""

    template_name = "catalogue/indicator_list.html"
    nav = "indicators"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        sector = _param(self.request.GET, "sector")
        search = _param(self.request.GET, "q")
        found = selectors.indicators(sector=sector or None, search=search or None)
        # Grouped by sector in the sectors' own order (QĐ 293/QĐ-TTg), then by code.
        items = sorted(found, key=lambda item: (item.sector.order, item.sector.code, item.code))
        context.update(
            sectors=list(selectors.sectors()),
            sector=sector,
            q=search,
            indicators=items,
            count=format_number(len(items)),
        )
        return context


class IndicatorDetailView(PageView):
    """Everything about one indicator: its fields, dimensions and the forms asking for it."""

    template_name = "catalogue/indicator_detail.html"
    nav = "indicators"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        indicator: Indicator = selectors.indicator_get(code=kwargs["code"])
        context.update(
            indicator=indicator,
            dimensions=list(indicator.dimensions.all()),
            form_rows=list(indicator.form_rows.select_related("section__form")),
        )
        return context


# Forms ------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SectionPreview:
    """A form section as an officer sees it: its rows and the headings of its value columns."""

    section: FormSection
    columns: list[str]
    rows: list[FormRow]


def _section_preview(section: FormSection) -> SectionPreview:
    columns = [link.option.name for link in section.columns.all()]
    if not columns:
        columns = [gettext("Value")]
    elif section.show_total:
        columns.append(gettext("Total"))
    return SectionPreview(section=section, columns=columns, rows=list(section.rows.all()))


class FormListView(PageView):
    """Every data form, with the size of each."""

    template_name = "catalogue/form_list.html"
    nav = "forms"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        forms = list(selectors.forms())
        context["forms"] = [
            {
                "form": form,
                "sections": format_number(len(form.sections.all())),
                "rows": format_number(sum(len(s.rows.all()) for s in form.sections.all())),
                "narrative": format_number(len(form.narrative_fields.all())),
            }
            for form in forms
        ]
        return context


class FormDetailView(PageView):
    """A preview of a form as an officer would fill it, with every input disabled."""

    template_name = "catalogue/form_detail.html"
    nav = "forms"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form: Form = selectors.form_get(code=kwargs["code"])
        regimes = {version.regime_id: version.regime for version in form.regime_versions.all()}
        context.update(
            form=form,
            sections=[_section_preview(section) for section in form.sections.all()],
            narrative_fields=[
                {
                    "field": field,
                    "max_length": format_number(field.max_length) if field.max_length else "",
                }
                for field in form.narrative_fields.all()
            ],
            regimes=sorted(regimes.values(), key=lambda regime: regime.code),
        )
        return context


# Regimes ----------------------------------------------------------------------------------------


def _version_on(regime: Regime, on: dt.date) -> RegimeVersion | None:
    """The version in force on a day, else the latest one (prefetched versions are used)."""
    versions = list(regime.versions.all())
    current = next((version for version in versions if version.is_valid_on(on)), None)
    return current or (versions[-1] if versions else None)


class RegimeListView(PageView):
    """Every reporting regime with the frequency of the version in force today."""

    template_name = "catalogue/regime_list.html"
    nav = "regimes"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = org_selectors.today()
        context["regimes"] = [
            {"regime": regime, "version": _version_on(regime, today)}
            for regime in selectors.regimes()
        ]
        return context


@dataclasses.dataclass(frozen=True)
class StepView:
    """A reporting step in words: who reports, to whom and by when."""

    step: ReportingStep
    levels: list[str]
    types: list[str]
    units: list[str]
    receiver: str
    deadline_rule: str


@dataclasses.dataclass(frozen=True)
class VersionView:
    version: RegimeVersion
    cutoff: str
    forms: list[Form]
    steps: list[StepView]


@dataclasses.dataclass(frozen=True)
class DeadlineCell:
    deadline: dt.date
    reporters: str


@dataclasses.dataclass(frozen=True)
class PeriodRow:
    period: Period
    label: str
    window: DateRange
    deadlines: list[DeadlineCell]
    current: bool


@dataclasses.dataclass(frozen=True)
class PeriodTable:
    """The periods of one year that fall under one version (steps differ between versions)."""

    version: RegimeVersion
    steps: list[ReportingStep]
    rows: list[PeriodRow]


def _step_view(step: ReportingStep) -> StepView:
    levels, types = dict(Level.choices), dict(UnitType.choices)
    if step.receiver_unit is not None:
        receiver = _unit_label(step.receiver_unit)
    else:
        receiver = gettext("%(level)s above the reporting unit") % {
            "level": levels.get(step.receiver_level, step.receiver_level)
        }
    return StepView(
        step=step,
        levels=[str(levels.get(level, level)) for level in step.reporter_levels],
        types=[str(types.get(kind, kind)) for kind in step.reporter_types],
        units=[_unit_label(unit) for unit in step.reporter_units.all()],
        receiver=receiver,
        deadline_rule=step_deadline_label(step),
    )


def _period_tables(regime: Regime, year: int) -> list[PeriodTable]:
    today = org_selectors.today()
    items = selectors.regime_periods(
        regime=regime, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31)
    )
    tables: list[PeriodTable] = []
    for item in items:
        if not tables or tables[-1].version != item.version:
            tables.append(PeriodTable(item.version, list(item.version.steps.all()), []))
        tables[-1].rows.append(
            PeriodRow(
                period=item.period,
                label=period_label(item.period),
                window=item.window,
                deadlines=[
                    DeadlineCell(
                        deadline=due.deadline,
                        reporters=format_number(
                            len(selectors.step_reporter_ids(step=due.step, on=due.deadline))
                        ),
                    )
                    for due in item.deadlines
                ],
                current=item.period.start <= today <= item.period.end,
            )
        )
    return tables


class RegimeDetailView(PageView):
    """A regime: its versions and steps, and a year's periods with cutoffs and deadlines."""

    template_name = "catalogue/regime_detail.html"
    nav = "regimes"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        regime = selectors.regime_get(code=kwargs["code"])
        year = _year_param(self.request.GET, default=org_selectors.today().year)
        context.update(
            regime=regime,
            versions=[
                VersionView(
                    version=version,
                    cutoff=cutoff_label(version.cutoff_kind, version.cutoff_day),
                    forms=[link.form for link in version.form_links.all()],
                    steps=[_step_view(step) for step in version.steps.all()],
                )
                for version in regime.versions.all()
            ],
            year=year,
            previous_year=year - 1 if year > FIRST_YEAR else None,
            next_year=year + 1 if year < LAST_YEAR else None,
            tables=_period_tables(regime, year),
        )
        return context


# Calendar ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CalendarRow:
    """One expected report as the calendar shows it."""

    report: selectors.ExpectedReport
    period_label: str
    step_label: str
    status: str
    status_label: str
    receiver: str
    deadline_rule: str
    today: bool


def _status(deadline: dt.date, today: dt.date) -> tuple[str, str]:
    # Reports cannot be submitted yet, so the status speaks of the deadline only.
    if deadline < today:
        return "overdue", gettext("Past deadline")
    if (deadline - today).days <= DUE_SOON_DAYS:
        return "soon", gettext("Due soon")
    return "upcoming", gettext("Not yet due")


class CalendarView(PageView):
    """The reports a unit owes with a deadline in a date range (default: the user's unit)."""

    template_name = "catalogue/calendar.html"
    # Errors in the query string are shown above the filter, which keeps what was typed.
    error_template_name = "catalogue/calendar.html"
    nav = "calendar"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = org_selectors.today()
        params = self.request.GET
        start = _day_param(params, "from", FROM_LABEL, today - dt.timedelta(CALENDAR_DAYS_BEFORE))
        end = _day_param(params, "to", TO_LABEL, today + dt.timedelta(CALENDAR_DAYS_AFTER))
        if end < start:
            raise DomainError(
                PageError.RANGE_REVERSED,
                field="to",
                label=str(TO_LABEL),
                end=day_label(end),
                start_label=str(FROM_LABEL),
                start=day_label(start),
            )
        unit = self._unit(_param(params, "unit"))
        reports = selectors.expected_reports(unit=unit, start=start, end=end) if unit else []
        context.update(
            self.filter_context(),
            start=start,
            end=end,
            date_from=day_label(start),
            date_to=day_label(end),
            unit=unit,
            unit_version=org_selectors.unit_as_of(unit=unit) if unit is not None else None,
            rows=self._rows(reports, today),
            count=format_number(len(reports)),
        )
        return context

    def error_context(self) -> dict[str, Any]:
        # The filter keeps what was typed, so that the mistake can be corrected in place.
        params = self.request.GET
        return {
            **self.filter_context(),
            "date_from": _param(params, "from"),
            "date_to": _param(params, "to"),
        }

    def filter_context(self) -> dict[str, Any]:
        """The unit picker: shown only to users who see more than their own unit."""
        user, today = self.user, org_selectors.today()
        scope = unit_ids_in_scope(user, on=today)
        choices: list[UnitVersion] = []
        if user.unit is not None:
            children = org_selectors.unit_children(unit=user.unit, on=today)
            choices = list(children[:MAX_UNIT_CHOICES])
        return {
            "can_choose_unit": sees_everything(user) or (scope is not None and len(scope) > 1),
            "unit_code": _param(self.request.GET, "unit"),
            "unit_choices": choices,
        }

    def _unit(self, code: str) -> Unit | None:
        if not code:
            return self.user.unit
        unit = org_selectors.unit_get(code=code)
        scope = unit_ids_in_scope(self.user)
        if scope is not None and unit.pk not in scope:
            raise OutOfScope(PageError.OUT_OF_SCOPE, field="unit", code=unit.code)
        return unit

    @staticmethod
    def _rows(reports: list[selectors.ExpectedReport], today: dt.date) -> list[CalendarRow]:
        names: dict[tuple[int, dt.date], str] = {}
        rows = []
        for report in reports:
            receiver = ""
            if report.receiver is not None:
                key = (report.receiver.pk, report.deadline)
                if key not in names:
                    # The receiver's name on the deadline: the one in force today for
                    # future deadlines, the one it had then for past ones.
                    version = org_selectors.unit_version_on(
                        unit=report.receiver, on=report.deadline
                    )
                    names[key] = version.name if version else report.receiver.code
                receiver = names[key]
            status, status_label = _status(report.deadline, today)
            rows.append(
                CalendarRow(
                    report=report,
                    period_label=period_label(report.period),
                    step_label=report.step.name
                    or gettext("Step %(number)s") % {"number": report.step.order + 1},
                    status=status,
                    status_label=status_label,
                    receiver=receiver,
                    deadline_rule=step_deadline_label(report.step),
                    today=report.deadline == today,
                )
            )
        return rows


# Helpers ----------------------------------------------------------------------------------------


def _param(params: QueryDict, name: str) -> str:
    return params.get(name, "").strip()[:MAX_PARAM_LENGTH]


def _day_param(params: QueryDict, name: str, label: str | Promise, default: dt.date) -> dt.date:
    raw = _param(params, name)
    if not raw:
        return default
    try:
        return parse_typed_date(raw)
    except ValueError:
        raise DomainError(PageError.INVALID_DATE, field=name, label=str(label), value=raw) from None


def _year_param(params: QueryDict, *, default: int) -> int:
    raw = _param(params, "year")
    if not raw:
        return default
    if raw.isascii() and raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR:
        return int(raw)
    raise DomainError(
        PageError.INVALID_YEAR, field="year", first=FIRST_YEAR, last=LAST_YEAR, value=raw
    )


def _unit_label(unit: Unit) -> str:
    version = org_selectors.unit_as_of(unit=unit)
    return f"{unit.code} – {version.name}" if version else unit.code
