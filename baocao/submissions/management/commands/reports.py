"""`baocao reports ...`: reports from the command line, through the services of the web and API.

baocao reports list [--unit CODE] [--regime CODE] [--period CODE] [--status S]
baocao reports show ID
baocao reports verify ID [--version N]          exit status 1 when a version fails (tampering)
baocao reports late [--regime CODE] [--period CODE]
baocao reports document ID [--output FILE]      the canonical bytes a sender signs
baocao reports submit ID --as USER [--signature FILE --certificate FINGERPRINT]
baocao reports accept ID --as USER [--reason TEXT]
baocao reports return ID --as USER --reason TEXT
baocao reports recall ID --as USER [--reason TEXT]
baocao reports recall-agree ID --as USER [--reason TEXT]
baocao reports recall-refuse ID --as USER [--reason TEXT]
baocao reports unlock ID --as USER --reason TEXT [--days N]

Lifecycle actions need `--as`: the CLI acts as that user, so the same permissions apply as
on the web. Reading commands accept `--as` too; without it they see every report (the CLI
runs on the server, as its administrator). A refused action prints the reason, with where
the problem is, and exits with status 2.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao.catalogue.labels import day_label, period_code_label
from baocao.core.errors import DomainError, Rejected
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.submissions import permissions, selectors, services
from baocao.submissions.canonical import canonical_bytes
from baocao.submissions.choices import EDXML_STATUS_OF_STATUS, ReportAction, ReportStatus
from baocao.submissions.models import Report, ReportTransition

# Like argparse's usage errors: 2 means the input or the action was refused.
REFUSED = 2
# 1 means verification found a version that no longer matches its signature or data.
TAMPERED = 1


class Command(BaseCommand):
    help = "List, show, verify and move reports through their lifecycle."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="List reports, newest period first.")
        listing.add_argument("--unit", help="reporting unit code")
        listing.add_argument("--regime", help="regime code")
        listing.add_argument("--period", help="period code (2026, 2026Q3, 202611, …)")
        listing.add_argument("--status", choices=ReportStatus.values)
        show = sub.add_parser("show", help="A report's status, deadline, versions and history.")
        show.add_argument("id", type=int)
        verify = sub.add_parser(
            "verify", help="Check each version's signature, digest and stored data."
        )
        verify.add_argument("id", type=int)
        verify.add_argument("--version", type=int, help="only this version number")
        late = sub.add_parser(
            "late",
            help="Reports sent after their deadline or not sent by it; with --regime and"
            " --period, also the units that owe the report and never opened it.",
        )
        late.add_argument("--regime", help="regime code")
        late.add_argument("--period", help="period code")
        document = sub.add_parser(
            "document", help="Write the canonical bytes of the next version, for signing."
        )
        document.add_argument("id", type=int)
        document.add_argument("--output", type=Path, help="file to write (default: stdout)")
        for name in ("list", "show", "verify", "late", "document"):
            sub.choices[name].add_argument(
                "--as", dest="username", help="act as this user (only what they may see)"
            )

        actions = {
            "submit": "Sign and send the report (with the unit's key unless --signature).",
            "accept": "Accept a sent report (receiver's reviewer).",
            "return": "Return a sent or accepted report with a reason (receiver's reviewer).",
            "recall": "Take back a sent report (a request once the receiver has opened it).",
            "recall-agree": "Agree to a recall request (receiver's reviewer).",
            "recall-refuse": "Refuse a recall request (receiver's reviewer).",
            "unlock": "Allow changes to a locked report for some days (receiver's reviewer).",
        }
        for name, text in actions.items():
            action = sub.add_parser(name, help=text)
            action.add_argument("id", type=int)
            action.add_argument("--as", dest="username", required=True, help="acting user")
            action.add_argument(
                "--reason", required=name in ("return", "unlock"), default="", help="why"
            )
        sub.choices["unlock"].add_argument(
            "--days", type=int, default=3, help="days the report stays open (1 to 60)"
        )
        sub.choices["submit"].add_argument(
            "--signature", type=Path, help="detached signature by the sender (base64 or raw)"
        )
        sub.choices["submit"].add_argument(
            "--certificate", default="", help="fingerprint of the sender's registered certificate"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            user = _user(options.get("username"))
            getattr(self, f"do_{action.replace('-', '_')}")(options, user)
        except Rejected as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("Nothing was changed: %(count)d problem(s).") % {"count": len(exc.problems)},
                returncode=REFUSED,
            ) from None
        except DomainError as exc:
            raise CommandError(str(exc), returncode=REFUSED) from None

    # Reading ------------------------------------------------------------------------------------

    def do_list(self, options: dict[str, Any], user: AbstractBaseUser | None) -> None:
        reports = _visible(user)
        if options["unit"]:
            reports = reports.filter(unit=selectors.unit_get(options["unit"]))
        if options["regime"]:
            reports = reports.filter(regime=selectors.regime_get(options["regime"]))
        if options["period"]:
            reports = reports.filter(period=selectors.period_parse(options["period"]).code)
        if options["status"]:
            reports = reports.filter(status=options["status"])
        for report in reports.order_by("-period", "regime__code", "unit__code", "step_order"):
            self.stdout.write(
                "\t".join(
                    [
                        str(report.pk),
                        report.regime.code,
                        report.period,
                        report.unit.code,
                        report.receiver.code,
                        report.status,
                        EDXML_STATUS_OF_STATUS.get(report.status, "-"),
                        report.deadline.isoformat(),
                        "-" if report.days_late is None else str(report.days_late),
                        str(report.version_count),
                    ]
                )
            )

    def do_show(self, options: dict[str, Any], user: AbstractBaseUser | None) -> None:
        report = _report(options["id"], user)
        out = self.stdout.write
        out(
            _("Report %(id)s: %(regime)s – %(name)s")
            % {"id": report.pk, "regime": report.regime.code, "name": report.regime.name}
        )
        out(
            _("Period: %(label)s (%(code)s)")
            % {"label": period_code_label(report.period), "code": report.period}
        )
        out(
            _("From %(unit)s to %(receiver)s")
            % {"unit": _unit_label(report.unit), "receiver": _unit_label(report.receiver)}
        )
        step = report.regime_version.steps.filter(order=report.step_order).first()
        if step is not None and step.name:
            out(_("Reporting step: %(name)s") % {"name": step.name})
        edxml = EDXML_STATUS_OF_STATUS.get(report.status)
        status = ReportStatus(report.status).label
        out(
            _("Status: %(status)s (edXML %(code)s)") % {"status": status, "code": edxml}
            if edxml
            else _("Status: %(status)s") % {"status": status}
        )
        if report.return_reason:
            out(_("Reason for return: %(reason)s") % {"reason": report.return_reason})
        out(_("Deadline: %(day)s") % {"day": day_label(report.deadline)})
        out(self._lateness(report))
        out(self._lock(report))
        versions = list(selectors.report_versions(report))
        out(_("Versions: %(count)d") % {"count": len(versions)})
        for version in versions:
            out(
                "  "
                + "\t".join(
                    [
                        f"v{version.number}",
                        _moment(version.submitted_at),
                        version.submitted_by_name,
                        _("%(days)d day(s) late") % {"days": version.days_late},
                        f"{version.signature_method} {version.signature_algorithm}",
                        version.certificate_fingerprint,
                        version.digest,
                    ]
                )
            )
        transitions = ReportTransition.objects.filter(report=report).order_by("at", "pk")
        out(_("History:"))
        for transition in transitions:
            out(
                "  "
                + "\t".join(
                    [
                        _moment(transition.at),
                        str(ReportAction(transition.action).label),
                        f"{_status_label(transition.from_status)} → "
                        f"{_status_label(transition.to_status)}",
                        transition.actor_name,
                        f"edXML {transition.edxml_status}" if transition.edxml_status else "",
                        transition.reason,
                    ]
                ).rstrip("\t")
            )

    def _lateness(self, report: Report) -> str:
        if report.days_late is not None:
            return _("Days late at the first submission: %(days)d") % {"days": report.days_late}
        late = selectors.days_late(report.deadline, timezone.now())
        if late:
            return _("Not sent; %(days)d day(s) past the deadline.") % {"days": late}
        return _("Not sent yet; the deadline has not passed.")

    def _lock(self, report: Report) -> str:
        grace = selectors.grace_days(report.regime)
        locked_at = selectors.lock_time(report)
        if selectors.is_locked(report):
            return _(
                "Locked since %(day)s (deadline plus %(grace)s day(s) of grace);"
                " the receiver may unlock it."
            ) % {"day": _moment(locked_at), "grace": grace}
        now = timezone.now()
        if now >= locked_at and report.unlocked_until:
            return _("Unlocked until %(moment)s.") % {"moment": _moment(report.unlocked_until)}
        last_day = timezone.localtime(locked_at).date() - dt.timedelta(days=1)
        return _("Changes allowed until %(day)s (deadline plus %(grace)s day(s) of grace).") % {
            "day": day_label(last_day),
            "grace": grace,
        }

    def do_verify(self, options: dict[str, Any], user: AbstractBaseUser | None) -> None:
        report = _report(options["id"], user)
        if options["version"] is not None:
            versions = [selectors.version_get(report=report, number=options["version"])]
        else:
            versions = list(selectors.report_versions(report))
        if not versions:
            self.stdout.write(_("The report has no submitted version; nothing to verify."))
            return
        failed = 0
        for version in versions:
            result = selectors.version_verify(version)
            failed += not result.ok
            if result.data_matches is None:
                data = _("data not compared (the report was reopened since)")
            elif result.data_matches:
                data = _("stored data matches")
            else:
                data = _("stored data DIFFERS")
            self.stdout.write(
                "\t".join(
                    [
                        f"v{version.number}",
                        _("signature valid") if result.signature_valid else _("signature INVALID"),
                        _("digest matches") if result.digest_matches else _("digest DIFFERS"),
                        data,
                        version.digest,
                        version.signer_subject,
                    ]
                )
            )
        if failed:
            raise CommandError(
                _(
                    "Tampering detected: %(count)d version(s) no longer match their signature"
                    " or the stored data."
                )
                % {"count": failed},
                returncode=TAMPERED,
            )
        self.stdout.write(_("All %(count)d version(s) verified.") % {"count": len(versions)})

    def do_late(self, options: dict[str, Any], user: AbstractBaseUser | None) -> None:
        regime = selectors.regime_get(options["regime"]) if options["regime"] else None
        period = selectors.period_parse(options["period"]) if options["period"] else None
        rows = selectors.late_reports(user=user, regime=regime, period=period, now=timezone.now())
        for row in rows:
            self.stdout.write(
                "\t".join(
                    [
                        row.report_id,
                        row.regime,
                        row.period,
                        row.unit,
                        row.name,
                        row.status,
                        day_label(row.deadline),
                        str(row.days),
                        _("missing") if row.missing else _("late"),
                    ]
                )
            )

    def do_document(self, options: dict[str, Any], user: AbstractBaseUser | None) -> None:
        report = _report(options["id"], user)
        document = selectors.report_document(report, version=report.version_count + 1)
        data = canonical_bytes(document)
        if options["output"]:
            options["output"].write_bytes(data)
            self.stdout.write(
                _("Version %(number)s written to %(path)s (%(size)d bytes).")
                % {"number": report.version_count + 1, "path": options["output"], "size": len(data)}
            )
        else:
            self.stdout.write(data.decode("utf-8"), ending="")

    # Lifecycle ----------------------------------------------------------------------------------

    def do_submit(self, options: dict[str, Any], user: AbstractBaseUser) -> None:
        report = _report(options["id"], user)
        signature = None
        if options["signature"] is not None:
            signature = services.ClientSignature(
                signature=_read_signature(options["signature"]),
                certificate_fingerprint=options["certificate"],
            )
        version = services.report_submit(report=report, actor=user, client_signature=signature)
        report.refresh_from_db()
        self.stdout.write(
            _("Version %(number)s sent to %(receiver)s (%(days)d day(s) late); status: %(status)s.")
            % {
                "number": version.number,
                "receiver": report.receiver.code,
                "days": version.days_late,
                "status": ReportStatus(report.status).label,
            }
        )
        self.stdout.write(version.digest)

    def do_accept(self, options: dict[str, Any], user: AbstractBaseUser) -> None:
        report = services.report_accept(
            report=_report(options["id"], user), actor=user, reason=options["reason"]
        )
        self._status(report)

    def do_return(self, options: dict[str, Any], user: AbstractBaseUser) -> None:
        report = services.report_return(
            report=_report(options["id"], user), actor=user, reason=options["reason"]
        )
        self._status(report)

    def do_recall(self, options: dict[str, Any], user: AbstractBaseUser) -> None:
        report = services.report_recall(
            report=_report(options["id"], user), actor=user, reason=options["reason"]
        )
        self._status(report)

    def do_recall_agree(self, options: dict[str, Any], user: AbstractBaseUser) -> None:
        report = services.report_recall_answer(
            report=_report(options["id"], user), actor=user, agree=True, reason=options["reason"]
        )
        self._status(report)

    def do_recall_refuse(self, options: dict[str, Any], user: AbstractBaseUser) -> None:
        report = services.report_recall_answer(
            report=_report(options["id"], user), actor=user, agree=False, reason=options["reason"]
        )
        self._status(report)

    def do_unlock(self, options: dict[str, Any], user: AbstractBaseUser) -> None:
        report = services.report_unlock(
            report=_report(options["id"], user),
            actor=user,
            reason=options["reason"],
            days=options["days"],
        )
        until = report.unlocked_until or timezone.now()
        self.stdout.write(
            _("Report %(id)s may be changed until %(moment)s.")
            % {"id": report.pk, "moment": _moment(until)}
        )

    def _status(self, report: Report) -> None:
        edxml = EDXML_STATUS_OF_STATUS.get(report.status)
        status = ReportStatus(report.status).label
        self.stdout.write(
            _("Report %(id)s: %(status)s (edXML %(code)s).")
            % {"id": report.pk, "status": status, "code": edxml}
            if edxml
            else _("Report %(id)s: %(status)s.") % {"id": report.pk, "status": status}
        )


# Helpers ----------------------------------------------------------------------------------------


def _user(username: str | None) -> AbstractBaseUser | None:
    if username is None:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(
            _("Unknown or inactive user %(username)s.") % {"username": username},
            returncode=REFUSED,
        )
    return user


def _visible(user: AbstractBaseUser | None) -> QuerySet[Report]:
    reports = selectors.reports()
    return reports if user is None else permissions.visible_reports(user, reports)


def _report(report_id: int, user: AbstractBaseUser | None) -> Report:
    # A report the user may not see does not exist for them, as on the web.
    return selectors.report_get(report_id=report_id, user=user)


def _read_signature(path: Path) -> str:
    """A detached signature file: base64 text or the raw bytes (`openssl dgst -sign`)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(
            _("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": error.strerror},
            returncode=REFUSED,
        ) from None
    try:
        # `openssl base64` wraps its output every 64 characters.
        text = "".join(data.decode("ascii").split())
        base64.b64decode(text, validate=True)
        return text
    except (UnicodeDecodeError, binascii.Error, ValueError):
        return base64.b64encode(data).decode("ascii")


def _unit_label(unit: Unit) -> str:
    version = org_selectors.unit_last_version(unit=unit)
    return f"{unit.code} {version.name}" if version is not None else unit.code


def _status_label(status: str) -> str:
    return str(ReportStatus(status).label)


def _moment(value: dt.datetime) -> str:
    # As officers write times; the same form as the lock and revision messages.
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")
