"""`baocao demo_quality`: data-quality problems for the demo to find, once.

Run after `demo_reporting` (whose wards of Hà Nội have sent their BC-DVC-THANG reports):

- four years of history of those wards (and of Phường Ba Đình) before their first report,
  standing in for the figures migrated from the previous reporting system; the outlier checks
  judge each value against it. Two months of one ward carry the errors such old data has
  (more dossiers online than received), which the batch run finds;
- the National Public Service Portal's dossier statistics for the same wards and months
  (source `DVCQG`), imported as its connector would. They agree with the reports except for
  two figures: one ward's dossiers received this month (an open discrepancy) and another
  ward's dossiers resolved on time last month (a difference the reviewer of Hà Nội accepted,
  with the reason);
- a batch validation run over Hà Nội for the last thirteen months, done, with its violations
  and outliers (the surge one ward explained, and the late dossiers of another).

Does nothing when the portal's figures are already there, so a second `make demo` is quick.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from baocao.accounts.models import User
from baocao.catalogue.models import Indicator
from baocao.organisations.models import Unit
from baocao.periods import Period, parse_period
from baocao.submissions.choices import ValueSource
from baocao.submissions.imports import values_import
from baocao.submissions.management.commands.demo_reporting import POLICY_REGIME, demo_figures
from baocao.submissions.models import DataValue
from baocao.validation import services
from baocao.validation.models import Discrepancy

PORTAL = "DVCQG"
HISTORY_MONTHS = 48
MIGRATED_BY = "Chuyển đổi dữ liệu từ hệ thống báo cáo cũ"
# Figures the portal holds differently from the reports (see the module docstring).
PORTAL_OPEN = (5, "HCC.HS_TIEP_NHAN", 0, +6)  # ward, indicator, months back, difference
PORTAL_ACCEPTED = (6, "HCC.HS_GQ_DUNG_HAN", 1, -2)
ACCEPTED_REASON = (
    "Cổng Dịch vụ công quốc gia ghi nhận 2 hồ sơ trả kết quả ngày 15 (sau thời điểm chốt số "
    "liệu của báo cáo tháng); phường đã đối chiếu, số liệu báo cáo đúng."
)
LEGACY_ERRORS_WARD = 3  # the ward whose migrated history has two inconsistent months
RUN_MONTHS = 13


class Command(BaseCommand):
    help = "Create the demo's history, portal figures, discrepancies and a validation run (once)."

    def handle(self, *args: Any, **options: Any) -> None:
        if DataValue.objects.filter(source=PORTAL).exists():
            self.stdout.write("demo_quality: already done")
            return
        reported = list(
            DataValue.objects.filter(source=POLICY_REGIME, report__isnull=False)
            .values_list("unit__code", "period")
            .distinct()
        )
        if not reported:
            raise CommandError("No demo reports yet: run `baocao demo_reporting` first.")
        wards = sorted({code for code, _period in reported if code != "00004"})
        months = sorted({parse_period(period) for _code, period in reported})
        first, current = months[0], months[-1]
        history = _months_before(first, HISTORY_MONTHS)
        self._history(["00004", *wards], history, wards)
        self._portal(wards, [*history[-12:], *months])
        reviewer = User.objects.get(username="kiemduyet.hanoi")
        hanoi = Unit.objects.get(code="01")
        compared = [period.code for period in [*history[-12:], *months]]
        summary = services.discrepancies_compare(periods=compared, unit=hanoi, actor=None)
        ward, code, back, _difference = PORTAL_ACCEPTED
        accepted = Discrepancy.objects.get(
            unit__code=wards[ward],
            indicator__code=code,
            period=_months_before(current, back)[0].code if back else current.code,
        )
        services.discrepancy_accept(discrepancy=accepted, reason=ACCEPTED_REASON, actor=reviewer)
        run_periods = [
            period.code for period in [*_months_before(current, RUN_MONTHS - 1), current]
        ]
        run = services.validation_run_create(periods=run_periods, unit=hanoi, actor=reviewer)
        run = services.validation_run_execute(run_id=run.pk)
        self.stdout.write(
            f"demo_quality: {len(history)} months of history for {len(wards) + 1} wards; "
            f"{summary.found} discrepancies with the portal; validation run #{run.pk}: "
            f"{run.counts.get('violated', 0)} violations, {run.counts.get('outliers', 0)} outliers"
        )

    @transaction.atomic
    def _history(self, units: list[str], months: list[Period], wards: list[str]) -> None:
        """The wards' figures before their first report, as migrated from the old system."""
        indicators = dict(Indicator.objects.values_list("code", "pk"))
        unit_ids = dict(Unit.objects.filter(code__in=units).values_list("code", "pk"))
        now = timezone.now()
        rows: list[DataValue] = []
        for code in units:
            for number, period in enumerate(months):
                figures = demo_figures(code, period)
                if code == wards[LEGACY_ERRORS_WARD] and number in (
                    HISTORY_MONTHS - 9,
                    HISTORY_MONTHS - 5,
                ):
                    # The old system let the online count be typed over the total.
                    figures["HCC.HS_TRUC_TUYEN"] = figures["HCC.HS_TIEP_NHAN"] + 12
                rows.extend(
                    DataValue(
                        indicator_id=indicators[indicator],
                        disaggregation="",
                        unit_id=unit_ids[code],
                        period=period.code,
                        source=POLICY_REGIME,
                        value=str(value),
                        channel=ValueSource.IMPORT,
                        updated_at=now,
                        updated_by_name=MIGRATED_BY,
                    )
                    for indicator, value in figures.items()
                )
        DataValue.objects.bulk_create(rows, batch_size=2000)

    def _portal(self, wards: list[str], months: list[Period]) -> None:
        """The portal's figures for the same wards and months, through the bulk import."""
        stored = {
            (code, unit, period): value
            for code, unit, period, value in DataValue.objects.filter(
                source=POLICY_REGIME,
                indicator__code__in=("HCC.HS_TIEP_NHAN", "HCC.HS_GQ_DUNG_HAN"),
                unit__code__in=wards,
                period__in=[period.code for period in months],
            ).values_list("indicator__code", "unit__code", "period", "value")
        }
        differ = {}
        for ward, code, back, difference in (PORTAL_OPEN, PORTAL_ACCEPTED):
            period = months[-1 - back].code
            differ[(code, wards[ward], period)] = difference
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["indicator", "disaggregation", "unit", "period", "value"])
        for (code, unit, period), value in sorted(stored.items()):
            writer.writerow(
                [code, "", unit, period, int(value) + differ.get((code, unit, period), 0)]
            )
        summary = values_import(
            file=io.BytesIO(buffer.getvalue().encode()), source=PORTAL, actor=None
        )
        if summary.rejected:
            raise CommandError(f"The portal's demo figures were refused: {summary.conflicts[:3]}")


def _months_before(period: Period, count: int) -> list[Period]:
    """The `count` months before `period`, oldest first."""
    found: list[Period] = []
    for _number in range(count):
        period = period.previous()
        found.append(period)
    return found[::-1]
