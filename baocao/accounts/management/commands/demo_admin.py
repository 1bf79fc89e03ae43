"""`baocao demo_admin`: create the demo administrator once and print its login.

The password is generated on first run and kept in the data directory, so running
`make demo` again prints the same login and never resets a password changed since.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from baocao.accounts.choices import Role
from baocao.accounts.models import User
from baocao.accounts.services import user_create
from baocao.organisations.models import Unit

USERNAME = "admin"


class Command(BaseCommand):
    help = "Create the demo administrator (once) and print its login."

    def handle(self, *args: Any, **options: Any) -> None:
        secret_file = settings.DATA_DIR / "demo-admin-password.txt"
        if User.objects.filter(username=USERNAME).exists():
            password = (
                secret_file.read_text().strip() if secret_file.exists() else "(đã đổi / changed)"
            )
        else:
            password = secrets.token_urlsafe(9)
            settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
            secret_file.write_text(password + "\n")
            secret_file.chmod(0o600)
            user_create(
                username=USERNAME,
                password=password,
                unit=Unit.objects.filter(code="CP").first(),
                roles=[Role.ADMINISTRATOR, Role.LEADER],
                first_name="Quản trị",
                last_name="demo",
                is_staff=True,
                is_superuser=True,
                actor=None,
            )
        self.stdout.write(f"Đăng nhập / Login: {USERNAME} / {password}")
