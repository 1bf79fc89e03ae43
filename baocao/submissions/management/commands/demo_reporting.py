"""`baocao demo_reporting`: demo officers and reviewers, signing keys and a policy, once.

Creates (only what is missing, so a second run is quick and changes nothing):
- `canbo.badinh`, reporting officer of Phường Ba Đình (00004), which sends BC-DVC-THANG to
  Hà Nội (01);
- `kiemduyet.hanoi`, reviewer of Thành phố Hà Nội (01);
- `canbo.hanoi`, reporting officer of Hà Nội, which sends BC-KTXH-THANG to the Government (CP);
- `kiemduyet.cp`, reviewer of the Government (CP);
- the system's signing keys of 00004 and 01, so their officers can sign and send;
- a reporting policy for BC-DVC-THANG: 5 days of grace after the deadline.
Passwords are generated on the first run and kept in the data directory, like `demo_admin`.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from baocao.accounts.choices import Role
from baocao.accounts.models import User
from baocao.accounts.services import user_create
from baocao.catalogue.models import Regime
from baocao.organisations.models import Unit
from baocao.submissions.models import ReportingPolicy, UnitSigningKey
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
        for username, code, role, *_ in USERS:
            password = passwords.get(username, "(đã đổi / changed)")
            self.stdout.write(f"Đăng nhập / Login: {username} / {password}  ({role}, {code})")
