"""Signed submissions: the system's key, senders' RSA and ECDSA certificates, tampering found."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import unicodedata

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from baocao.core.errors import DomainError
from baocao.organisations.models import Unit
from baocao.submissions import canonical, selectors, services
from baocao.submissions.choices import ReportStatus, SignatureAlgorithm, SignatureMethod
from baocao.submissions.models import (
    Attachment,
    DataValue,
    NarrativeText,
    ReportVersion,
    UnitCertificate,
)
from baocao.submissions.tests.conftest import COMMUNE, PROVINCE, full_values

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def make_certificate(
    kind: str = "ecdsa", *, not_before: dt.timedelta = dt.timedelta(days=-1), days: int = 365
) -> tuple[Key, str]:
    """A self-signed certificate, as a sender's token would hold (valid from `now + not_before`)."""
    key: Key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "rsa"
        else ec.generate_private_key(ec.SECP256R1())
    )
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "UBND Phường Ba Đình"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Cán bộ thống kê ({kind})"),
        ]
    )
    start = dt.datetime.now(dt.UTC) + not_before
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return key, certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def sign(key: Key, data: bytes) -> str:
    if isinstance(key, rsa.RSAPrivateKey):
        raw = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        raw = key.sign(data, ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(raw).decode("ascii")


def next_version_bytes(report) -> bytes:  # type: ignore[no-untyped-def]
    """What the sender signs: the canonical bytes of the version about to be submitted."""
    report.refresh_from_db()
    document = selectors.report_document(report, version=report.version_count + 1)
    return canonical.canonical_bytes(document)


def register(pem: str, unit: str = COMMUNE) -> UnitCertificate:
    return services.certificate_register(unit=Unit.objects.get(code=unit), pem=pem, actor=None)


@pytest.fixture
def filled(report, officer):  # type: ignore[no-untyped-def]
    return services.report_save(
        report=report,
        values=full_values(report),
        narratives={"DANH_GIA": "Tiếp nhận đúng hạn 98% hồ sơ."},
        actor=officer,
    )


def submit_signed(report, officer, signature: str, fingerprint: str):  # type: ignore[no-untyped-def]
    return services.report_submit(
        report=report,
        actor=officer,
        client_signature=services.ClientSignature(
            signature=signature, certificate_fingerprint=fingerprint
        ),
    )


def assert_nothing_written(report) -> None:  # type: ignore[no-untyped-def]
    report.refresh_from_db()
    assert not ReportVersion.objects.filter(report=report).exists()
    assert (report.status, report.version_count) == (ReportStatus.DRAFT, 0)


# Signatures -----------------------------------------------------------------------------------


def test_the_system_signs_with_the_units_key_and_the_signature_verifies(filled, officer):
    version = services.report_submit(report=filled, actor=officer)
    assert version.signature_method == SignatureMethod.SERVER
    assert version.signature_algorithm == SignatureAlgorithm.ECDSA_SHA256
    assert version.digest == hashlib.sha256(canonical.canonical_bytes(version.content)).hexdigest()
    result = selectors.version_verify(version)
    assert (result.signature_valid, result.digest_matches, result.data_matches) == (
        True,
        True,
        True,
    )
    assert result.ok and result.problems == []


@pytest.mark.parametrize(
    ("kind", "algorithm"),
    [("rsa", SignatureAlgorithm.RSA_SHA256), ("ecdsa", SignatureAlgorithm.ECDSA_SHA256)],
)
def test_a_sender_signs_with_a_registered_certificate(filled, officer, kind, algorithm):
    key, pem = make_certificate(kind)
    certificate = register(pem)
    version = submit_signed(
        filled, officer, sign(key, next_version_bytes(filled)), certificate.fingerprint
    )
    assert version.signature_method == SignatureMethod.CLIENT
    assert version.signature_algorithm == algorithm
    assert version.certificate_fingerprint == certificate.fingerprint
    assert "Cán bộ thống kê" in version.signer_subject
    assert selectors.version_verify(version).ok


def test_the_fingerprint_may_be_written_with_colons_in_capitals(filled, officer):
    key, pem = make_certificate()
    certificate = register(pem)
    written = ":".join(certificate.fingerprint[i : i + 2].upper() for i in range(0, 64, 2))
    version = submit_signed(filled, officer, sign(key, next_version_bytes(filled)), written)
    assert version.certificate_fingerprint == certificate.fingerprint


def test_an_unregistered_certificate_is_refused(filled, officer):
    key, pem = make_certificate()
    fingerprint = x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA256()).hex()
    with pytest.raises(DomainError) as caught:
        submit_signed(filled, officer, sign(key, next_version_bytes(filled)), fingerprint)
    assert caught.value.code == "unknown_certificate"
    assert caught.value.field == "certificate"
    assert_nothing_written(filled)


