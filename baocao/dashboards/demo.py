"""Figures of the direction center's demo: plausible, deterministic, pure functions.

`baocao demo_direction` writes what this module computes; nothing here touches the database
(only `baocao.periods`, plain Python), so the figures can be checked in microseconds.

**The bases.** Every province-level series is generated for the 63 provinces in force until
30 June 2025 (`PROVINCES`, with their 2024 population, GRDP, area, exports, visitors, budget
revenue...), the *bases*. A unit's figure is the aggregate of its bases: an old province is
its own base; a province in force from 1 July 2025 (Resolution 202/2025/QH15) is the sum of
the provinces merged into it. Flows and stocks add up, indices (CPI, IIP, GRDP growth) are
recomputed from the bases' levels, so national series run on without a break in July 2025
and a merged province's growth compares like with like.

**Magnitudes.** National totals are of the size of Vietnam's 2024 statistics (retail sales
about 532,000 billion đồng a month, exports about 33.8 billion USD a month, budget revenue
about 2 million billion đồng a year, 13,000 new enterprises a month, CPI about 103.5 against
the same month of the previous year...), shared among provinces by their weight, with a
yearly trend, seasonality (Tết in January or February: `TET_MONTH`, calendar months), and
noise. Every random draw is seeded by what it is for (`SEED`, unit, indicator, period), so
the same figure comes out on every run and on every machine.

**Consistency with the catalogue's rules** (catalogue/data/sample/rules.yaml): parts never
exceed their total (budget revenue and expenditure, international visitors, online
dossiers, the unemployed, poor households, forest area, collected waste); disbursement stays
below the plan; GRDP at 2010 prices below GRDP at current prices; month-on-month retail and
dossier changes far inside the warning thresholds. Sums are made in integers of the stored
precision (tenths of a billion đồng), so rounding never breaks them. The notable things a
leader should see (`Twists`) are the only departures, and none of them breaks a rule.

Cells are keyed as reports key them: (indicator code, disaggregation), with `""` for the
total and `DIM=OPT` for one option. Forms with a column dimension store only the options
(docs/reporting.md), so the figures here do the same: exports, new enterprises, GRDP by
sector, the labour force... have no total cell.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import random
from collections.abc import Iterable, Mapping, Sequence

from baocao.periods import Period, PeriodType

CellKey = tuple[str, str]
SEED = "baocao-demo-direction"

# Resolution 202/2025/QH15: 34 provinces from this day (63 before).
REFORM_DAY = dt.date(2025, 7, 1)
# Months the generator knows (the base year 2023 gives 2024 its "same period last year").
FIRST_YEAR = 2023

# The calendar month of Tết Nguyên đán (1 January of the lunar year).
TET_MONTH = {2023: 1, 2024: 2, 2025: 1, 2026: 2, 2027: 2, 2028: 1, 2029: 2, 2030: 2}

REGIONS = ("NMN", "RRD", "NCC", "CH", "SE", "MD")


@dataclasses.dataclass(frozen=True)
class Province:
    """A province in force until 30 June 2025, with its approximate 2024 figures."""

    code: str
    region: str  # NMN northern mountains, RRD Red River Delta, NCC north central and
    # central coast, CH Central Highlands, SE Southeast, MD Mekong Delta
    population: float  # thousand people
    grdp: float  # GRDP at current prices, thousand billion đồng
    area: float  # km²
    exports: float  # billion USD
    visitors: float  # million visits (domestic and international)
    foreign: float  # million international visits
    revenue: float  # state budget revenue collected in the province, thousand billion đồng
    customs: float  # share of that revenue from imports and exports
    poverty: float  # poor households, % (multidimensional poverty line 2022-2025)
    forest: float  # forest cover, %
    urban: float  # urban share of the population


# Approximate 2024 figures of the 63 provinces (sizes, not statistics: the demo's shares).
_TABLE = """
01 RRD 8587 1430 3359 19.0 28.0 6.0 511 0.06 0.05 6 0.50
02 NMN 900 32 7929 0.4 3.5 0.35 3.2 0.05 29 60 0.17
04 NMN 545 26 6700 0.4 1.8 0.05 2.8 0.25 20 56 0.25
06 NMN 326 18 4860 0.1 1.2 0.02 0.8 0.0 12 73 0.20
08 NMN 805 48 5868 0.4 3.0 0.02 3.0 0.0 9 65 0.15
10 NMN 770 78 6364 2.5 6.5 1.0 9.0 0.30 9 57 0.25
11 NMN 640 26 9541 0.1 1.2 0.02 1.6 0.0 25 43 0.18
12 NMN 482 25 9069 0.1 0.9 0.02 1.6 0.0 22 51 0.18
14 NMN 1300 72 14110 0.5 3.5 0.05 6.0 0.0 15 47 0.15
15 NMN 845 46 6893 0.6 1.8 0.05 3.7 0.0 8 63 0.22
17 NMN 875 58 4591 1.0 5.5 0.1 5.0 0.0 6 52 0.20
19 NMN 1340 155 3522 31.0 4.0 0.05 20.0 0.10 2 54 0.38
20 NMN 802 45 8310 1.5 3.0 0.1 8.0 0.45 9 63 0.22
22 RRD 1380 300 6208 3.0 19.0 2.0 55.0 0.20 0.1 55 0.68
24 NMN 1920 200 3896 30.0 3.0 0.05 20.0 0.05 2 38 0.25
25 NMN 1510 95 3535 8.0 5.5 0.1 10.0 0.0 3 40 0.20
26 RRD 1210 175 1236 7.0 4.0 0.1 32.0 0.08 0.5 23 0.33
27 RRD 1520 250 823 57.0 2.0 0.1 35.0 0.30 0.3 1 0.55
30 RRD 1950 175 1668 11.0 3.0 0.1 22.0 0.05 0.6 6 0.33
31 RRD 2100 430 1527 32.0 9.0 0.5 110.0 0.60 0.2 14 0.50
33 RRD 1290 145 930 7.0 1.0 0.02 22.0 0.05 0.5 0 0.25
34 RRD 1880 118 1586 3.0 1.0 0.02 9.0 0.02 1.5 1 0.15
35 RRD 880 78 861 7.0 3.5 0.05 15.0 0.05 0.6 7 0.25
36 RRD 1880 92 1669 3.5 1.5 0.02 8.0 0.02 1.2 2 0.20
37 RRD 1010 88 1387 4.0 8.6 0.9 14.0 0.05 1.5 20 0.25
38 NCC 3760 310 11115 7.0 16.0 0.3 55.0 0.35 2.8 54 0.25
40 NCC 3440 195 16487 2.5 8.0 0.1 24.0 0.08 4.5 58 0.17
42 NCC 1330 100 5994 2.0 3.5 0.05 16.0 0.20 3.2 52 0.22
44 NCC 920 56 7999 0.4 4.8 0.2 6.5 0.02 3.5 68 0.22
45 NCC 650 48 4622 0.5 2.5 0.05 4.0 0.10 5 50 0.32
46 NCC 1160 78 4947 1.2 4.5 1.5 13.0 0.05 2 57 0.52
48 NCC 1240 148 1285 2.0 11.0 3.5 28.0 0.05 0.3 43 0.87
49 NCC 1520 122 10575 1.5 8.0 2.0 22.0 0.05 3.5 59 0.27
51 NCC 1250 130 5155 2.0 2.0 0.05 30.0 0.15 4 52 0.20
52 NCC 1500 125 6066 1.5 6.0 0.3 15.0 0.05 2.2 50 0.32
54 NCC 880 52 5026 0.5 3.0 0.1 5.0 0.02 3 46 0.30
56 NCC 1260 112 5200 1.8 11.5 3.4 19.0 0.05 1 46 0.52
58 NCC 600 47 3355 0.4 3.0 0.2 4.0 0.02 3 46 0.37
60 NCC 1260 102 7943 1.0 7.0 0.2 12.0 0.02 1.5 43 0.40
62 CH 580 36 9674 0.2 1.5 0.05 3.0 0.02 12 63 0.35
64 CH 1610 132 15510 0.8 2.0 0.05 7.0 0.02 6 45 0.30
66 CH 1930 128 13070 1.5 3.0 0.1 9.0 0.02 6 39 0.25
67 CH 680 47 6509 0.6 1.2 0.02 3.0 0.0 7 38 0.17
68 CH 1340 122 9781 0.8 11.0 0.3 10.0 0.02 2 51 0.40
70 SE 1050 98 6877 4.5 1.5 0.02 14.0 0.05 0.4 25 0.26
72 SE 1190 122 4042 7.0 4.0 0.05 13.0 0.08 0.3 16 0.30
74 SE 2760 480 2695 35.0 2.0 0.1 70.0 0.20 0.0 2 0.85
75 SE 3310 500 5864 25.0 3.5 0.1 60.0 0.25 0.2 29 0.45
77 SE 1200 420 1982 8.0 16.0 0.3 115.0 0.25 0.3 14 0.45
79 SE 9460 1700 2095 48.0 40.0 6.0 500.0 0.25 0.0 7 0.78
80 MD 1740 172 4495 9.0 1.5 0.02 22.0 0.10 0.5 3 0.25
82 MD 1790 118 2556 4.5 2.0 0.05 12.0 0.02 1.2 2 0.17
83 MD 1300 78 2394 1.5 2.0 0.1 7.0 0.0 2 1 0.11
84 MD 1020 72 2391 0.8 1.0 0.02 6.0 0.0 1.8 4 0.18
86 MD 1030 72 1526 0.9 1.5 0.05 6.0 0.0 0.6 0 0.18
87 MD 1600 112 3384 1.5 2.0 0.05 8.0 0.02 1.2 2 0.20
89 MD 1910 118 3537 1.2 8.0 0.1 8.0 0.05 2 4 0.32
91 MD 1760 128 6349 0.8 9.0 1.2 12.0 0.02 1.5 11 0.30
92 MD 1260 118 1440 2.5 4.0 0.1 14.0 0.05 0.5 0 0.70
93 MD 730 52 1622 0.5 0.8 0.01 4.0 0.0 2 2 0.28
94 MD 1200 78 3312 1.0 1.5 0.02 5.0 0.0 3 2 0.33
95 MD 920 58 2669 0.6 2.0 0.02 4.0 0.0 1.5 2 0.28
96 MD 1210 88 5222 1.2 2.0 0.02 5.0 0.02 2 18 0.24
"""


def _parse_table(text: str) -> dict[str, Province]:
    provinces: dict[str, Province] = {}
    for line in text.strip().splitlines():
        code, region, *numbers = line.split()
        values = [float(number) for number in numbers]
        provinces[code] = Province(code, region, *values)
    return provinces


PROVINCES: dict[str, Province] = _parse_table(_TABLE)

# Shares of the 2024 national totals (a province's weight in each kind of activity).
_POPULATION = sum(p.population for p in PROVINCES.values())
_GRDP = sum(p.grdp for p in PROVINCES.values())
_EXPORTS = sum(p.exports for p in PROVINCES.values())
_REVENUE = sum(p.revenue for p in PROVINCES.values())


def _share(values: Mapping[str, float]) -> dict[str, float]:
    total = sum(values.values())
    return {code: value / total for code, value in values.items()}


POPULATION_SHARE = _share({c: p.population for c, p in PROVINCES.items()})
GRDP_SHARE = _share({c: p.grdp for c, p in PROVINCES.items()})
RETAIL_SHARE = _share({c: POPULATION_SHARE[c] + GRDP_SHARE[c] for c in PROVINCES})
SPENDING_SHARE = _share({c: 0.6 * POPULATION_SHARE[c] + 0.4 * GRDP_SHARE[c] for c in PROVINCES})
BUSINESS_SHARE = _share({c: GRDP_SHARE[c] ** 1.25 for c in PROVINCES})
CREDIT_SHARE = _share({c: GRDP_SHARE[c] ** 1.3 for c in PROVINCES})
EXPORT_SHARE = _share({c: p.exports for c, p in PROVINCES.items()})
FDI_SHARE = _share({c: 0.6 * EXPORT_SHARE[c] + 0.4 * GRDP_SHARE[c] for c in PROVINCES})
PATENT_SHARE = _share({c: GRDP_SHARE[c] ** 1.8 for c in PROVINCES})

# National magnitudes of 2024 (monthly unless said otherwise) and yearly growth rates.
RETAIL_2024 = 532_000.0  # billion đồng a month (6.39 million billion in 2024)
RETAIL_GROWTH = 0.09
EXPORTS_2024 = 33_800.0  # million USD a month (405.5 billion USD in 2024)
TRADE_GROWTH = 0.14
SPENDING_2024 = 92_000.0  # local budget spending, billion đồng a month
INVESTMENT_PLAN = {2023: 400_000.0, 2024: 430_000.0, 2025: 520_000.0, 2026: 580_000.0}
FDI_REGISTERED_2024 = 3_180.0  # million USD a month
FDI_DISBURSED_2024 = 2_110.0
FDI_PROJECTS_2024 = 281.0
NEW_ENTERPRISES_2024 = 13_100.0
RETURNING_2024 = 6_350.0
WITHDRAWING_2024 = 16_500.0
ENTERPRISES_2024 = 940_000.0  # in operation at the end of the year
CREDIT_END_2024 = 15_600_000.0  # billion đồng
ACCIDENTS_2024 = 2_000.0  # road traffic accidents a month
GRDP_TOTAL_2024 = 11_512_000.0  # billion đồng a year (GDP 2024)
SOCIAL_INVESTMENT_SHARE = 0.32  # of GRDP
DEFLATOR_GROWTH = 0.035
SCIENCE_SPENDING_2024 = 10_000.0  # billion đồng a year, local budgets
PATENTS_2024 = 1_100.0
JOBS_PER_PERSON_QUARTER = 0.0041  # workers helped into employment a quarter, per inhabitant
# Dossiers of administrative procedures a month per inhabitant: at commune level and at
# province level (departments), Decision 766/QĐ-TTg's sources.
DOSSIERS_PER_PERSON_COMMUNE = 0.007
DOSSIERS_PER_PERSON_PROVINCE = 0.0025

# Share of the year's public investment plan disbursed in each calendar month: slow at the
# start of the year, most of it in the last months (as every year's reports complain).
DISBURSEMENT = (0.02, 0.03, 0.05, 0.06, 0.07, 0.07, 0.08, 0.08, 0.09, 0.10, 0.10, 0.20)
# Local spending by month (Tết bonuses, year-end settlement).
SPENDING_SEASON = (1.05, 1.0, 0.85, 0.9, 0.95, 1.0, 0.95, 0.95, 1.0, 1.0, 1.05, 1.3)
# Budget revenue by month: January (year-end settlement), April (corporate income tax
# finalisation) and December are high.
REVENUE_SEASON = (1.3, 0.75, 0.9, 1.15, 0.95, 0.9, 1.1, 0.85, 0.9, 1.05, 0.9, 1.25)
VISITOR_SEASON = (1.05, 1.05, 0.9, 0.95, 1.05, 1.25, 1.3, 1.15, 0.8, 0.8, 0.8, 0.9)
FOREIGN_SEASON = (1.25, 1.15, 1.1, 0.95, 0.85, 0.8, 0.85, 0.9, 0.8, 0.9, 1.0, 1.35)
# How busy one-stop shops are (as demo_reporting's wards): Tết quiet, year-end busy.
DOSSIER_SEASON = (0.85, 0.75, 1.0, 1.0, 1.0, 1.05, 1.0, 0.95, 1.05, 1.05, 1.1, 1.2)
QUARTER_GRDP = (0.225, 0.245, 0.255, 0.275)
QUARTER_INVESTMENT = (0.19, 0.25, 0.26, 0.30)

# GRDP by economic sector (NLTS, CNXD, DV, THUE): regional patterns and the cities.
SECTORS = ("NLTS", "CNXD", "DV", "THUE")
_SECTOR_SHARES = {
    "NMN": (0.20, 0.38, 0.34, 0.08),
    "RRD": (0.07, 0.48, 0.36, 0.09),
    "NCC": (0.17, 0.36, 0.39, 0.08),
    "CH": (0.33, 0.20, 0.40, 0.07),
    "SE": (0.06, 0.50, 0.35, 0.09),
    "MD": (0.30, 0.24, 0.39, 0.07),
    "01": (0.02, 0.22, 0.64, 0.12),
    "79": (0.006, 0.224, 0.64, 0.13),
    "48": (0.02, 0.22, 0.68, 0.08),
    "31": (0.05, 0.50, 0.35, 0.10),
    "92": (0.08, 0.32, 0.52, 0.08),
    "77": (0.05, 0.62, 0.27, 0.06),
    "27": (0.02, 0.72, 0.20, 0.06),
    "19": (0.08, 0.64, 0.23, 0.05),
    "74": (0.02, 0.64, 0.24, 0.10),
    "24": (0.10, 0.62, 0.23, 0.05),
    "22": (0.06, 0.50, 0.36, 0.08),
}
# GRDP at 2010 prices over GRDP at current prices in 2024, by sector.
_CONSTANT_PRICES = (0.55, 0.58, 0.47, 0.50)
# Real GRDP growth, % a year: regional defaults and provinces known for theirs.
_GROWTH = {"NMN": 7.5, "RRD": 8.0, "NCC": 7.2, "CH": 6.0, "SE": 6.8, "MD": 6.5}
_GROWTH.update(
    {"24": 13.5, "31": 11.0, "22": 10.2, "37": 9.0, "35": 9.5, "27": 6.0, "26": 4.5}
    | {"77": 3.0, "51": 3.5, "79": 7.0, "01": 6.5}
)
# Share of exports made by foreign-invested enterprises.
_FOREIGN_EXPORTS = {"NMN": 0.45, "RRD": 0.6, "NCC": 0.45, "CH": 0.25, "SE": 0.65, "MD": 0.3}
_FOREIGN_EXPORTS.update(
    {"27": 0.97, "19": 0.98, "24": 0.9, "26": 0.9, "31": 0.85, "30": 0.8, "35": 0.85}
    | {"74": 0.75, "75": 0.8, "79": 0.55, "01": 0.55, "80": 0.6, "72": 0.65, "25": 0.8}
    | {"20": 0.2, "10": 0.3}
)
# Imports over exports: Hà Nội imports twice what it exports; border provinces trade.
_IMPORT_RATIO = {"01": 2.0, "79": 1.1, "27": 0.8, "19": 0.7, "75": 0.75, "74": 0.8, "20": 1.4}
_HOUSEHOLD_SIZE = {"NMN": 4.1, "RRD": 3.4, "NCC": 3.6, "CH": 4.0, "SE": 3.3, "MD": 3.6}
_ROAD_DENSITY = {"NMN": 0.55, "RRD": 1.9, "NCC": 0.8, "CH": 0.6, "SE": 1.1, "MD": 1.4}
_OIL = {"77": 0.2}  # share of revenue from crude oil (not domestic, not trade)


# Randomness --------------------------------------------------------------------------------------


def _rng(*parts: object) -> random.Random:
    """A generator seeded by what it is for: the same draw on every run and machine."""
    return random.Random(":".join([SEED, *map(str, parts)]))


def _noise(rng: random.Random, spread: float) -> float:
    """A factor around 1, normally distributed, clipped to three spreads."""
    return 1.0 + max(-3.0, min(3.0, rng.gauss(0.0, 1.0))) * spread


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


# Time ---------------------------------------------------------------------------------------------


def _years(year: int, month: int) -> float:
    """Years since January 2024 (negative before)."""
    return (year - 2024) + (month - 1) / 12


def _tet(year: int, month: int) -> tuple[bool, bool]:
    """(the month of Tết, the month after Tết)."""
    tet = TET_MONTH.get(year, 2)
    return month == tet, month == tet + 1


def months_of(period: Period) -> list[Period]:
    return [period] if period.type == PeriodType.MONTH else period.children(PeriodType.MONTH)


def quarters_of(period: Period) -> list[Period]:
    return [period] if period.type == PeriodType.QUARTER else period.children(PeriodType.QUARTER)


# The notable things ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Twists:
    """What a leader should notice, placed relative to the latest month with data.

    - `cpi_province`: prices rise faster from `cpi_from` on (0.3% more a month), so
      that its CPI against the same month of last year passes 104.5 in the last three
      months;
    - `revenue_province`: budget revenue of `revenue_month` falls to `revenue_factor` of its
      usual level (large VAT refunds), all its parts alike;
    - `dossiers_province`: its communes resolve many dossiers late in `dossiers_month` (the
      rate falls to about 84% on its report and about 86% in analytics, which adds the
      communes' portal figures: under the sample's 90% alert) and some already in the
      month before.
    """

    cpi_province: str
    cpi_from: Period
    revenue_province: str
    revenue_month: Period
    revenue_factor: float
    dossiers_province: str
    dossiers_month: Period

    def cpi_extra(self, unit: str, month: Period) -> float:
        """The extra price level of `unit` in `month` (1.0 when none)."""
        if unit != self.cpi_province or month.start < self.cpi_from.start:
            return 1.0
        months = (month.start.year - self.cpi_from.start.year) * 12 + (
            month.start.month - self.cpi_from.start.month
        )
        return 1.003 ** (months + 1)

    def dossier_delay(self, province: str, month: Period) -> float:
        """How much worse than usual the communes of `province` handle dossiers (0: normal)."""
        if province != self.dossiers_province:
            return 0.0
        if month.code == self.dossiers_month.code:
            return 1.0
        if month.code == self.dossiers_month.previous().code:
            return 0.4
        return 0.0


CPI_PROVINCE = "68"  # Lâm Đồng (with Đắk Nông and Bình Thuận from July 2025)
REVENUE_PROVINCE = "33"  # Hưng Yên (with Thái Bình)
DOSSIERS_PROVINCE = "20"  # Lạng Sơn


def twists_for(last: Period) -> Twists:
    """The demo's notable things when `last` is the latest month with data."""
    return Twists(
        cpi_province=CPI_PROVINCE,
        cpi_from=last.previous(5),
        revenue_province=REVENUE_PROVINCE,
        revenue_month=last.previous(3),
        revenue_factor=0.42,
        dossiers_province=DOSSIERS_PROVINCE,
        dossiers_month=last,
    )


