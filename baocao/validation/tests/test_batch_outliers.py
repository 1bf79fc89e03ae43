"""Outliers in batch validation runs: stored values judged against their own history (issue 5)."""

from __future__ import annotations

import csv
import io
import random
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from baocao.catalogue.models import Indicator
from baocao.organisations.models import Unit
from baocao.periods import parse_period
from baocao.submissions.choices import ValueSource
from baocao.submissions.models import DataValue
from baocao.submissions.services import report_get_or_create
from baocao.validation import services
from baocao.validation.batch_outliers import batch_outliers
from baocao.validation.models import OutlierFinding, ValidationRun
from baocao.validation.outliers import RECENT, SEASONAL, outlier_check
from baocao.validation.selectors import expected_range_text, report_outliers
from baocao.validation.tests.test_runs import person

pytestmark = pytest.mark.django_db

RECEIVED = "HCC.HS_TIEP_NHAN"  # dossiers received in the month
LATE = "HCC.HS_GQ_QUA_HAN"  # dossiers resolved late (a small count)
SOURCE = "BC-DVC-THANG"
BA_DINH, NGOC_HA, HCM_WARD = "00004", "00008", "25747"


def received_series(*, june_2025: int, december_2025: int = 3650) -> dict[str, int]:
    """Five years of a ward's dossiers received, January 2021 to December 2025.

    About 1 200 a month, 5 % up or down from month to month and year to year; December is
    the year's peak (year-end dossiers), three times that, every year.
    """
    draw = random.Random(2021)
    series: dict[str, int] = {}
    for year in range(2021, 2026):
        for month in range(1, 13):
            size = 3600 if month == 12 else 1200
            series[f"{year}{month:02d}"] = round(size * (1 + draw.uniform(-0.05, 0.05)))
    series["202506"], series["202512"] = june_2025, december_2025
    return series


def store(code: str, unit: str, series: dict[str, int], *, source: str = SOURCE) -> None:
    indicator = Indicator.objects.get(code=code)
    place = Unit.objects.get(code=unit)
    DataValue.objects.bulk_create(
        DataValue(
            indicator=indicator,
            disaggregation="",
            unit=place,
            period=period,
            source=source,
            value=str(number),
            channel=ValueSource.IMPORT,
            updated_at=timezone.now(),
        )
        for period, number in series.items()
    )


@pytest.fixture
def history(sample_catalogue):
    # Ba Đình: a June 2025 spike, an ordinary December 2025 peak, and a spike of late dossiers.
    store(RECEIVED, BA_DINH, received_series(june_2025=2600))
    late = [2, 5, 1, 6, 3, 0, 4, 7, 2, 5, 1, 3]  # June 2024 to May 2025: median 3
    store(LATE, BA_DINH, {parse_period("202406").next(n).code: v for n, v in enumerate(late)})
    store(LATE, BA_DINH, {"202506": 40})
    # Ngọc Hà: an ordinary year; a ward of Hồ Chí Minh City: the same spike, outside Hà Nội.
    store(RECEIVED, NGOC_HA, received_series(june_2025=1210))
    store(RECEIVED, HCM_WARD, received_series(june_2025=2600))


def run(periods=("202506", "202512"), unit: str | None = "01", source: str = "") -> ValidationRun:
    created = services.validation_run_create(
        periods=list(periods),
        unit=Unit.objects.get(code=unit) if unit else None,
        source=source,
        actor=None,
    )
    return services.validation_run_execute(run_id=created.pk)


def found(done: ValidationRun) -> list[tuple[str, str, str]]:
    return sorted(
        OutlierFinding.objects.filter(run=done).values_list(
            "indicator_code", "unit__code", "period"
        )
    )


