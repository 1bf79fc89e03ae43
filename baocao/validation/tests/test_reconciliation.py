"""Reconciliation between sources: comparing, tolerance, follow-up until resolved, counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from baocao.catalogue.choices import ReconciliationKind
from baocao.catalogue.models import Indicator
from baocao.core.errors import DomainError, NotFound, Rejected
from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.submissions.choices import ValueSource
from baocao.submissions.errors import SubmissionConflict, SubmissionDenied
from baocao.submissions.models import DataValue
from baocao.validation import selectors, services
from baocao.validation.choices import DiscrepancyEventKind, DiscrepancyStatus
from baocao.validation.models import Discrepancy
from baocao.validation.reconciliation import figures_compare
from baocao.validation.tests.sources import PERIOD, PORTAL, REPORT, person, put, rule

pytestmark = pytest.mark.django_db

# Comparing ------------------------------------------------------------------------------------


def test_the_same_figure_from_two_sources_disagrees_beyond_a_zero_tolerance(two_sources):
    result = figures_compare(rules=[two_sources], periods=[PERIOD])

    assert result.compared == 2
    assert result.one_sided == 1  # Hoàn Kiếm: no figure from the portal yet
    (wrong,) = result.disagreeing
    assert wrong.unit_id == Unit.objects.get(code="00004").pk
    assert (wrong.left, wrong.right, wrong.difference) == (Decimal(40), Decimal(43), Decimal(-3))


@pytest.mark.parametrize(
    ("absolute", "percent", "left", "right", "agree"),
    [
        ("0", "0", "100", "100", True),
        ("0", "0", "100", "100.000001", False),
        ("3", "0", "40", "43", True),  # exactly at the tolerance
        ("2.999", "0", "40", "43", False),
        ("0", "5", "95", "100", True),  # 5% of the larger side
        ("0", "5", "94.9", "100", False),
        ("1", "1", "100", "101.01", True),  # 1% of 101.01 is larger than 1
        ("1", "1", "100", "101.02", False),
        ("1", "1", "-10", "-11", True),  # negative values: sizes compared
        ("0", "10", "0", "0.5", False),
    ],
)
def test_agreement_is_within_the_larger_of_the_absolute_and_relative_tolerance(
    own_rules, absolute, percent, left, right, agree
):
    made = rule(tolerance_absolute=Decimal(absolute), tolerance_percent=Decimal(percent))
    put("00004", left, source=REPORT)
    put("00004", right, source=PORTAL)

    result = figures_compare(rules=[made], periods=[PERIOD])

    assert result.compared == 1
    assert result.comparisons[0].agree is agree


def test_the_period_type_and_unit_levels_of_a_rule_limit_what_is_compared(two_sources):
    two_sources.period_type = "quarter"
    assert figures_compare(rules=[two_sources], periods=[PERIOD]).compared == 0
    two_sources.period_type = "month"
    two_sources.unit_levels = ["province"]
    assert figures_compare(rules=[two_sources], periods=[PERIOD]).compared == 0
    two_sources.unit_levels = ["commune"]
    assert figures_compare(rules=[two_sources], periods=[PERIOD]).compared == 2


def test_a_province_total_is_compared_with_the_sum_of_all_its_communes(own_rules):
    made = rule(
        code="DS.HCC.TONG_XA",
        kind=ReconciliationKind.CHILDREN,
        left_source=REPORT,
        right_source=REPORT,
        unit_levels=["province"],
    )
    hanoi = Unit.objects.get(code="01")
    communes = [
        version.unit
        for version in org_selectors.unit_children(unit=hanoi, on=dt.date(2026, 11, 30))
    ]
    assert len(communes) > 100  # Hà Nội's wards and communes since 1 July 2025
    indicator = Indicator.objects.get(code="HCC.HS_TIEP_NHAN")
    DataValue.objects.bulk_create(
        DataValue(
            indicator=indicator,
            unit=commune,
            period=PERIOD,
            source=REPORT,
            value="10",
            channel=ValueSource.IMPORT,
            updated_at=timezone.now(),
        )
        for commune in communes
    )
    put("01", str(10 * len(communes) + 7), source=REPORT)

    result = figures_compare(rules=[made], periods=[PERIOD])

    (comparison,) = result.comparisons
    assert comparison.unit_id == hanoi.pk
    assert comparison.left == 10 * len(communes)
    assert comparison.difference == -7
    assert not comparison.agree

    # One commune has not reported: the sum is incomplete and not compared.
    DataValue.objects.filter(unit=communes[0], period=PERIOD).delete()
    result = figures_compare(rules=[made], periods=[PERIOD])
    assert (result.compared, result.incomplete) == (0, 1)


# Following up -----------------------------------------------------------------------------------


def test_comparing_opens_a_discrepancy_with_both_values_sources_and_difference(two_sources):
    summary = services.discrepancies_compare(periods=[PERIOD], actor=None)

    assert (summary.compared, summary.found, summary.agreeing, summary.one_sided) == (2, 1, 1, 1)
    found = Discrepancy.objects.get()
    assert (found.unit.code, found.period, found.status) == ("00004", PERIOD, "open")
    assert (found.left_source, found.left_value) == (REPORT, "40")
    assert (found.right_source, found.right_value) == (PORTAL, "43")
    assert found.difference == -3
    assert selectors.discrepancy_relative_difference(found) == Decimal(-3) / 43 * 100
    assert [event.kind for event in found.events.all()] == [DiscrepancyEventKind.FOUND]

    again = services.discrepancies_compare(periods=[PERIOD], actor=None)
    assert (again.found, again.still_open) == (0, 1)
    assert Discrepancy.objects.count() == 1


def test_a_corrected_report_resolves_the_discrepancy_when_compared_again(two_sources):
    services.discrepancies_compare(periods=[PERIOD], actor=None)
    found = Discrepancy.objects.get()
    put("00004", "41", source=REPORT)  # a first correction, still off by 2

    found = services.discrepancy_recheck(discrepancy=found, actor=None)
    assert (found.status, found.left_value, found.difference) == ("open", "41", -2)

    put("00004", "43", source=REPORT)
    found = services.discrepancy_recheck(discrepancy=found, actor=None)
    assert found.status == DiscrepancyStatus.CORRECTED
    assert found.resolved_at is not None
    assert [event.kind for event in found.events.all()] == [
        DiscrepancyEventKind.FOUND,
        DiscrepancyEventKind.CHANGED,
        DiscrepancyEventKind.CORRECTED,
    ]

    put("00004", "44", source=REPORT)  # the report changes again and disagrees
    summary = services.discrepancies_compare(periods=[PERIOD], actor=None)
    assert summary.reopened == 1
    found.refresh_from_db()
    assert (found.status, found.left_value) == ("open", "44")


def test_an_accepted_difference_stays_accepted_until_the_values_change(two_sources):
    analyst = person("phantich.hanoi", "01", "analyst")
    services.discrepancies_compare(periods=[PERIOD], actor=analyst)
    found = Discrepancy.objects.get()

    with pytest.raises(DomainError) as refused:
        services.discrepancy_accept(discrepancy=found, reason="  ", actor=analyst)
    assert refused.value.field == "reason"
    found.refresh_from_db()
    assert found.status == "open"

    reason = "Cổng tính cả 3 hồ sơ tiếp nhận ngày 15/11 sau thời điểm chốt số liệu."
    services.discrepancy_accept(discrepancy=found, reason=reason, actor=analyst)
    found.refresh_from_db()
    assert (found.status, found.resolution) == ("accepted", reason)
    assert found.resolved_by_name == "phantich.hanoi"
    with pytest.raises(SubmissionConflict):
        services.discrepancy_accept(discrepancy=found, reason=reason, actor=analyst)

    assert services.discrepancies_compare(periods=[PERIOD], actor=analyst).accepted == 1
    put("00004", "39", source=REPORT)
    assert services.discrepancies_compare(periods=[PERIOD], actor=analyst).reopened == 1
    found.refresh_from_db()
    assert (found.status, found.resolution) == ("open", "")

    services.discrepancy_accept(discrepancy=found, reason=reason, actor=analyst)
    services.discrepancy_reopen(discrepancy=found, reason="Cần xác minh lại", actor=analyst)
    found.refresh_from_db()
    assert found.status == "open"
    assert [event.kind for event in found.events.all()][-2:] == ["accepted", "reopened"]


def test_officers_comment_but_only_analysts_reviewers_and_administrators_resolve(two_sources):
    services.discrepancies_compare(periods=[PERIOD], actor=None)
    found = Discrepancy.objects.get()
    officer = person("canbo.badinh2", "00004", "reporter")

    event = services.discrepancy_comment(
        discrepancy=found, text="Phường đã rà soát, 3 hồ sơ nộp trùng.", actor=officer
    )
    assert (event.kind, event.author_name) == ("comment", "canbo.badinh2")
    with pytest.raises(DomainError) as empty:
        services.discrepancy_comment(discrepancy=found, text="", actor=officer)
    assert empty.value.field == "text"
    with pytest.raises(SubmissionDenied):
        services.discrepancy_accept(discrepancy=found, reason="Đồng ý", actor=officer)
    with pytest.raises(SubmissionDenied):
        services.discrepancies_compare(periods=[PERIOD], actor=officer)
    found.refresh_from_db()
    assert found.status == "open"


def test_users_see_the_discrepancies_of_their_units_only(two_sources):
    services.discrepancies_compare(periods=[PERIOD], actor=None)
    found = Discrepancy.objects.get()
    hanoi = person("phantich.hanoi", "01", "analyst")
    saigon = person("phantich.hcm", "79", "analyst")

    assert selectors.discrepancy_get(discrepancy_id=found.pk, user=hanoi) == found
    with pytest.raises(NotFound):
        selectors.discrepancy_get(discrepancy_id=found.pk, user=saigon)
    assert list(selectors.discrepancies(user=saigon)) == []
    assert list(selectors.discrepancies(user=hanoi, status="open", source=PORTAL)) == [found]
    assert list(selectors.discrepancies(user=hanoi, status="accepted")) == []
    with pytest.raises(SubmissionDenied):
        services.discrepancies_compare(
            periods=[PERIOD], unit=Unit.objects.get(code="01"), actor=saigon
        )


def test_comparing_refuses_unknown_rules_and_periods_naming_them(two_sources):
    with pytest.raises(Rejected) as refused:
        services.discrepancies_compare(periods=["2026-13"], rules=["KHONG.CO"], actor=None)
    fields = {problem.field for problem in refused.value.problems}
    assert fields == {"periods[0]", "rules"}
    assert "KHONG.CO" in str(refused.value)
    assert Discrepancy.objects.count() == 0


# Counts for dashboards ------------------------------------------------------------------------


def test_counts_add_up_a_provinces_communes_and_follow_the_latest_run(two_sources):
    put("00004", "50", source=REPORT, code="HCC.HS_TRUC_TUYEN")  # more online than received
    services.discrepancies_compare(periods=[PERIOD], actor=None)
    run = services.validation_run_create(periods=[PERIOD], unit=None, actor=None)
    services.validation_run_execute(run_id=run.pk)
    hanoi, ba_dinh, ngoc_ha = (Unit.objects.get(code=code) for code in ("01", "00004", "00008"))

    counts = selectors.quality_counts(units=[hanoi, ngoc_ha], periods=[PERIOD, "202610"])

    province = counts[(hanoi.pk, PERIOD)]
    assert province.errors >= 1
    assert province.open_discrepancies == 1
    assert province.run_ids == {run.pk}
    assert counts[(ngoc_ha.pk, PERIOD)].errors == 0  # counted apart, not in Hà Nội's
    assert counts[(ngoc_ha.pk, PERIOD)].judged
    assert not counts[(hanoi.pk, "202610")].judged

    # Ba Đình corrects its report; a new run judges it again and the counts follow.
    put("00004", "40", source=REPORT, code="HCC.HS_TRUC_TUYEN")
    later = services.validation_run_create(periods=[PERIOD], unit=ba_dinh, actor=None)
    services.validation_run_execute(run_id=later.pk)
    counts = selectors.quality_counts(units=[ba_dinh], periods=[PERIOD])
    assert counts[(ba_dinh.pk, PERIOD)].errors == 0
    assert counts[(ba_dinh.pk, PERIOD)].run_ids == {later.pk}


def test_the_command_compares_and_writes_the_open_discrepancies(two_sources, tmp_path):
    import csv
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command(
        "reconcile", "--period", PERIOD, "--unit", "01", "--csv", tmp_path / "o.csv", stdout=out
    )
    assert "2 compared: 1 agree, 1 new" in out.getvalue()
    rows = list(csv.DictReader((tmp_path / "o.csv").open(encoding="utf-8")))
    assert [(row["unit"], row["difference"], row["status"]) for row in rows] == [
        ("00004", "-3", "open")
    ]
    with pytest.raises(CommandError, match="periods"):
        call_command("reconcile", stdout=out)
