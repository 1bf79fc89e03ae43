"""Outliers: a value judged against the same unit's own history (issue 5, scope 4).

Plain Python (no Django, no numpy): judging one value against five years of monthly
history (~60 values) takes well under a millisecond, so the same code serves the live entry
form and the batch report, and it ports to SQL or JavaScript line by line.

A value is compared with a *basis*, some earlier values of the same unit, indicator,
disaggregation and period type:

- `seasonal`: the same month (quarter, half-year) of other years, when `settings.seasonal`
  is on, the period type has seasons (month, quarter, half-year) and at least
  `min_seasonal_years` such values exist. A December peak is then judged against earlier
  Decembers, not against the quiet months around it.
- `recent`: otherwise, the `RECENT_PERIODS` (12) periods nearest in time. Twelve is a
  multiple of every seasonal cycle (12 months, 4 quarters, 2 half-years), so each season
  appears equally often: a seasonal swing widens the expected range instead of shifting
  its centre.

With the modified z-score, the seasonal basis gives the *centre* (the median of the same
season in other years) but its spread alone is unreliable: three or four values of one season
say little about how much a figure varies, and by chance they can be nearly equal. The spread
used is the wider of that season's own and the seasonal basis's errors over the whole history:
every earlier value against the median of the other values of its season, pooled over all
seasons (relative to the size of the season when every value is positive, since a busy
December varies more in units than a quiet February), i.e. how far the method's predictions
have been off for this series. The wider one errs towards fewer warnings.

The recent basis is deliberately *not* detrended. A trend fitted on a year of noisy
administrative data and extrapolated to the next period flags the first month after a
trend ends, and its expected range can no longer be explained in one sentence ("the median
of the last 12 months"). A steady trend instead inflates the spread of the window, so growth
alone is not flagged; a seasonal basis with a trend over the years behaves the same way.

Known limit: until `min_seasonal_years` years exist, a strong seasonal peak is judged on the
recent basis and is flagged each year (the verdict says `basis="recent"` so the UI can tell).
Tết moves between January and February, so those months of earlier years are a mixture;
the robust spread of that mixture is wide, which errs towards fewer warnings, not more.

Two methods, both robust to the outliers already in the history:

- `modified_z` (default): the modified z-score of Iglewicz and Hoaglin (1993),
  M = 0.6745 (x - median) / MAD, with |M| > 3.5 labelled a potential outlier. Written here
  as (x - median) / sigma with sigma = MAD / 0.6745, so the expected range shown to the user
  is median +- threshold * sigma.
- `iqr`: Tukey's (1977) fences, [Q1 - k IQR, Q3 + k IQR] with k = 1.5. The score is the
  distance beyond the nearer quartile in IQRs (0 between the quartiles, negative below), so
  |score| > k exactly when the value is outside the fences. Quartiles of very few values
  are coarse: on a seasonal basis of three values a, a + d, a + 2d the upper fence is
  exactly a + 3d, so a steady year-on-year trend sits on the fence and noise tips it over.
  With `iqr`, set `min_seasonal_years` to 4 or more; `modified_z` does not have this
  problem (its range there is a + d +- 5.2d).

A history with no spread needs care, because both scores divide by it:

- MAD = 0 but the values are not all equal (more than half of them are the same, e.g. a
  count of rare events that is mostly 0): sigma is taken from the mean absolute deviation
  around the median instead, times sqrt(pi / 2) (for normal data the mean absolute deviation
  is sigma * sqrt(2 / pi)), so one month with 1 case among zeros is not flagged.
- Constant history (or IQR = 0): the expected range is [median, median]; the value is normal
  when it equals the median up to a relative tolerance of 1e-9 (rounding of values summed
  in floating point), an outlier otherwise, with `score` None because no finite score
  exists (None also keeps the verdict JSON-serialisable, unlike infinity).

Bad input (NaN or infinite values, unknown period codes, periods of another type, a period
twice) raises `OutlierInputError`, a ValueError naming the argument and position.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from statistics import fmean, median

from baocao.periods import Period, PeriodError, PeriodType, parse_period

MODIFIED_Z = "modified_z"
IQR = "iqr"
METHODS = (MODIFIED_Z, IQR)

NORMAL = "normal"
OUTLIER = "outlier"
INSUFFICIENT_HISTORY = "insufficient_history"

SEASONAL = "seasonal"
RECENT = "recent"

# Iglewicz and Hoaglin (1993): 0.6745 is the 0.75 quantile of the standard normal
# distribution, so MAD / 0.6745 estimates the standard deviation of normal data.
MAD_FACTOR = 0.6745
# For normal data the mean absolute deviation is sigma * sqrt(2 / pi); used when MAD = 0.
MEAN_AD_FACTOR = math.sqrt(math.pi / 2)
# Size of the recent basis (and the most same-season values used): see the module docstring.
RECENT_PERIODS = 12
# Spread at or below this fraction of the median is no spread (floating-point rounding).
ZERO_SPREAD_REL_TOL = 1e-9
ZERO_SPREAD_ABS_TOL = 1e-12

# Period types with seasons; a season is identified by the month its period starts in.
_SEASONAL_TYPES = frozenset({PeriodType.MONTH, PeriodType.QUARTER, PeriodType.HALF_YEAR})


class OutlierInputError(ValueError):
    """Input the outlier check cannot judge; `field` names the argument and position."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