# One base, one month ----------------------------------------------------------------------------


def _sector_shares(code: str) -> tuple[float, float, float, float]:
    return _SECTOR_SHARES.get(code) or _SECTOR_SHARES[PROVINCES[code].region]


def _real_growth(code: str) -> float:
    province = PROVINCES[code]
    base = _GROWTH.get(code, _GROWTH[province.region])
    return base / 100 + (_rng(code, "growth").random() - 0.5) * 0.012


@functools.cache
def _price_level(code: str, year: int, month: int) -> float:
    """Consumer prices of a base, January 2023 = 100: about 0.27% a month, more at Tết."""
    if year < FIRST_YEAR or (year == FIRST_YEAR and month == 1):
        return 100.0
    previous = (year, month - 1) if month > 1 else (year - 1, 12)
    rng = _rng(code, "cpi", year, month)
    tet, after = _tet(year, month)
    inflation = 0.0026 + (_rng(code, "cpi-trend").random() - 0.5) * 0.0004
    inflation += 0.004 if tet else (-0.002 if after else 0.0)
    inflation += rng.gauss(0.0, 0.0007)
    return _price_level(code, *previous) * (1.0 + inflation)


@functools.cache
def _activity(code: str, year: int, month: int) -> float:
    """Industrial production of a base (weight, trend, Tết, noise), for the IIP."""
    industry = GRDP_SHARE[code] * _sector_shares(code)[1]
    growth = _real_growth(code) + 0.015
    tet, _after = _tet(year, month)
    season = 0.9 if tet else 1.0
    rng = _rng(code, "iip", year, month)
    return industry * (1 + growth) ** _years(year, month) * season * _noise(rng, 0.025)


