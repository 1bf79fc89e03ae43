"""The direction center's demo data: the dated hierarchy, the 2026 reports, the notable cases.

The command runs at a small scale (`--provinces 3 --since 202504 --communes 4`: Lai Châu,
Phú Thọ with the two provinces merged into it, Cao Bằng) on real SQLite with the national
hierarchy; the notable cases are checked on the generator at full scale.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

import pytest
from django.core.management import call_command

from baocao.catalogue.models import Indicator, ValidationRule
from baocao.dashboards import demo
from baocao.dashboards.management.commands.demo_direction import (
    KTXH_RETURN,
    MIGRATED,
    MONTHLY,
    STATISTICS,
)
from baocao.organisations import selectors as org_selectors
from baocao.periods import Period, PeriodType, parse_period, period_of
from baocao.submissions.models import DataValue, Report, ReportTransition
from baocao.submissions.selectors import version_verify
from baocao.submissions.tests.conftest import (  # noqa: F401
    _sample_catalogue_for_package,
    sample_catalogue,
)
from baocao.validation.batch import batch_validate

pytestmark = pytest.mark.django_db

SMALL = ["--provinces", "3", "--since", "202504", "--communes", "4"]


def _last_month() -> Period:
    return period_of(PeriodType.MONTH, org_selectors.today()).previous()


@pytest.fixture
def small_demo(sample_catalogue, settings, tmp_path):  # noqa: F811
    settings.DATA_DIR = tmp_path
    call_command("demo_reporting", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_direction", *SMALL, stdout=out)
    return out.getvalue()


def test_the_small_demo_figures(small_demo):
    """Values of the old provinces, then of the new; communes; the catalogue's rules."""
    _old_provinces_before_july_2025_and_new_ones_after()
    _communes_have_portal_figures_and_some_send_reports()
    _the_figures_pass_the_catalogues_rules()


def test_the_small_demo_reports(small_demo):
    """The 2026 reports' statuses and lateness; a second run changes nothing."""
    _the_2026_reports_are_signed_reviewed_and_some_late_or_missing()
    _a_second_run_creates_nothing()


def _values(source: str, unit: str, period: str) -> int:
    return DataValue.objects.filter(source=source, unit__code=unit, period=period).count()


def _old_provinces_before_july_2025_and_new_ones_after() -> None:
    # Phú Thọ (25) took over Hòa Bình (17) and Vĩnh Phúc (26) on 1 July 2025.
    for unit in ("17", "25", "26", "12", "04"):
        assert _values(MIGRATED, unit, "202506") > 20
        assert _values(MIGRATED, unit, "2025Q2") > 10  # the quarterly form
    for unit in ("25", "12", "04"):
        assert _values(MIGRATED, unit, "202507") > 20
        assert _values(MIGRATED, unit, "2025Q3") > 10
        assert _values(MIGRATED, unit, "2025S2") == 1  # GRDP growth, by the 34
    migrated_after = DataValue.objects.filter(
        source=MIGRATED, unit__code__in=["17", "26"], period__in=["202507", "2025Q3", "2025S2"]
    )
    assert not migrated_after.exists()
    assert not DataValue.objects.filter(source=MIGRATED, period="202503").exists()  # --since

    def retail(unit: str, period: str) -> float:
        return float(
            DataValue.objects.get(
                source=MIGRATED, unit__code=unit, period=period, indicator__code="TTKT.BAN_LE"
            ).value
        )

    # The merged province is about the sum of its old ones: no break in July 2025.
    before = sum(retail(unit, "202506") for unit in ("17", "25", "26"))
    assert 0.95 < retail("25", "202507") / before < 1.1
    # From July 2025 the province reports its communes' dossiers ("cấp xã") too.
    communes = DataValue.objects.filter(
        source=demo_source_portal(), unit__code__in=_communes_of("25", "202507"), period="202507"
    )
    received = sum(int(v.value) for v in communes if v.indicator.code == "HCC.HS_TIEP_NHAN")
    reported = DataValue.objects.get(
        source=MIGRATED,
        unit__code="25",
        period="202507",
        indicator__code="HCC.HS_TIEP_NHAN",
        disaggregation="DOSSIER_LEVEL=CAP_XA",
    )
    assert int(reported.value) == received > 0
    # The statistics office's national indices, on the Government.
    assert _values(STATISTICS, "CP", "202401") == 3
    assert _values(STATISTICS, "CP", "2025") == 1


