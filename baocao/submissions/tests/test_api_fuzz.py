"""Arbitrary request bodies never make the reports API answer with a server error.

Issue 4, bad input: whatever a system sends (wrong types, nested junk, huge numbers, odd
text), the answer is a 2xx or a 4xx that says what is wrong, never a 500.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from baocao.submissions import services
from baocao.submissions.tests.conftest import COMMUNE, REGIME, full_values, open_period

pytestmark = pytest.mark.django_db

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from([REGIME, COMMUNE, "HCC.HS_TIEP_NHAN", "SEX=NU", "202612", "2026Q3", ""])
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
VALUE = st.fixed_dictionaries(
    {},
    optional={
        "indicator": JSON,
        "disaggregation": JSON,
        "value": JSON,
        "comment": JSON,
    },
)
BODY = st.fixed_dictionaries(
    {},
    optional={
        "regime": JSON,
        "unit": JSON,
        "period": JSON,
        "values": st.lists(VALUE, max_size=5) | JSON,
        "narratives": st.dictionaries(st.text(max_size=10), JSON, max_size=3) | JSON,
        "revision": JSON,
        "replace": JSON,
        "signature": JSON,
        "certificate_fingerprint": JSON,
        "certificate": JSON,
        "reason": JSON,
        "agree": JSON,
        "days": JSON,
    },
)
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def client(officer, reviewer):  # type: ignore[no-untyped-def]
    officer.is_superuser = True  # one client may try every action, writer's and reviewer's
    client = APIClient()
    client.force_authenticate(officer)
    return client


@pytest.fixture
def sent_report(officer):  # type: ignore[no-untyped-def]
    report = services.report_get_or_create(
        regime=REGIME, unit=COMMUNE, period=open_period().code, actor=officer
    )
    services.report_save(report=report, values=full_values(report), actor=officer)
    services.report_submit(report=report, actor=officer)
    return report


@SETTINGS
@given(body=BODY)
def test_creating_a_draft(client, body):
    response = client.post("/api/v1/reports/", body, format="json")
    assert response.status_code < 500, response.content[:500]


@SETTINGS
@given(body=BODY, action=st.sampled_from(["submit", "recall", "accept", "return", "unlock"]))
def test_lifecycle_actions(client, sent_report, body, action):
    response = client.post(f"/api/v1/reports/{sent_report.pk}/{action}/", body, format="json")
    assert response.status_code < 500, response.content[:500]


@SETTINGS
@given(body=BODY)
def test_changing_a_report(client, sent_report, body):
    response = client.patch(f"/api/v1/reports/{sent_report.pk}/", body, format="json")
    assert response.status_code < 500, response.content[:500]


@SETTINGS
@given(
    text=st.text(max_size=300)
    | st.lists(st.lists(st.text(max_size=12), max_size=7), max_size=6).map(
        lambda rows: (
            "indicator,disaggregation,unit,period,value,comment\n"
            + "\n".join(",".join(row) for row in rows)
        )
    )
)
def test_importing_values(client, text):
    response = client.post("/api/v1/values/import/", text.encode("utf-8"), content_type="text/csv")
    assert response.status_code < 500, response.content[:500]