@functools.cache
def base_month(code: str, year: int, month: int) -> dict[str, float]:
    """Unrounded monthly flows and stocks of one base (keys: `INDICATOR` or `INDICATOR|OPT`)."""
    province = PROVINCES[code]
    t = _years(year, month)
    tet, after = _tet(year, month)
    m = month - 1

    def draw(name: str) -> random.Random:
        return _rng(code, name, year, month)

    figures: dict[str, float] = {}
    retail_season = 1.1 if tet else (0.94 if after else (1.08 if month == 12 else 1.0))
    figures["TTKT.BAN_LE"] = (
        RETAIL_2024
        * RETAIL_SHARE[code]
        * (1 + RETAIL_GROWTH) ** t
        * retail_season
        * _noise(draw("retail"), 0.015)
    )
    visitors = province.visitors * 1e6 / 12 * 1.08**t * VISITOR_SEASON[m]
    # A visitor counts in every province they visit: halved, so that the provinces' sum stays
    # near the country's arrivals (17.5 million in 2024).
    foreign = province.foreign * 0.5e6 / 12 * 1.15**t * FOREIGN_SEASON[m]
    figures["TTKT.KHACH_DL_QT"] = foreign * _noise(draw("foreign"), 0.05)
    figures["TTKT.KHACH_DL"] = max(
        visitors * (1.15 if tet else 1.0) * _noise(draw("visitors"), 0.05),
        figures["TTKT.KHACH_DL_QT"] * 1.1,
    )
    trade_season = 0.8 if tet else (1.06 if month == 12 else 1.0)
    exports = (
        EXPORTS_2024
        * EXPORT_SHARE[code]
        * (1 + TRADE_GROWTH) ** t
        * trade_season
        * _noise(draw("exports"), 0.04)
    )
    foreign_part = _FOREIGN_EXPORTS.get(code, _FOREIGN_EXPORTS[province.region])
    state_part = 0.03 if foreign_part < 0.9 else 0.005
    imports = exports * _IMPORT_RATIO.get(code, 0.9) * _noise(draw("imports"), 0.05)
    for indicator, total in (("ODVM.XK", exports), ("ODVM.NK", imports)):
        figures[f"{indicator}|FDI"] = total * foreign_part
        figures[f"{indicator}|NHA_NUOC"] = total * state_part
        figures[f"{indicator}|NGOAI_NN"] = total * (1 - foreign_part - state_part)
    revenue = (
        province.revenue
        * 1000
        / 12
        * 1.11**t
        * REVENUE_SEASON[m]
        * (0.85 if tet else 1.0)
        * _noise(draw("revenue"), 0.05)
    )
    figures["TCC.THU_XNK"] = revenue * province.customs
    figures["TCC.THU_KHAC"] = revenue * _OIL.get(code, 0.0) + revenue * 0.01
    figures["TCC.THU_NOI_DIA"] = revenue - figures["TCC.THU_XNK"] - figures["TCC.THU_KHAC"]
    spending = (
        SPENDING_2024
        * SPENDING_SHARE[code]
        * 1.08**t
        * SPENDING_SEASON[m]
        * _noise(draw("spending"), 0.04)
    )
    development = 0.22 + 0.02 * month
    figures["TCC.CHI_DTPT"] = spending * development
    figures["TCC.CHI_TX"] = spending * (0.95 - development) * _noise(draw("recurrent"), 0.01)
    figures["TCC.CHI_KHAC"] = spending - figures["TCC.CHI_DTPT"] - figures["TCC.CHI_TX"]
    plan = (
        INVESTMENT_PLAN.get(year, INVESTMENT_PLAN[2026] * 1.1 ** (year - 2026))
        * SPENDING_SHARE[code]
        * _noise(_rng(code, "plan", year), 0.06)
    )
    efficiency = 0.82 + _rng(code, "efficiency").random() * 0.2
    figures["TCC.DTC_KH"] = plan
    figures["TCC.DTC_GN"] = plan * DISBURSEMENT[m] * efficiency * _noise(draw("disbursed"), 0.12)
    projects = _poisson(draw("fdi-projects"), FDI_PROJECTS_2024 * FDI_SHARE[code] * 1.03**t)
    figures["TTKT.FDI_DA_MOI"] = projects
    lumpy = math.exp(draw("fdi-registered").gauss(0.0, 0.5) - 0.125)
    figures["TTKT.FDI_VON_DK"] = FDI_REGISTERED_2024 * FDI_SHARE[code] * 1.05**t * lumpy
    figures["TTKT.FDI_VON_TH"] = (
        FDI_DISBURSED_2024
        * FDI_SHARE[code]
        * 1.08**t
        * (1.25 if month == 12 else (0.75 if tet else 1.0))
        * _noise(draw("fdi-disbursed"), 0.08)
    )
    business = BUSINESS_SHARE[code]
    season = 0.55 if tet else (1.1 if after else (1.05 if month == 12 else 1.0))
    new = NEW_ENTERPRISES_2024 * business * 1.18**t * season * _noise(draw("new"), 0.05)
    rng = draw("new-split")
    state = _poisson(rng, new * 0.00002)
    foreign_new = _poisson(rng, new * 0.025)
    private = max(0, round(new) - state - foreign_new)
    for option, count, capital, staff in (
        ("NHA_NUOC", state, 150.0, 80.0),
        ("NGOAI_NN", private, 9.2, 7.5),
        ("FDI", foreign_new, 45.0, 60.0),
    ):
        figures[f"MTKD.DN_MOI|{option}"] = count
        figures[f"MTKD.DN_MOI_VON|{option}"] = count * capital * _noise(rng, 0.15)
        figures[f"MTKD.DN_MOI_LD|{option}"] = count * staff * _noise(rng, 0.1)
    returning = 1.2 if tet else (2.6 if after else 1.0)
    figures["MTKD.DN_QUAY_LAI"] = (
        RETURNING_2024 * business * 1.05**t * returning * _noise(draw("returning"), 0.06)
    )
    withdrawing = 2.8 if month == 1 else (1.5 if tet else 1.0)
    figures["MTKD.DN_RUT_LUI"] = (
        WITHDRAWING_2024 * business * 1.04**t * withdrawing * _noise(draw("withdrawing"), 0.06)
    )
    figures["ODVM.DU_NO_TD"] = (
        CREDIT_END_2024
        * CREDIT_SHARE[code]
        * 1.012 ** (t * 12 - 11)
        * _noise(draw("credit"), 0.004)
    )
    accidents = ACCIDENTS_2024 * POPULATION_SHARE[code] * (1.3 if tet else 1.0)
    figures["XH.TNGT_VU"] = accidents * _noise(draw("accidents"), 0.12)
    figures["XH.TNGT_CHET"] = figures["XH.TNGT_VU"] * 0.44 * _noise(draw("deaths"), 0.12)
    figures["HCC.CAP_TINH"] = (
        province.population * 1000 * DOSSIERS_PER_PERSON_PROVINCE * DOSSIER_SEASON[m] * 1.03**t
    )
    return figures


