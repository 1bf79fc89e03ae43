"""Who may do what with a report, through the API (issue 4, scope 10).

Reports of Phường Ba Đình (00004, Hà Nội), sent to Thành phố Hà Nội (01). Every actor
tries every action, each on its own report brought to where the action makes sense (one
period per action); the table says what must happen. A report outside what the actor may
see does not exist for them (404); one they see but may not act on is refused (403). A
refused attempt changes nothing: no report, version, value, history, transition or audit
record is written and the report's status and revision stay as they were.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from baocao.accounts.models import Delegation
from baocao.accounts.services import user_create
from baocao.audit.models import ChangeRecord
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.periods import Period
from baocao.submissions import services
from baocao.submissions.models import (
    DataValue,
    DataValueHistory,
    Report,
    ReportTransition,
    ReportVersion,
)
from baocao.submissions.tests.conftest import (
    COMMUNE,
    PROVINCE,
    REGIME,
    full_values,
    open_period,
)

pytestmark = pytest.mark.django_db

OTHER_PROVINCE = "79"  # Thành phố Hồ Chí Minh

# One test per actor (the sample catalogue is loaded once per test, not once per cell); a
# failure lists every cell that went wrong. read/list/verify ask about a submitted report;
# `list` is "yes" when it is among those listed. 404: the report does not exist for the
# actor; 403: refused.
MATRIX = """
actor            read  list  create  save  submit  recall  accept  return  unlock  verify
officer          200   yes   201     200   201     200     403     403     403     200
officer_hanoi    404   no    403     404   404     404     404     404     404     404
officer_hcm      404   no    403     404   404     404     404     404     404     404
reviewer_hanoi   200   yes   403     403   403     403     200     200     200     200
reviewer_hcm     404   no    403     404   404     404     404     404     404     404
analyst_hanoi    200   yes   403     403   403     403     403     403     403     200
analyst_hcm      404   no    403     404   404     404     404     404     404     404
delegate         200   yes   201     200   201     200     403     403     403     200
system           200   yes   201     200   201     200     403     403     403     200
"""


def _table() -> dict[str, dict[str, str]]:
    header, *rows = [line.split() for line in MATRIX.strip().splitlines()]
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows}


EXPECTED = _table()
ACTIONS = list(next(iter(EXPECTED.values())))

# Real communes in force today, found with `Unit.objects.filter(level="commune")` and
# `unit_ancestors` (checked by `test_the_actors_units_are_where_the_matrix_says`).
OTHER_HANOI_COMMUNE = "00008"  # another commune of Hà Nội
HCM_COMMUNE = "25747"  # a commune of Thành phố Hồ Chí Minh


def person(username: str, unit: str, role: str) -> Any:
    # No password: hashing one costs more than the whole attempt, and the API client is
    # authenticated directly.
    return user_create(
        username=username,
        password=None,
        unit=Unit.objects.get(code=unit),
        roles=[role],
        actor=None,
    )


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def system_client() -> APIClient:
    """The unit's one-stop-shop software, through a token made by `baocao tokens create`."""
    out = io.StringIO()
    call_command(
        "tokens", "create", "--unit", COMMUNE, "--username", "phan-mem-mot-cua", stdout=out
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")
    return client


def delegate() -> Any:
    # An officer of a neighbouring commune fills in for Ba Đình: only the delegation, not
    # their own scope, lets them see and write its reports.
    user = person("canbo-uy-quyen", OTHER_HANOI_COMMUNE, "reporter")
    Delegation.objects.create(
        user=user,
        unit=Unit.objects.get(code=COMMUNE),
        valid_from=org_selectors.today() - dt.timedelta(days=1),
        reason="Phường chưa có cán bộ thống kê",
    )
    return user


ACTORS: dict[str, Callable[[Any], APIClient]] = {
    "officer": lambda officer: client_for(officer),
    "officer_hanoi": lambda _: client_for(person("canbo-xa-khac", OTHER_HANOI_COMMUNE, "reporter")),
    "officer_hcm": lambda _: client_for(person("canbo-hcm", HCM_COMMUNE, "reporter")),
    "reviewer_hanoi": lambda _: client_for(person("kiemduyet-hn", PROVINCE, "reviewer")),
    "reviewer_hcm": lambda _: client_for(person("kiemduyet-hcm", OTHER_PROVINCE, "reviewer")),
    "analyst_hanoi": lambda _: client_for(person("phantich-hn", PROVINCE, "analyst")),
    "analyst_hcm": lambda _: client_for(person("phantich-hcm", OTHER_PROVINCE, "analyst")),
    "delegate": lambda _: client_for(delegate()),
    "system": lambda _: system_client(),
}


# The reports, brought by the officer to where each action makes sense. -------------------------


def _new(officer: Any, period: Period) -> Report:
    return services.report_get_or_create(
        regime=REGIME, unit=COMMUNE, period=period.code, actor=officer
    )


def _draft(officer: Any, period: Period) -> Report:
    report = _new(officer, period)
    return services.report_save(report=report, values=full_values(report), actor=officer)


def _submitted(officer: Any, period: Period) -> Report:
    report = _draft(officer, period)
    services.report_submit(report=report, actor=officer)
    return Report.objects.get(pk=report.pk)


def _locked(officer: Any, period: Period) -> Report:
    # Three months before the first open month (whatever `period` is): past the deadline
    # and the grace days, so changes need an unlock.
    return _new(officer, open_period().previous().previous().previous())


STATE: dict[str, Callable[[Any, Period], Report | None]] = {
    "read": _submitted,
    "list": _submitted,
    "verify": _submitted,
    "create": lambda officer, period: None,
    "save": _draft,
    "submit": _draft,
    "recall": _submitted,
    "accept": _submitted,
    "return": _submitted,
    "unlock": _locked,
}


def prepare(officer: Any) -> dict[str, tuple[Period, Report | None]]:
    """One report per action, each of its own (future, so unlocked) month."""
    period = open_period()
    prepared: dict[str, tuple[Period, Report | None]] = {}
    for action in ACTIONS:
        prepared[action] = (period, STATE[action](officer, period))
        period = period.next()
    return prepared


def attempt(client: APIClient, action: str, period: Period, report: Report | None) -> Any:
    url = f"/api/v1/reports/{report.pk}/" if report else "/api/v1/reports/"
    if action == "read":
        return client.get(url)
    if action == "list":
        return client.get("/api/v1/reports/")
    if action == "verify":
        return client.get(url + "verify/")
    if action == "create":
        body = {
            "regime": REGIME,
            "unit": COMMUNE,
            "period": period.code,
            "values": [{"indicator": "HCC.HS_TIEP_NHAN", "value": 12}],
        }
        return client.post(url, body, format="json")
    if action == "save":
        body = {"values": [{"indicator": "HCC.HS_TIEP_NHAN", "value": 99}]}
        return client.patch(url, body, format="json")
    body = {"reason": "Kiểm tra phân quyền"}
    return client.post(url + f"{action}/", body, format="json")


def snapshot(report: Report | None) -> tuple[Any, ...]:
    counts = tuple(
        model.objects.count()
        for model in (
            Report,
            ReportVersion,
            DataValue,
            DataValueHistory,
            ReportTransition,
            ChangeRecord,
        )
    )
    if report is None:
        return counts
    report.refresh_from_db()
    return (*counts, report.status, report.revision, report.unlocked_until, report.received_at)


def outcome(action: str, expected: str, response: Any, report: Report | None) -> str | None:
    """What went wrong with one attempt, or None."""
    if action == "list":
        listed = report is not None and report.pk in {
            row["id"] for row in response.json()["results"]
        }
        return None if listed == (expected == "yes") else f"listed={listed}"
    if response.status_code != int(expected):
        return f"{response.status_code} {response.content[:200]!r}"
    body = response.json()
    if expected == "403" and body.get("code") not in {"forbidden_unit", "forbidden_review"}:
        return f"403 with code {body.get('code')}"
    if expected == "404" and body.get("code") != "report_not_found":
        return f"404 with code {body.get('code')}"
    return None


@pytest.mark.parametrize("actor", list(EXPECTED))
def test_authorization_matrix(officer, actor):
    prepared = prepare(officer)
    client = ACTORS[actor](officer)
    wrong: list[str] = []
    for action in ACTIONS:
        expected = EXPECTED[actor][action]
        period, report = prepared[action]
        before = snapshot(report)
        response = attempt(client, action, period, report)
        problem = outcome(action, expected, response, report)
        after = snapshot(report)
        if problem is None and expected in ("403", "404") and after != before:
            problem = f"refused but changed: {before} -> {after}"
        if problem is None and expected in ("200", "201") and action not in ("read", "verify"):
            # The allowed attempt did write: the refusals are not a refusal of everything.
            problem = "allowed but changed nothing" if after == before else None
        if problem:
            wrong.append(f"{actor} {action}: expected {expected}, got {problem}")
    assert wrong == []


def test_refusals_say_why(officer):
    period = open_period()
    report = _submitted(officer, period)
    response = client_for(officer).post(
        f"/api/v1/reports/{report.pk}/accept/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    assert response.json() == {
        "code": "forbidden_review",
        "message": "Only reviewers of 01 may act on reports addressed to it.",
        "args": {"receiver": "01"},
    }
    # A unit the caller may not write for is refused before anything is looked up, whether
    # or not a report exists: the answer does not tell an outsider which reports exist.
    outsider = client_for(person("canbo-hcm", HCM_COMMUNE, "reporter"))
    body = {"regime": REGIME, "unit": COMMUNE, "values": []}
    existing = outsider.post("/api/v1/reports/", {**body, "period": period.code}, format="json")
    missing = outsider.post(
        "/api/v1/reports/", {**body, "period": period.next().code}, format="json"
    )
    assert existing.json() == missing.json()
    assert (existing.status_code, existing.json()["code"]) == (403, "forbidden_unit")


@pytest.mark.parametrize(
    ("commune", "province"),
    [(COMMUNE, PROVINCE), (OTHER_HANOI_COMMUNE, PROVINCE), (HCM_COMMUNE, OTHER_PROVINCE)],
)
def test_the_actors_units_are_where_the_matrix_says(commune, province):
    unit = Unit.objects.get(code=commune)
    chain = org_selectors.unit_ancestors(unit=unit, on=org_selectors.today())
    assert unit.level == "commune"
    assert chain[0].unit.code == province