def demo_source_portal() -> str:
    from baocao.validation.management.commands.demo_quality import PORTAL

    return PORTAL


def _communes_of(province: str, month: str) -> list[str]:
    period = parse_period(month)
    return [
        version.unit.code
        for version in org_selectors.unit_children(
            unit=org_selectors.unit_get(code=province), on=period.end
        )
    ]


def _the_2026_reports_are_signed_reviewed_and_some_late_or_missing() -> None:
    last = _last_month()
    months = [last.previous(n) for n in range(0, 12) if last.previous(n).start.year >= 2026]
    reports = {
        (r.unit.code, r.period): r
        for r in Report.objects.filter(regime__code=MONTHLY).select_related("unit")
    }
    for month in months:
        offset = months.index(month)
        for unit in ("12", "25", "04"):
            if (unit, offset) in {("04", 0)}:
                assert (unit, month.code) not in reports  # never opened: missing
                continue
            report = reports[(unit, month.code)]
            assert report.submitted_at is not None
            # Sent at the time the story says, not when the command ran.
            assert report.submitted_at.date() < last.end + dt.timedelta(days=31)
            assert report.submitted_at.year == month.start.year

    latest = {unit: reports.get((unit, last.code)) for unit in ("12", "25", "04")}
    assert latest["12"] is not None and latest["12"].status == "submitted"
    assert latest["12"].days_late == 2  # sent late, waiting for the Government
    assert latest["25"] is not None and latest["25"].status == "returned"
    assert latest["25"].return_reason == KTXH_RETURN
    assert latest["04"] is None
    assert reports[("04", last.previous().code)].days_late == 5
    assert reports[("04", last.previous().code)].status == "accepted"
    # Lai Châu (12) is late every third month.
    late = {
        r.period: r.days_late for (unit, _p), r in reports.items() if unit == "12" and r.days_late
    }
    expected = {
        last.previous(n).code: days
        for n, days in ((9, 3), (6, 2), (3, 4), (0, 2))
        if last.previous(n).start.year >= 2026
    }
    assert late == expected
    # Everything else was on time and accepted.
    others = [
        r
        for (unit, period), r in reports.items()
        if period != last.code and not (unit == "12" and r.days_late)
    ]
    assert {r.status for r in others} == {"accepted"}
    assert {r.days_late for r in others if r.unit.code != "04"} == {0}
    # Signed versions that verify; the transitions carry the simulated times.
    report = reports[("25", last.previous().code)]
    assert version_verify(report.versions.get()).ok
    moves = list(ReportTransition.objects.filter(report=report).order_by("at", "pk"))
    assert [m.action for m in moves] == ["create", "save", "submit", "accept"]
    assert moves[0].at < moves[2].at < moves[3].at
    assert moves[2].at.date() <= report.deadline < moves[3].at.date() + dt.timedelta(days=10)

    # Quarterly, half-year and nine-month reports of the periods that ended in 2026.
    spans = set(
        Report.objects.filter(regime__code__in=["BC-KTXH-QUY", "BC-KTXH-6T", "BC-KTXH-9T"])
        .values_list("unit__code", "period")
        .distinct()
    )
    assert ("25", "2026Q1") in spans and ("25", "2026S1") in spans and ("12", "2026N9") in spans


def _communes_have_portal_figures_and_some_send_reports() -> None:
    last = _last_month()
    portal = demo_source_portal()
    for province in ("12", "25", "04"):
        communes = _communes_of(province, last.code)[:4]
        for month in ("202507", last.code):
            for commune in communes:
                assert _values(portal, commune, month) == 6
    # Lai Châu's communes (the first four) report BC-DVC-THANG for the last three months.
    reports = Report.objects.filter(
        regime__code="BC-DVC-THANG", unit__code__in=_communes_of("12", last.code)
    )
    periods = {r.period for r in reports}
    assert periods == {last.previous(n).code for n in range(3)}
    statuses = defaultdict(set)
    for r in reports:
        statuses[r.period].add(r.status)
    assert "returned" in statuses[last.code]
    assert "accepted" in statuses[last.previous().code]
    # A report's figures are the portal's: no new reconciliation difference.
    for r in reports.exclude(status="returned"):
        for value in DataValue.objects.filter(report=r):
            portal_value = DataValue.objects.get(
                source=portal,
                unit=value.unit,
                period=value.period,
                indicator=value.indicator,
                disaggregation="",
            )
            assert portal_value.value == value.value