def test_a_spike_is_kept_with_its_expected_range_and_a_seasonal_peak_is_not(history):
    done = run()
    # Ba Đình's June spike of dossiers and of late dossiers; not its December peak, nothing
    # of Ngọc Hà, nothing outside Hà Nội.
    assert found(done) == [(LATE, BA_DINH, "202506"), (RECEIVED, BA_DINH, "202506")]
    spike = OutlierFinding.objects.get(run=done, indicator_code=RECEIVED)
    assert (spike.value, spike.basis, spike.source, spike.disaggregation) == (
        2600.0,
        SEASONAL,
        SOURCE,
        "",
    )
    # The range expected from the 53 months before, June of earlier years at its centre.
    earlier = [(code, number) for code, number in received_series(june_2025=2600).items()]
    verdict = outlier_check(2600, [pair for pair in earlier if pair[0] < "202506"], period="202506")
    assert (spike.expected_low, spike.expected_high, spike.score) == (
        verdict.expected_low,
        verdict.expected_high,
        verdict.score,
    )
    assert 900 < spike.expected_low < 1200 < spike.expected_high < 1500
    # Judged: Ba Đình's and Ngọc Hà's received in June and December, Ba Đình's late in June.
    assert (done.counts["outliers"], done.counts["outliers_kept"]) == (2, 2)
    assert done.counts["outlier_values"] == 5
    assert done.progress_done == done.progress_total == done.counts["per_rule"].__len__() + 1


def test_the_expected_range_of_a_count_does_not_go_below_zero(history):
    done = run()
    late = OutlierFinding.objects.get(run=done, indicator_code=LATE)
    # Twelve months, too few years for the same month: the 12 most recent. Median 3, MAD 2,
    # so 3 ± 3.5 * 2.965 = -7.38 to 13.38, clamped at 0 dossiers.
    assert late.basis == RECENT
    assert late.expected_low == 0.0
    assert late.expected_high == pytest.approx(3 + 3.5 * 2 / 0.6745)


def test_the_batch_says_what_the_review_page_says(history):
    # The same value judged for a report of the month by the selectors of the review page.
    officer = person("canbo-badinh", BA_DINH, "reporter")
    report = report_get_or_create(regime=SOURCE, unit=BA_DINH, period="202506", actor=officer)
    verdict = report_outliers(report, {(RECEIVED, ""): "2600"})[(RECEIVED, "")]
    spike = OutlierFinding.objects.get(run=run(), indicator_code=RECEIVED)
    assert (spike.expected_low, spike.expected_high, spike.score, spike.basis) == (
        verdict.expected_low,
        verdict.expected_high,
        verdict.score,
        verdict.basis,
    )


def test_every_unit_and_the_source_filter(history):
    everywhere = run(unit=None)
    assert (RECEIVED, HCM_WARD, "202506") in found(everywhere)
    assert everywhere.counts["outliers"] == 3
    # History of another source is not the value's history: a copy of Ba Đình's June under
    # another source has no history there, and that source alone finds nothing.
    store(RECEIVED, BA_DINH, {"202506": 2600}, source="BC-DVC-KHAC")
    other = run(source="BC-DVC-KHAC")
    assert found(other) == [] and other.counts["outlier_values"] == 1


def test_history_is_read_in_a_few_queries_whatever_the_number_of_values(history):
    with CaptureQueriesContext(connection) as queries:
        result = batch_outliers(periods=["202506", "202512"], unit_ids=None)
    # The numeric indicators, the units with values, one read of the history.
    assert len(queries) <= 4
    assert result.values_read == 3 * 60 + 13
    assert result.outliers == 3


def test_kept_rows_stop_at_the_cap_but_counts_are_exact(history):
    result = batch_outliers(periods=["202506"], unit_ids=None, max_kept=1)
    assert result.outliers == 3 and len(result.found) == 1