# One base, one quarter or year -------------------------------------------------------------------


@functools.cache
def base_quarter(code: str, year: int, quarter: int) -> dict[str, float]:
    """GRDP by sector (current and 2010 prices), investment, labour of one base."""
    province = PROVINCES[code]
    t = _years(year, quarter * 3 - 1)
    rng = _rng(code, "quarter", year, quarter)
    grdp = (
        GRDP_TOTAL_2024
        * GRDP_SHARE[code]
        * (1 + _real_growth(code)) ** t
        * (1 + DEFLATOR_GROWTH) ** t
        * QUARTER_GRDP[quarter - 1]
        * _noise(rng, 0.008)
    )
    figures: dict[str, float] = {}
    for sector, share, constant in zip(
        SECTORS, _sector_shares(code), _CONSTANT_PRICES, strict=True
    ):
        figures[f"TTKT.GRDP_HH|{sector}"] = grdp * share
        figures[f"TTKT.GRDP_SS2010|{sector}"] = grdp * share * constant / (1 + DEFLATOR_GROWTH) ** t
    investment = (
        GRDP_TOTAL_2024
        * GRDP_SHARE[code]
        * SOCIAL_INVESTMENT_SHARE
        * 1.11**t
        * QUARTER_INVESTMENT[quarter - 1]
        * _noise(rng, 0.03)
    )
    foreign_part = min(0.4, _FOREIGN_EXPORTS.get(code, 0.3) * 0.4)
    figures["TTKT.VDT_XH|NHA_NUOC"] = investment * 0.27
    figures["TTKT.VDT_XH|FDI"] = investment * foreign_part
    figures["TTKT.VDT_XH|NGOAI_NN"] = investment * (0.73 - foreign_part)
    labour = province.population * 1000 * 0.525 * 1.009**t * _noise(rng, 0.003)
    rate = (1.5 + 1.8 * province.urban + rng.uniform(-0.2, 0.2)) / 100
    for sex, share, sex_rate in (("NAM", 0.525, rate * 1.02), ("NU", 0.475, rate * 0.98)):
        figures[f"LDVL.LLLD|{sex}"] = labour * share
        figures[f"LDVL.THAT_NGHIEP|{sex}"] = labour * share * sex_rate
        figures[f"LDVL.GQVL|{sex}"] = (
            province.population
            * 1000
            * JOBS_PER_PERSON_QUARTER
            * (0.52 if sex == "NAM" else 0.48)
            * _noise(rng, 0.05)
        )
    return figures