@dataclass(frozen=True)
class OutlierSettings:
    """How values are judged; the defaults are the literature's (see the module docstring).

    `threshold` is the modified z-score limit (Iglewicz and Hoaglin 1993: 3.5), `iqr_k` the
    fence multiplier (Tukey 1977: 1.5). Fewer than `min_history` earlier values give no
    verdict. The seasonal basis needs at least `min_seasonal_years` values of the same
    season; otherwise the recent basis is used.
    """

    method: str = MODIFIED_Z
    threshold: float = 3.5
    iqr_k: float = 1.5
    min_history: int = 6
    seasonal: bool = True
    min_seasonal_years: int = 3

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise OutlierInputError("method", f"{self.method!r} is not one of {METHODS}")
        for name in ("threshold", "iqr_k"):
            limit = getattr(self, name)
            if isinstance(limit, bool) or not isinstance(limit, int | float | Decimal):
                raise OutlierInputError(name, f"{limit!r} is not a number")
            if not (math.isfinite(limit) and limit > 0):
                raise OutlierInputError(name, f"{limit!r} is not a positive number")
            # A Decimal limit times a float spread would raise; compare floats throughout.
            object.__setattr__(self, name, float(limit))
        for name in ("min_history", "min_seasonal_years"):
            count = getattr(self, name)
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise OutlierInputError(name, f"{count!r} is not a whole number of at least 1")
        if not isinstance(self.seasonal, bool):
            raise OutlierInputError("seasonal", f"{self.seasonal!r} is not true or false")


@dataclass(frozen=True)
class OutlierVerdict:
    """The judgement of one value; the UI shows "expected low - high" for an outlier.

    `centre` is the median of the basis; `score` the modified z-score, or for `iqr` the
    distance beyond the nearer quartile in IQRs. Range, centre and score are None when the
    history is too short; `score` is also None for an outlier against a constant history.
    """

    status: str
    value: float
    expected_low: float | None
    expected_high: float | None
    centre: float | None
    score: float | None
    method: str
    basis: str


def outlier_check(
    value: float,
    history: Sequence[tuple[str, float]],
    *,
    period: str,
    settings: OutlierSettings = OutlierSettings(),
) -> OutlierVerdict:
    """Judge `value` for `period` against `history`, (period code, value) pairs in any order.

    The history is the same unit's, indicator's and disaggregation's values of other periods
    of the same type (later periods are allowed: the recent basis takes the nearest ones).
    """
    number = _number(value, "value")
    target = _period(period, "period")
    points = _points(history, "history", target.type)
    for index, (point, _) in enumerate(points):
        if point == target:
            raise OutlierInputError(
                f"history[{index}]", f"is the period being checked ({target.code})"
            )
    return _judge(number, target, points, settings)


