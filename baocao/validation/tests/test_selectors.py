"""Outliers of a report against its unit's stored history (issue 5, scope 4)."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from baocao.catalogue.models import Indicator
from baocao.organisations.models import Unit
from baocao.periods import parse_period
from baocao.submissions import services
from baocao.submissions.choices import ValueSource
from baocao.submissions.models import DataValue
from baocao.submissions.selectors import layout_of
from baocao.validation.outliers import RECENT, SEASONAL, OutlierSettings
from baocao.validation.selectors import report_outlier_notes, report_outliers

pytestmark = pytest.mark.django_db

RECEIVED, LATE = ("HCC.HS_TIEP_NHAN", ""), ("HCC.HS_GQ_QUA_HAN", "")
# Phường Ba Đình's dossiers received in the report's month of the four years before: median
# 1 200, absolute deviations 100, 0, 100, 0 so MAD = 50 and sigma = 50 / 0.6745 = 74.13;
# expected 1 200 +- 3.5 sigma = 940.5 to 1 459.5.
SAME_MONTH = [1100, 1200, 1300, 1200]
# The other months vary a little around 1 200 (dossiers rise and fall with the calendar).
NOISE = [-40, 25, -10, 50, 0, -30, 35, 10, -20, 45, -50]


def store(report, key, numbers_by_offset, *, unit=None, source=None):
    """Stored values `offset` periods before the report's, as an import would leave them."""
    indicator = Indicator.objects.get(code=key[0])
    period = parse_period(report.period)
    DataValue.objects.bulk_create(
        DataValue(
            indicator=indicator,
            disaggregation=key[1],
            unit=unit or report.unit,
            period=period.previous(offset).code,
            source=source or report.source,
            value=str(number),
            channel=ValueSource.IMPORT,
            updated_at=timezone.now(),
        )
        for offset, number in numbers_by_offset.items()
    )


