"""`baocao tokens ...`: API tokens for systems that send reports for a unit.

baocao tokens create --unit CODE --username NAME [--name "Full name"]
baocao tokens list [--unit CODE]
baocao tokens revoke --username NAME

A system account is a user of the unit with the reporting officer role and no password (it
cannot sign in to the web pages); it authenticates to the API with
`Authorization: Token <key>` and may do exactly what an officer of the unit may do.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from baocao.accounts.services import api_token_revoke, system_account_create
from baocao.core.errors import DomainError
from baocao.organisations import selectors as org_selectors


class Command(BaseCommand):
    help = "Create, list and revoke API tokens of system accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, parser_class=argparse.ArgumentParser
        )
        create = sub.add_parser(
            "create", help="Create a system account of a unit and print its token."
        )
        create.add_argument("--unit", required=True, help="Unit code, e.g. 00004.")
        create.add_argument("--username", required=True)
        create.add_argument("--name", default="", help="A readable name of the system.")
        listing = sub.add_parser("list", help="List tokens (keys shortened).")
        listing.add_argument("--unit", default=None)
        revoke = sub.add_parser("revoke", help="Delete a system account's token.")
        revoke.add_argument("--username", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"do_{options['action']}")(options)
        except DomainError as exc:
            raise CommandError(str(exc)) from None

    def do_create(self, options: dict[str, Any]) -> None:
        unit = org_selectors.unit_get(code=options["unit"])
        try:
            key = system_account_create(
                unit=unit, username=options["username"], name=options["name"], actor=None
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(key)

    def do_list(self, options: dict[str, Any]) -> None:
        tokens = Token.objects.select_related("user__unit").order_by("user__username")
        if options["unit"]:
            tokens = tokens.filter(user__unit__code=options["unit"])
        for token in tokens:
            user: Any = token.user
            unit = user.unit.code if user.unit else "-"
            created = token.created.strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"{user.username}\t{unit}\t{token.key[:6]}…\t{created}")

    def do_revoke(self, options: dict[str, Any]) -> None:
        api_token_revoke(username=options["username"], actor=None)
        self.stdout.write(_("Token revoked."))
