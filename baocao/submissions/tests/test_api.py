"""The reports API as a system uses it: token auth, plain numbers, signatures, idempotency."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from baocao.catalogue.models import Regime
from baocao.organisations.models import Unit
from baocao.submissions import services
from baocao.submissions.layout import report_layout
from baocao.submissions.models import (
    DataValue,
    Report,
    ReportTransition,
    ReportVersion,
)
from baocao.submissions.tests.conftest import COMMUNE, REGIME, open_period, plausible_value

pytestmark = pytest.mark.django_db


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def system_token(unit: str = COMMUNE, username: str = "he-thong-mot-cua") -> str:
    out = io.StringIO()
    call_command("tokens", "create", "--unit", unit, "--username", username, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def system(officer):  # type: ignore[no-untyped-def]
    """The one-stop-shop software of Phường Ba Đình, pushing its figures by API."""
    return token_client(system_token())


@pytest.fixture
def province(reviewer):  # type: ignore[no-untyped-def]
    return token_client(Token.objects.create(user=reviewer).key)


def cell_keys() -> list[tuple[str, str]]:
    version = Regime.objects.get(code=REGIME).versions.get()
    return [cell.key for cell in report_layout(version).cell_list()]


def payload(**extra):  # type: ignore[no-untyped-def]
    values = [
        {
            "indicator": indicator,
            "disaggregation": disaggregation,
            "value": plausible_value(indicator, number),
        }
        for number, (indicator, disaggregation) in enumerate(cell_keys())
    ]
    return {
        "regime": REGIME,
        "unit": COMMUNE,
        "period": open_period().code,
        "values": values,
        "narratives": {"DANH_GIA": "Hồ sơ được giải quyết đúng hạn."},
        **extra,
    }


def counts(report_id: int | None = None) -> tuple[int, ...]:
    reports = Report.objects.all() if report_id is None else Report.objects.filter(pk=report_id)
    return (
        reports.count(),
        ReportVersion.objects.filter(report__in=reports).count(),
        DataValue.objects.filter(report__in=reports).count(),
        ReportTransition.objects.filter(report__in=reports).count(),
    )


def test_tokens_command_creates_a_reporter_of_the_unit_that_cannot_sign_in(officer):
    key = system_token()
    token = Token.objects.select_related("user__unit").get(key=key)
    assert token.user.unit.code == COMMUNE
    assert token.user.has_role("reporter")
    assert not token.user.has_usable_password()
    out = io.StringIO()
    call_command("tokens", "list", stdout=out)
    assert out.getvalue().startswith(f"he-thong-mot-cua\t{COMMUNE}\t{key[:6]}")
    assert key not in out.getvalue()


def test_create_save_submit_return_resubmit_accept(system, province):
    created = system.post("/api/v1/reports/", payload(), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    report_id = body["id"]
    assert (body["status"], body["revision"], body["receiver"]) == ("draft", 2, "01")
    assert body["unit_name"] == "Phường Ba Đình"
    assert len(body["values"]) == len(cell_keys())
    assert {value["channel"] for value in body["values"]} == {"api"}
    assert body["narratives"] == {"DANH_GIA": "Hồ sơ được giải quyết đúng hạn."}
    assert body["locked"] is False

    # Saving again is an update of the same report: 200 and the next revision.
    again = system.post("/api/v1/reports/", payload(revision=2), format="json")
    assert (again.status_code, again.json()["id"], again.json()["revision"]) == (200, report_id, 3)

    submitted = system.post(f"/api/v1/reports/{report_id}/submit/", {}, format="json")
    assert submitted.status_code == 201, submitted.json()
    version = submitted.json()["version"]
    assert (submitted.json()["status"], version["number"]) == ("submitted", 1)
    assert version["signature_method"] == "server"
    assert version["content"]["unit"] == COMMUNE

    inbox = province.get("/api/v1/reports/", {"addressed_to_me": "true"}).json()
    assert [row["id"] for row in inbox["results"]] == [report_id]
    assert inbox["results"][0]["edxml_status"] == "01"

    returned = province.post(
        f"/api/v1/reports/{report_id}/return/", {"reason": "Thiếu giải trình"}, format="json"
    )
    assert returned.status_code == 200, returned.json()
    assert (returned.json()["status"], returned.json()["edxml_status"]) == ("returned", "02")
    assert returned.json()["return_reason"] == "Thiếu giải trình"

    first = cell_keys()[0]
    fixed = system.patch(
        f"/api/v1/reports/{report_id}/",
        {"values": [{"indicator": first[0], "disaggregation": first[1], "value": "1234"}]},
        format="json",
    )
    assert fixed.status_code == 200, fixed.json()
    resubmitted = system.post(f"/api/v1/reports/{report_id}/submit/", {}, format="json")
    assert (resubmitted.json()["status"], resubmitted.json()["version"]["number"]) == (
        "resubmitted",
        2,
    )

    accepted = province.post(f"/api/v1/reports/{report_id}/accept/", {}, format="json")
    assert accepted.status_code == 200, accepted.json()
    detail = system.get(f"/api/v1/reports/{report_id}/").json()
    assert (detail["status"], detail["edxml_status"]) == ("accepted", "03")
    assert [t["action"] for t in detail["transitions"]] == [
        "create",
        "save",
        "submit",
        "return",
        "submit",
        "accept",
    ]
    assert [t["edxml_status"] for t in detail["transitions"]][-4:] == ["01", "02", "01", "03"]
    assert [v["number"] for v in detail["versions"]] == [1, 2]

    versions = system.get(f"/api/v1/reports/{report_id}/versions/").json()
    assert [v["number"] for v in versions] == [1, 2]
    second = system.get(f"/api/v1/reports/{report_id}/versions/2/").json()
    assert [first[0], first[1], "1234", ""] in second["content"]["values"]
    assert second["signer"] and second["signed_at"]
    assert system.get(f"/api/v1/reports/{report_id}/versions/3/").status_code == 404

    checks = system.get(f"/api/v1/reports/{report_id}/verify/").json()
    assert [(c["version"], c["ok"]) for c in checks] == [(1, True), (2, True)]
    assert checks[1]["data_matches"] is True


def test_list_filters(system, province):
    report_id = system.post("/api/v1/reports/", payload(), format="json").json()["id"]
    own = system.get("/api/v1/reports/", {"regime": REGIME, "status": "draft"}).json()
    assert [row["id"] for row in own["results"]] == [report_id]
    assert system.get("/api/v1/reports/", {"status": "accepted"}).json()["count"] == 0
    assert system.get("/api/v1/reports/", {"receiver": "79"}).json()["count"] == 0
    assert system.get("/api/v1/reports/", {"late": "true"}).json()["count"] == 0
    # A draft is not in the receiver's inbox until it is sent.
    assert province.get("/api/v1/reports/", {"addressed_to_me": "true"}).json()["count"] == 0
    bad = system.get("/api/v1/reports/", {"status": "lost", "late": "maybe"})
    assert bad.status_code == 400
    assert "status" in bad.json()
    bad = system.get("/api/v1/reports/", {"late": "maybe"})
    assert bad.status_code == 400
    assert "late" in bad.json()


def test_same_idempotency_key_gives_one_version_and_the_same_answer(system):
    report_id = system.post("/api/v1/reports/", payload(), format="json").json()["id"]
    url = f"/api/v1/reports/{report_id}/submit/"
    first = system.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="gui-lan-1")
    retry = system.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="gui-lan-1")
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert ReportVersion.objects.filter(report_id=report_id).count() == 1


def test_stale_revision_is_a_409_and_nothing_is_saved(system):
    report_id = system.post("/api/v1/reports/", payload(), format="json").json()["id"]
    before = counts(report_id)
    first = cell_keys()[0]
    stale = system.patch(
        f"/api/v1/reports/{report_id}/",
        {"revision": 1, "values": [{"indicator": first[0], "value": 7}]},
        format="json",
    )
    assert stale.status_code == 409
    assert (stale.json()["code"], stale.json()["field"]) == ("stale_revision", "revision")
    assert stale.json()["args"]["current"] == 2
    assert counts(report_id) == before
    stored = DataValue.objects.get(report_id=report_id, indicator__code=first[0]).value
    assert stored == str(plausible_value(first[0], 0))
    submit = system.post(f"/api/v1/reports/{report_id}/submit/", {"revision": 1}, format="json")
    assert (submit.status_code, submit.json()["code"]) == (409, "stale_revision")


def test_bad_values_are_a_400_naming_each_item_and_nothing_is_saved(system):
    data = payload()
    data["values"][0]["value"] = "12,5"  # a Vietnamese decimal comma: not a plain number
    data["values"][1]["value"] = 1.5  # an integer indicator
    data["values"].append({"indicator": "KHONG.CO", "value": 1})
    data["narratives"]["KHONG_CO"] = "?"
    response = system.post("/api/v1/reports/", data, format="json")
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert [(p["field"], p["code"]) for p in problems] == [
        ("values[0]", "not_a_number"),
        ("values[1]", "not_an_integer"),
        (f"values[{len(cell_keys())}]", "indicator_not_in_report"),
        ("narrative.KHONG_CO", "unknown_narrative"),
    ]
    assert all(p["message"] for p in problems)
    # Not even the report was created: the whole request is one transaction.
    assert counts() == (0, 0, 0, 0)


def test_malformed_body_is_a_400_naming_the_field(system):
    response = system.post(
        "/api/v1/reports/", {"regime": REGIME, "values": [{"value": 1}]}, format="json"
    )
    assert response.status_code == 400
    assert {"unit", "period", "values"} <= set(response.json())


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"regime": "KHONG-CO"}, 404, "unknown_regime", "regime"),
        ({"unit": "99999"}, 404, "unknown_unit", "unit"),
        ({"period": "2026-13"}, 400, None, "period"),
        ({"period": "2026Q3"}, 400, None, "period"),
    ],
)
def test_unknown_regime_unit_or_period_is_refused_naming_the_field(
    system, change, status, code, field
):
    response = system.post("/api/v1/reports/", payload(**change), format="json")
    assert response.status_code == status, response.json()
    assert response.json()["field"] == field
    if code:
        assert response.json()["code"] == code
    assert counts() == (0, 0, 0, 0)


def test_a_report_outside_the_callers_scope_is_a_404(system, make_other_province_report):
    response = system.get(f"/api/v1/reports/{make_other_province_report.pk}/")
    assert (response.status_code, response.json()["code"]) == (404, "report_not_found")


@pytest.fixture
def make_other_province_report(sample_catalogue):  # type: ignore[no-untyped-def]
    from baocao.submissions.tests.conftest import make_user

    officer = make_user("canbo-hcm", "25747", ["reporter"])
    return services.report_get_or_create(
        regime=REGIME, unit="25747", period=open_period().code, actor=officer
    )


def test_the_schema_describes_the_reports_endpoints(officer):
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/reports/",
        "/api/v1/reports/{id}/",
        "/api/v1/reports/{id}/canonical/",
        "/api/v1/reports/{id}/submit/",
        "/api/v1/reports/{id}/versions/{number}/",
        "/api/v1/reports/{id}/verify/",
    ):
        assert path in paths, path


# Client signatures -------------------------------------------------------------------------------


def self_signed(key, name: str) -> str:  # type: ignore[no-untyped-def]
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "UBND Phường Ba Đình"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def rsa_sign(key, data: bytes) -> bytes:  # type: ignore[no-untyped-def]
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def ecdsa_sign(key, data: bytes) -> bytes:  # type: ignore[no-untyped-def]
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


@pytest.mark.parametrize(
    ("make_key", "sign", "algorithm"),
    [
        (lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048), rsa_sign, "rsa"),
        (lambda: ec.generate_private_key(ec.SECP256R1()), ecdsa_sign, "ecdsa"),
    ],
    ids=["rsa", "ecdsa"],
)
def test_a_client_signed_submission_is_accepted_and_verifies(system, make_key, sign, algorithm):
    key = make_key()
    pem = self_signed(key, "Chủ tịch UBND phường")
    registered = services.certificate_register(
        unit=Unit.objects.get(code=COMMUNE), pem=pem, actor=None
    )
    report_id = system.post("/api/v1/reports/", payload(), format="json").json()["id"]

    canonical = system.get(f"/api/v1/reports/{report_id}/canonical/")
    assert canonical.status_code == 200
    assert canonical["Content-Type"] == "application/json"
    data = canonical.content
    assert b'"version":1' in data
    assert "Phường".encode() not in data  # the content carries codes, not names

    signature = base64.b64encode(sign(key, data)).decode("ascii")
    response = system.post(
        f"/api/v1/reports/{report_id}/submit/",
        {
            "signature": signature,
            "certificate_fingerprint": registered.fingerprint,
            "revision": int(canonical["X-Report-Revision"]),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    version = response.json()["version"]
    assert version["signature_method"] == "client"
    assert version["signature_algorithm"] == f"{algorithm}-sha256"
    assert version["certificate_fingerprint"] == registered.fingerprint
    assert version["signature"] == signature
    assert "Chủ tịch UBND phường" in version["signer"]
    checks = system.get(f"/api/v1/reports/{report_id}/verify/").json()
    assert [(c["version"], c["ok"], c["problems"]) for c in checks] == [(1, True, [])]


def test_a_wrong_signature_is_refused_and_nothing_is_written(system):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = self_signed(key, "Văn thư")
    services.certificate_register(unit=Unit.objects.get(code=COMMUNE), pem=pem, actor=None)
    report_id = system.post("/api/v1/reports/", payload(), format="json").json()["id"]
    data = system.get(f"/api/v1/reports/{report_id}/canonical/").content
    before = counts(report_id)
    revision = Report.objects.get(pk=report_id).revision
    # Signed over other bytes (a value changed after fetching): the signature does not match.
    forged = base64.b64encode(rsa_sign(key, data.replace(b"100", b"900"))).decode("ascii")
    response = system.post(
        f"/api/v1/reports/{report_id}/submit/",
        {"signature": forged, "certificate": pem},
        format="json",
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("signature_invalid", "signature")
    assert counts(report_id) == before
    report = Report.objects.get(pk=report_id)
    assert (report.status, report.revision) == ("draft", revision)
    # A fingerprint without a signature is refused rather than silently signed by the server.
    unsigned = system.post(
        f"/api/v1/reports/{report_id}/submit/",
        {"certificate_fingerprint": "ab" * 32},
        format="json",
    )
    assert (unsigned.status_code, unsigned.json()["code"]) == (400, "signature_required")
    assert counts(report_id) == before


def test_recall_after_opening_needs_the_receivers_consent(system, province):
    report_id = system.post("/api/v1/reports/", payload(), format="json").json()["id"]
    system.post(f"/api/v1/reports/{report_id}/submit/", {}, format="json")
    opened = province.post(f"/api/v1/reports/{report_id}/open/", format="json")
    assert opened.status_code == 200
    assert opened.json()["received_at"]
    # Opening by the sender is no opening: no second "open" is recorded.
    again = system.post(f"/api/v1/reports/{report_id}/open/").json()
    assert [t["action"] for t in again["transitions"]].count("open") == 1
    asked = system.post(
        f"/api/v1/reports/{report_id}/recall/", {"reason": "Nhập nhầm số liệu"}, format="json"
    )
    assert (asked.json()["status"], asked.json()["edxml_status"]) == ("recall_requested", "13")
    refused = system.post(f"/api/v1/reports/{report_id}/recall-answer/", {"agree": True})
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden_review")
    missing = province.post(f"/api/v1/reports/{report_id}/recall-answer/", {}, format="json")
    assert (missing.status_code, list(missing.json())) == (400, ["agree"])
    agreed = province.post(
        f"/api/v1/reports/{report_id}/recall-answer/", {"agree": True}, format="json"
    )
    assert agreed.json()["status"] == "draft"
    assert agreed.json()["transitions"][-1]["edxml_status"] == "15"


def test_put_replaces_the_whole_content(system):
    report_id = system.post("/api/v1/reports/", payload(), format="json").json()["id"]
    first = cell_keys()[0]
    response = system.put(
        f"/api/v1/reports/{report_id}/",
        {"values": [{"indicator": first[0], "disaggregation": first[1], "value": 5}]},
        format="json",
    )
    assert response.status_code == 200
    assert [(v["indicator"], v["value"]) for v in response.json()["values"]] == [(first[0], "5")]


def test_tokens_command_refuses_a_taken_name_and_revokes(officer):
    key = system_token()
    with pytest.raises(CommandError):
        call_command("tokens", "create", "--unit", COMMUNE, "--username", "he-thong-mot-cua")
    call_command("tokens", "revoke", "--username", "he-thong-mot-cua", stdout=io.StringIO())
    assert not Token.objects.filter(key=key).exists()
    # 403, not 401: session authentication comes first and sends no WWW-Authenticate.
    response = token_client(key).get("/api/v1/reports/")
    assert (response.status_code, response.json()["detail"]) == (403, "Invalid token.")