def outlier_check_stored(
    value: float,
    history: Sequence[tuple[Period, float]],
    *,
    period: Period,
    settings: OutlierSettings = OutlierSettings(),
) -> OutlierVerdict:
    """`outlier_check` for a history read from stored values, without checking it again.

    Stored values are finite numbers keyed by period (each period once) and the callers keep
    only the periods of `period`'s type; re-checking that costs more than the judgement
    itself (a live check judges 300 cells of ten years each as the officer types).
    """
    return _judge(value, period, history, settings)


def outliers_in_series(
    series: Sequence[tuple[str, float]],
    *,
    settings: OutlierSettings = OutlierSettings(),
) -> list[tuple[str, OutlierVerdict]]:
    """Judge every point of `series` against the points before it, in period order.

    Returns (canonical period code, verdict) pairs sorted by period; the first
    `min_history` points are `insufficient_history`.
    """
    if not series:
        return []
    first = _period(_pair(series[0], "series[0]")[0], "series[0]")
    points = sorted(_points(series, "series", first.type), key=lambda point: point[0])
    return [
        (period.code, _judge(number, period, points[:index], settings))
        for index, (period, number) in enumerate(points)
    ]


# Judging -------------------------------------------------------------------------------------


def _judge(
    value: float,
    period: Period,
    history: Sequence[tuple[Period, float]],
    settings: OutlierSettings,
) -> OutlierVerdict:
    return outlier_expectation(history, period=period, settings=settings).judge(value)


@dataclass(frozen=True)
class Expectation:
    """What a history expects of the next value; `judge` gives the verdict on one value.

    Computed once per history (it does not depend on the value judged), so a page that judges
    values as they are typed keeps it while the history is unchanged. `kind` is `scored`
    (modified z: centre +- threshold * scale), `fences` (IQR: [q1 - k scale, q3 + k scale]
    with scale the IQR), `flat` (no spread: only the centre) or `insufficient`.
    """

    kind: str
    method: str
    basis: str
    centre: float | None = None
    scale: float = 0.0
    limit: float = 0.0
    q1: float = 0.0
    q3: float = 0.0

    def judge(self, value: float) -> OutlierVerdict:
        centre = self.centre
        if self.kind == INSUFFICIENT_HISTORY or centre is None:
            return OutlierVerdict(
                INSUFFICIENT_HISTORY, value, None, None, None, None, self.method, self.basis
            )
        if self.kind == _FLAT:
            same = _no_spread(abs(value - centre), centre)
            return OutlierVerdict(
                NORMAL if same else OUTLIER,
                value,
                centre,
                centre,
                centre,
                0.0 if same else None,
                self.method,
                self.basis,
            )
        if self.kind == _FENCES:
            iqr = self.scale
            if value > self.q3:
                score = (value - self.q3) / iqr
            elif value < self.q1:
                score = (value - self.q1) / iqr
            else:
                score = 0.0
            low, high = self.q1 - self.limit * iqr, self.q3 + self.limit * iqr
        else:
            score = (value - centre) / self.scale
            low, high = centre - self.limit * self.scale, centre + self.limit * self.scale
        return OutlierVerdict(
            status=OUTLIER if abs(score) > self.limit else NORMAL,
            value=value,
            expected_low=low,
            expected_high=high,
            centre=centre,
            score=score,
            method=self.method,
            basis=self.basis,
        )


_SCORED, _FENCES, _FLAT = "scored", "fences", "flat"


def outlier_expectation(
    history: Sequence[tuple[Period, float]],
    *,
    period: Period,
    settings: OutlierSettings = OutlierSettings(),
) -> Expectation:
    """What a stored history (see `outlier_check_stored`) expects for `period`."""
    basis, sample = _basis(period, history, settings)
    if len(history) < settings.min_history:
        return Expectation(INSUFFICIENT_HISTORY, settings.method, basis)
    if settings.method == IQR:
        return _iqr_expectation(sample, settings.iqr_k, basis)
    spread = None
    if basis == SEASONAL:
        errors, relative = _seasonal_errors(history, settings.min_seasonal_years)
        if len(errors) >= settings.min_history:
            # Relative errors are scaled to the size of the season being judged.
            scale = abs(median(sample)) if relative else 1.0
            spread = [error * scale for error in errors]
    return _modified_z_expectation(sample, settings.threshold, basis, spread)


