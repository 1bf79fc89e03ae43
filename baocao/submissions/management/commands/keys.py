"""`baocao keys ...`: the keys and certificates units sign their reports with.

baocao keys create UNIT              a new key the system signs UNIT's reports with
baocao keys register UNIT CERT.pem   register a sender's X.509 certificate (RSA or ECDSA)
baocao keys list [UNIT]              keys and certificates, one per line
baocao keys revoke FINGERPRINT       refuse signatures made with a certificate from now on

Decree 09/2019/NĐ-CP Art. 14: an electronic report carries the sending agency's digital
signature; see `baocao.submissions.signing`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao.core.errors import DomainError, Rejected
from baocao.submissions import selectors, services
from baocao.submissions.models import UnitCertificate, UnitSigningKey

# Like argparse's usage errors: 2 means the input was refused.
REFUSED = 2


class Command(BaseCommand):
    help = "Create signing keys and register, list and revoke the certificates of units."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser(
            "create", help="Create a key the system signs the unit's reports with."
        )
        create.add_argument("unit", help="unit code")
        register = sub.add_parser(
            "register", help="Register a sender's X.509 certificate (PEM, RSA or ECDSA)."
        )
        register.add_argument("unit", help="unit code")
        register.add_argument("certificate", type=Path, help="PEM file")
        listing = sub.add_parser("list", help="List signing keys and certificates.")
        listing.add_argument("unit", nargs="?", default=None, help="unit code")
        revoke = sub.add_parser("revoke", help="Revoke a registered certificate.")
        revoke.add_argument("fingerprint", help="SHA-256 fingerprint (hex, colons allowed)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"do_{options['action']}")(options)
        except Rejected as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("Nothing was changed: %(count)d problem(s).") % {"count": len(exc.problems)},
                returncode=REFUSED,
            ) from None
        except DomainError as exc:
            raise CommandError(str(exc), returncode=REFUSED) from None

    def do_create(self, options: dict[str, Any]) -> None:
        unit = selectors.unit_get(options["unit"])
        key = services.signing_key_create(unit=unit, actor=None)
        # The fingerprint alone, so that scripts can capture it.
        self.stdout.write(key.fingerprint)

    def do_register(self, options: dict[str, Any]) -> None:
        unit = selectors.unit_get(options["unit"])
        path: Path = options["certificate"]
        try:
            pem = path.read_bytes().decode("ascii", "replace")
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": error.strerror},
                returncode=REFUSED,
            ) from None
        certificate = services.certificate_register(unit=unit, pem=pem, actor=None)
        self.stdout.write(certificate.fingerprint)
        self.stdout.write(
            _("%(subject)s, valid from %(start)s to %(end)s")
            % {
                "subject": certificate.subject,
                "start": _day(certificate.valid_from),
                "end": _day(certificate.valid_to),
            }
        )
        if certificate.valid_to < timezone.now():
            # Registered all the same (older versions may refer to it), but say so.
            self.stderr.write(
                _("Warning: this certificate has expired; signatures made with it are refused.")
            )

    def do_list(self, options: dict[str, Any]) -> None:
        keys = UnitSigningKey.objects.select_related("unit")
        certificates = UnitCertificate.objects.select_related("unit")
        if options["unit"]:
            unit = selectors.unit_get(options["unit"])
            keys, certificates = keys.filter(unit=unit), certificates.filter(unit=unit)
        now = timezone.now()
        for key in keys.order_by("unit__code", "-created_at"):
            state = _("in use") if key.active else _("replaced")
            self.stdout.write(
                "\t".join(
                    [
                        key.unit.code,
                        _("system key"),
                        key.fingerprint,
                        _day(key.created_at),
                        state,
                    ]
                )
            )
        for certificate in certificates.order_by("unit__code", "-valid_from"):
            if certificate.revoked_at is not None:
                state = _("revoked on %(day)s") % {"day": _day(certificate.revoked_at)}
            elif certificate.valid_to < now:
                state = _("expired")
            elif certificate.valid_from > now:
                state = _("not yet valid")
            else:
                state = _("valid")
            self.stdout.write(
                "\t".join(
                    [
                        certificate.unit.code,
                        _("certificate"),
                        certificate.fingerprint,
                        f"{_day(certificate.valid_from)} – {_day(certificate.valid_to)}",
                        state,
                        certificate.subject,
                    ]
                )
            )

    def do_revoke(self, options: dict[str, Any]) -> None:
        certificate = services.certificate_revoke(fingerprint=options["fingerprint"], actor=None)
        self.stdout.write(
            _("Certificate %(fingerprint)s of unit %(unit)s revoked on %(day)s.")
            % {
                "fingerprint": certificate.fingerprint,
                "unit": certificate.unit.code,
                "day": _day(certificate.revoked_at or timezone.now()),
            }
        )


def _day(value: dt.datetime) -> str:
    # dd/mm/yyyy as officers write dates (DESIGN.md), in local time.
    return str(timezone.localtime(value).strftime("%d/%m/%Y"))
