"""`baocao keys` and `baocao reports`, run as an administrator would, output captured."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from baocao.audit.models import ChangeRecord
from baocao.submissions import services
from baocao.submissions.choices import ReportStatus
from baocao.submissions.models import (
    DEFAULT_GRACE_DAYS,
    DataValue,
    Report,
    ReportVersion,
    UnitCertificate,
    UnitSigningKey,
)
from baocao.submissions.tests.conftest import COMMUNE, PROVINCE, REGIME, full_values
from baocao.submissions.tests.test_signing import make_certificate, sign

OFFICER = "canbo-badinh"
REVIEWER = "kiemduyet-hanoi"


@dataclasses.dataclass
class Run:
    out: str
    err: str


def run(command: str, *args: object) -> Run:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *[str(arg) for arg in args], stdout=out, stderr=err)
    return Run(out.getvalue(), err.getvalue())


def refused(command: str, *args: object) -> tuple[CommandError, str]:
    """Run a command that must fail; the error and what it wrote on stderr."""
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(command, *[str(arg) for arg in args], stdout=io.StringIO(), stderr=err)
    return caught.value, err.getvalue()


@pytest.fixture
def filled(report, officer, reviewer):  # type: ignore[no-untyped-def]
    return services.report_save(report=report, values=full_values(report), actor=officer)


# Keys -------------------------------------------------------------------------------------------


def test_keys_create_prints_the_fingerprint_and_replaces_the_old_key(officer):
    old = UnitSigningKey.objects.get(unit__code=COMMUNE)
    result = run("keys", "create", COMMUNE)
    fingerprint = result.out.strip()
    assert len(fingerprint) == 64 and int(fingerprint, 16) >= 0
    key = UnitSigningKey.objects.get(fingerprint=fingerprint)
    assert key.active and key.unit.code == COMMUNE
    old.refresh_from_db()
    assert not old.active


def test_keys_register_list_and_revoke(db, tmp_path):
    _, pem = make_certificate("rsa")
    path = tmp_path / "can-bo.pem"
    path.write_text(pem)
    result = run("keys", "register", COMMUNE, path)
    fingerprint = result.out.splitlines()[0]
    certificate = UnitCertificate.objects.get(fingerprint=fingerprint)
    assert certificate.unit.code == COMMUNE
    assert "Cán bộ thống kê (rsa)" in result.out
    assert result.err == ""

    listed = run("keys", "list", COMMUNE).out.splitlines()
    line = next(line for line in listed if fingerprint in line)
    assert line.startswith(f"{COMMUNE}\t")

    result = run("keys", "revoke", fingerprint.upper())
    assert fingerprint in result.out
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    record = ChangeRecord.objects.filter(
        object_type="submissions.unitcertificate", object_id=str(certificate.pk)
    ).latest("pk")
    assert record.after["revoked_at"] == certificate.revoked_at.isoformat()
    revoked_line = next(
        line for line in run("keys", "list").out.splitlines() if fingerprint in line
    )
    assert revoked_line != line


def test_keys_register_warns_about_an_expired_certificate(db, tmp_path):
    _, pem = make_certificate(not_before=dt.timedelta(days=-400), days=30)
    path = tmp_path / "cu.pem"
    path.write_text(pem)
    result = run("keys", "register", COMMUNE, path)
    assert result.err.strip()
    assert UnitCertificate.objects.filter(unit__code=COMMUNE).count() == 1


def test_keys_errors_exit_2_with_the_reason(db, tmp_path):
    error, _ = refused("keys", "revoke", "ab" * 32)
    assert error.returncode == 2
    assert "ab" * 32 in str(error)
    assert str(error).startswith("fingerprint: ")

    garbage = tmp_path / "rac.pem"
    garbage.write_text("không phải chứng thư")
    error, _ = refused("keys", "register", COMMUNE, garbage)
    assert error.returncode == 2 and str(error).startswith("certificate: ")
    assert not UnitCertificate.objects.exists()

    error, _ = refused("keys", "register", COMMUNE, tmp_path / "khong-co.pem")
    assert error.returncode == 2 and "khong-co.pem" in str(error)

    error, _ = refused("keys", "create", "KHONG-CO")
    assert error.returncode == 2 and "KHONG-CO" in str(error)


# Reading reports ----------------------------------------------------------------------------------


def test_reports_list_filters(filled):
    line = run("reports", "list", "--unit", COMMUNE).out.strip()
    columns = line.split("\t")
    assert columns[:6] == [
        str(filled.pk),
        REGIME,
        filled.period,
        COMMUNE,
        PROVINCE,
        ReportStatus.DRAFT,
    ]
    assert columns[6:] == ["-", filled.deadline.isoformat(), "-", "0"]
    assert run("reports", "list", "--status", "submitted").out == ""
    assert run("reports", "list", "--regime", REGIME, "--period", filled.period).out.strip() == line
    assert run("reports", "list", "--period", "202001").out == ""
    error, _ = refused("reports", "list", "--period", "2026-13")
    assert error.returncode == 2 and str(error).startswith("period: ")
    error, _ = refused("reports", "list", "--regime", "KHONG-CO")
    assert error.returncode == 2


def test_reports_list_as_a_user_shows_only_what_they_may_see(filled, sample_catalogue):
    from baocao.submissions.tests.conftest import make_user

    make_user("canbo-hue", "46", ["reporter"])  # Thành phố Huế: not Hà Nội's subtree
    assert run("reports", "list", "--as", "canbo-hue").out == ""
    assert str(filled.pk) in run("reports", "list", "--as", REVIEWER).out


def test_reports_show(filled, officer):
    services.report_submit(report=filled, actor=officer)
    out = run("reports", "show", filled.pk).out
    assert REGIME in out and COMMUNE in out and PROVINCE in out
    assert "edXML 01" in out
    assert filled.deadline.strftime("%d/%m/%Y") in out
    version = ReportVersion.objects.get(report=filled)
    assert version.digest in out
    # Every transition is a line of the history.
    assert out.count("edXML 01") == 2  # the status and the submit transition


def test_reports_verify_and_tampering_exits_1(filled, officer):
    services.report_submit(report=filled, actor=officer)
    version = ReportVersion.objects.get(report=filled)
    result = run("reports", "verify", filled.pk)
    line = result.out.splitlines()[0]
    assert line.startswith("v1\t") and version.digest in line

    DataValue.objects.filter(pk=DataValue.objects.filter(report=filled).first().pk).update(
        value="123456"
    )
    error, _ = refused("reports", "verify", filled.pk, "--version", 1)
    assert error.returncode == 1

    error, _ = refused("reports", "verify", filled.pk, "--version", 9)
    assert error.returncode == 2


def test_reports_verify_without_versions_has_nothing_to_check(filled):
    assert run("reports", "verify", filled.pk).out.strip()


def test_unknown_report_and_user_exit_2(filled):
    error, _ = refused("reports", "show", 999999)
    assert error.returncode == 2 and "999999" in str(error)
    error, _ = refused("reports", "submit", filled.pk, "--as", "khong-co-ai")
    assert error.returncode == 2 and "khong-co-ai" in str(error)
    # A report the user may not see does not exist for them.
    from baocao.submissions.tests.conftest import make_user

    make_user("canbo-hue", "46", ["reporter"])
    error, _ = refused("reports", "show", filled.pk, "--as", "canbo-hue")
    assert error.returncode == 2 and str(filled.pk) in str(error)


def test_lifecycle_actions_need_a_user(filled):
    error, _ = refused("reports", "submit", filled.pk)
    assert "--as" in str(error)
    error, _ = refused("reports", "return", filled.pk, "--as", REVIEWER)
    assert "--reason" in str(error)


# The lifecycle ------------------------------------------------------------------------------------


def test_submit_return_resubmit_accept(filled):
    result = run("reports", "submit", filled.pk, "--as", OFFICER)
    version = ReportVersion.objects.get(report=filled)
    assert version.digest in result.out
    filled.refresh_from_db()
    assert filled.status == ReportStatus.SUBMITTED

    run("reports", "return", filled.pk, "--as", REVIEWER, "--reason", "Thiếu thuyết minh")
    filled.refresh_from_db()
    assert (filled.status, filled.return_reason) == (ReportStatus.RETURNED, "Thiếu thuyết minh")

    run("reports", "submit", filled.pk, "--as", OFFICER)
    result = run("reports", "accept", filled.pk, "--as", REVIEWER)
    assert "edXML 03" in result.out
    filled.refresh_from_db()
    assert (filled.status, filled.version_count) == (ReportStatus.ACCEPTED, 2)


def test_permissions_apply_and_refusals_exit_2(filled):
    run("reports", "submit", filled.pk, "--as", OFFICER)
    error, _ = refused("reports", "accept", filled.pk, "--as", OFFICER)
    assert error.returncode == 2 and PROVINCE in str(error)
    error, _ = refused("reports", "return", filled.pk, "--as", REVIEWER, "--reason", " ")
    assert error.returncode == 2 and str(error).startswith("reason: ")
    filled.refresh_from_db()
    assert filled.status == ReportStatus.SUBMITTED


def test_recall_and_recall_answers(filled, reviewer):
    run("reports", "submit", filled.pk, "--as", OFFICER)
    run("reports", "recall", filled.pk, "--as", OFFICER)
    filled.refresh_from_db()
    assert filled.status == ReportStatus.DRAFT
    run("reports", "submit", filled.pk, "--as", OFFICER)
    services.report_open(report=filled, actor=reviewer)
    run("reports", "recall", filled.pk, "--as", OFFICER, "--reason", "Nhầm số liệu")
    filled.refresh_from_db()
    assert filled.status == ReportStatus.RECALL_REQUESTED
    run("reports", "recall-refuse", filled.pk, "--as", REVIEWER)
    filled.refresh_from_db()
    assert filled.status == ReportStatus.RESUBMITTED
    run("reports", "recall", filled.pk, "--as", OFFICER)
    run("reports", "recall-agree", filled.pk, "--as", REVIEWER)
    filled.refresh_from_db()
    assert filled.status == ReportStatus.DRAFT


def test_unlock_a_locked_report(filled):
    Report.objects.filter(pk=filled.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=DEFAULT_GRACE_DAYS + 2)
    )
    error, _ = refused("reports", "submit", filled.pk, "--as", OFFICER)
    assert error.returncode == 2
    error, _ = refused("reports", "unlock", filled.pk, "--as", OFFICER, "--reason", "Xin")
    assert error.returncode == 2
    run("reports", "unlock", filled.pk, "--as", REVIEWER, "--reason", "Mất điện", "--days", 2)
    transition = filled.transitions.get(action="unlock")
    assert transition.reason == "Mất điện"
    run("reports", "submit", filled.pk, "--as", OFFICER)
    filled.refresh_from_db()
    assert filled.days_late == DEFAULT_GRACE_DAYS + 2
    error, _ = refused("reports", "unlock", filled.pk, "--as", REVIEWER, "--reason", "Lần nữa")
    assert error.returncode == 2


@pytest.mark.parametrize("form", ["raw", "base64"])
def test_submit_with_a_senders_signature(filled, tmp_path, form):
    key, pem = make_certificate("ecdsa" if form == "raw" else "rsa")
    certificate = services.certificate_register(unit=filled.unit, pem=pem, actor=None)
    document = tmp_path / "bao-cao.json"
    run("reports", "document", filled.pk, "--output", document)
    assert run("reports", "document", filled.pk).out.encode() == document.read_bytes()
    encoded = sign(key, document.read_bytes())
    signature = tmp_path / "bao-cao.sig"
    if form == "raw":
        signature.write_bytes(base64.b64decode(encoded))  # as `openssl dgst -sign` writes it
    else:
        # Wrapped every 64 characters, as `openssl base64` writes it.
        signature.write_text(
            "\n".join(encoded[i : i + 64] for i in range(0, len(encoded), 64)) + "\n"
        )
    run(
        "reports",
        "submit",
        filled.pk,
        "--as",
        OFFICER,
        "--signature",
        signature,
        "--certificate",
        certificate.fingerprint,
    )
    version = ReportVersion.objects.get(report=filled)
    assert (version.signature_method, version.certificate_fingerprint) == (
        "client",
        certificate.fingerprint,
    )
    assert run("reports", "verify", filled.pk).out.startswith("v1\t")


def test_a_bad_senders_signature_exits_2_and_writes_nothing(filled, tmp_path):
    key, pem = make_certificate("rsa")
    certificate = services.certificate_register(unit=filled.unit, pem=pem, actor=None)
    signature = tmp_path / "sai.sig"
    signature.write_text(sign(key, b"something else"))
    error, _ = refused(
        "reports",
        "submit",
        filled.pk,
        "--as",
        OFFICER,
        "--signature",
        signature,
        "--certificate",
        certificate.fingerprint,
    )
    assert error.returncode == 2 and str(error).startswith("signature: ")
    assert not ReportVersion.objects.filter(report=filled).exists()


def test_submit_with_missing_values_prints_each_problem(report):
    error, err = refused("reports", "submit", report.pk, "--as", OFFICER)
    assert error.returncode == 2
    problems = err.strip().splitlines()
    assert len(problems) == len(full_values(report))
    assert all("BM-DVC-THANG/HO_SO/" in line for line in problems)


# Late and missing reports ----------------------------------------------------------------------


def test_late_lists_late_missing_and_never_opened(filled, officer, sample_catalogue):
    from baocao.submissions.tests.conftest import make_user

    # The commune sent 2 days late; another Hà Nội commune opened its report and never sent it.
    Report.objects.filter(pk=filled.pk).update(deadline=timezone.localdate() - dt.timedelta(days=2))
    services.report_submit(report=filled, actor=officer)
    neighbour = make_user("canbo-hoankiem", "00070", ["reporter"])
    other = services.report_get_or_create(
        regime=REGIME, unit="00070", period=filled.period, actor=neighbour
    )
    Report.objects.filter(pk=other.pk).update(deadline=timezone.localdate() - dt.timedelta(days=2))
    lines = run("reports", "late", "--as", REVIEWER).out.splitlines()
    rows = {line.split("\t")[3]: line.split("\t") for line in lines}
    assert set(rows) == {COMMUNE, "00070"}
    assert rows[COMMUNE][0] == str(filled.pk)
    assert rows[COMMUNE][5:] == [
        ReportStatus.SUBMITTED,
        (timezone.localdate() - dt.timedelta(days=2)).strftime("%d/%m/%Y"),
        "2",
        rows[COMMUNE][8],
    ]
    assert rows[COMMUNE][8] != rows["00070"][8]  # late vs missing
    assert rows["00070"][7] == "2"


def test_late_for_a_passed_period_lists_units_that_never_opened_it(db, sample_catalogue, reviewer):
    # December 2025: Hà Nội's communes owed it in January 2026 and none opened it here.
    lines = run("reports", "late", "--regime", REGIME, "--period", "202512", "--as", REVIEWER)
    rows = [line.split("\t") for line in lines.out.splitlines()]
    assert len(rows) > 100  # Hà Nội has 126 communes and wards since 1 July 2025
    assert all(row[0] == "-" and row[5] == ReportStatus.NOT_STARTED for row in rows)
    assert COMMUNE in {row[3] for row in rows}
    assert all(row[1] == REGIME and row[2] == "202512" for row in rows)