def _basis(
    period: Period, history: Sequence[tuple[Period, float]], settings: OutlierSettings
) -> tuple[str, list[float]]:
    """The basis name and its values: same season of other years, or the nearest periods."""
    if settings.seasonal and period.type in _SEASONAL_TYPES:
        same_season = [point for point in history if point[0].start.month == period.start.month]
        if len(same_season) >= settings.min_seasonal_years:
            return SEASONAL, _nearest(period, same_season)
    return RECENT, _nearest(period, history)


def _nearest(period: Period, points: Sequence[tuple[Period, float]]) -> list[float]:
    """Values of the RECENT_PERIODS points nearest to `period`, the earlier one on a tie."""
    if len(points) <= RECENT_PERIODS:
        return [number for _, number in points]

    def distance(point: tuple[Period, float]) -> tuple[int, Period]:
        return abs((point[0].start - period.start).days), point[0]

    return [number for _, number in sorted(points, key=distance)[:RECENT_PERIODS]]


def _seasonal_errors(
    history: Sequence[tuple[Period, float]], min_years: int
) -> tuple[list[float], bool]:
    """How far each earlier value was from what the rest of its season predicted.

    For every season with at least `min_years` values, each value against the median of the
    other values of that season (the nearest RECENT_PERIODS of them). These are the errors the
    seasonal basis makes, pooled over every season: a few dozen numbers instead of the three
    or four of one season, whose MAD can be near zero by chance (Novembers of 230, 231 and 250
    would expect 229 to 233 and flag nearly every value).

    Seasons differ in size (a harvest quarter is ten times a lean one) and administrative
    figures vary in proportion to their size, so when every value is positive the errors are
    relative (0.05 for 5 % above the prediction) and the second result is True; otherwise
    (counts that can be 0, balances that can be negative) they are absolute.
    """
    seasons: dict[int, list[tuple[Period, float]]] = {}
    for point in history:
        seasons.setdefault(point[0].start.month, []).append(point)
    relative = all(number > 0 for _, number in history)
    errors: list[float] = []
    for points in seasons.values():
        count = len(points)
        if count < min_years:
            continue
        if count - 1 <= RECENT_PERIODS:
            # Every other value is used: the median of the others, from one sorted list.
            ordered = sorted(number for _, number in points)
            for number in (number for _, number in points):
                predicted = _median_without(ordered, number)
                errors.append(number / predicted - 1 if relative else number - predicted)
            continue
        for index, (period, number) in enumerate(points):
            others = points[:index] + points[index + 1 :]
            predicted = median(_nearest(period, others))
            errors.append(number / predicted - 1 if relative else number - predicted)
    return errors, relative


def _median_without(ordered: Sequence[float], number: float) -> float:
    """The median of sorted `ordered` without one occurrence of `number` (which it holds)."""
    skip = bisect.bisect_left(ordered, number)
    remaining = len(ordered) - 1

    def at(index: int) -> float:
        return ordered[index] if index < skip else ordered[index + 1]

    middle = remaining // 2
    if remaining % 2:
        return at(middle)
    return (at(middle - 1) + at(middle)) / 2


def _modified_z_expectation(
    sample: Sequence[float],
    threshold: float,
    basis: str,
    spread: Sequence[float] | None = None,
) -> Expectation:
    """Median of `sample` +- threshold * sigma; sigma from the sample itself, or the wider of
    that and the spread of `spread` (errors of the seasonal basis) when given."""
    centre = median(sample)
    deviations = [abs(number - centre) for number in sample]
    if spread is not None:
        middle = median(spread)
        pooled = [abs(number - middle) for number in spread]
        if not _no_spread(fmean(pooled), centre):
            # The wider of the two: a season may vary more than the others (the pooled errors
            # are then too narrow for it), or its few values may agree by chance.
            own = _sigma(deviations) if not _no_spread(fmean(deviations), centre) else 0.0
            sigma = max(_sigma(pooled), own)
            return Expectation(_SCORED, MODIFIED_Z, basis, centre, sigma, threshold)
    mad = median(deviations)
    if not _no_spread(mad, centre):
        sigma = mad / MAD_FACTOR
    else:
        mean_ad = fmean(deviations)
        if _no_spread(mean_ad, centre):
            return Expectation(_FLAT, MODIFIED_Z, basis, centre)
        sigma = MEAN_AD_FACTOR * mean_ad
    return Expectation(_SCORED, MODIFIED_Z, basis, centre, sigma, threshold)