def four_years(same_month=SAME_MONTH, usual=1200, noise=NOISE):
    """48 months before the report's: `same_month` (oldest first) in its month, else about
    `usual`."""
    numbers = {}
    for offset in range(1, 49):
        if offset % 12 == 0:
            numbers[offset] = same_month[4 - offset // 12]
        else:
            numbers[offset] = usual + noise[offset % 12 - 1]
    return numbers


def test_five_times_the_usual_is_an_outlier_with_the_expected_range(report, officer):
    store(report, RECEIVED, four_years())
    services.report_save(
        report=report, values=[services.ValueInput(*RECEIVED, "6000")], actor=officer
    )
    # By default the report's stored values are judged.
    verdict = report_outliers(report)[RECEIVED]
    assert (verdict.status, verdict.value, verdict.basis) == ("outlier", 6000.0, SEASONAL)
    assert verdict.centre == 1200
    assert verdict.expected_low == pytest.approx(940.55, abs=0.01)
    assert verdict.expected_high == pytest.approx(1459.45, abs=0.01)
    with translation.override("vi"):
        note = report_outlier_notes(report, {RECEIVED: "6000"})[RECEIVED]
    # Rounded inwards to whole dossiers: 941 and 1 459 are the last counts still expected.
    assert (note.kind, note.low, note.high) == (
        "outlier",
        verdict.expected_low,
        verdict.expected_high,
    )
    assert "941 – 1.459" in note.text


def test_a_usual_value_is_not_reported(report):
    store(report, RECEIVED, four_years())
    assert report_outliers(report, {RECEIVED: "1250"}) == {}
    assert report_outliers(report, {RECEIVED: "1000"}) == {}


def test_a_seasonal_peak_seen_in_earlier_years_is_not_reported(report):
    # The report's month is three times busier every year (e.g. renewals at the start of
    # the year); against the quiet months it would be an outlier.
    store(report, RECEIVED, four_years(same_month=[3500, 3600, 3700, 3600]))
    assert report_outliers(report, {RECEIVED: "3650"}) == {}
    flat = report_outliers(report, {RECEIVED: "3650"}, settings=OutlierSettings(seasonal=False))
    assert flat[RECEIVED].basis == RECENT
    # But a peak far beyond the earlier peaks still is.
    assert RECEIVED in report_outliers(report, {RECEIVED: "9000"})


def test_fewer_than_six_earlier_values_give_no_verdict(report):
    store(report, RECEIVED, {1: 1180, 2: 1220, 3: 1200, 4: 1190, 5: 1210})
    assert report_outliers(report, {RECEIVED: "6000"}) == {}
    store(report, RECEIVED, {6: 1205})
    verdict = report_outliers(report, {RECEIVED: "6000"})[RECEIVED]
    assert verdict.basis == RECENT
    with translation.override("en"):
        note = report_outlier_notes(report, {RECEIVED: "6000"})[RECEIVED]
    assert note.text.endswith("(compared with the 6 most recent periods)")


def test_only_the_units_own_history_from_the_same_source_is_used(report):
    other_unit = Unit.objects.exclude(pk=report.unit_id).order_by("code").first()
    store(report, RECEIVED, four_years(), unit=other_unit)
    store(report, RECEIVED, four_years(), source="BC-DVC-KHAC")
    assert report_outliers(report, {RECEIVED: "6000"}) == {}
    # Later periods and the report's own period are not history either.
    period = parse_period(report.period)
    indicator = Indicator.objects.get(code=RECEIVED[0])
    for code in [period.code] + [period.next(n).code for n in range(1, 8)]:
        DataValue.objects.create(
            indicator=indicator,
            unit=report.unit,
            period=code,
            source=report.source,
            value="1200",
            channel=ValueSource.IMPORT,
            updated_at=timezone.now(),
        )
    assert report_outliers(report, {RECEIVED: "6000"}) == {}


def test_history_older_than_ten_years_is_left_out(report):
    # Six values of eleven to twelve years ago are no history for this month.
    store(report, RECEIVED, {132 + offset: 1200 for offset in range(1, 7)})
    assert report_outliers(report, {RECEIVED: "6000"}) == {}


def test_a_count_never_expects_less_than_zero(report):
    # Dossiers resolved late: mostly 0 to 2 a month. 3.5 sigma below the median is negative.
    store(report, LATE, four_years(same_month=[0, 2, 0, 1], usual=1, noise=[0] * 11))
    verdict = report_outliers(report, {LATE: "20"})[LATE]
    assert verdict.expected_low == 0.0
    assert verdict.expected_high == pytest.approx(0.5 + 3.5 * 0.5 / 0.6745)


def test_text_values_are_skipped_and_bad_texts_ignored(report):
    store(report, RECEIVED, four_years())
    assert report_outliers(report, {RECEIVED: "", LATE: "abc", ("NOT.A.CELL", ""): "5"}) == {}


def test_the_history_of_every_cell_is_read_in_one_query(report, django_assert_num_queries):
    codes = [
        RECEIVED,
        ("HCC.HS_TRUC_TUYEN", ""),
        ("HCC.HS_GQ_DUNG_HAN", ""),
        LATE,
        ("HCC.HS_DANG_GQ_TRONG_HAN", ""),
        ("HCC.HS_DANG_GQ_QUA_HAN", ""),
    ]
    texts = {key: "6000" for key in codes}
    for key in codes:
        store(report, key, four_years())
    layout_of(report)  # built once per report object, whoever asks first
    # One query says whether the history changed since it was last read, one reads it.
    with django_assert_num_queries(2) as captured:
        assert list(report_outliers(report, texts)) == codes
    assert all(DataValue._meta.db_table in query["sql"] for query in captured.captured_queries)
    # As the officer types on, the history read is used again while nothing in it changes.
    with django_assert_num_queries(1):
        assert list(report_outliers(report, {**texts, RECEIVED: "1200"})) == codes[1:]
    DataValue.objects.filter(indicator__code=LATE[0]).update(value="6000")
    store(report, LATE, {49: 6000})
    with django_assert_num_queries(2):
        assert list(report_outliers(report, texts)) == [key for key in codes if key != LATE]
