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
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from baocao.accounts.choices import Role
from baocao.accounts.models import User
from baocao.accounts.services import user_create
from baocao.audit.choices import AuditAction
from baocao.audit.services import change_record_create
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

    @transaction.atomic
    def do_create(self, options: dict[str, Any]) -> None:
        unit = org_selectors.unit_get(code=options["unit"])
        username = options["username"]
        if User.objects.filter(username=username).exists():
            raise CommandError(
                _("User %(username)s already exists; choose another name.") % {"username": username}
            )
        try:
            user = user_create(
                username=username,
                password=None,  # A system account cannot sign in to the web pages.
                unit=unit,
                roles=[Role.REPORTER],
                first_name=options["name"],
                actor=None,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        token = Token.objects.create(user=user)
        # The key is the token's primary key and a secret: the record is made on the user, so
        # that neither the key nor its `str()` reaches the audit trail.
        change_record_create(
            actor=None,
            action=AuditAction.UPDATE,
            instance=user,
            after={"api_token": "created", "prefix": token.key[:6]},
        )
        self.stdout.write(token.key)

    def do_list(self, options: dict[str, Any]) -> None:
        tokens = Token.objects.select_related("user__unit").order_by("user__username")
        if options["unit"]:
            tokens = tokens.filter(user__unit__code=options["unit"])
        for token in tokens:
            user: Any = token.user
            unit = user.unit.code if user.unit else "-"
            created = token.created.strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"{user.username}\t{unit}\t{token.key[:6]}…\t{created}")

    @transaction.atomic
    def do_revoke(self, options: dict[str, Any]) -> None:
        token = Token.objects.filter(user__username=options["username"]).first()
        if token is None:
            raise CommandError(
                _("User %(username)s has no token.") % {"username": options["username"]}
            )
        change_record_create(
            actor=None,
            action=AuditAction.UPDATE,
            instance=token.user,
            before={"api_token": "created", "prefix": token.key[:6]},
            after={"api_token": "revoked"},
        )
        token.delete()
        self.stdout.write(_("Token revoked."))
