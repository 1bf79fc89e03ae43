"""`baocao demo_reporting`: demo officers and reviewers, signing keys and a policy, once.

Creates (only what is missing, so a second run is quick and changes nothing):
- `canbo.badinh`, reporting officer of Phường Ba Đình (00004), which sends BC-DVC-THANG to
  Hà Nội (01);
- `kiemduyet.hanoi`, reviewer of Thành phố Hà Nội (01);
- `canbo.hanoi`, reporting officer of Hà Nội, which sends BC-KTXH-THANG to the Government (CP);
- `kiemduyet.cp`, reviewer of the Government (CP);
- the system's signing keys of 00004 and 01, so their officers can sign and send;
- a reporting policy for BC-DVC-THANG: 5 days of grace after the deadline;
- the reports of eight other wards and communes of Hà Nội, sent by their one-stop-shop
  software (a system account with delegations), so that the reviewer's inbox has work: this
  month's sent on time, one returned and one accepted, and last month's sent late after an
  unlock; one ward explains, in a comment, a surge the validation rules warn about. Phường
  Ba Đình's own report is left for the demo officer to fill.
Passwords are generated on the first run and kept in the data directory, like `demo_admin`.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from baocao.accounts.choices import Role
from baocao.accounts.models import Delegation, User
from baocao.accounts.services import user_create
from baocao.catalogue import selectors as catalogue_selectors
from baocao.catalogue.models import Regime
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.periods import Period, PeriodType, period_of
from baocao.submissions import selectors, services
from baocao.submissions.choices import ValueSource
from baocao.submissions.models import Report, ReportingPolicy, UnitSigningKey
from baocao.submissions.services import signing_key_create

# username, unit code, role, first name, last name
USERS = [
    ("canbo.badinh", "00004", Role.REPORTER, "Nguyễn Thị", "Lan"),
    ("kiemduyet.hanoi", "01", Role.REVIEWER, "Trần Văn", "Minh"),
    ("canbo.hanoi", "01", Role.REPORTER, "Lê Thu", "Hà"),
    ("kiemduyet.cp", "CP", Role.REVIEWER, "Phạm Quốc", "Huy"),
]
SIGNING_UNITS = ["00004", "01"]
POLICY_REGIME = "BC-DVC-THANG"
GRACE_DAYS = 5


class Command(BaseCommand):
    help = "Create the demo reporting officers and reviewers (once) and print their logins."

    def handle(self, *args: Any, **options: Any) -> None:
        units = {unit.code: unit for unit in Unit.objects.filter(code__in={u[1] for u in USERS})}
        missing = sorted({code for _, code, *_ in USERS} - set(units))
        if missing:
            raise CommandError(
                f"Unknown units {', '.join(missing)}: run `baocao units load-vn` first."
            )
        secret_file = settings.DATA_DIR / "demo-reporting-passwords.json"
        passwords: dict[str, str] = (
            json.loads(secret_file.read_text()) if secret_file.exists() else {}
        )
        existing = set(
            User.objects.filter(username__in=[u[0] for u in USERS]).values_list(
                "username", flat=True
            )
        )
        created = False
        for username, code, role, first_name, last_name in USERS:
            if username in existing:
                continue
            password = passwords.get(username) or secrets.token_urlsafe(9)
            passwords[username] = password
            user_create(
                username=username,
                password=password,
                unit=units[code],
                roles=[role],
                first_name=first_name,
                last_name=last_name,
                actor=None,
            )
            created = True
        if created:
            settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
            secret_file.write_text(json.dumps(passwords, indent=2) + "\n")
            secret_file.chmod(0o600)
        with_key = set(
            UnitSigningKey.objects.filter(unit__code__in=SIGNING_UNITS, active=True).values_list(
                "unit__code", flat=True
            )
        )
        for code in SIGNING_UNITS:
            if code not in with_key:
                unit = units.get(code) or Unit.objects.get(code=code)
                signing_key_create(unit=unit, actor=None)
        regime = Regime.objects.filter(code=POLICY_REGIME).first()
        if regime is None:
            raise CommandError(
                f"Unknown regime {POLICY_REGIME}: run `baocao catalogue load-sample` first."
            )
        ReportingPolicy.objects.get_or_create(regime=regime, defaults={"grace_days": GRACE_DAYS})
        self._demo_reports(units["01"])
        for username, code, role, *_ in USERS:
            password = passwords.get(username, "(đã đổi / changed)")
            self.stdout.write(f"Đăng nhập / Login: {username} / {password}  ({role}, {code})")

    def _demo_reports(self, province: Unit) -> None:
        """Reports of other communes of Hà Nội, sent through the services like any other."""
        if User.objects.filter(username=SYSTEM_USERNAME).exists():
            return
        today = timezone.localdate()
        communes = [
            version.unit
            for version in org_selectors.unit_children(unit=province, on=today)
            if version.unit.code != "00004"
        ][:DEMO_COMMUNES]
        system = user_create(
            username=SYSTEM_USERNAME,
            password=None,
            unit=province,
            roles=[Role.REPORTER],
            first_name="Phần mềm một cửa",
            last_name="(demo)",
            actor=None,
        )
        reviewer = User.objects.get(username="kiemduyet.hanoi")
        for unit in communes:
            Delegation.objects.create(
                user=system, unit=unit, valid_from=today, reason="Hệ thống một cửa gửi số liệu"
            )
            signing_key_create(unit=unit, actor=None)
        current = _open_period(today)
        for number, unit in enumerate(communes):
            earlier = self._send(unit, current.previous(), system, reviewer, late=True)
            if number == 2:
                # A surge the validation rules warn about (more than three times last month),
                # explained by the ward, as a warning must be before the report can be sent.
                report = self._send(
                    unit,
                    current,
                    system,
                    reviewer,
                    late=False,
                    received=4
                    * int(selectors.report_values(earlier)[("HCC.HS_TIEP_NHAN", "")].value),
                    comment=SURGE_EXPLAINED,
                )
                continue
            overrides = None
            if number == OVERDUE_SPIKE:
                # Far more dossiers resolved late than this ward ever had: not against any
                # rule, but an outlier against its own history, for the reviewer to ask about.
                overrides = {"HCC.HS_GQ_QUA_HAN": 27}
            report = self._send(unit, current, system, reviewer, late=False, overrides=overrides)
            if number == 0:
                services.report_return(
                    report=report,
                    actor=reviewer,
                    reason="Số hồ sơ đã giải quyết quá hạn chưa khớp với phần mềm một cửa.",
                )
            elif number == 1:
                services.report_accept(report=report, actor=reviewer)

    def _send(
        self,
        unit: Unit,
        period: Period,
        system: User,
        reviewer: User,
        *,
        late: bool,
        received: int | None = None,
        comment: str = "",
        overrides: dict[str, int] | None = None,
    ) -> Report:
        report = services.report_get_or_create(
            regime=POLICY_REGIME, unit=unit, period=period.code, actor=system
        )
        if late and selectors.is_locked(report):
            services.report_unlock(
                report=report, actor=reviewer, reason="Đơn vị đề nghị gửi bổ sung sau hạn.", days=3
            )
        values = demo_figures(unit.code, period)
        if received is not None:
            values["HCC.HS_TIEP_NHAN"] = received
        values.update(overrides or {})
        report = services.report_save(
            report=report,
            values=[
                services.ValueInput(
                    code, "", value, comment=comment if code == "HCC.HS_TIEP_NHAN" else ""
                )
                for code, value in values.items()
            ],
            narratives={
                "DANH_GIA": "Tiếp nhận, giải quyết hồ sơ cơ bản đúng hạn; tỷ lệ hồ sơ trực tuyến"
                " tiếp tục tăng.",
            },
            channel=ValueSource.API,
            style="plain",
            actor=system,
        )
        services.report_submit(report=report, actor=system)
        return Report.objects.get(pk=report.pk)


SYSTEM_USERNAME = "he-thong-mot-cua.hanoi"
OVERDUE_SPIKE = 4  # the demo ward whose report this month has an outlier
SURGE_EXPLAINED = "Cao điểm cấp đổi giấy phép lái xe và đăng ký cư trú theo quy định mới."
DEMO_COMMUNES = 8


# How busy one-stop shops are by month: Tết (January or February) is quiet, the end of the
# year busy (year-end dossiers, land and household registration before Tết).
SEASON = {
    1: 0.85,
    2: 0.75,
    3: 1.0,
    4: 1.0,
    5: 1.0,
    6: 1.05,
    7: 1.0,
    8: 0.95,
    9: 1.05,
    10: 1.05,
    11: 1.1,
    12: 1.2,
}
YEARLY_GROWTH = 0.04


def demo_figures(unit_code: str, period: Period) -> dict[str, int]:
    """A ward's plausible BC-DVC-THANG figures for a month, the same on every run.

    Each ward has its own size; months follow `SEASON` with a slow growth and a little noise,
    so that a ward's history is a plausible series for the outlier checks, and the figures
    pass the sample's validation rules: online ≤ received, and resolved plus in progress ≤
    received (so whatever last month left over).
    """
    size = random.Random(unit_code).randint(150, 280)
    rng = random.Random(f"{unit_code}-{period.code}")
    years = (period.start.year - 2026) + (period.start.month - 1) / 12
    received = round(
        size * SEASON[period.start.month] * (1 + YEARLY_GROWTH) ** years * rng.uniform(0.94, 1.06)
    )
    return {
        "HCC.HS_TIEP_NHAN": received,
        "HCC.HS_TRUC_TUYEN": int(received * rng.uniform(0.55, 0.7)),
        "HCC.HS_GQ_DUNG_HAN": int(received * rng.uniform(0.78, 0.82)),
        "HCC.HS_GQ_QUA_HAN": rng.randint(0, 4),
        "HCC.HS_DANG_GQ_TRONG_HAN": int(received * rng.uniform(0.05, 0.08)),
        "HCC.HS_DANG_GQ_QUA_HAN": rng.randint(0, 2),
    }


def _open_period(today: dt.date) -> Period:
    """The month of BC-DVC-THANG whose deadline is the next one from today."""
    period = period_of(PeriodType.MONTH, today)
    regime = selectors.regime_get(POLICY_REGIME)
    while True:
        due = catalogue_selectors.regime_period(regime=regime, period=period).deadlines[0]
        if due.deadline >= today:
            return period
        period = period.next()
