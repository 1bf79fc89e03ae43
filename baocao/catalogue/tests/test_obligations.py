"""Periods of a regime, and who owes which report when, on the real hierarchy."""

from __future__ import annotations

import datetime as dt

import pytest

from baocao.catalogue import selectors
from baocao.catalogue.services import SAMPLE_CATALOGUE, catalogue_load
from baocao.core.errors import DomainError
from baocao.organisations.models import Unit
from baocao.periods import parse_period

pytestmark = pytest.mark.django_db

D = dt.date


def _due(regime: str, period: str) -> dict:
    item = selectors.regime_period(
        regime=selectors.regime_get(code=regime), period=parse_period(period)
    )
    return {
        "window": (item.window.start, item.window.end),
        "deadlines": [due.deadline for due in item.deadlines],
    }


def test_monthly_window_of_november_2026(small_catalogue):
    due = _due("R-THANG", "202611")
    assert due["window"] == (D(2026, 10, 15), D(2026, 11, 14))
    # 14/11/2026 is a Saturday: Mon 16 and Tue 17 are the two working days after it.
    assert due["deadlines"][0] == D(2026, 11, 17)


def test_two_working_days_after_the_february_cutoff_skip_tet(small_catalogue):
    # The February 2026 window ends on Saturday 14/02; Tết holidays run 16 to 20/02.
    due = _due("R-THANG", "202602")
    assert due["window"] == (D(2026, 1, 15), D(2026, 2, 14))
    assert due["deadlines"] == [D(2026, 2, 24), D(2026, 2, 27)]


def test_annual_window_of_the_sample_annual_report():
    catalogue_load(path=SAMPLE_CATALOGUE, actor=None)
    assert _due("BC-KTXH-NAM", "2026")["window"] == (D(2025, 12, 15), D(2026, 12, 14))


def test_shifted_window_and_fixed_day_rolled_past_a_holiday(small_catalogue):
    # R-BO: quarterly, 16th to 15th, due on the 5th of the month after the quarter.
    due = _due("R-BO", "2025Q1")
    assert due["window"] == (D(2024, 12, 16), D(2025, 3, 15))
    # 05/04/2025 is a Saturday and Monday 07/04/2025 is Giỗ Tổ Hùng Vương.
    assert due["deadlines"] == [D(2025, 4, 8)]


def test_a_period_of_another_frequency_is_refused(small_catalogue):
    with pytest.raises(DomainError) as caught:
        _due("R-THANG", "2026Q1")
    assert caught.value.code == "period_not_of_regime"


def test_no_version_before_the_regime_starts(small_catalogue):
    with pytest.raises(DomainError) as caught:
        _due("R-BO", "2023Q4")
    assert caught.value.code == "no_version_for_period"


def test_regime_periods_of_a_year(small_catalogue):
    regime = selectors.regime_get(code="R-THANG")
    items = selectors.regime_periods(regime=regime, start=D(2026, 1, 1), end=D(2026, 12, 31))
    assert [item.period.code for item in items] == [f"2026{m:02d}" for m in range(1, 13)]


def _calendar(code: str, start: dt.date, end: dt.date) -> list[tuple[str, str, int, str | None]]:
    reports = selectors.expected_reports(unit=Unit.objects.get(code=code), start=start, end=end)
    return [
        (r.regime.code, r.period.code, r.step.order, r.receiver.code if r.receiver else None)
        for r in reports
    ]


def test_a_commune_merged_on_1_july_2025_owes_reports_until_then(small_catalogue):
    # Phường Phúc Xá (00001) ceased on 30/06/2025; its reports due before that are owed.
    assert _calendar("00001", D(2025, 6, 1), D(2025, 8, 31)) == [("R-THANG", "202506", 0, "01")]


def test_a_commune_formed_on_1_july_2025_owes_reports_from_then(small_catalogue):
    # 00004 was Phường Trúc Bạch under district 001, and is Phường Ba Đình since 01/07/2025:
    # its monthly report goes to Hà Nội (01) before and after.
    assert _calendar("00004", D(2025, 6, 1), D(2025, 8, 31)) == [
        ("R-THANG", "202506", 0, "01"),
        ("R-THANG", "202507", 0, "01"),
        ("R-THANG", "202508", 0, "01"),
    ]


def test_a_report_due_before_its_period_ends_is_in_the_calendar(small_catalogue):
    # August 2025's report is due on 18/08/2025 (cutoff 14/08), before August ends.
    assert _calendar("00004", D(2025, 7, 1), D(2025, 8, 20)) == [
        ("R-THANG", "202507", 0, "01"),
        ("R-THANG", "202508", 0, "01"),
    ]


def test_a_merged_ministry_passes_its_listed_obligation_to_its_successor(small_catalogue):
    # R-BO lists the Ministry of Planning and Investment, merged into Finance on 01/03/2025.
    assert _calendar("BKHDT", D(2024, 10, 1), D(2025, 12, 31)) == [
        ("R-BO", "2024Q3", 0, "CP"),
        ("R-BO", "2024Q4", 0, "CP"),
    ]
    assert [row[1] for row in _calendar("BTC", D(2025, 1, 1), D(2025, 12, 31))] == [
        "2025Q1",
        "2025Q2",
        "2025Q3",
    ]


def test_reporters_of_a_step_follow_the_hierarchy_of_the_deadline_day(small_catalogue):
    regime = selectors.regime_get(code="R-THANG")
    steps = list(regime.versions.get().steps.all())
    communes_june = selectors.step_reporter_ids(step=steps[0], on=D(2025, 6, 17))
    communes_july = selectors.step_reporter_ids(step=steps[0], on=D(2025, 7, 16))
    provinces_july = selectors.step_reporter_ids(step=steps[1], on=D(2025, 7, 21))
    assert (len(communes_june), len(communes_july), len(provinces_july)) == (10035, 3321, 34)


def test_calendar_range_is_bounded(small_catalogue):
    with pytest.raises(DomainError) as caught:
        selectors.expected_reports(
            unit=Unit.objects.get(code="01"), start=D(2020, 1, 1), end=D(2026, 1, 1)
        )
    assert caught.value.code == "range_too_long"
