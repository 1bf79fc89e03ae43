"""`baocao demo_direction`: two years of plausible data for the direction center, once.

Run after `demo_quality` (`make demo`), then `baocao analytics rebuild`. The figures come from
`baocao.dashboards.demo` (deterministic: the same on every run); "the latest month" below is
the month before today's (202611 when run in December 2026), and everything is placed
relative to it. Creates:

1. **Figures migrated from the previous reporting system** (source `HTBC-CU`, "hệ thống báo
   cáo cũ"), through the bulk value import as a migration would bring them: the provinces'
   monthly socio-economic figures (form BM-KTXH-THANG) for every month of 2024 and 2025, the
   quarterly form (BM-KTXH-QUY: GRDP by sector, investment, labour) for every quarter, GRDP
   growth for the half-years, nine months and years, and the annual form (BM-KTXH-NAM) for
   2024 and 2025. Periods that end before 1 July 2025 belong to the 63 provinces of that
   time, later ones to the 34 provinces (Resolution 202/2025/QH15), each the sum of the
   provinces merged into it, so national series run on without a break. From July 2025 the
   monthly figures include the dossiers by level (form BM-DVC-CAP).
2. **The statistics office's national indices** (source `TCTK`, on the Government `CP`):
   CPI and IIP every month, GRDP growth every quarter, half-year, nine months and year, since
   2024. Indices are not added up over provinces (aggregation `none`), so the country's
   figure is stored as published.
3. **The National Public Service Portal's dossier statistics** (source `DVCQG`, as its
   connector sends them, through the bulk import) of every commune, every month from July
   2025 to the latest month. The Hà Nội wards that already have portal figures from
   `demo_quality` keep them; where a ward has report figures (`demo_reporting`,
   `demo_quality`'s history) the portal agrees with them, so no discrepancy is added.
4. **The provinces' 2026 reports through the submissions services**, signed with each
   province's key and reviewed by the Government (`kiemduyet.cp`): BC-KTXH-THANG for every
   month of 2026 up to the latest, BC-KTXH-QUY for the quarters, BC-KTXH-6T and BC-KTXH-9T
   that have ended. Hà Nội's are sent by its officer `canbo.hanoi`, the others by each
   province's reporting system (`he-thong-bao-cao.<code>`, an account of the province). Most
   arrive on time (0 to 3 days before the deadline) and are accepted 1 to 3 working days
   later; the values are the same as the figures above, and the province's "cấp xã"
   dossiers are the sum of its communes' portal figures.
5. **Communes' BC-DVC-THANG reports** of Lai Châu (12) and Huế (46), sent by each province's
   one-stop-shop software (`he-thong-mot-cua.laichau`, `.hue`, with delegations) to the
   province's reviewer (`kiemduyet.laichau`, `.hue`), for the latest three months: in the
   oldest nearly all on time and accepted; in the latest some late, some waiting for review,
   one returned per province, some not sent (drafts or nothing). Their figures are the
   portal's.

Notable things for a leader (and for the thresholds of alerts), with the latest month M =
202611:

- **Prices**: Lâm Đồng (68) has CPI against the same month of last year (ODVM.CPI_CK) above
  104.5 from M-3 (202607: 104.26; 202608: 104.54; 202609: 104.90; 202610: 105.18; 202611:
  105.60); every other province stays below 104.5 (between 102.5 and 104.1 in the last
  twelve months). The country's CPI (source TCTK) is about 103 to 103.8.
- **Public services**: the communes of Lạng Sơn (20) resolve many dossiers late in M
  (202611): the province's on-time rate (HCC.TL_DUNG_HAN) falls to 83.8%, after 92.9% in
  M-1; every other province stays above 98% in both months.
- **Budget revenue**: Hưng Yên (33) collects 42% of its usual revenue in M-3 (202608:
  1,154.4 billion đồng against 3,080.7 in 202606 and 3,754.7 in 202607), explained in a
  comment on the value (large VAT refunds).
- **Late and missing BC-KTXH-THANG reports** (months counted back from M): Lai Châu (12)
  late in M-9 (3 days), M-6 (2), M-3 (4) and M (2 days, not yet accepted); Điện Biên (11)
  in M-8, 9 days late after the Government unlocked it; Cà Mau (96) M-4 (1 day), Quảng Trị
  (44) M-2 (2), Cao Bằng (04) M-1 (5), Đắk Lắk (66) M-5 (1). For M: Cao Bằng (04) and Sơn
  La (14) never opened it, Điện Biên (11) and Đắk Lắk (66) left drafts (all four overdue),
  Phú Thọ (25) was returned (figures not matching the State Treasury), Vĩnh Long (86)
  resent it after a return and waits for review, Gia Lai (52) and Đồng Tháp (82, opened)
  wait for review, as does Khánh Hòa (56) for M-1; Thanh Hóa (38) was returned and resent
  in M-7. Of BC-KTXH-QUY, Lai Châu (12) sent the latest quarter 3 days late and Vĩnh Long
  (86) waits for review.

**Back-dating.** The services stamp every step with Django's clock (`timezone.now()`):
submission times and days late, locks after the deadline, transitions, versions, the audit
trail. To give the 2026 reports the history they would have had, this command alone replays
them on a simulated clock: while it creates accounts, keys and reports, `timezone.now`
answers the moment each step happened (`_Clock`); everything else goes through the services
unchanged, so the lateness, locks, unlocks and returns are the services' own. Two things keep
the real time: the values imported in steps 1 to 3 (the import stamps them when they enter
the database), and the validity dates inside the signing keys' certificates, which the
`cryptography` package takes from the system clock (the signatures verify all the same).
Because report values carry their simulated times, run `baocao analytics rebuild` after this
command (as `make demo` does) rather than relying on the store's live changes.

Does nothing when its accounts already exist, so a second `make demo` is quick. `--provinces`,
`--since` and `--communes` make a smaller demo for tests.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from baocao.accounts.choices import Role
from baocao.accounts.models import Delegation, User
from baocao.accounts.services import user_create
from baocao.catalogue import selectors as catalogue_selectors
from baocao.catalogue.models import Regime
from baocao.catalogue.selectors import RegimePeriod
from baocao.core.errors import Rejected
from baocao.dashboards import demo
from baocao.dashboards.demo import CellKey, Dossiers
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit, UnitVersion
from baocao.periods import Period, PeriodError, PeriodType, parse_period, period_of
from baocao.submissions import selectors as submission_selectors
from baocao.submissions import services
from baocao.submissions.choices import ValueSource
from baocao.submissions.imports import values_import
from baocao.submissions.management.commands.demo_reporting import POLICY_REGIME, demo_figures
from baocao.submissions.models import DataValue, Report, UnitSigningKey
from baocao.validation.management.commands.demo_quality import PORTAL

MIGRATED = "HTBC-CU"  # the previous reporting system, whose figures were migrated
STATISTICS = "TCTK"  # the statistics office (Cục Thống kê)
MONTHLY = "BC-KTXH-THANG"
SPANS = ("BC-KTXH-QUY", "BC-KTXH-6T", "BC-KTXH-9T")
COMMUNE_REGIME = POLICY_REGIME  # BC-DVC-THANG
GOVERNMENT = "CP"
FIRST_MONTH = Period.month(2024, 1)
MIGRATED_UNTIL = Period.month(2025, 12)
REPORTS_FROM = Period.month(2026, 1)
SYSTEM_PREFIX = "he-thong-bao-cao."
HANOI, HANOI_OFFICER, GOVERNMENT_REVIEWER = "01", "canbo.hanoi", "kiemduyet.cp"
# Provinces whose communes send BC-DVC-THANG reports here (not Hà Nội's, which
# demo_reporting covers), with the ASCII name of their accounts.
COMMUNE_REPORT_PROVINCES = {"12": "laichau", "46": "hue"}
COMMUNE_REPORT_MONTHS = 3
# `--provinces N` keeps the first N of this order: the provinces with notable cases first.
DEMO_ORDER: tuple[str, ...] = ("12", "25", "04", "68", "20", "33", "46", "01", "79", "11")
DEMO_ORDER += ("14", "66", "86", "52", "82", "56", "38", "96", "44")


@dataclasses.dataclass(frozen=True)
class Sending:
    """How one report went: sent `late` days after its deadline (0: on time), and then.

    `kind`: `sent`; `returned` (sent, then returned with a reason, not yet sent again);
    `resent` (returned, corrected and sent again); `unlocked` (the receiver unlocked it after
    the grace period, then it was sent); `draft` (filled in part, never sent); `none` (never
    opened).
    """

    late: int = 0
    kind: str = "sent"
    accept: bool = True
    opened: bool = False


ON_TIME = Sending()
# BC-KTXH-THANG, by (province, months before the latest month): see the module docstring.
MONTHLY_CASES: dict[tuple[str, int], Sending] = {
    ("12", 9): Sending(late=3),
    ("12", 6): Sending(late=2),
    ("12", 3): Sending(late=4),
    ("12", 0): Sending(late=2, accept=False),
    ("11", 8): Sending(late=9, kind="unlocked"),
    ("11", 0): Sending(kind="draft"),
    ("96", 4): Sending(late=1),
    ("44", 2): Sending(late=2),
    ("04", 1): Sending(late=5),
    ("04", 0): Sending(kind="none"),
    ("14", 0): Sending(kind="none"),
    ("66", 5): Sending(late=1),
    ("66", 0): Sending(kind="draft"),
    ("25", 0): Sending(kind="returned"),
    ("38", 7): Sending(kind="resent"),
    ("86", 0): Sending(kind="resent", accept=False),
    ("52", 0): Sending(accept=False),
    ("82", 0): Sending(accept=False, opened=True),
    ("56", 1): Sending(accept=False),
}
# BC-KTXH-QUY, by (province, quarters before the latest ended quarter).
QUARTERLY_CASES: dict[tuple[str, int], Sending] = {
    ("12", 0): Sending(late=3),
    ("86", 0): Sending(accept=False),
}
KTXH_RETURN = (
    "Số thu ngân sách nhà nước trên địa bàn chưa khớp với số liệu của Kho bạc Nhà nước; đề "
    "nghị rà soát, báo cáo lại."
)
COMMUNE_RETURN = (
    "Số hồ sơ đang giải quyết quá hạn chưa khớp với Hệ thống thông tin giải quyết thủ tục "
    "hành chính của tỉnh; đề nghị rà soát lại."
)
UNLOCK_REASON = "Tỉnh đề nghị gửi bổ sung sau hạn do sự cố đường truyền của hệ thống báo cáo."
REVENUE_COMMENT = (
    "Giảm mạnh do hoàn thuế giá trị gia tăng cho hai dự án lớn và tiền sử dụng đất chưa đến "
    "hạn nộp; dự kiến bù lại trong quý IV."
)
CPI_COMMENT = "Giá lương thực, thực phẩm, điện sinh hoạt và dịch vụ y tế tăng cao."
DOSSIERS_COMMENT = (
    "Nhiều hồ sơ đất đai tồn đọng do thiếu cán bộ địa chính ở các xã mới sau sắp xếp."
)


class Command(BaseCommand):
    help = (
        "Create the direction center's demo data (once): figures of the 63 and then 34 "
        "provinces since January 2024, the portal's dossiers of every commune since July "
        "2025, and the 2026 reports of the provinces and of some communes, with late and "
        "missing ones. Run after demo_quality, then `baocao analytics rebuild`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--provinces",
            type=int,
            default=None,
            metavar="N",
            help="only the first N of the 34 provinces, those with the notable cases first "
            f"({', '.join(DEMO_ORDER[:6])}...), with the provinces merged into them "
            "(default: all; for tests)",
        )
        parser.add_argument(
            "--since",
            default=FIRST_MONTH.code,
            metavar="YYYYMM",
            help=f"first month of the data (default {FIRST_MONTH.code}); the portal's figures "
            "(from 202507) and the reports (from 202601) start there too when it is later",
        )
        parser.add_argument(
            "--communes",
            type=int,
            default=None,
            metavar="N",
            help="at most N communes per province, by code, for the portal's figures and the "
            "communes' reports (default: all; for tests)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if User.objects.filter(username__startswith=SYSTEM_PREFIX).exists():
            self.stdout.write("demo_direction: already done")
            return
        since = _month(options["since"])
        context = _Context.build(
            provinces=options["provinces"], communes=options["communes"], since=since
        )
        with transaction.atomic():
            counts = _Demo(context, self.stdout.write).run()
        seconds = time.perf_counter() - started
        self.stdout.write(
            "demo_direction: "
            + "; ".join(f"{name} {count}" for name, count in counts.items())
            + f" ({seconds:.0f} s)"
        )


def _month(code: str) -> Period:
    try:
        period = parse_period(code)
    except PeriodError as error:
        raise CommandError(f"--since {code}: {error}") from None
    if period.type != PeriodType.MONTH:
        raise CommandError(f"--since {code}: a month is expected (YYYYMM)")
    return max(period, FIRST_MONTH)


# What the demo covers ---------------------------------------------------------------------------


@dataclasses.dataclass
class _Context:
    """The units and periods of the demo, read once from the registry and the catalogue."""

    today: dt.date
    last: Period  # the latest month with data
    since: Period
    twists: demo.Twists
    units: dict[str, Unit]  # by code: provinces old and new, communes in scope, CP
    names: dict[str, str]  # provinces' names (today's, or their last)
    old: list[str]  # provinces before the reform, in scope
    new: list[str]  # provinces from the reform, in scope
    bases: dict[str, tuple[str, ...]]  # new province → the old provinces merged into it
    communes: dict[str, dict[str, list[str]]]  # month code → new province → its communes

    @classmethod
    def build(cls, *, provinces: int | None, communes: int | None, since: Period) -> _Context:
        today = org_selectors.today()
        last = period_of(PeriodType.MONTH, today).previous()
        if last < REPORTS_FROM:
            raise CommandError("The demo's reports are of 2026: the clock says it is earlier.")
        for code in (MONTHLY, *SPANS, COMMUNE_REGIME):
            if not Regime.objects.filter(code=code).exists():
                raise CommandError(f"Unknown regime {code}: run `baocao catalogue load-sample`.")
        missing = {HANOI_OFFICER, GOVERNMENT_REVIEWER} - set(
            User.objects.filter(username__in=[HANOI_OFFICER, GOVERNMENT_REVIEWER]).values_list(
                "username", flat=True
            )
        )
        if missing:
            raise CommandError(
                f"Missing demo users {', '.join(sorted(missing))}: run `baocao demo_reporting`."
            )
        before = demo.REFORM_DAY - dt.timedelta(days=1)
        old_versions = list(org_selectors.units_on(on=before, level="province"))
        new_versions = list(org_selectors.units_on(on=demo.REFORM_DAY, level="province"))
        unknown = sorted({v.unit.code for v in old_versions} - set(demo.PROVINCES))
        if unknown or not new_versions:
            raise CommandError(
                "The demo needs the national hierarchy (`baocao units load-vn`); unknown "
                f"provinces: {', '.join(unknown) or '-'}."
            )
        merged: dict[str, list[str]] = defaultdict(list)
        new_codes = {version.unit.code for version in new_versions}
        for version in old_versions:
            successors = [
                step.unit.code
                for step in org_selectors.unit_successors(unit=version.unit, on=demo.REFORM_DAY)
                if step.unit.code in new_codes
            ]
            if len(successors) != 1:
                raise CommandError(f"Province {version.unit.code}: no single successor.")
            merged[successors[0]].append(version.unit.code)
        order = [code for code in DEMO_ORDER if code in new_codes]
        order += sorted(new_codes - set(order))
        chosen = order if provinces is None else order[: max(1, provinces)]
        bases = {code: tuple(sorted(merged[code])) for code in chosen}
        old = sorted(base for code in chosen for base in bases[code])
        names = {v.unit.code: v.name for v in old_versions}
        names |= {v.unit.code: v.name for v in new_versions}
        units = {v.unit.code: v.unit for v in [*old_versions, *new_versions]}
        units[GOVERNMENT] = Unit.objects.get(code=GOVERNMENT)
        context = cls(
            today=today,
            last=last,
            since=since,
            twists=demo.twists_for(last),
            units=units,
            names=names,
            old=old,
            new=chosen,
            bases=bases,
            communes={},
        )
        context._load_communes(limit=communes)
        return context

    def _load_communes(self, *, limit: int | None) -> None:
        """The communes of each province in scope, month by month (on each month's last day)."""
        province_ids = {self.units[code].pk: code for code in self.new}
        versions = list(
            UnitVersion.objects.filter(
                unit__level="commune",
                parent_id__in=province_ids,
            )
            .exclude(valid_from__gt=self.last.end)
            .exclude(valid_to__lt=demo.REFORM_DAY)
            .select_related("unit")
            .order_by("unit__code")
        )
        for month in self.portal_months:
            by_province: dict[str, list[str]] = defaultdict(list)
            for version in versions:
                parent = version.parent_id
                if (
                    parent is not None
                    and (version.valid_from is None or version.valid_from <= month.end)
                    and (version.valid_to is None or version.valid_to >= month.end)
                ):
                    by_province[province_ids[parent]].append(version.unit.code)
                    self.units[version.unit.code] = version.unit
            self.communes[month.code] = {
                code: (found if limit is None else found[:limit])
                for code, found in by_province.items()
            }

    @property
    def portal_months(self) -> list[Period]:
        first = max(self.since, Period.month(demo.REFORM_DAY.year, demo.REFORM_DAY.month))
        return _months(first, self.last)

    def units_for(self, period: Period) -> list[tuple[str, tuple[str, ...]]]:
        """The provinces that report for a period, each with its bases (historical structure:
        the provinces in force on the period's last day)."""
        if period.end < demo.REFORM_DAY:
            return [(code, (code,)) for code in self.old]
        return [(code, self.bases[code]) for code in self.new]


def _months(first: Period, last: Period) -> list[Period]:
    months: list[Period] = []
    month = first
    while month <= last:
        months.append(month)
        month = month.next()
    return months


def _spans(first: dt.date, last: dt.date, types: Iterable[PeriodType]) -> list[Period]:
    """Periods of these types that start on or after `first` and end by `last`."""
    found: list[Period] = []
    for year in range(first.year, last.year + 1):
        candidates: list[Period] = []
        for kind in types:
            if kind == PeriodType.QUARTER:
                candidates += [Period.quarter(year, quarter) for quarter in range(1, 5)]
            elif kind == PeriodType.HALF_YEAR:
                candidates += [Period.half_year(year, half) for half in (1, 2)]
            elif kind == PeriodType.NINE_MONTHS:
                candidates.append(Period.nine_months(year))
            elif kind == PeriodType.YEAR:
                candidates.append(Period.year(year))
        found += [p for p in candidates if p.start >= first and p.end <= last]
    return sorted(found)


# The simulated clock ------------------------------------------------------------------------------


class _Clock:
    """Django's clock while the 2026 reports are replayed (see the module docstring)."""

    def __init__(self, real: Callable[[], dt.datetime]) -> None:
        self.real = real
        self.moment: dt.datetime | None = None

    def __call__(self) -> dt.datetime:
        return self.moment if self.moment is not None else self.real()

    def set(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        self.moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
        return self.moment

    def in_past(self, day: dt.date, hour: int) -> bool:
        """Whether that moment has already come (later steps are left for the future)."""
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
        return moment < self.real() - dt.timedelta(hours=1)


@contextmanager
def _simulated_clock() -> Iterator[_Clock]:
    """Replace `django.utils.timezone.now` for the block; only this command does this."""
    clock = _Clock(timezone.now)
    with mock.patch.object(timezone, "now", clock):
        yield clock


def _working_day(day: dt.date, *, forward: bool = True) -> dt.date:
    """The day itself or the nearest weekday in that direction (offices work Monday to
    Friday; public holidays are left to chance, as they are for late senders)."""
    step = dt.timedelta(days=1 if forward else -1)
    while day.weekday() >= 5:
        day += step
    return day


# The demo ---------------------------------------------------------------------------------------


class _Demo:
    """One run of the demo: the figures computed once, then imported, then the reports."""

    def __init__(self, context: _Context, write: Callable[[str], Any]) -> None:
        self.context = context
        self.write = write
        self.counts: dict[str, int] = {}
        self.dossiers: dict[tuple[str, str], Dossiers] = {}  # (commune, month) → figures
        self.province_dossiers: dict[tuple[str, str], Dossiers] = {}  # (province, month)
        self.reports: list[int] = []  # the reports made, by id
        self.clock = _Clock(timezone.now)  # replaced by the simulated clock in `run`

    def run(self) -> dict[str, int]:
        started = time.perf_counter()
        self._commune_figures()
        self.counts[f"{MIGRATED} values"] = self._import(self._migrated_rows(), MIGRATED)
        self.counts[f"{STATISTICS} values"] = self._import(self._statistics_rows(), STATISTICS)
        self.counts[f"{PORTAL} values"] = self._import(self._portal_rows(), PORTAL)
        self.write(f"  values imported in {time.perf_counter() - started:.0f} s")
        with _simulated_clock() as clock:
            self.clock = clock
            self._accounts()
            started = time.perf_counter()
            self._province_reports()
            self.write(f"  province reports in {time.perf_counter() - started:.0f} s")
            started = time.perf_counter()
            self._commune_reports()
            self.write(f"  commune reports in {time.perf_counter() - started:.0f} s")
        statuses: dict[str, int] = defaultdict(int)
        for status in Report.objects.filter(pk__in=self.reports).values_list("status", flat=True):
            statuses[status] += 1
        self.counts |= {f"reports {status}": count for status, count in sorted(statuses.items())}
        return self.counts

    # Figures of communes -----------------------------------------------------------------------

    def _commune_figures(self) -> None:
        """Every commune's dossiers of every month, and their sum for each province."""
        context = self.context
        months = context.portal_months
        codes = sorted(
            {
                c
                for month in months
                for found in context.communes[month.code].values()
                for c in found
            }
        )
        reported: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
        for unit, period, indicator, value in DataValue.objects.filter(
            source=COMMUNE_REGIME,
            unit__code__in=codes,
            period__in=[month.code for month in months],
            disaggregation="",
        ).values_list("unit__code", "period", "indicator__code", "value"):
            reported[(unit, period)][indicator] = int(value)
        # Wards with reports of their own (demo_reporting's) keep their own series.
        with_reports = set(
            DataValue.objects.filter(source=COMMUNE_REGIME, unit__code__in=codes)
            .values_list("unit__code", flat=True)
            .distinct()
        )
        for province in context.new:
            population = sum(demo.PROVINCES[base].population for base in context.bases[province])
            everyone = sorted(
                {c for month in months for c in context.communes[month.code].get(province, [])}
            )
            sizes = demo.commune_sizes(everyone, population)
            for month in months:
                total = demo.NO_DOSSIERS
                delay = context.twists.dossier_delay(province, month)
                for code in context.communes[month.code].get(province, []):
                    stored = reported.get((code, month.code))
                    if stored is not None and set(stored) >= set(Dossiers.CODES):
                        figures = Dossiers.from_dict(stored)
                    elif code in with_reports:
                        figures = Dossiers.from_dict(demo_figures(code, month))
                    else:
                        figures = demo.commune_dossiers(code, sizes[code], month, delay=delay)
                    self.dossiers[(code, month.code)] = figures
                    total = total + figures
                self.province_dossiers[(province, month.code)] = total

    # Imports -----------------------------------------------------------------------------------

    def _import(self, rows: Iterable[tuple[str, str, str, str, str]], source: str) -> int:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["indicator", "disaggregation", "unit", "period", "value"])
        writer.writerows(rows)
        summary = values_import(
            file=io.BytesIO(buffer.getvalue().encode()), source=source, actor=None
        )
        if summary.rejected:
            shown = "; ".join(f"{c.row}: {c.message}" for c in summary.conflicts[:5])
            raise CommandError(f"The demo's {source} figures were refused: {shown}")
        return summary.imported + summary.updated

    def _migrated_rows(self) -> Iterator[tuple[str, str, str, str, str]]:
        """The provinces' figures of 2024 and 2025, as the old system held them."""
        context = self.context
        for month in _months(context.since, MIGRATED_UNTIL):
            for unit, bases in context.units_for(month):
                communes = self.province_dossiers.get((unit, month.code))
                cells = demo.month_cells(
                    unit, bases, month, twists=context.twists, communes=communes
                )
                yield from _rows(cells, unit, month)
        first, until = context.since.start, MIGRATED_UNTIL.end
        for period in _spans(first, until, [PeriodType.QUARTER]):
            for unit, bases in context.units_for(period):
                cells = demo.span_cells(unit, bases, period, monthly=False, quarterly=True)
                yield from _rows(cells, unit, period)
        kinds = [PeriodType.HALF_YEAR, PeriodType.NINE_MONTHS, PeriodType.YEAR]
        for period in _spans(first, until, kinds):
            for unit, bases in context.units_for(period):
                cells = {("TTKT.GRDP_TANG", ""): demo.percentage(demo.grdp_growth(bases, period))}
                if period.type == PeriodType.YEAR:
                    cells |= demo.span_cells(
                        unit, bases, period, monthly=False, quarterly=False, annual=True
                    )
                yield from _rows(cells, unit, period)

    def _statistics_rows(self) -> Iterator[tuple[str, str, str, str, str]]:
        """National CPI, IIP and GRDP growth on the Government's unit, since January 2024."""
        last = self.context.last
        for month in _months(FIRST_MONTH, last):
            yield from _rows(demo.national_cells(month), GOVERNMENT, month)
        kinds = [PeriodType.QUARTER, PeriodType.HALF_YEAR, PeriodType.NINE_MONTHS]
        for period in _spans(FIRST_MONTH.start, last.end, [*kinds, PeriodType.YEAR]):
            yield from _rows(demo.national_cells(period), GOVERNMENT, period)

    def _portal_rows(self) -> Iterator[tuple[str, str, str, str, str]]:
        """Every commune's dossiers on the portal, except what the portal already holds."""
        months = [month.code for month in self.context.portal_months]
        held = set(
            DataValue.objects.filter(source=PORTAL, period__in=months)
            .values_list("unit__code", "period")
            .distinct()
        )
        for (commune, month), figures in sorted(self.dossiers.items()):
            if (commune, month) in held:
                continue
            for indicator, value in figures.as_dict().items():
                yield (indicator, "", commune, month, str(value))

    # Accounts and keys -------------------------------------------------------------------------

    def _accounts(self) -> None:
        """The senders' and reviewers' accounts and the units' signing keys."""
        context = self.context
        first = max(context.since, REPORTS_FROM)
        self.clock.set(_working_day(first.start - dt.timedelta(days=20)), 8)
        users = 0
        self.government_reviewer = User.objects.get(username=GOVERNMENT_REVIEWER)
        self.sender_of: dict[str, User] = {}
        for code in context.new:
            if code == HANOI:
                self.sender_of[code] = User.objects.get(username=HANOI_OFFICER)
            else:
                self.sender_of[code] = user_create(
                    username=f"{SYSTEM_PREFIX}{code}",
                    password=None,
                    unit=context.units[code],
                    roles=[Role.REPORTER],
                    first_name="Hệ thống báo cáo",
                    last_name=context.names[code],
                    actor=None,
                )
                users += 1
        self.one_stop: dict[str, User] = {}
        self.province_reviewer: dict[str, User] = {}
        keyed = list(context.new)
        for code, name in COMMUNE_REPORT_PROVINCES.items():
            if code not in context.new:
                continue
            province = context.units[code]
            self.province_reviewer[code] = user_create(
                username=f"kiemduyet.{name}",
                password=None,
                unit=province,
                roles=[Role.REVIEWER],
                first_name="Kiểm duyệt",
                last_name=context.names[code],
                actor=None,
            )
            self.one_stop[code] = user_create(
                username=f"he-thong-mot-cua.{name}",
                password=None,
                unit=province,
                roles=[Role.REPORTER],
                first_name="Phần mềm một cửa",
                last_name=context.names[code],
                actor=None,
            )
            users += 2
            communes = self._reporting_communes(code)
            Delegation.objects.bulk_create(
                Delegation(
                    user=self.one_stop[code],
                    unit=context.units[commune],
                    valid_from=demo.REFORM_DAY,
                    reason="Hệ thống một cửa gửi số liệu",
                )
                for commune in communes
            )
            keyed += communes
        with_key = set(
            UnitSigningKey.objects.filter(unit__code__in=keyed, active=True).values_list(
                "unit__code", flat=True
            )
        )
        keys = 0
        for code in keyed:
            if code not in with_key:
                services.signing_key_create(unit=context.units[code], actor=None)
                keys += 1
        self.counts["users"] = users
        self.counts["signing keys"] = keys

    def _reporting_communes(self, province: str) -> list[str]:
        months = self._commune_months()
        return sorted(
            {c for month in months for c in self.context.communes[month.code].get(province, [])}
        )

    def _commune_months(self) -> list[Period]:
        last = self.context.last
        months = [last.previous(n) for n in range(COMMUNE_REPORT_MONTHS - 1, -1, -1)]
        return [month for month in months if month.code in self.context.communes]

    # Reports of the provinces ------------------------------------------------------------------

    def _province_reports(self) -> None:
        context = self.context
        first = max(context.since, REPORTS_FROM)
        months = _months(first, context.last)
        regime = Regime.objects.get(code=MONTHLY)
        for month in months:
            offset = len(months) - 1 - months.index(month)
            window = catalogue_selectors.regime_period(regime=regime, period=month)
            for unit, bases in context.units_for(month):
                sending = MONTHLY_CASES.get((unit, offset), ON_TIME)
                cells = demo.month_cells(
                    unit,
                    bases,
                    month,
                    twists=context.twists,
                    communes=self.province_dossiers.get((unit, month.code)),
                )
                comments = self._comments(unit, month)
                narratives = {"DANH_GIA": demo.month_assessment(unit, bases, month, cells)}
                if (unit, month) == (context.twists.revenue_province, context.twists.revenue_month):
                    narratives["KHO_KHAN"] = REVENUE_COMMENT
                self._send(
                    regime=MONTHLY,
                    window=window,
                    unit=unit,
                    sending=sending,
                    cells=cells,
                    comments=comments,
                    narratives=narratives,
                    sender=self.sender_of[unit],
                    reviewer=self.government_reviewer,
                    wrong=_wrong_revenue,
                    reason=KTXH_RETURN,
                )
        for code in SPANS:
            regime = Regime.objects.get(code=code)
            periods = [
                item.period
                for item in catalogue_selectors.regime_periods(
                    regime=regime, start=first.start, end=context.last.end
                )
                if item.period.start >= first.start
            ]
            for period in periods:
                offset = len(periods) - 1 - periods.index(period)
                window = catalogue_selectors.regime_period(regime=regime, period=period)
                for unit, bases in context.units_for(period):
                    cases = QUARTERLY_CASES if code == "BC-KTXH-QUY" else {}
                    cells = demo.span_cells(unit, bases, period, twists=context.twists)
                    growth = cells[("TTKT.GRDP_TANG", "")]
                    self._send(
                        regime=code,
                        window=window,
                        unit=unit,
                        sending=cases.get((unit, offset), ON_TIME),
                        cells=cells,
                        comments={},
                        narratives={
                            "DANH_GIA": (
                                f"Tổng sản phẩm trên địa bàn (GRDP) kỳ {_label(period)} ước tăng "
                                f"{demo.vn_number(float(growth), 2)}% so với cùng kỳ năm trước; "
                                "các ngành, lĩnh vực cơ bản hoàn thành kế hoạch đề ra."
                            )
                        },
                        sender=self.sender_of[unit],
                        reviewer=self.government_reviewer,
                        wrong=_wrong_revenue,
                        reason=KTXH_RETURN,
                    )

    def _comments(self, unit: str, month: Period) -> dict[CellKey, str]:
        """Explanations the provinces give on their unusual figures."""
        twists = self.context.twists
        comments: dict[CellKey, str] = {}
        if unit == twists.revenue_province and month == twists.revenue_month:
            comments[("TCC.THU_NSNN", "")] = REVENUE_COMMENT
        if unit == twists.cpi_province and month.start >= twists.cpi_from.start:
            comments[("ODVM.CPI_CK", "")] = CPI_COMMENT
        if twists.dossier_delay(unit, month) >= 1:
            comments[("HCC.HS_GQ_QUA_HAN", "DOSSIER_LEVEL=CAP_XA")] = DOSSIERS_COMMENT
        return comments

    # Reports of communes -----------------------------------------------------------------------

    def _commune_reports(self) -> None:
        months = self._commune_months()
        regime = Regime.objects.get(code=COMMUNE_REGIME)
        for province in sorted(self.one_stop):
            communes = self._reporting_communes(province)
            for month in months:
                offset = len(months) - 1 - months.index(month)
                window = catalogue_selectors.regime_period(regime=regime, period=month)
                present = self.context.communes[month.code].get(province, [])
                for number, commune in enumerate(communes):
                    if commune not in present:
                        continue
                    figures = self.dossiers[(commune, month.code)]
                    self._send(
                        regime=COMMUNE_REGIME,
                        window=window,
                        unit=commune,
                        sending=_commune_sending(commune, month, offset, number),
                        cells={(code, ""): str(v) for code, v in figures.as_dict().items()},
                        comments={},
                        narratives={
                            "DANH_GIA": (
                                f"Tháng {_label(month)} tiếp nhận {figures.received} hồ sơ, trong "
                                f"đó {figures.online} hồ sơ trực tuyến; giải quyết đúng hạn "
                                f"{figures.on_time} hồ sơ."
                            )
                        },
                        sender=self.one_stop[province],
                        reviewer=self.province_reviewer[province],
                        wrong=_wrong_dossiers,
                        reason=COMMUNE_RETURN,
                    )

    # One report --------------------------------------------------------------------------------

    def _send(
        self,
        *,
        regime: str,
        window: RegimePeriod,
        unit: str,
        sending: Sending,
        cells: Mapping[CellKey, str],
        comments: Mapping[CellKey, str],
        narratives: Mapping[str, str],
        sender: User,
        reviewer: User,
        wrong: Callable[[Mapping[CellKey, str]], dict[CellKey, str]],
        reason: str,
    ) -> None:
        """One report's history through the services, each step at its simulated moment."""
        if sending.kind == "none":
            return
        clock = self.clock
        rng = random.Random(f"{demo.SEED}:send:{regime}:{unit}:{window.period.code}")
        opened = _working_day(window.window.end + dt.timedelta(days=1))
        clock.set(opened, rng.randint(8, 10), rng.randint(0, 59))
        report = services.report_get_or_create(
            regime=regime, unit=unit, period=window.period.code, actor=sender
        )
        self.reports.append(report.pk)
        layout = submission_selectors.layout_of(report)
        own = {key: value for key, value in cells.items() if key in layout.cells}
        missing = [key for key, cell in layout.cells.items() if cell.required and key not in own]
        if missing:
            raise CommandError(f"{regime} {unit} {window.period.code}: no figure for {missing}")
        deadline = report.deadline
        if sending.kind == "draft":
            clock.set(_working_day(deadline - dt.timedelta(days=1), forward=False), 15)
            half = dict(list(own.items())[: len(own) // 2])
            self._save(report, half, {}, {}, sender)
            return
        if sending.late:
            day = deadline + dt.timedelta(days=sending.late)
        else:
            day = _working_day(
                deadline - dt.timedelta(days=rng.choice((0, 1, 1, 2, 2, 3))), forward=False
            )
            day = max(day, opened)
        if sending.kind == "unlocked":
            clock.set(day - dt.timedelta(days=1), 9, 30)
            services.report_unlock(report=report, actor=reviewer, reason=UNLOCK_REASON, days=3)
        hour = rng.randint(8, 16)
        clock.set(day, hour, rng.randint(0, 29))
        first = wrong(own) if sending.kind in ("returned", "resent") else own
        self._save(report, first, comments, narratives, sender)
        clock.set(day, hour, rng.randint(30, 59))
        self._submit(report, sender)
        after = day
        if sending.kind in ("returned", "resent"):
            after = _working_day(day + dt.timedelta(days=1))
            clock.set(after, 10, rng.randint(0, 59))
            services.report_return(report=report, actor=reviewer, reason=reason)
            if sending.kind == "returned":
                return
            after = _working_day(after + dt.timedelta(days=1))
            clock.set(after, 9, rng.randint(0, 59))
            self._save(report, own, comments, narratives, sender)
            clock.set(after, 10, rng.randint(0, 59))
            self._submit(report, sender)
        if sending.opened:
            after = _working_day(after + dt.timedelta(days=1))
            clock.set(after, 8, rng.randint(0, 59))
            services.report_open(report=report, actor=reviewer)
        if sending.accept:
            after = _working_day(after + dt.timedelta(days=rng.randint(1, 3)))
            if clock.in_past(after, 16):
                clock.set(after, rng.randint(8, 16), rng.randint(0, 59))
                services.report_accept(report=report, actor=reviewer)

    def _save(
        self,
        report: Report,
        cells: Mapping[CellKey, str],
        comments: Mapping[CellKey, str],
        narratives: Mapping[str, str],
        sender: User,
    ) -> None:
        values = [
            services.ValueInput(
                code, disaggregation, value, comment=comments.get((code, disaggregation), "")
            )
            for (code, disaggregation), value in cells.items()
        ]
        try:
            services.report_save(
                report=report,
                values=values,
                narratives=narratives,
                channel=ValueSource.API,
                style="plain",
                actor=sender,
            )
        except Rejected as error:
            raise CommandError(f"{report}: {error.problems[:3]}") from None

    def _submit(self, report: Report, sender: User) -> None:
        try:
            services.report_submit(report=report, actor=sender)
        except Rejected as error:
            raise CommandError(f"{report}: {error.problems[:3]}") from None


def _rows(
    cells: Mapping[CellKey, str], unit: str, period: Period
) -> Iterator[tuple[str, str, str, str, str]]:
    for (indicator, disaggregation), value in cells.items():
        yield (indicator, disaggregation, unit, period.code, value)


def _label(period: Period) -> str:
    """How a period is named in a report's text: 11/2026, quý III/2026, 6 tháng năm 2026."""
    year = period.start.year
    if period.type == PeriodType.MONTH:
        return f"{period.start.month:02d}/{year}"
    if period.type == PeriodType.QUARTER:
        quarter = ("I", "II", "III", "IV")[(period.start.month - 1) // 3]
        return f"quý {quarter}/{year}"
    if period.type == PeriodType.HALF_YEAR:
        return f"6 tháng {'đầu' if period.start.month == 1 else 'cuối'} năm {year}"
    if period.type == PeriodType.NINE_MONTHS:
        return f"9 tháng năm {year}"
    return f"năm {year}"


def _wrong_revenue(cells: Mapping[CellKey, str]) -> dict[CellKey, str]:
    """The first version of a report the Government returns: domestic revenue 3% short."""
    changed = dict(cells)
    key, total = ("TCC.THU_NOI_DIA", ""), ("TCC.THU_NSNN", "")
    if key in changed and total in changed:
        cut = round(float(changed[key]) * 0.03, 1)
        changed[key] = f"{float(changed[key]) - cut:.1f}"
        changed[total] = f"{float(changed[total]) - cut:.1f}"
    return changed


def _wrong_dossiers(cells: Mapping[CellKey, str]) -> dict[CellKey, str]:
    """The first version of a commune's report the province returns: overdue dossiers
    counted as in time (the portal's reconciled figures, received and resolved on time,
    are not touched)."""
    changed = dict(cells)
    late, in_time = ("HCC.HS_DANG_GQ_QUA_HAN", ""), ("HCC.HS_DANG_GQ_TRONG_HAN", "")
    moved = int(changed[late])
    changed[in_time] = str(int(changed[in_time]) + moved)
    changed[late] = "0"
    return changed


def _commune_sending(commune: str, month: Period, offset: int, number: int) -> Sending:
    """How a commune's report of a month went: most on time, fewer as months are recent."""
    if offset == 1 and number == 0:
        return Sending(kind="resent")
    if offset == 0 and number == 1:
        return Sending(kind="returned")
    draw = random.Random(f"{demo.SEED}:commune-sending:{commune}:{month.code}").random()
    late = 1 + int(draw * 1000) % 4
    if offset >= 2:
        if draw < 0.04:
            return Sending(kind="none")
        return Sending(late=late) if draw < 0.12 else ON_TIME
    if offset == 1:
        if draw < 0.03:
            return Sending(kind="none")
        if draw < 0.05:
            return Sending(kind="draft")
        if draw < 0.15:
            return Sending(late=late)
        return Sending(accept=False) if draw < 0.18 else ON_TIME
    if draw < 0.08:
        return Sending(kind="none")
    if draw < 0.12:
        return Sending(kind="draft")
    if draw < 0.22:
        return Sending(late=late + (1 if draw < 0.15 else 0), accept=draw < 0.18)
    if draw < 0.40:
        return Sending(accept=False, opened=draw < 0.3)
    return ON_TIME