def _sigma(deviations: Sequence[float]) -> float:
    """MAD / 0.6745, or the mean absolute deviation scaled when the MAD is 0."""
    mad = median(deviations)
    return mad / MAD_FACTOR if mad > 0 else MEAN_AD_FACTOR * fmean(deviations)


def _iqr_expectation(sample: Sequence[float], k: float, basis: str) -> Expectation:
    ordered = sorted(sample)
    centre = median(ordered)
    q1, q3 = _quantile(ordered, 0.25), _quantile(ordered, 0.75)
    iqr = q3 - q1
    if _no_spread(iqr, centre):
        return Expectation(_FLAT, IQR, basis, centre)
    return Expectation(_FENCES, IQR, basis, centre, iqr, k, q1, q3)


def _no_spread(spread: float, centre: float) -> bool:
    return spread <= max(ZERO_SPREAD_REL_TOL * abs(centre), ZERO_SPREAD_ABS_TOL)


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Quantile by linear interpolation between order statistics (Hyndman and Fan type 7).

    The default of R and numpy, and `statistics.quantiles(method="inclusive")`; it equals
    Tukey's (1977) hinges when the count is 4m + 1, and unlike `statistics` accepts one value.
    """
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# Input --------------------------------------------------------------------------------------


def _points(
    pairs: Sequence[tuple[str, float]], name: str, period_type: PeriodType
) -> list[tuple[Period, float]]:
    """(period, value) pairs checked: finite numbers, one period type, no period twice."""
    points: list[tuple[Period, float]] = []
    seen: dict[Period, int] = {}
    for index, pair in enumerate(pairs):
        field = f"{name}[{index}]"
        code, raw = _pair(pair, field)
        period = _period(code, field)
        if period.type != period_type:
            raise OutlierInputError(
                field, f"period {period.code} is a {period.type}, not a {period_type}"
            )
        if period in seen:
            raise OutlierInputError(
                field, f"period {period.code} already appears at {name}[{seen[period]}]"
            )
        seen[period] = index
        points.append((period, _number(raw, field)))
    return points


def _pair(pair: object, field: str) -> tuple[object, object]:
    if isinstance(pair, str | bytes) or not isinstance(pair, Sequence) or len(pair) != 2:
        raise OutlierInputError(field, f"{pair!r} is not a (period, value) pair")
    return pair[0], pair[1]


def _period(code: object, field: str) -> Period:
    if not isinstance(code, str):
        raise OutlierInputError(field, f"{code!r} is not a period code")
    try:
        return _parse_period(code)
    except PeriodError as error:
        raise OutlierInputError(field, str(error)) from None


# Parsing and checking a code costs more than judging the value; the batch report parses the
# same few hundred codes for every unit, and a Period is immutable, so caching is safe.
_parse_period = lru_cache(maxsize=4096)(parse_period)


def _number(raw: object, field: str) -> float:
    # bool is an int in Python, but True is no measurement.
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        raise OutlierInputError(field, f"{raw!r} is not a number")
    if isinstance(raw, Decimal) and not raw.is_finite():
        raise OutlierInputError(field, f"{raw} is not a finite number")
    try:
        number = float(raw)
    except OverflowError:  # an int beyond the float range
        raise OutlierInputError(field, f"{raw!r} is too large") from None
    if not math.isfinite(number):
        raise OutlierInputError(field, f"{raw!r} is not a finite number")
    return number