def test_the_command_prints_the_outliers(history, tmp_path):
    out = io.StringIO()
    target = tmp_path / "khac-thuong.csv"
    call_command(
        "validate", "--period", "202506", "--unit", "01", "--outliers-csv", str(target), stdout=out
    )
    assert "2 outliers of 3 values" in out.getvalue()
    rows = list(csv.reader(target.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == [
        "indicator",
        "disaggregation",
        "unit",
        "period",
        "source",
        "value",
        "expected_low",
        "expected_high",
        "basis",
        "score",
    ]
    assert [row[:6] for row in rows[1:]] == [
        [LATE, "", BA_DINH, "202506", SOURCE, "40.0"],
        [RECEIVED, "", BA_DINH, "202506", SOURCE, "2600.0"],
    ]


def test_the_api_lists_filters_and_downloads_the_outliers(history):
    done = run(unit=None)
    analyst = person("phantich-hn", "01", "analyst")
    client = APIClient()
    national = person("quantri", "01", "administrator")
    national.is_superuser = True  # a run over every unit is read by national users only
    national.save()
    client.force_authenticate(national)
    url = f"/api/v1/validation-runs/{done.pk}/outliers/"
    listed = client.get(url).json()
    assert listed["count"] == 3
    first = listed["results"][0]
    assert set(first) == {
        "indicator",
        "disaggregation",
        "unit",
        "period",
        "source",
        "value",
        "expected_low",
        "expected_high",
        "basis",
        "score",
    }
    by_unit = client.get(url, {"unit": HCM_WARD}).json()["results"]
    assert [(row["unit"], row["indicator"], row["value"]) for row in by_unit] == [
        (HCM_WARD, RECEIVED, 2600.0)
    ]
    late = client.get(url, {"indicator": LATE}).json()["results"]
    assert [(row["unit"], row["expected_low"]) for row in late] == [(BA_DINH, 0.0)]
    text = b"".join(client.get(url, {"download": "csv"}).streaming_content).decode()
    assert text.count("\n") == 4 and f"{RECEIVED},,{HCM_WARD},202506,{SOURCE},2600.0" in text
    # A run over Hà Nội is read by Hà Nội's analyst, not by one of Hồ Chí Minh City, as for
    # the violations.
    hanoi = run()
    own = APIClient()
    own.force_authenticate(analyst)
    assert own.get(f"/api/v1/validation-runs/{hanoi.pk}/outliers/").json()["count"] == 2
    outsider = APIClient()
    outsider.force_authenticate(person("phantich-hcm", "79", "analyst"))
    for path in ("violations", "outliers"):
        response = outsider.get(f"/api/v1/validation-runs/{hanoi.pk}/{path}/")
        assert response.status_code == 404
    csv_outside = outsider.get(f"/api/v1/validation-runs/{hanoi.pk}/outliers/?download=csv")
    assert csv_outside.status_code == 404


def test_the_run_page_lists_the_outliers_in_vietnamese(history):
    done = run()
    client = Client()
    client.force_login(person("phantich-hn", "01", "analyst"))
    page = client.get(f"/data-quality/runs/{done.pk}/").content.decode()
    assert 'data-outliers="2"' in page
    row = page[page.index(f'data-outlier="{RECEIVED}||{BA_DINH}|202506"') :]
    row = row[: row.index("</tr>")]
    spike = OutlierFinding.objects.get(run=done, indicator_code=RECEIVED)
    # Rounded inwards to whole dossiers, with Vietnamese digit grouping.
    shown = expected_range_text(spike.expected_low, spike.expected_high, 0)
    assert re.fullmatch(r"(9\d\d|1\.\d{3}) – 1\.\d{3}", shown)
    assert "2.600" in row and shown in row and "Tháng 6/2025" in row
    assert "Phường Ba Đình" in row and "Số hồ sơ thủ tục hành chính tiếp nhận" in row
    only_late = client.get(f"/data-quality/runs/{done.pk}/", {"indicator": LATE}).content
    assert 'data-outliers="1"' in only_late.decode()
    download = client.get(f"/data-quality/runs/{done.pk}/", {"download": "outliers-csv"})
    assert b"".join(download.streaming_content).decode().count("\n") == 3
    # While a run is going, the section waits for it (htmx) and then shows itself.
    section = client.get(f"/data-quality/runs/{done.pk}/", {"section": "outliers"})
    assert 'data-outliers="2"' in section.content.decode()
    assert "hx-get" not in section.content.decode()
