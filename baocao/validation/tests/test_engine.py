"""The validation engine on real reports: rules and built-in checks at submission and live."""

from __future__ import annotations

import pytest
from django.utils import timezone

from baocao.catalogue.models import ValidationRule
from baocao.core.errors import Rejected
from baocao.periods import parse_period
from baocao.submissions import services
from baocao.submissions.choices import ReportStatus, ValueSource
from baocao.submissions.models import DataValue, ReportingPolicy
from baocao.validation.engine import values_findings

pytestmark = pytest.mark.django_db

RECEIVED, ONLINE = "HCC.HS_TIEP_NHAN", "HCC.HS_TRUC_TUYEN"
ON_TIME, LATE = "HCC.HS_GQ_DUNG_HAN", "HCC.HS_GQ_QUA_HAN"
IN_TIME, OVERDUE = "HCC.HS_DANG_GQ_TRONG_HAN", "HCC.HS_DANG_GQ_QUA_HAN"
GOOD = {RECEIVED: "120", ONLINE: "80", ON_TIME: "100", LATE: "2", IN_TIME: "15", OVERDUE: "0"}


@pytest.fixture(autouse=True)
def only_the_tests_rules(sample_catalogue):
    # The sample's own rules are tested with the sample; here each test states its rule.
    ValidationRule.objects.all().delete()


def rule(
    code, left, operator, right, *, importance="error", missing="skip_if_all_missing", **extra
):
    return ValidationRule.objects.create(
        code=code,
        name=code,
        left=left,
        operator=operator,
        right=right,
        importance=importance,
        missing_values=missing,
        message=extra.pop("message", "%(left)s / %(right)s"),
        **extra,
    )


def fill(report, officer, values, comments=None):
    comments = comments or {}
    return services.report_save(
        report=report,
        values=[
            services.ValueInput(code, "", text, comment=comments.get(code, ""))
            for code, text in values.items()
        ],
        actor=officer,
    )


def codes(error):
    return [(p.code, p.field) for p in error.problems]


def test_an_error_rule_blocks_the_submission_naming_the_cell(report, officer):
    rule(
        "ONLINE_LE_RECEIVED",
        f"#{{{ONLINE}}}",
        "<=",
        f"#{{{RECEIVED}}}",
        message="%(left)s > %(right)s",
    )
    fill(report, officer, {**GOOD, ONLINE: "130"})
    with pytest.raises(Rejected) as caught:
        services.report_submit(report=report, actor=officer)
    assert codes(caught.value) == [("check_failed", f"v|{ONLINE}|")]
    assert "130 > 120" in caught.value.problems[0].message
    report.refresh_from_db()
    assert report.version_count == 0
    fill(report, officer, GOOD)
    services.report_submit(report=report, actor=officer)


def test_a_warning_needs_a_comment_on_one_of_its_values(report, officer):
    rule("NO_OVERDUE", f"#{{{OVERDUE}}}", "==", "0", importance="warning")
    fill(report, officer, {**GOOD, OVERDUE: "3"})
    with pytest.raises(Rejected) as caught:
        services.report_submit(report=report, actor=officer)
    assert codes(caught.value) == [("warning_unexplained", f"v|{OVERDUE}|")]
    fill(report, officer, {OVERDUE: "3"}, comments={OVERDUE: "Chờ ý kiến của sở chuyên ngành"})
    services.report_submit(report=report, actor=officer)


def test_a_rule_against_the_previous_period(report, officer):
    rule(
        "RECEIVED_JUMP",
        f"#{{{RECEIVED}}}",
        "<=",
        f"previous(#{{{RECEIVED}}}) * 3",
        importance="warning",
        missing="skip_if_any_missing",
    )
    fill(report, officer, {**GOOD, RECEIVED: "400"})
    texts = {(code, ""): text for code, text in {**GOOD, RECEIVED: "400"}.items()}
    assert values_findings(report, texts) == []  # no previous month stored: skipped
    DataValue.objects.create(
        indicator_id=report.regime_version.form_links.first()
        .form.sections.first()
        .rows.get(indicator__code=RECEIVED)
        .indicator_id,
        disaggregation="",
        unit=report.unit,
        period=parse_period(report.period).previous().code,
        source=report.source,
        value="100",
        channel=ValueSource.IMPORT,
        updated_at=timezone.now(),
    )
    [finding] = values_findings(report, texts)
    assert (finding.code, finding.importance, finding.cells) == (
        "RECEIVED_JUMP",
        "warning",
        ((RECEIVED, ""),),
    )
    assert "400 / 300" in finding.message


def test_rules_of_another_period_type_or_level_do_not_apply(report, officer):
    rule("QUARTERLY", f"#{{{ONLINE}}}", "<=", "0", period_type="quarter")
    rule("PROVINCES", f"#{{{ONLINE}}}", "<=", "0", unit_levels=["province"])
    texts = {(code, ""): text for code, text in GOOD.items()}
    assert values_findings(report, texts) == []
    rule("COMMUNES", f"#{{{ONLINE}}}", "<=", "0", unit_levels=["commune"], period_type="month")
    assert [f.code for f in values_findings(report, texts)] == ["COMMUNES"]


def test_a_negative_count_is_refused_when_sent(report, officer):
    fill(report, officer, {**GOOD, LATE: "-1"})
    with pytest.raises(Rejected) as caught:
        services.report_submit(report=report, actor=officer)
    assert codes(caught.value) == [("check_failed", f"v|{LATE}|")]


def test_division_by_zero_is_not_a_finding(report, officer):
    rule("SHARE", f"#{{{ONLINE}}} / #{{{OVERDUE}}}", "<=", "1")
    texts = {(code, ""): text for code, text in GOOD.items()}
    assert values_findings(report, texts) == []


def test_auto_acceptance_only_when_the_checks_find_nothing(report, officer):
    ReportingPolicy.objects.create(regime=report.regime, auto_accept=True)
    rule("NO_OVERDUE", f"#{{{OVERDUE}}}", "==", "0", importance="warning")
    fill(report, officer, {**GOOD, OVERDUE: "2"}, comments={OVERDUE: "Đang xử lý"})
    services.report_submit(report=report, actor=officer)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED  # an explained warning still goes to review
    services.report_recall(report=report, actor=officer)
    fill(report, officer, {OVERDUE: "0"})
    services.report_submit(report=report, actor=officer)
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
