"""Who may do what with a report, through the web pages (issue 4, scope 10).

The same actors and reports as the API matrix (test_authorization.py), through the pages a
person uses: the entry page and its buttons, the review page and its decisions, the Excel
and print downloads. A page refuses what the user may not do with 403 and the reason, and a
refused attempt changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from baocao.submissions import excel
from baocao.submissions.models import Report
from baocao.submissions.tests.conftest import COMMUNE, REGIME
from baocao.submissions.tests.test_authorization import (
    HCM_COMMUNE,
    OTHER_HANOI_COMMUNE,
    OTHER_PROVINCE,
    PROVINCE,
    STATE,
    delegate,
    open_period,
    person,
    snapshot,
)

pytestmark = pytest.mark.django_db

# 302: done, back to the page; 200: the page or file; 403: refused with the reason.
MATRIX = """
actor          read review pdf template create save submit upload recall accept return unlock
officer        200  200    200 200      302    302  302    302    302    403    403    403
officer_hanoi  403  403    403 403      403    403  403    403    403    403    403    403
officer_hcm    403  403    403 403      403    403  403    403    403    403    403    403
reviewer_hanoi 200  200    200 200      403    403  403    403    403    302    302    302
reviewer_hcm   403  403    403 403      403    403  403    403    403    403    403    403
analyst_hanoi  200  200    200 200      403    403  403    403    403    403    403    403
analyst_hcm    403  403    403 403      403    403  403    403    403    403    403    403
delegate       200  200    200 200      302    302  302    302    302    403    403    403
"""


def _table() -> dict[str, dict[str, str]]:
    header, *rows = [line.split() for line in MATRIX.strip().splitlines()]
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows}


EXPECTED = _table()
ACTIONS = list(next(iter(EXPECTED.values())))

STATE_OF = {
    "read": "read",
    "review": "read",
    "pdf": "read",
    "template": "read",
    "create": "create",
    "save": "save",
    "submit": "submit",
    "upload": "save",
    "recall": "recall",
    "accept": "accept",
    "return": "return",
    "unlock": "unlock",
}

ACTORS: dict[str, Any] = {
    "officer": lambda officer: officer,
    "officer_hanoi": lambda _: person("canbo-xa-khac", OTHER_HANOI_COMMUNE, "reporter"),
    "officer_hcm": lambda _: person("canbo-hcm", HCM_COMMUNE, "reporter"),
    "reviewer_hanoi": lambda _: person("kiemduyet-hn", PROVINCE, "reviewer"),
    "reviewer_hcm": lambda _: person("kiemduyet-hcm", OTHER_PROVINCE, "reviewer"),
    "analyst_hanoi": lambda _: person("phantich-hn", PROVINCE, "analyst"),
    "analyst_hcm": lambda _: person("phantich-hcm", OTHER_PROVINCE, "analyst"),
    "delegate": lambda _: delegate(),
}


def prepare(officer: Any) -> dict[str, tuple[Any, Report | None]]:
    period = open_period()
    prepared = {}
    for action in ACTIONS:
        prepared[action] = (period, STATE[STATE_OF[action]](officer, period))
        period = period.next()
    return prepared


def attempt(client: Client, action: str, period: Any, report: Report | None) -> Any:
    if action == "create":
        return client.get(
            "/reports/new/", {"regime": REGIME, "unit": COMMUNE, "period": period.code}
        )
    assert report is not None
    entry, review = f"/reports/{report.pk}/", f"/reports/{report.pk}/review/"
    if action == "read":
        return client.get(entry)
    if action == "review":
        return client.get(review)
    if action == "pdf":
        return client.get(entry + "pdf/")
    if action == "template":
        return client.get(entry + "excel-template/")
    if action in ("save", "submit"):
        return client.post(
            entry,
            {
                "action": action,
                "revision": report.revision,
                "v|HCC.HS_TIEP_NHAN|": "199",
            },
        )
    if action == "upload":
        workbook = excel.template_build(report)
        upload = SimpleUploadedFile(
            "mau.xlsx",
            workbook,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        return client.post(entry + "excel-upload/", {"workbook": upload})
    if action == "recall":
        return client.post(entry, {"action": "recall"})
    return client.post(review, {"action": action, "reason": "Kiểm tra phân quyền", "days": 2})


@pytest.mark.parametrize("actor", list(EXPECTED))
def test_web_authorization_matrix(officer, actor):
    prepared = prepare(officer)
    user = ACTORS[actor](officer)
    client = Client()
    client.force_login(user)
    wrong: list[str] = []
    for action in ACTIONS:
        expected = EXPECTED[actor][action]
        period, report = prepared[action]
        before = snapshot(report)
        response = attempt(client, action, period, report)
        after = snapshot(report)
        problem = None
        if response.status_code != int(expected):
            problem = f"HTTP {response.status_code}"
        elif expected == "403" and after != before:
            problem = f"refused but changed: {before} -> {after}"
        elif expected == "302" and after == before:
            problem = "allowed but changed nothing"
        if problem:
            wrong.append(f"{actor} {action}: expected {expected}, got {problem}")
    assert wrong == []