def test_a_certificate_of_another_unit_is_refused(filled, officer):
    key, pem = make_certificate()
    certificate = register(pem, unit=PROVINCE)
    with pytest.raises(DomainError) as caught:
        submit_signed(
            filled, officer, sign(key, next_version_bytes(filled)), certificate.fingerprint
        )
    assert caught.value.code == "unknown_certificate"
    assert caught.value.args_dict["unit"] == COMMUNE
    assert_nothing_written(filled)


def test_a_revoked_certificate_is_refused_but_earlier_versions_still_verify(
    filled, officer, reviewer
):
    key, pem = make_certificate("rsa")
    certificate = register(pem)
    first = submit_signed(
        filled, officer, sign(key, next_version_bytes(filled)), certificate.fingerprint
    )
    services.report_return(report=filled, actor=reviewer, reason="Bổ sung số liệu")
    revoked = services.certificate_revoke(fingerprint=certificate.fingerprint, actor=None)
    assert revoked.revoked_at is not None
    with pytest.raises(DomainError) as caught:
        submit_signed(
            filled, officer, sign(key, next_version_bytes(filled)), certificate.fingerprint
        )
    assert caught.value.code == "unknown_certificate"
    assert ReportVersion.objects.filter(report=filled).count() == 1
    # The certificate was in force when the first version was signed.
    assert selectors.version_verify(first).signature_valid


def test_revoking_twice_keeps_the_first_date_and_an_unknown_fingerprint_is_named(db):
    _, pem = make_certificate()
    certificate = register(pem)
    first = services.certificate_revoke(fingerprint=certificate.fingerprint, actor=None)
    again = services.certificate_revoke(fingerprint=certificate.fingerprint.upper(), actor=None)
    assert again.revoked_at == first.revoked_at
    with pytest.raises(DomainError) as caught:
        services.certificate_revoke(fingerprint="ab" * 32, actor=None)
    assert (caught.value.code, caught.value.args_dict) == (
        "certificate_not_found",
        {"fingerprint": "ab" * 32},
    )


def test_a_wrong_signature_is_refused_and_nothing_is_written(filled, officer):
    key, pem = make_certificate()
    certificate = register(pem)
    # Signed over the current version number instead of the next one: other bytes.
    document = selectors.report_document(filled, version=filled.version_count)
    wrong = sign(key, canonical.canonical_bytes(document))
    revision = filled.revision
    with pytest.raises(DomainError) as caught:
        submit_signed(filled, officer, wrong, certificate.fingerprint)
    assert (caught.value.code, caught.value.field) == ("signature_invalid", "signature")
    assert_nothing_written(filled)
    assert filled.revision == revision
    for garbage in ("không phải base64", base64.b64encode(b"x" * 64).decode()):
        with pytest.raises(DomainError) as caught:
            submit_signed(filled, officer, garbage, certificate.fingerprint)
        assert caught.value.code == "signature_invalid"
    assert_nothing_written(filled)


def test_a_signature_by_another_key_for_the_same_certificate_is_refused(filled, officer):
    _, pem = make_certificate()
    other_key, _ = make_certificate()
    certificate = register(pem)
    with pytest.raises(DomainError) as caught:
        submit_signed(
            filled, officer, sign(other_key, next_version_bytes(filled)), certificate.fingerprint
        )
    assert caught.value.code == "signature_invalid"
    assert_nothing_written(filled)


