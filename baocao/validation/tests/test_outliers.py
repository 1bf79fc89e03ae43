"""Outliers against a unit's own history: methods, seasonality, flat histories, bad input."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from baocao.validation.outliers import (
    INSUFFICIENT_HISTORY,
    IQR,
    NORMAL,
    OUTLIER,
    RECENT,
    SEASONAL,
    OutlierInputError,
    OutlierSettings,
    OutlierVerdict,
    outlier_check,
    outliers_in_series,
)

# A few per cent of noise, the same pattern every year but shifted so that no two years match.
NOISE = (0.02, -0.03, 0.01, 0.04, -0.02, 0.0, -0.01, 0.03, -0.04, 0.02, 0.01, -0.02)
NO_SEASONS = OutlierSettings(seasonal=False)


def revenue(first_year, last_year, *, until_month=12):
    """Monthly budget revenue of a district (triệu đồng): flat months, a year-end peak in
    December (3.6 times a normal month, as tax settlement concentrates there), some noise."""
    series = []
    for year in range(first_year, last_year + 1):
        for month in range(1, 13 if year < last_year else until_month + 1):
            level = 150.0 * (3.6 if month == 12 else 1.0)
            series.append(
                (f"{year}{month:02d}", round(level * (1 + NOISE[(month + year) % 12]), 1))
            )
    return series


def years(values, first=2016):
    return [(str(first + index), value) for index, value in enumerate(values)]


# Modified z-score -----------------------------------------------------------------------------


def test_modified_z_score_and_expected_range_by_hand():
    # median 100, absolute deviations 0 1 1 2 2 3 3: MAD 2, sigma = 2 / 0.6745 = 2.9652.
    history = years([100, 102, 98, 101, 99, 103, 97])
    verdict = outlier_check(111, history, period="2023")
    sigma = 2 / 0.6745
    assert verdict == OutlierVerdict(
        status=OUTLIER,
        value=111.0,
        expected_low=pytest.approx(100 - 3.5 * sigma),
        expected_high=pytest.approx(100 + 3.5 * sigma),
        centre=100.0,
        score=pytest.approx(11 / sigma),
        method="modified_z",
        basis=RECENT,
    )
    assert verdict.expected_low == pytest.approx(89.62, abs=0.01)
    assert verdict.score == pytest.approx(3.71, abs=0.01)
    within = outlier_check(110, history, period="2023")
    assert (within.status, within.score) == (NORMAL, pytest.approx(3.37, abs=0.01))


def test_the_threshold_is_configurable():
    history = years([100, 102, 98, 101, 99, 103, 97])
    assert outlier_check(108, history, period="2023").status == NORMAL
    strict = OutlierSettings(threshold=2.0)
    verdict = outlier_check(108, history, period="2023", settings=strict)
    assert verdict.status == OUTLIER
    assert verdict.expected_high == pytest.approx(100 + 2 * 2 / 0.6745)


def test_an_outlier_already_in_the_history_does_not_widen_the_range():
    # The median and MAD ignore the earlier spike of 1000; a mean and standard deviation
    # would have stretched the range to include 400.
    history = years([100, 102, 98, 1000, 101, 99, 103, 97])
    verdict = outlier_check(400, history, period="2024")
    assert verdict.status == OUTLIER
    assert verdict.expected_high < 115


def test_negative_values_are_judged_like_any_other():
    # Net migration of a commune, mostly negative.
    history = years([-48, -52, -50, -47, -53, -49, -51])
    low = outlier_check(-65, history, period="2023")
    assert (low.status, low.centre) == (OUTLIER, -50.0)
    assert low.score < -3.5
    assert low.expected_low == pytest.approx(-50 - 3.5 * 2 / 0.6745)
    assert low.expected_low < low.expected_high < 0
    assert outlier_check(-45, history, period="2023").status == NORMAL
    assert (
        outlier_check(-65, history, period="2023", settings=OutlierSettings(method=IQR)).status
        == OUTLIER
    )


# Flat histories -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["modified_z", "iqr"])
def test_a_constant_history_expects_exactly_its_value(method):
    history = years([50.0] * 8)
    settings = OutlierSettings(method=method)
    same = outlier_check(50, history, period="2024", settings=settings)
    assert same == OutlierVerdict(NORMAL, 50.0, 50.0, 50.0, 50.0, 0.0, method, RECENT)
    # Floating-point dust from summing communes is not a difference...
    dust = outlier_check(0.1 + 0.2 + 49.7 + 1e-12, history, period="2024", settings=settings)
    assert dust.status == NORMAL
    # ...but any real difference is, with no finite score.
    other = outlier_check(51, history, period="2024", settings=settings)
    assert other == OutlierVerdict(OUTLIER, 51.0, 50.0, 50.0, 50.0, None, method, RECENT)
    assert outlier_check(49.99, history, period="2024", settings=settings).status == OUTLIER


def test_a_constant_zero_history():
    history = years([0] * 6)
    assert outlier_check(0, history, period="2022").status == NORMAL
    assert outlier_check(-0.0, history, period="2022").status == NORMAL
    assert outlier_check(1, history, period="2022").status == OUTLIER


def test_a_mostly_zero_count_falls_back_to_the_mean_absolute_deviation():
    # Maternal deaths of a district per year: MAD is 0, yet one death is not an outlier.
    history = years([0] * 10 + [1, 2], first=2010)
    one = outlier_check(1, history, period="2022")
    sigma = math.sqrt(math.pi / 2) * (3 / 12)
    assert (one.status, one.centre) == (NORMAL, 0.0)
    assert one.expected_high == pytest.approx(3.5 * sigma)
    assert one.score == pytest.approx(1 / sigma)
    assert outlier_check(2, history, period="2022").status == OUTLIER


# IQR ------------------------------------------------------------------------------------------


def test_iqr_gives_the_tukey_fences_as_the_expected_range():
    # Nine values: Q1 = 14 and Q3 = 22 (Tukey's hinges), IQR 8, fences 14 - 12 and 22 + 12.
    history = years([26, 10, 22, 14, 18, 12, 24, 16, 20])
    settings = OutlierSettings(method=IQR)
    verdict = outlier_check(35, history, period="2025", settings=settings)
    assert verdict == OutlierVerdict(OUTLIER, 35.0, 2.0, 34.0, 18.0, 13 / 8, "iqr", RECENT)
    assert outlier_check(34, history, period="2025", settings=settings).status == NORMAL
    inside = outlier_check(21, history, period="2025", settings=settings)
    assert (inside.status, inside.score) == (NORMAL, 0.0)
    below = outlier_check(1, history, period="2025", settings=settings)
    assert (below.status, below.score) == (OUTLIER, -13 / 8)
    wider = OutlierSettings(method=IQR, iqr_k=3.0)
    far = outlier_check(35, history, period="2025", settings=wider)
    assert (far.status, far.expected_low, far.expected_high) == (NORMAL, -10.0, 46.0)


def test_iqr_quartiles_interpolate_between_values():
    # Six values 1..6: Q1 = 2.25, Q3 = 4.75 (linear interpolation), IQR 2.5.
    verdict = outlier_check(
        9, years([1, 2, 3, 4, 5, 6]), period="2022", settings=OutlierSettings(method=IQR)
    )
    assert (verdict.expected_low, verdict.expected_high, verdict.centre) == (-1.5, 8.5, 3.5)
    assert verdict.status == OUTLIER


# Seasonality ----------------------------------------------------------------------------------


def test_a_december_peak_is_normal_against_earlier_decembers_but_not_without_seasons():
    history = revenue(2021, 2025, until_month=11)
    last_twelve = [value for _, value in history[-12:]]
    december = 3 * sum(last_twelve) / 12  # three times the yearly mean
    seasonal = outlier_check(december, history, period="202512")
    assert (seasonal.status, seasonal.basis) == (NORMAL, SEASONAL)
    # The centre is the median of the four earlier Decembers, not of the quiet months.
    assert seasonal.centre == pytest.approx(540, rel=0.03)
    assert seasonal.expected_low < december < seasonal.expected_high

    flat = outlier_check(december, history, period="202512", settings=NO_SEASONS)
    assert (flat.status, flat.basis) == (OUTLIER, RECENT)
    assert flat.centre == pytest.approx(150, rel=0.03)


def test_a_june_at_three_times_the_yearly_mean_is_an_outlier():
    history = revenue(2021, 2025, until_month=5)
    june = 3 * sum(value for _, value in history[-12:]) / 12
    verdict = outlier_check(june, history, period="202506")
    assert (verdict.status, verdict.basis) == (OUTLIER, SEASONAL)
    assert verdict.expected_high < 200


def test_seasonality_needs_enough_earlier_years_else_the_recent_months_are_the_basis():
    # Only 2023 and 2024 have a December: the basis falls back to the last 12 months, where
    # the peak stands out (the documented warm-up limit).
    history = revenue(2023, 2025, until_month=11)
    december = outlier_check(540, history, period="202512")
    assert (december.status, december.basis) == (OUTLIER, RECENT)
    relaxed = OutlierSettings(min_seasonal_years=2)
    assert outlier_check(540, history, period="202512", settings=relaxed).basis == SEASONAL
    assert outlier_check(540, history, period="202512", settings=relaxed).status == NORMAL


def test_quarterly_seasonality_compares_the_same_quarter():
    # Rice output of a district (tấn): the winter-spring harvest in Q2, the summer-autumn
    # and main crops in Q3 and Q4, little in Q1.
    pattern = {1: 20.0, 2: 180.0, 3: 60.0, 4: 150.0}
    history = [
        (f"{year}Q{quarter}", pattern[quarter] * (1 + NOISE[(year + quarter) % 12]))
        for year in range(2019, 2025)
        for quarter in range(1, 5)
    ]
    assert outlier_check(185, history, period="2025Q2").status == NORMAL
    # A Q4-sized figure typed into Q1: wrong against earlier first quarters...
    q1 = outlier_check(150, history, period="2025Q1")
    assert (q1.status, q1.basis) == (OUTLIER, SEASONAL)
    assert q1.expected_high < 25
    # ...and unremarkable among the last twelve quarters, whose spread is the seasons'.
    assert outlier_check(150, history, period="2025Q1", settings=NO_SEASONS).status == NORMAL


def test_half_years_are_seasonal_too_and_years_are_not():
    history = [
        (f"{year}S{half}", 100.0 * half + year % 3) for year in range(2019, 2025) for half in (1, 2)
    ]
    assert outlier_check(201, history, period="2025S2").basis == SEASONAL
    assert outlier_check(201, history, period="2025S2").status == NORMAL
    assert outlier_check(201, history, period="2025S1").status == OUTLIER
    assert outlier_check(100, years([100] * 8), period="2024").basis == RECENT


def test_the_recent_basis_takes_the_twelve_nearest_periods():
    # Old years at 10, the last twelve around 100: only the recent level counts.
    history = years([10.0] * 8 + [100.0 + (i % 3) for i in range(12)], first=2000)
    verdict = outlier_check(101, history, period="2020")
    assert (verdict.status, verdict.centre) == (NORMAL, 101.0)
    # Judging a past year against its neighbours on both sides (a batch re-check).
    around = years([100.0, 101, 99, 102, 98], first=2010) + years(
        [100.0, 101, 99, 102, 98], first=2016
    )
    assert outlier_check(100.5, around, period="2015").status == NORMAL
    assert outlier_check(150, around, period="2015").status == OUTLIER


# History length -------------------------------------------------------------------------------


def test_too_short_a_history_gives_no_verdict():
    history = years([100, 102, 98, 101, 99])
    verdict = outlier_check(1000, history, period="2021")
    assert verdict == OutlierVerdict(
        INSUFFICIENT_HISTORY, 1000.0, None, None, None, None, "modified_z", RECENT
    )
    assert outlier_check(1000, [], period="2021").status == INSUFFICIENT_HISTORY
    assert (
        outlier_check(1000, history, period="2021", settings=OutlierSettings(min_history=5)).status
        == OUTLIER
    )


# Series ---------------------------------------------------------------------------------------


def visits(spike_at=None):
    """Outpatient visits of a commune health station, 2021-2025: a 0.5 % monthly growth,
    a mild season (+-10 %, more in the cold months) and a few per cent of noise."""
    series = []
    for index in range(60):
        year, month = 2021 + index // 12, index % 12 + 1
        season = 1 + 0.1 * math.cos(2 * math.pi * (month - 1) / 12)
        value = 400 * (1 + 0.005 * index) * season * (1 + NOISE[(index * 5) % 12])
        code = f"{year}{month:02d}"
        series.append((code, round(value * (2.5 if code == spike_at else 1))))
    return series


def test_a_realistic_series_with_one_spike_flags_exactly_the_spike():
    series = visits(spike_at="202407")
    verdicts = outliers_in_series(list(reversed(series)))  # any order in, period order out
    assert [code for code, _ in verdicts] == [code for code, _ in series]
    assert [code for code, verdict in verdicts if verdict.status == OUTLIER] == ["202407"]
    spike = dict(verdicts)["202407"]
    assert spike.basis == SEASONAL
    assert spike.expected_low < 1000 / 2.5 * 1.2 < spike.expected_high < spike.value
    assert [verdict.status for _, verdict in verdicts[:6]] == [INSUFFICIENT_HISTORY] * 6
    assert verdicts[6][1].status == NORMAL
    # The spike does not make the next July look low.
    assert dict(verdicts)["202507"].status == NORMAL


def test_the_same_series_without_the_spike_has_no_outlier_with_either_method():
    iqr = OutlierSettings(method=IQR, min_seasonal_years=4)
    for settings in (
        OutlierSettings(),
        NO_SEASONS,
        iqr,
        OutlierSettings(method=IQR, seasonal=False),
    ):
        verdicts = outliers_in_series(visits(), settings=settings)
        assert [code for code, verdict in verdicts if verdict.status == OUTLIER] == []
    spiked = outliers_in_series(visits(spike_at="202407"), settings=iqr)
    assert [code for code, verdict in spiked if verdict.status == OUTLIER] == ["202407"]


def test_iqr_on_three_seasonal_values_flags_a_steady_trend():
    # The documented limit: Decembers 100, 110, 120 put the upper fence at exactly 130.
    history = [
        (f"{year}{month:02d}", 10.0 * (year - 2021) + (100 if month == 12 else 50))
        for year in (2021, 2022, 2023)
        for month in range(1, 13)
    ]
    iqr = OutlierSettings(method=IQR)
    on_fence = outlier_check(130, history, period="202412", settings=iqr)
    assert (on_fence.status, on_fence.expected_high, on_fence.basis) == (NORMAL, 130.0, SEASONAL)
    assert outlier_check(131, history, period="202412", settings=iqr).status == OUTLIER
    assert outlier_check(131, history, period="202412").status == NORMAL


def test_a_series_judges_each_point_only_against_earlier_ones():
    series = years([100, 102, 98, 101, 99, 103, 500, 97, 100])
    verdicts = outliers_in_series(series)
    assert [verdict.status for _, verdict in verdicts] == [INSUFFICIENT_HISTORY] * 6 + [
        OUTLIER,
        NORMAL,
        NORMAL,
    ]
    assert verdicts[6][1] == outlier_check(500, series[:6], period="2022")
    assert outliers_in_series([]) == []


# Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad", [math.nan, math.inf, -math.inf, Decimal("NaN"), Decimal("Infinity")]
)
def test_a_value_that_is_not_finite_is_refused(bad):
    history = years([100.0] * 6)
    with pytest.raises(ValueError, match=r"value: .* not a finite number"):
        outlier_check(bad, history, period="2022")
    with pytest.raises(OutlierInputError, match=r"history\[2\]") as error:
        outlier_check(100, [*history[:2], ("2018", bad), *history[3:]], period="2022")
    assert error.value.field == "history[2]"
    with pytest.raises(ValueError, match=r"series\[1\]"):
        outliers_in_series([("2020", 1.0), ("2021", bad)])


def test_numbers_of_other_kinds_are_accepted_and_other_values_refused():
    history = [("2016", 100), ("2017", Decimal("102.5")), *years([98.0, 101, 99, 103], first=2018)]
    assert outlier_check(Decimal("100.0"), history, period="2022").status == NORMAL
    for bad in ("100", None, True):
        with pytest.raises(ValueError, match=r"value: .* not a number"):
            outlier_check(bad, history, period="2022")
    with pytest.raises(ValueError, match="too large"):
        outlier_check(10**400, history, period="2022")


def test_periods_must_be_valid_distinct_of_one_type_and_not_the_one_checked():
    history = years([100.0] * 6)
    cases = [
        ([*history, ("2026M3", 1.0)], "2022", r"history\[6\]: not a period code"),
        (
            [*history, ("202203", 1.0)],
            "2022",
            r"history\[6\]: period 202203 is a month, not a year",
        ),
        (
            [*history, ("2016", 1.0)],
            "2022",
            r"history\[6\]: period 2016 already appears at history\[0\]",
        ),
        ([*history, ("2022", 1.0)], "2022", r"history\[6\]: is the period being checked"),
        ([*history, ("2023",)], "2022", r"history\[6\]: .* not a \(period, value\) pair"),
        ([*history, "2023"], "2022", r"history\[6\]"),
        ([*history, (2023, 1.0)], "2022", r"history\[6\]: 2023 is not a period code"),
        (history, "2022Q5", r"period: .*quarter 5"),
    ]
    for pairs, period, message in cases:
        with pytest.raises(OutlierInputError, match=message):
            outlier_check(1.0, pairs, period=period)
    with pytest.raises(ValueError, match=r"series\[1\]: period 2020Q1 is a quarter, not a year"):
        outliers_in_series([("2020", 1.0), ("2020Q1", 1.0)])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("method", "zscore"),
        ("threshold", 0),
        ("threshold", -1.0),
        ("threshold", math.nan),
        ("threshold", "3.5"),
        ("iqr_k", math.inf),
        ("min_history", 0),
        ("min_history", 2.5),
        ("min_seasonal_years", True),
        ("seasonal", "yes"),
    ],
)
def test_settings_are_checked(field, value):
    with pytest.raises(OutlierInputError, match=f"^{field}: ") as error:
        OutlierSettings(**{field: value})
    assert error.value.field == field


def test_a_decimal_threshold_is_usable():
    settings = OutlierSettings(threshold=Decimal("3.5"))
    assert settings.threshold == 3.5
    assert (
        outlier_check(
            111, years([100, 102, 98, 101, 99, 103, 97]), period="2023", settings=settings
        ).status
        == OUTLIER
    )


def test_the_seasonal_spread_comes_from_the_whole_history_not_from_three_values():
    # A ward's dossiers, ±6 % around a December peak; by chance its three earlier Novembers
    # are almost equal (230, 231, 232). Judged by those three alone, 238 (3 % more) would be
    # an outlier with an expected range of about 228 to 234.
    season = {1: 0.85, 2: 0.75, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.05}
    season |= {7: 1.0, 8: 0.95, 9: 1.05, 10: 1.05, 11: 1.1, 12: 1.2}
    wobble = [0.94, 1.05, 0.98, 1.06, 1.01, 0.95, 1.03, 0.97, 1.04, 0.99, 1.02, 0.96]
    history = [
        (f"{year}{month:02d}", 210 * season[month] * wobble[(year * 5 + month) % 12])
        for year in (2022, 2023, 2024)
        for month in range(1, 13)
        if month != 11
    ]
    history += [("202211", 230.0), ("202311", 231.0), ("202411", 232.0)]

    usual = outlier_check(238, history, period="202511")
    assert (usual.status, usual.basis) == (NORMAL, SEASONAL)
    assert usual.centre == 231
    assert usual.expected_low < 215 and usual.expected_high > 247

    doubled = outlier_check(462, history, period="202511")
    assert doubled.status == OUTLIER
