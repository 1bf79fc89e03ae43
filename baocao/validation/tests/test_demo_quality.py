"""The demo's data-quality problems: findable by a reviewer of Hà Nội, made once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from baocao.accounts.models import User
from baocao.submissions.models import Report
from baocao.validation.models import Discrepancy, OutlierFinding, RuleViolation, ValidationRun

pytestmark = pytest.mark.django_db


def test_the_demo_has_violations_outliers_and_discrepancies_a_reviewer_finds(
    sample_catalogue, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    call_command("demo_reporting", stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_quality", stdout=out)

    run = ValidationRun.objects.get()
    assert run.status == "done"
    rules = set(RuleViolation.objects.filter(run=run).values_list("rule_code", flat=True))
    assert {"QT.HCC.TRUC_TUYEN", "QT.HCC.TIEP_NHAN_DOT_BIEN"} <= rules
    outliers = OutlierFinding.objects.filter(run=run)
    assert outliers.filter(indicator_code="HCC.HS_GQ_QUA_HAN", value=27).exists()
    assert outliers.filter(indicator_code="HCC.HS_TIEP_NHAN", source="BC-DVC-THANG").exists()
    assert outliers.count() <= 12  # a few to look at, not noise on every ward
    assert sorted(Discrepancy.objects.values_list("status", flat=True)) == ["accepted", "open"]

    reviewer = Client()
    reviewer.force_login(User.objects.get(username="kiemduyet.hanoi"))
    listed = reviewer.get("/data-quality/discrepancies/").content.decode()
    assert listed.count('data-discrepancy="') == 1
    accepted = Discrepancy.objects.get(status="accepted")
    assert (
        "sau thời điểm chốt"
        in reviewer.get(f"/data-quality/discrepancies/{accepted.pk}/").content.decode()
    )
    spike = outliers.get(indicator_code="HCC.HS_GQ_QUA_HAN", value=27)
    report = Report.objects.get(unit_id=spike.unit_id, period=spike.period)
    review = reviewer.get(f"/reports/{report.pk}/review/").content.decode()
    assert "badge--outlier" in review

    call_command("demo_quality", stdout=out)  # a second run changes nothing
    assert ValidationRun.objects.count() == 1
    assert "already done" in out.getvalue()