@functools.cache
def base_year(code: str, year: int) -> dict[str, float]:
    """The annual form's population, households, enterprises, environment, infrastructure."""
    province = PROVINCES[code]
    years = year - 2024
    rng = _rng(code, "year", year)
    population = province.population * 1000 * 1.009**years
    urban = min(0.95, province.urban + 0.005 * years)
    households = population / _HOUSEHOLD_SIZE[province.region]
    figures: dict[str, float] = {
        "XH.DAN_SO|THANH_THI": population * urban,
        "XH.DAN_SO|NONG_THON": population * (1 - urban),
        "XH.TONG_SO_HO": households,
        "XH.HO_NGHEO": households * province.poverty / 100 * 0.78**years,
        "XH.BHYT_NGUOI": population * min(0.99, 0.93 + rng.uniform(-0.02, 0.03) + 0.004 * years),
        "MTKD.DN_HOAT_DONG": ENTERPRISES_2024 * BUSINESS_SHARE[code] * 1.05**years,
        "MT.DT_TU_NHIEN": province.area * 100,
        "MT.DT_RUNG": province.area * 100 * province.forest / 100 * (1 + 0.003 * years),
        "HTKHCN.DUONG_NT": province.area
        * _ROAD_DENSITY[province.region]
        * (1 - urban)
        * min(0.98, 0.8 + 0.02 * years),
        "HTKHCN.TB_BR_CO_DINH": households * min(0.98, 0.55 + 0.4 * urban + 0.02 * years),
        "HTKHCN.TB_BR_DI_DONG": population * 0.88 * 1.03**years,
        "HTKHCN.CHI_KHCN": SCIENCE_SPENDING_2024 * GRDP_SHARE[code] * 1.1**years * _noise(rng, 0.1),
        "HTKHCN.SANG_CHE": PATENTS_2024 * PATENT_SHARE[code] * 1.06**years * _noise(rng, 0.1),
    }
    waste = population * (urban * 1.0 + (1 - urban) * 0.45) * 365 / 1000
    figures["MT.CTR_PHAT_SINH"] = waste
    figures["MT.CTR_THU_GOM"] = (
        population
        * 365
        / 1000
        * (urban * 1.0 * 0.96 + (1 - urban) * 0.45 * min(0.95, 0.72 + 0.03 * years))
    )
    return figures


# Units: sums of bases, indices from levels -------------------------------------------------------