def _a_second_run_creates_nothing() -> None:
    counts = (DataValue.objects.count(), Report.objects.count(), ReportTransition.objects.count())
    out = io.StringIO()
    call_command("demo_direction", *SMALL, stdout=out)
    assert "already done" in out.getvalue()
    assert counts == (
        DataValue.objects.count(),
        Report.objects.count(),
        ReportTransition.objects.count(),
    )


def _the_figures_pass_the_catalogues_rules() -> None:
    rules = list(ValidationRule.objects.all())
    for source in (MIGRATED, STATISTICS, demo_source_portal(), MONTHLY, "BC-KTXH-QUY"):
        periods = sorted(
            set(
                DataValue.objects.filter(source=source)
                .exclude(unit__code__startswith="000")  # demo_reporting's Hà Nội wards
                .values_list("period", flat=True)
            )
        )
        result = batch_validate(rules=rules, periods=periods, source=source)
        assert result.passed > 0
        found = {(v.rule, v.period) for v in result.violations}
        if source == MIGRATED:
            # The rule compares a unit's month with its previous month: on 1 July 2025 the
            # code of Phú Thọ (25) took in two other provinces, so its retail sales tripled.
            assert found <= {("QT.TTKT.BAN_LE_THANG_TRUOC", "202507")}
        else:
            assert found == set()


# The generator at full scale ---------------------------------------------------------------------


def _merged() -> dict[str, tuple[str, ...]]:
    """Each of the 34 provinces with the provinces merged into it on 1 July 2025."""
    bases: dict[str, list[str]] = defaultdict(list)
    before = demo.REFORM_DAY - dt.timedelta(days=1)
    for version in org_selectors.units_on(on=before, level="province"):
        (step,) = [
            s
            for s in org_selectors.unit_successors(unit=version.unit, on=demo.REFORM_DAY)
            if s.unit.level == "province"
        ]
        bases[step.unit.code].append(version.unit.code)
    return {code: tuple(sorted(found)) for code, found in bases.items()}


LAST = Period.month(2026, 11)


def test_the_notable_prices_and_budget_revenue():
    twists = demo.twists_for(LAST)
    merged = _merged()
    assert len(merged) == 34
    for code, bases in merged.items():
        for back in range(7):
            month = LAST.previous(back)
            cpi = float(demo.month_cells(code, bases, month, twists=twists)[("ODVM.CPI_CK", "")])
            if code == demo.CPI_PROVINCE and back <= 3:
                assert cpi > 104.5, (code, month)
            else:
                assert cpi < 104.5, (code, month)
    lam_dong, hung_yen = merged[demo.CPI_PROVINCE], merged[demo.REVENUE_PROVINCE]
    revenue = [
        float(
            demo.month_cells(demo.REVENUE_PROVINCE, hung_yen, LAST.previous(back), twists=twists)[
                ("TCC.THU_NSNN", "")
            ]
        )
        for back in range(7)
    ]
    dropped = revenue.pop(3)
    assert dropped < 0.5 * min(revenue)
    assert len(lam_dong) == 3


def test_lang_son_falls_below_85_percent_of_dossiers_on_time():
    twists = demo.twists_for(LAST)
    merged = _merged()
    rates: dict[str, float] = {}
    for province, bases in merged.items():
        communes = _communes_of(province, LAST.code)
        sizes = demo.commune_sizes(communes, sum(demo.PROVINCES[b].population for b in bases))
        total = demo.NO_DOSSIERS
        for code in communes:
            delay = twists.dossier_delay(province, LAST)
            total = total + demo.commune_dossiers(code, sizes[code], LAST, delay=delay)
        rates[province] = total.on_time_rate
    assert rates[demo.DOSSIERS_PROVINCE] < 85
    assert min(rate for code, rate in rates.items() if code != demo.DOSSIERS_PROVINCE) > 96


def test_the_figures_keep_the_catalogues_precision(sample_catalogue):  # noqa: F811
    stored = dict(Indicator.objects.values_list("code", "decimals"))
    integers = set(Indicator.objects.filter(value_type="integer").values_list("code", flat=True))
    for code, decimals in demo.DECIMALS.items():
        assert decimals == (0 if code in integers else stored[code]), code