@pytest.mark.parametrize(
    ("not_before", "days"),
    [(dt.timedelta(days=-400), 30), (dt.timedelta(days=10), 365)],
    ids=["expired", "not-yet-valid"],
)
def test_a_certificate_out_of_its_validity_is_refused(filled, officer, not_before, days):
    key, pem = make_certificate(not_before=not_before, days=days)
    certificate = register(pem)
    with pytest.raises(DomainError) as caught:
        submit_signed(
            filled, officer, sign(key, next_version_bytes(filled)), certificate.fingerprint
        )
    assert caught.value.code == "certificate_invalid"
    assert_nothing_written(filled)


def test_a_file_that_is_no_certificate_cannot_be_registered(db):
    with pytest.raises(DomainError) as caught:
        register("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    assert caught.value.code == "certificate_invalid"
    assert not UnitCertificate.objects.exists()


# Tampering ------------------------------------------------------------------------------------


@pytest.fixture
def submitted(filled, officer, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    services.attachment_add(
        report=filled,
        name="bien-ban.txt",
        content="Biên bản họp giao ban".encode(),
        content_type="text/plain",
        actor=officer,
    )
    return services.report_submit(report=filled, actor=officer)


def test_untouched_version_verifies(submitted):
    result = selectors.version_verify(submitted)
    assert result.ok
    assert [item["name"] for item in submitted.content["attachments"]] == ["bien-ban.txt"]


def test_a_value_changed_in_the_database_is_detected(submitted):
    value = DataValue.objects.filter(report=submitted.report).order_by("pk").first()
    DataValue.objects.filter(pk=value.pk).update(value="999999")
    result = selectors.version_verify(submitted)
    assert (result.signature_valid, result.digest_matches) == (True, True)
    assert result.data_matches is False
    assert not result.ok
    assert result.problems == ["data"]


def test_a_value_deleted_in_the_database_is_detected(submitted):
    DataValue.objects.filter(report=submitted.report).order_by("pk").first().delete()
    assert selectors.version_verify(submitted).data_matches is False


def test_stored_content_changed_is_detected(submitted):
    content = dict(submitted.content)
    content["values"] = [[*content["values"][0][:2], "1", ""], *content["values"][1:]]
    ReportVersion.objects.filter(pk=submitted.pk).update(content=content)
    submitted.refresh_from_db()
    result = selectors.version_verify(submitted)
    assert result.digest_matches is False
    assert result.signature_valid is False
    assert not result.ok


def test_stored_content_and_digest_changed_together_still_fail_the_signature(submitted):
    content = {**submitted.content, "period": "199901"}
    ReportVersion.objects.filter(pk=submitted.pk).update(
        content=content, digest=canonical.digest(content)
    )
    submitted.refresh_from_db()
    result = selectors.version_verify(submitted)
    assert result.digest_matches is True
    assert result.signature_valid is False
    assert not result.ok


def test_a_narrative_changed_in_the_database_is_detected(submitted):
    NarrativeText.objects.filter(report=submitted.report, code="DANH_GIA").update(
        text="Tiếp nhận đúng hạn 100% hồ sơ."
    )
    result = selectors.version_verify(submitted)
    assert result.data_matches is False and not result.ok


def test_an_attachment_hash_changed_in_the_database_is_detected(submitted):
    Attachment.objects.filter(report=submitted.report).update(sha256="0" * 64)
    result = selectors.version_verify(submitted)
    assert result.data_matches is False and not result.ok


def test_a_version_reopened_legitimately_is_not_compared_with_the_new_draft(
    submitted, officer, reviewer
):
    report = submitted.report
    services.report_return(report=report, actor=reviewer, reason="Sửa số liệu")
    first = full_values(report)[0]
    services.report_save(
        report=report,
        values=[services.ValueInput(first.indicator, first.disaggregation, "5")],
        actor=officer,
    )
    result = selectors.version_verify(ReportVersion.objects.get(pk=submitted.pk))
    assert result.data_matches is None
    assert result.ok


# Canonical serialisation ------------------------------------------------------------------------


def tiny(**changes):  # type: ignore[no-untyped-def]
    arguments = {
        "regime": "BC-DVC-THANG",
        "step": 1,
        "unit": "00004",
        "receiver": "01",
        "period": "202611",
        "version": 1,
        "values": [
            ("HCC.HS_TIEP_NHAN", "", "120", ""),
            ("HCC.HS_GQ_QUA_HAN", "", "2", "Do thiếu hồ sơ"),
        ],
        "narrative": {"KIEN_NGHI": "", "DANH_GIA": "Hoàn thành"},
        "attachments": [("bien-ban.pdf", "ab" * 32, 1024)],
    }
    arguments.update(changes)
    return canonical.canonical_document(**arguments)


def test_golden_bytes_of_a_tiny_document():
    data = canonical.canonical_bytes(tiny())
    assert data == (
        '{"attachments":[{"name":"bien-ban.pdf","sha256":"'
        + "ab" * 32
        + '","size":1024}],"format":"baocao-report/1","narrative":{"DANH_GIA":"Hoàn thành"},'
        '"period":"202611","receiver":"01","regime":"BC-DVC-THANG","step":1,"unit":"00004",'
        '"values":[["HCC.HS_GQ_QUA_HAN","","2","Do thiếu hồ sơ"],'
        '["HCC.HS_TIEP_NHAN","","120",""]],"version":1}'
    ).encode("utf-8")
    # UTF-8, not \u escapes, and the text as stored (NFC): "à" is one code point.
    assert "Hoàn".encode() in data and b"\\u" not in data
    assert canonical.digest(tiny()) == hashlib.sha256(data).hexdigest()


def test_the_same_content_gives_the_same_bytes_whatever_the_order():
    reordered = tiny(
        values=[
            ("HCC.HS_GQ_QUA_HAN", "", "2", "Do thiếu hồ sơ"),
            ("HCC.HS_TIEP_NHAN", "", "120", ""),
        ],
        narrative={"DANH_GIA": "Hoàn thành", "KIEN_NGHI": ""},
    )
    assert canonical.canonical_bytes(reordered) == canonical.canonical_bytes(tiny())
    # An empty narrative section is no section; any other change is another document.
    assert canonical.canonical_bytes(tiny(narrative={"DANH_GIA": "Hoàn thành"})) == (
        canonical.canonical_bytes(tiny())
    )
    assert canonical.digest(tiny(version=2)) != canonical.digest(tiny())


def test_stored_content_is_the_same_whatever_order_it_was_entered_in(report, officer):
    values = full_values(report)
    narratives = {"DANH_GIA": "Tốt", "KHO_KHAN": "Thiếu cán bộ", "KIEN_NGHI": "Bổ sung biên chế"}
    services.report_save(report=report, values=values, narratives=narratives, actor=officer)
    first = next_version_bytes(report)
    # Remove everything, then enter it again in the opposite order.
    services.report_save(
        report=report,
        values=[services.ValueInput(v.indicator, v.disaggregation, "") for v in values],
        narratives={code: "" for code in narratives},
        actor=officer,
    )
    assert not DataValue.objects.filter(report=report).exists()
    services.report_save(
        report=report,
        values=list(reversed(values)),
        narratives=dict(reversed(list(narratives.items()))),
        actor=officer,
    )
    assert next_version_bytes(report) == first


def test_text_typed_decomposed_is_signed_composed(report, officer):
    composed = "Hồ sơ quá hạn do thiếu giấy tờ"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    values = full_values(report)
    values[0] = services.ValueInput(values[0].indicator, "", values[0].value, comment=decomposed)
    services.report_save(
        report=report, values=values, narratives={"KHO_KHAN": decomposed}, actor=officer
    )
    data = next_version_bytes(report)
    assert data.count(composed.encode()) == 2
    assert unicodedata.normalize("NFD", composed).encode() not in data