def _summed(parts: Iterable[Mapping[str, float]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for part in parts:
        for key, value in part.items():
            total[key] = total.get(key, 0.0) + value
    return total


def _price_index(bases: Sequence[str], month: Period, unit: str, twists: Twists | None) -> float:
    """A unit's consumer price level in a month: its bases' levels weighted by population."""
    weights = [PROVINCES[code].population for code in bases]
    level = sum(
        weight * _price_level(code, month.start.year, month.start.month)
        for weight, code in zip(weights, bases, strict=True)
    ) / sum(weights)
    return level * (twists.cpi_extra(unit, month) if twists else 1.0)


def _month_flows(bases: Sequence[str], month: Period) -> dict[str, float]:
    return _summed(base_month(code, month.start.year, month.start.month) for code in bases)


def _activity_sum(bases: Sequence[str], months: Sequence[Period]) -> float:
    return sum(
        _activity(code, month.start.year, month.start.month) for code in bases for month in months
    )


@dataclasses.dataclass(frozen=True)
class Dossiers:
    """Dossiers of administrative procedures of a unit in a month (the six stored counts)."""

    received: int
    online: int
    on_time: int
    late: int
    pending: int
    pending_late: int

    CODES = (
        "HCC.HS_TIEP_NHAN",
        "HCC.HS_TRUC_TUYEN",
        "HCC.HS_GQ_DUNG_HAN",
        "HCC.HS_GQ_QUA_HAN",
        "HCC.HS_DANG_GQ_TRONG_HAN",
        "HCC.HS_DANG_GQ_QUA_HAN",
    )

    def as_dict(self) -> dict[str, int]:
        return dict(
            zip(
                self.CODES,
                (
                    self.received,
                    self.online,
                    self.on_time,
                    self.late,
                    self.pending,
                    self.pending_late,
                ),
                strict=True,
            )
        )

    @classmethod
    def from_dict(cls, values: Mapping[str, int]) -> Dossiers:
        return cls(*(int(values[code]) for code in cls.CODES))

    def __add__(self, other: Dossiers) -> Dossiers:
        return Dossiers(
            *(a + b for a, b in zip(self.as_dict().values(), other.as_dict().values(), strict=True))
        )

    @property
    def on_time_rate(self) -> float:
        """Decision 766/QĐ-TTg: 100 - (late in progress + late done) / dossiers to handle."""
        handled = self.on_time + self.late + self.pending + self.pending_late
        return 100.0 - (self.pending_late + self.late) / handled * 100 if handled else 100.0


NO_DOSSIERS = Dossiers(0, 0, 0, 0, 0, 0)


def _dossiers(
    key: str, received: float, month: Period, *, online_from: float, delay: float = 0.0
) -> Dossiers:
    """Six consistent counts around `received` dossiers a month.

    Resolved (on time and late) and in progress together stay below the dossiers received,
    so that the sample's rules (online ≤ received; resolved + in progress ≤ received +
    carried over) hold whatever last month was. Online filing grows month by month after
    the two-tier reform of July 2025, and late dossiers fall as communes settle in.
    """
    rng = _rng(key, "dossiers", month.code)
    since = max(0, (month.start.year - 2025) * 12 + month.start.month - 7)
    total = max(5, round(received * _noise(rng, 0.04)))
    online_share = min(0.92, online_from + 0.018 * since + rng.uniform(-0.05, 0.05))
    late_share = max(0.008, 0.035 - 0.004 * since) * rng.uniform(0.6, 1.4) + 0.13 * delay
    overdue_share = 0.06 * rng.uniform(0.5, 1.5) + 0.34 * delay
    resolved = round(total * rng.uniform(0.86, 0.9))
    late = round(resolved * late_share)
    pending = round(total * rng.uniform(0.07, 0.1))
    pending_late = round(pending * min(0.9, overdue_share))
    return Dossiers(
        received=total,
        online=min(total, round(total * max(0.1, online_share))),
        on_time=resolved - late,
        late=late,
        pending=pending - pending_late,
        pending_late=pending_late,
    )


def commune_sizes(codes: Sequence[str], population: float) -> dict[str, float]:
    """Dossiers a month each commune receives on average, sharing its province's volume.

    `population` is the province's, in thousands; communes differ (log-normal sizes).
    """
    weights = {code: math.exp(_rng(code, "commune-size").gauss(0.0, 0.45)) for code in codes}
    total = sum(weights.values()) or 1.0
    volume = population * 1000 * DOSSIERS_PER_PERSON_COMMUNE
    return {code: volume * weight / total for code, weight in weights.items()}


def commune_dossiers(code: str, size: float, month: Period, *, delay: float = 0.0) -> Dossiers:
    """A commune's dossiers of a month, as its one-stop-shop software syncs them to the portal."""
    trend = 1.03 ** ((month.start.year - 2025) + (month.start.month - 7) / 12)
    online_from = 0.38 + (_rng(code, "online").random() - 0.5) * 0.16
    return _dossiers(
        code,
        size * DOSSIER_SEASON[month.start.month - 1] * trend,
        month,
        online_from=online_from,
        delay=delay,
    )


def province_dossiers(bases: Sequence[str], month: Period) -> Dossiers:
    """The dossiers a province's own departments handle (Decision 766's province level)."""
    received = sum(
        base_month(code, month.start.year, month.start.month)["HCC.CAP_TINH"] for code in bases
    )
    return _dossiers("+".join(bases), received, month, online_from=0.55)


# Cells -------------------------------------------------------------------------------------------

# Decimals kept for each indicator: the catalogue's (catalogue/data/sample/indicators.yaml);
# integers are 0. A test checks them against the loaded catalogue.
DECIMALS: dict[str, int] = {
    "TTKT.IIP": 2,
    "TTKT.BAN_LE": 1,
    "TTKT.KHACH_DL": 0,
    "TTKT.KHACH_DL_QT": 0,
    "ODVM.CPI_CK": 2,
    "ODVM.CPI_T12": 2,
    "ODVM.XK": 1,
    "ODVM.NK": 1,
    "TCC.THU_NSNN": 1,
    "TCC.THU_NOI_DIA": 1,
    "TCC.THU_XNK": 1,
    "TCC.CHI_NS": 1,
    "TCC.CHI_DTPT": 1,
    "TCC.CHI_TX": 1,
    "TCC.DTC_KH": 1,
    "TCC.DTC_GN": 1,
    "TTKT.FDI_VON_DK": 1,
    "TTKT.FDI_VON_TH": 1,
    "TTKT.FDI_DA_MOI": 0,
    "MTKD.DN_MOI": 0,
    "MTKD.DN_MOI_VON": 1,
    "MTKD.DN_MOI_LD": 0,
    "MTKD.DN_QUAY_LAI": 0,
    "MTKD.DN_RUT_LUI": 0,
    "ODVM.DU_NO_TD": 1,
    "XH.TNGT_VU": 0,
    "XH.TNGT_CHET": 0,
    "TTKT.GRDP_HH": 1,
    "TTKT.GRDP_SS2010": 1,
    "TTKT.GRDP_TANG": 2,
    "TTKT.VDT_XH": 1,
    "LDVL.LLLD": 0,
    "LDVL.THAT_NGHIEP": 0,
    "LDVL.GQVL": 0,
    "XH.DAN_SO": 0,
    "XH.TONG_SO_HO": 0,
    "XH.HO_NGHEO": 0,
    "XH.BHYT_NGUOI": 0,
    "MTKD.DN_HOAT_DONG": 0,
    "MT.DT_RUNG": 1,
    "MT.DT_TU_NHIEN": 1,
    "MT.CTR_PHAT_SINH": 1,
    "MT.CTR_THU_GOM": 1,
    "HTKHCN.DUONG_NT": 1,
    "HTKHCN.TB_BR_CO_DINH": 0,
    "HTKHCN.TB_BR_DI_DONG": 0,
    "HTKHCN.CHI_KHCN": 1,
    "HTKHCN.SANG_CHE": 0,
    **dict.fromkeys(Dossiers.CODES, 0),
}

# Dimension of the option part of a key (`ODVM.XK|FDI` → `OWNERSHIP=FDI`).
_DIMENSION_OF = {
    **dict.fromkeys(("NHA_NUOC", "NGOAI_NN", "FDI"), "OWNERSHIP"),
    **dict.fromkeys(SECTORS, "ECON_SECTOR"),
    **dict.fromkeys(("NAM", "NU"), "SEX"),
    **dict.fromkeys(("THANH_THI", "NONG_THON"), "URBAN_RURAL"),
    **dict.fromkeys(("CAP_TINH", "CAP_XA"), "DOSSIER_LEVEL"),
}


def _key(name: str) -> CellKey:
    indicator, _bar, option = name.partition("|")
    return (indicator, f"{_DIMENSION_OF[option]}={option}" if option else "")


def _units(value: float, decimals: int) -> int:
    """The value in integer steps of the stored precision (tenths for one decimal)."""
    return max(0, round(value * 10**decimals))


def _text(steps: int, decimals: int) -> str:
    if decimals == 0:
        return str(steps)
    whole, fraction = divmod(steps, 10**decimals)
    text = f"{whole}.{fraction:0{decimals}d}".rstrip("0").rstrip(".")
    return text


def _format(indicator: str, value: float) -> str:
    decimals = DECIMALS[indicator]
    return _text(_units(value, decimals), decimals)


def percentage(value: float) -> str:
    """A percentage as stored (two decimals)."""
    return f"{value:.2f}"


def _plain(raw: Mapping[str, float]) -> dict[CellKey, str]:
    """Round the values that need no care (no part of a total stored beside them)."""
    return {_key(name): _format(_key(name)[0], value) for name, value in raw.items()}


def _parts_and_total(
    total_code: str, parts: Sequence[tuple[str, float]], rest: float
) -> dict[CellKey, str]:
    """Parts and a total that is exactly their sum plus a non-negative rest, once rounded."""
    decimals = DECIMALS[total_code]
    steps = [_units(value, decimals) for _code, value in parts]
    cells = {
        (code, ""): _text(step, decimals) for (code, _value), step in zip(parts, steps, strict=True)
    }
    cells[(total_code, "")] = _text(sum(steps) + _units(rest, decimals), decimals)
    return cells


def month_cells(
    unit: str,
    bases: Sequence[str],
    month: Period,
    *,
    twists: Twists | None = None,
    communes: Dossiers | None = None,
) -> dict[CellKey, str]:
    """The monthly form's cells (BM-KTXH-THANG) of a unit, and BM-DVC-CAP's given `communes`.

    `communes` is the sum of the unit's communes' dossiers for the month (their figures on
    the portal), which the province reports in the column "cấp xã"; its own departments'
    dossiers go in "cấp tỉnh".
    """
    raw = _month_flows(bases, month)
    if twists is not None and unit == twists.revenue_province and month == twists.revenue_month:
        for name in ("TCC.THU_NOI_DIA", "TCC.THU_XNK", "TCC.THU_KHAC"):
            raw[name] *= twists.revenue_factor
    return _monthly_form(unit, bases, [month], raw, twists=twists) | _dossier_cells(
        bases, month, communes
    )


def _dossier_cells(
    bases: Sequence[str], month: Period, communes: Dossiers | None
) -> dict[CellKey, str]:
    if communes is None:
        return {}
    cells: dict[CellKey, str] = {}
    for level, dossiers in (("CAP_TINH", province_dossiers(bases, month)), ("CAP_XA", communes)):
        for code, value in dossiers.as_dict().items():
            cells[(code, f"DOSSIER_LEVEL={level}")] = str(value)
    return cells


def _monthly_form(
    unit: str,
    bases: Sequence[str],
    months: Sequence[Period],
    raw: Mapping[str, float],
    *,
    twists: Twists | None,
) -> dict[CellKey, str]:
    """BM-KTXH-THANG over `months` (one month, or a quarter's...), from summed flows `raw`.

    Stocks (the investment plan, credit) are those of the last month; the indices compare
    the months with the same months of the year before.
    """
    last = months[-1]
    stocks = _month_flows(bases, last)
    cells = _plain(
        {
            name: value
            for name, value in raw.items()
            if name.split("|")[0]
            in {
                "TTKT.BAN_LE",
                "ODVM.XK",
                "ODVM.NK",
                "TTKT.FDI_VON_DK",
                "TTKT.FDI_VON_TH",
                "TTKT.FDI_DA_MOI",
                "MTKD.DN_MOI",
                "MTKD.DN_MOI_VON",
                "MTKD.DN_MOI_LD",
                "MTKD.DN_QUAY_LAI",
                "MTKD.DN_RUT_LUI",
                "XH.TNGT_VU",
                "XH.TNGT_CHET",
            }
        }
    )
    # New enterprises: capital and staff only where there are enterprises.
    for option in ("NHA_NUOC", "NGOAI_NN", "FDI"):
        if cells[("MTKD.DN_MOI", f"OWNERSHIP={option}")] == "0":
            cells[("MTKD.DN_MOI_VON", f"OWNERSHIP={option}")] = "0"
            cells[("MTKD.DN_MOI_LD", f"OWNERSHIP={option}")] = "0"
    visitors = _units(raw["TTKT.KHACH_DL"], 0)
    foreign = min(visitors, _units(raw["TTKT.KHACH_DL_QT"], 0))
    cells[("TTKT.KHACH_DL", "")] = str(visitors)
    cells[("TTKT.KHACH_DL_QT", "")] = str(foreign)
    cells |= _parts_and_total(
        "TCC.THU_NSNN",
        [("TCC.THU_NOI_DIA", raw["TCC.THU_NOI_DIA"]), ("TCC.THU_XNK", raw["TCC.THU_XNK"])],
        raw["TCC.THU_KHAC"],
    )
    cells |= _parts_and_total(
        "TCC.CHI_NS",
        [("TCC.CHI_DTPT", raw["TCC.CHI_DTPT"]), ("TCC.CHI_TX", raw["TCC.CHI_TX"])],
        raw["TCC.CHI_KHAC"],
    )
    plan = _units(stocks["TCC.DTC_KH"], 1)
    cells[("TCC.DTC_KH", "")] = _text(plan, 1)
    cells[("TCC.DTC_GN", "")] = _text(min(plan, _units(raw["TCC.DTC_GN"], 1)), 1)
    cells[("ODVM.DU_NO_TD", "")] = _format("ODVM.DU_NO_TD", stocks["ODVM.DU_NO_TD"])
    year_before = [month.same_period_last_year() for month in months]
    cells[("TTKT.IIP", "")] = percentage(
        100 * _activity_sum(bases, months) / _activity_sum(bases, year_before)
    )
    prices = sum(_price_index(bases, month, unit, twists) for month in months)
    prices_before = sum(_price_index(bases, month, unit, twists) for month in year_before)
    december = Period.month(last.start.year - 1, 12)
    cells[("ODVM.CPI_CK", "")] = percentage(100 * prices / prices_before)
    cells[("ODVM.CPI_T12", "")] = percentage(
        100 * _price_index(bases, last, unit, twists) / _price_index(bases, december, unit, twists)
    )
    return cells


def span_cells(
    unit: str,
    bases: Sequence[str],
    period: Period,
    *,
    twists: Twists | None = None,
    monthly: bool = True,
    quarterly: bool = True,
    annual: bool = False,
) -> dict[CellKey, str]:
    """Cells of a quarter, half-year, nine months or year: the forms its reports carry.

    `monthly`: BM-KTXH-THANG over the period (flows summed, stocks of its last month, indices
    against the same months of last year); `quarterly`: BM-KTXH-QUY (GRDP by sector, its
    growth, investment, labour: averaged over quarters); `annual`: BM-KTXH-NAM.
    """
    cells: dict[CellKey, str] = {}
    if monthly:
        months = months_of(period)
        raw = _summed(_month_flows(bases, month) for month in months)
        if twists is not None and unit == twists.revenue_province:
            for month in months:
                if month == twists.revenue_month:
                    base = _month_flows(bases, month)
                    for name in ("TCC.THU_NOI_DIA", "TCC.THU_XNK", "TCC.THU_KHAC"):
                        raw[name] -= base[name] * (1 - twists.revenue_factor)
        cells |= _monthly_form(unit, bases, months, raw, twists=twists)
    if quarterly:
        cells |= _quarterly_form(bases, period)
    if annual:
        cells |= _annual_form(bases, period.start.year)
    return cells


def _quarter_sum(bases: Sequence[str], quarters: Sequence[Period]) -> dict[str, float]:
    return _summed(
        base_quarter(code, quarter.start.year, (quarter.start.month + 2) // 3)
        for code in bases
        for quarter in quarters
    )


def grdp_growth(bases: Sequence[str], period: Period) -> float:
    """GRDP growth at 2010 prices against the same period of last year, in percent."""
    now = _quarter_sum(bases, quarters_of(period))
    before = _quarter_sum(bases, quarters_of(period.same_period_last_year()))
    constant = [f"TTKT.GRDP_SS2010|{sector}" for sector in SECTORS]
    return 100 * (sum(now[key] for key in constant) / sum(before[key] for key in constant) - 1)


def _quarterly_form(bases: Sequence[str], period: Period) -> dict[CellKey, str]:
    quarters = quarters_of(period)
    raw = _quarter_sum(bases, quarters)
    # Labour-force figures are averages over the quarters (aggregation average_sum_units).
    for name in list(raw):
        if name.startswith(("LDVL.LLLD", "LDVL.THAT_NGHIEP")):
            raw[name] /= len(quarters)
    cells = _plain(raw)
    for sex in ("NAM", "NU"):
        labour = ("LDVL.LLLD", f"SEX={sex}")
        unemployed = ("LDVL.THAT_NGHIEP", f"SEX={sex}")
        cells[unemployed] = str(min(int(cells[unemployed]), int(cells[labour])))
    cells[("TTKT.GRDP_TANG", "")] = percentage(grdp_growth(bases, period))
    return cells


def _annual_form(bases: Sequence[str], year: int) -> dict[CellKey, str]:
    raw = _summed(base_year(code, year) for code in bases)
    cells = _plain(raw)
    pairs = (
        ("XH.HO_NGHEO", "XH.TONG_SO_HO"),
        ("MT.DT_RUNG", "MT.DT_TU_NHIEN"),
        ("MT.CTR_THU_GOM", "MT.CTR_PHAT_SINH"),
    )
    for part, whole in pairs:
        decimals = DECIMALS[part]
        steps = min(_units(raw[part], decimals), _units(raw[whole], decimals))
        cells[(part, "")] = _text(steps, decimals)
    population = int(cells[("XH.DAN_SO", "URBAN_RURAL=THANH_THI")]) + int(
        cells[("XH.DAN_SO", "URBAN_RURAL=NONG_THON")]
    )
    cells[("XH.BHYT_NGUOI", "")] = str(min(int(cells[("XH.BHYT_NGUOI", "")]), population))
    return cells


def national_cells(period: Period) -> dict[CellKey, str]:
    """The statistics office's national indices for a period (CPI, IIP; GRDP growth).

    Indices are not added up over provinces (aggregation `none`): the office publishes the
    national figure, computed here from every base's levels.
    """
    bases = tuple(PROVINCES)
    if period.type == PeriodType.MONTH:
        cells = _monthly_form("VN", bases, [period], _month_flows(bases, period), twists=None)
        return {
            key: cells[key] for key in (("TTKT.IIP", ""), ("ODVM.CPI_CK", ""), ("ODVM.CPI_T12", ""))
        }
    return {("TTKT.GRDP_TANG", ""): percentage(grdp_growth(bases, period))}


# Words -------------------------------------------------------------------------------------------


def vn_number(value: float, decimals: int = 1) -> str:
    """1234567.8 → "1.234.567,8": the Vietnamese way (dots group thousands)."""
    text = f"{abs(value):,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")
    return ("-" if value < 0 else "") + text.replace("\u00a0", ".")


def growth_text(now: float, before: float) -> str:
    """ "tăng 9,1%" or "giảm 2,3%" against a figure of the year before."""
    change = (now / before - 1) * 100 if before else 0.0
    return f"{'tăng' if change >= 0 else 'giảm'} {vn_number(abs(change), 1)}%"


def month_assessment(
    unit: str, bases: Sequence[str], month: Period, cells: Mapping[CellKey, str]
) -> str:
    """A short "Đánh giá chung" for a province's monthly report, from its own figures."""
    year_before = _month_flows(bases, month.same_period_last_year())
    retail = float(cells[("TTKT.BAN_LE", "")])
    revenue = float(cells[("TCC.THU_NSNN", "")])
    cpi = float(cells[("ODVM.CPI_CK", "")])
    revenue_before = sum(
        year_before[name] for name in ("TCC.THU_NOI_DIA", "TCC.THU_XNK", "TCC.THU_KHAC")
    )
    label = f"{month.start.month:02d}/{month.start.year}"
    return (
        f"Tháng {label}, tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng ước đạt "
        f"{vn_number(retail)} tỷ đồng, {growth_text(retail, year_before['TTKT.BAN_LE'])} so "
        f"với cùng kỳ năm trước; chỉ số giá tiêu dùng bằng {vn_number(cpi, 2)}% so với cùng kỳ. "
        f"Thu ngân sách nhà nước trên địa bàn ước đạt {vn_number(revenue)} tỷ đồng, "
        f"{growth_text(revenue, revenue_before)} so với cùng kỳ. Sản xuất công nghiệp, "
        f"thương mại, dịch vụ duy trì ổn định; an sinh xã hội được bảo đảm."
    )
