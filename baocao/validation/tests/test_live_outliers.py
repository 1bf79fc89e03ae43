"""Outliers in the entry form's live check: notices that never block (issue 5)."""

from __future__ import annotations

import json
import random
import re

import pytest
from django.test import Client
from django.utils import translation

from baocao.submissions import checks, services
from baocao.submissions.choices import ReportStatus
from baocao.submissions.tests.conftest import PLAUSIBLE, full_values
from baocao.validation.selectors import (
    expected_range_text,
    report_outlier_findings,
    report_outliers,
)
from baocao.validation.tests.test_selectors import RECEIVED, store

pytestmark = pytest.mark.django_db

# 2 000 dossiers in a month when Phường Ba Đình receives about 1 200 (see `four_years`).
SPIKE = "2.000"


def four_years(report, *, peak: float = 1.0) -> None:
    """The 48 months before the report's: about 1 200 dossiers received a month, 5 % up or
    down from month to month and year to year; the report's month `peak` times as many."""
    draw = random.Random(2026)
    numbers = {}
    for offset in range(1, 49):
        size = 1200 * (peak if offset % 12 == 0 else 1.0)
        numbers[offset] = round(size * (1 + draw.uniform(-0.05, 0.05)))
    store(report, RECEIVED, numbers)


def expected(report, typed: str) -> str:
    """The expected range the judgement gives, as the page shows it."""
    verdict = report_outliers(report, {RECEIVED: typed})[RECEIVED]
    # About 1 200, whatever the method's details.
    assert 900 < verdict.expected_low < 1200 < verdict.expected_high < 1500
    return expected_range_text(verdict.expected_low, verdict.expected_high, 0)


def check(report, officer, **typed):
    """The live check's answer for the plausible figures, some replaced as typed."""
    values = {code: str(number) for code, number in PLAUSIBLE.items()} | typed
    client = Client()
    client.force_login(officer)
    response = client.post(
        f"/reports/{report.pk}/check/", {f"v|{code}|": text for code, text in values.items()}
    )
    assert response.status_code == 200
    return response.content.decode()


def notices(page):
    """(cells, message) of each notice on the panel."""
    found = re.findall(
        r'data-importance="notice" data-finding-cells="([^"]*)">\s*'
        r'<span class="finding__badge">([^<]*)</span> <a[^>]*>([^<]*)</a>',
        page,
    )
    return [
        (json.loads(cells.replace("&quot;", '"')), label, message)
        for cells, label, message in found
    ]


def test_an_outlier_typed_on_the_page_is_a_notice_with_the_expected_range(report, officer):
    four_years(report)
    page = check(report, officer, **{RECEIVED[0]: SPIKE})
    [(cells, _label, message)] = notices(page)
    assert cells == ["v|HCC.HS_TIEP_NHAN|"]
    assert "2.000" in message and expected(report, "2000") in message
    assert 'data-notices="1"' in page
    # Not a problem: the rules pass, so the panel says so above the notice.
    assert 'data-findings="0"' in page
    assert 'data-importance="error"' not in page and 'data-importance="warning"' not in page
    assert not report.values.exists()  # nothing was saved


def test_the_notice_names_the_cell_and_the_basis_in_the_active_language(report):
    four_years(report)
    with translation.override("en"):
        shown = expected(report, "2000")
        [finding] = report_outlier_findings(report, {RECEIVED: "2000"})
    assert (finding.code, finding.importance, finding.cells) == (
        "OUTLIER",
        checks.NOTICE,
        (RECEIVED,),
    )
    assert finding.message == (
        "The value 2,000 of “Số hồ sơ thủ tục hành chính tiếp nhận trong kỳ” is unusual:"
        f" expected {shown} (compared with the same month of earlier years)"
    )
    with translation.override("vi"):
        shown = expected(report, "2000")
        [finding] = report_outlier_findings(report, {RECEIVED: "2000"})
    assert f"dự kiến {shown} (so với cùng tháng các năm trước)" in finding.message


def test_a_usual_value_gives_no_notice(report, officer):
    four_years(report)
    page = check(report, officer, **{RECEIVED[0]: "1.210"})
    assert notices(page) == [] and "data-notices" not in page


def test_a_peak_of_the_reports_month_in_earlier_years_is_no_notice(report, officer):
    # Every year the report's month is three times the others (renewals, year-end).
    four_years(report, peak=3.0)
    assert notices(check(report, officer, **{RECEIVED[0]: "3.610"})) == []
    assert len(notices(check(report, officer, **{RECEIVED[0]: "9.000"}))) == 1


def test_without_history_there_is_no_notice(report, officer):
    page = check(report, officer, **{RECEIVED[0]: "100.000"})
    assert notices(page) == [] and "data-notices" not in page


def test_a_notice_comes_with_the_rules_problems_and_apart_from_them(report, officer):
    four_years(report)
    # More online dossiers than received (an error of the rules) and an unusual month.
    page = check(report, officer, **{RECEIVED[0]: SPIKE, "HCC.HS_TRUC_TUYEN": "2.500"})
    assert 'data-findings="1"' in page and 'data-importance="error"' in page
    assert len(notices(page)) == 1
    assert page.index('data-findings="1"') < page.index('data-notices="1"')


def test_a_report_with_an_outlier_is_sent_without_a_comment(report, officer):
    four_years(report)
    values = [
        services.ValueInput(*RECEIVED, "2000")
        if (item.indicator, item.disaggregation) == RECEIVED
        else item
        for item in full_values(report)
    ]
    services.report_save(report=report, values=values, actor=officer)
    # The check runs when the report is sent too, and finds the outlier there...
    found = checks.findings_for(report)
    assert [(item.code, item.importance) for item in found] == [("OUTLIER", checks.NOTICE)]
    # ...which neither blocks the submission nor asks for a comment.
    version = services.report_submit(report=report, actor=officer)
    report.refresh_from_db()
    assert version.number == 1
    assert report.status == ReportStatus.SUBMITTED
    assert not report.values.exclude(comment="").exists()
