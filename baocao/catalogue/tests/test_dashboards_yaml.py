"""Dashboards, targets and alerts as catalogue data (issue 7): load, reload, dump, refusals,
the sample pages and the admin."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from baocao.accounts.models import User
from baocao.audit.models import ChangeRecord
from baocao.catalogue.choices import ALERT_OPERATORS, NUMERIC_VALUE_TYPES
from baocao.catalogue.files import catalogue_read, catalogue_write
from baocao.catalogue.models import (
    AlertRule,
    Dashboard,
    DashboardPanel,
    DashboardPanelIndicator,
    Dimension,
    Form,
    Indicator,
    IndicatorTarget,
    ReconciliationRule,
    Regime,
    Sector,
    ValidationRule,
)
from baocao.catalogue.services import SAMPLE_CATALOGUE, catalogue_load
from baocao.catalogue.spec import AlertSpec
from baocao.catalogue.specs_from_db import catalogue_spec
from baocao.catalogue.tests.conftest import SMALL, write
from baocao.core.errors import Rejected

pytestmark = pytest.mark.django_db

# Added to the small catalogue: a text indicator, which no chart can draw.
EXTRA = """\
indicators:
  - code: LD.GHI_CHU
    name: Ghi chú về tình hình lao động
    value_type: text
    aggregation: none
    sector: LDVL
"""

DASHBOARDS = """\
dashboards:
  - code: TQ
    name: Tổng quan
    name_en: Overview
    description: Trang tổng quan.
    kind: national
    order: 1
    rotation: true
    rotation_seconds: 45
    panels:
      - title: Chỉ tiêu chủ yếu
        title_en: Headline figures
        chart: tiles
        indicators: [KT.GRDP, LD.TL_THAT_NGHIEP]
      - title: Lao động theo giới tính
        chart: bar
        indicators: [LD.THAT_NGHIEP, LD.LLLD]
        disaggregation: SEX=*
        periods: 24
        width: 2
      - title: Xếp hạng tỉnh theo tỷ lệ thất nghiệp
        chart: ranking
        indicators: [LD.TL_THAT_NGHIEP]
        level: province
        width: 1
      - title: Tình hình gửi báo cáo tháng
        chart: completeness
        regime: R-THANG
  - code: LV-LDVL
    name: Lao động, việc làm
    kind: sector
    sector: LDVL
    order: 10
    panels:
      - title: Lao động nữ theo xã
        chart: table
        indicators: [LD.LLLD, LD.THAT_NGHIEP]
        disaggregation: SEX=NU
        level: commune
targets:
  - indicator: KT.GRDP
    unit: CP
    period: 2026
    value: 12000000.5
    legal_source: Số liệu minh họa
  - {indicator: LD.TL_THAT_NGHIEP, unit: "01", period: 2026Q1, value: 2.2}
alerts:
  - code: CB.TN
    name: Tỷ lệ thất nghiệp cao
    indicator: LD.TL_THAT_NGHIEP
    operator: ">"
    threshold: 4.5
    level: province
    severity: critical
    sector: LDVL
    legal_source: Số liệu minh họa
  - code: CB.GRDP
    name: GRDP giảm
    indicator: KT.GRDP
    operator: "<="
    threshold: 0
    level: commune
    period_type: quarter
    severity: warning
    active: false
"""


@pytest.fixture
def catalogue_dir(tmp_path):
    directory = tmp_path / "catalogue"
    directory.mkdir()
    write(directory, SMALL.read_text(encoding="utf-8"), "a_small.yaml")
    write(directory, EXTRA, "b_extra.yaml")
    return directory


@pytest.fixture
def loaded(catalogue_dir):
    write(catalogue_dir, DASHBOARDS, "dashboards.yaml")
    return catalogue_load(path=catalogue_dir, actor=None)


def _line(text: str, needle: str, after: str = "") -> int:
    """The 1-based line of the first line holding `needle` (after the line holding `after`)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and needle in line) + 1


def _problems(directory, text: str) -> list:
    """Load `text` as dashboards.yaml beside the catalogue: refused, and nothing saved."""
    write(directory, text, "dashboards.yaml")
    with pytest.raises(Rejected) as caught:
        catalogue_load(path=directory, actor=None)
    assert Indicator.objects.count() == 0  # nothing of the document was written
    assert Dashboard.objects.count() == IndicatorTarget.objects.count() == 0
    return caught.value.problems


def _only(problems: list):
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def _dashboard(*panels: str, head: str = "") -> str:
    """A dashboard TQ with the panels given (each a YAML mapping in flow style)."""
    head = head or "    kind: national\n"
    text = "dashboards:\n  - code: TQ\n    name: Tổng quan\n" + head + "    panels:\n"
    return text + "".join(f"      - {panel}\n" for panel in panels)


# Loading, idempotence, identity ---------------------------------------------------------------


def test_load_writes_pages_panels_in_order_targets_and_alerts(audit_mark, loaded):
    assert {kind: loaded.created[kind] for kind in ("dashboards", "targets", "alerts")} == {
        "dashboards": 2,
        "targets": 2,
        "alerts": 2,
    }
    overview = Dashboard.objects.get(code="TQ")
    assert (overview.kind, overview.order, overview.rotation, overview.rotation_seconds) == (
        "national",
        1,
        True,
        45,
    )
    assert (overview.name_en, overview.description, overview.sector) == (
        "Overview",
        "Trang tổng quan.",
        None,
    )
    panels = list(overview.panels.order_by("order"))
    assert [(p.order, p.chart, p.width) for p in panels] == [
        (0, "tiles", 3),
        (1, "bar", 2),
        (2, "ranking", 1),
        (3, "completeness", 3),
    ]
    tiles, bar, ranking, completeness = panels
    assert (tiles.title_en, tiles.periods, tiles.level, tiles.disaggregation) == (
        "Headline figures",
        12,
        "",
        "",
    )
    # The order of the list is kept, whatever the codes' order.
    assert [e.indicator.code for e in bar.entries.order_by("order")] == [
        "LD.THAT_NGHIEP",
        "LD.LLLD",
    ]
    assert (bar.disaggregation, bar.periods) == ("SEX=*", 24)
    assert ranking.level == "province"
    assert completeness.regime.code == "R-THANG" and not completeness.entries.exists()
    sector_page = Dashboard.objects.get(code="LV-LDVL")
    assert (sector_page.kind, sector_page.sector.code, sector_page.rotation) == (
        "sector",
        "LDVL",
        False,
    )

    grdp = IndicatorTarget.objects.get(indicator__code="KT.GRDP")
    assert (grdp.unit.code, grdp.period, grdp.value) == ("CP", "2026", Decimal("12000000.5"))
    assert grdp.legal_source == "Số liệu minh họa"
    rate = IndicatorTarget.objects.get(indicator__code="LD.TL_THAT_NGHIEP")
    assert (rate.unit.code, rate.period, rate.value) == ("01", "2026Q1", Decimal("2.2"))

    high = AlertRule.objects.get(code="CB.TN")
    assert (high.operator, high.threshold, high.level, high.severity) == (
        ">",
        Decimal("4.5"),
        "province",
        "critical",
    )
    assert (high.period_type, high.active, high.sector.code) == ("month", True, "LDVL")
    low = AlertRule.objects.get(code="CB.GRDP")
    assert (low.period_type, low.active, low.sector, low.level) == (
        "quarter",
        False,
        None,
        "commune",
    )

    records = ChangeRecord.objects.filter(pk__gt=audit_mark)
    assert records.filter(object_type="catalogue.dashboard").count() == 2
    assert records.filter(object_type="catalogue.indicatortarget").count() == 2
    assert records.filter(object_type="catalogue.alertrule").count() == 2


def test_second_load_writes_nothing(loaded, catalogue_dir):
    records = ChangeRecord.objects.count()
    panels = set(DashboardPanel.objects.values_list("pk", flat=True))
    summary = catalogue_load(path=catalogue_dir, actor=None)
    assert summary.changed == 0
    assert (
        summary.unchanged["dashboards"],
        summary.unchanged["targets"],
        summary.unchanged["alerts"],
    ) == (2, 2, 2)
    assert ChangeRecord.objects.count() == records
    assert set(DashboardPanel.objects.values_list("pk", flat=True)) == panels


def test_a_changed_panel_list_rewrites_the_panels_of_that_page_only(loaded, catalogue_dir):
    overview = Dashboard.objects.get(code="TQ")
    sector_panel = DashboardPanel.objects.get(dashboard__code="LV-LDVL")
    # The tiles lose a figure and swap the other one, the bar chart goes, the rest moves up.
    text = DASHBOARDS.replace(
        "indicators: [KT.GRDP, LD.TL_THAT_NGHIEP]", "indicators: [LD.TL_THAT_NGHIEP]"
    )
    bar = text.index("      - title: Lao động theo giới tính")
    ranking = text.index("      - title: Xếp hạng tỉnh")
    text = text[:bar] + text[ranking:]
    write(catalogue_dir, text, "dashboards.yaml")
    summary = catalogue_load(path=catalogue_dir, actor=None)
    assert summary.updated == {"dashboards": 1}
    assert summary.unchanged["dashboards"] == 1
    assert Dashboard.objects.get(code="TQ").pk == overview.pk
    panels = list(overview.panels.order_by("order"))
    assert [(p.order, p.chart) for p in panels] == [
        (0, "tiles"),
        (1, "ranking"),
        (2, "completeness"),
    ]
    assert [e.indicator.code for e in panels[0].entries.all()] == ["LD.TL_THAT_NGHIEP"]
    assert DashboardPanelIndicator.objects.filter(panel__dashboard=overview).count() == 2
    # The other page was not touched.
    assert DashboardPanel.objects.get(dashboard__code="LV-LDVL").pk == sector_panel.pk
    record = ChangeRecord.objects.filter(object_type="catalogue.dashboard").latest("id")
    assert record.action == "update" and record.object_id == str(overview.pk)
    assert len(record.before["panels"]) == 4 and len(record.after["panels"]) == 3


def test_an_edited_target_and_alert_keep_their_identity(loaded, catalogue_dir):
    target = IndicatorTarget.objects.get(indicator__code="KT.GRDP")
    alert = AlertRule.objects.get(code="CB.TN")
    text = DASHBOARDS.replace("value: 12000000.5", "value: 12500000").replace(
        "threshold: 4.5", "threshold: 5"
    )
    write(catalogue_dir, text, "dashboards.yaml")
    summary = catalogue_load(path=catalogue_dir, actor=None)
    assert summary.updated == {"targets": 1, "alerts": 1}
    target.refresh_from_db()
    alert.refresh_from_db()
    assert (target.value, alert.threshold) == (Decimal(12500000), Decimal(5))
    record = ChangeRecord.objects.filter(object_type="catalogue.indicatortarget").latest("id")
    assert (record.before["value"], record.after["value"]) == ("12000000.5", "12500000")
    # A target for another period is another target.
    write(catalogue_dir, text.replace("period: 2026\n", "period: 2027\n"), "dashboards.yaml")
    summary = catalogue_load(path=catalogue_dir, actor=None)
    assert summary.created == {"targets": 1}
    assert IndicatorTarget.objects.filter(indicator__code="KT.GRDP").count() == 2


def test_entries_not_in_the_files_are_kept(loaded, catalogue_dir):
    write(catalogue_dir, "alerts: []\n", "dashboards.yaml")
    assert catalogue_load(path=catalogue_dir, actor=None).changed == 0
    assert (Dashboard.objects.count(), IndicatorTarget.objects.count()) == (2, 2)
    assert AlertRule.objects.count() == 2


# Dumping ---------------------------------------------------------------------------------------


def _wipe() -> None:
    for model in (
        AlertRule,
        IndicatorTarget,
        Dashboard,
        ReconciliationRule,
        ValidationRule,
        Regime,
        Form,
        Indicator,
        Dimension,
        Sector,
    ):
        model.objects.all().delete()


def test_dump_then_load_into_an_empty_catalogue_gives_back_the_pages(loaded, tmp_path):
    before = catalogue_spec()
    assert (len(before.dashboards), len(before.targets), len(before.alerts)) == (2, 2, 2)
    directory = tmp_path / "dump"
    written = catalogue_write(before, directory)
    for kind in ("dashboards", "targets", "alerts"):
        assert directory / f"{kind}.yaml" in written
    data = yaml.safe_load((directory / "targets.yaml").read_text(encoding="utf-8"))
    # Codes YAML would read as numbers are quoted; defaults are left out.
    assert data["targets"][1] == {
        "indicator": "LD.TL_THAT_NGHIEP",
        "unit": "01",
        "period": "2026Q1",
        "value": 2.2,
    }
    pages = yaml.safe_load((directory / "dashboards.yaml").read_text(encoding="utf-8"))
    tiles = pages["dashboards"][0]["panels"][0]
    assert tiles == {
        "title": "Chỉ tiêu chủ yếu",
        "title_en": "Headline figures",
        "chart": "tiles",
        "indicators": ["KT.GRDP", "LD.TL_THAT_NGHIEP"],
    }
    _wipe()
    catalogue_load(path=directory, actor=None)
    assert catalogue_spec() == before
    assert catalogue_load(path=directory, actor=None).changed == 0


def test_cli_load_names_the_new_kinds(catalogue_dir):
    write(catalogue_dir, DASHBOARDS, "dashboards.yaml")
    out = io.StringIO()
    with translation.override("en"):
        call_command("catalogue", "check", str(catalogue_dir), stdout=out)
        call_command("catalogue", "load", str(catalogue_dir), stdout=out)
    text = out.getvalue()
    assert "No problems found in 17 entries." in text
    assert "Dashboards: 2 created, 0 updated, 0 unchanged" in text
    assert "Targets: 2 created, 0 updated, 0 unchanged" in text
    assert "Alert rules: 2 created, 0 updated, 0 unchanged" in text


# Refusals: dashboards ------------------------------------------------------------------------


TILES = "{title: Chỉ tiêu, chart: tiles, indicators: [KT.GRDP, LD.TL_THAT_NGHIEP]}"


def test_unknown_indicator_in_a_panel(catalogue_dir):
    text = _dashboard(TILES, "{title: B, chart: line, indicators: [LD.LLLD, LD.KHONG_CO]}")
    problem = _only(_problems(catalogue_dir, text))
    assert (problem.code, problem.field) == (
        "unknown_indicator",
        "dashboards[0].panels[1].indicators[1]",
    )
    assert problem.file.endswith("dashboards.yaml")
    assert problem.line == _line(text, "LD.KHONG_CO")
    with translation.override("vi"):
        assert problem.message == "Không có chỉ tiêu mã LD.KHONG_CO."


def test_a_chart_of_figures_takes_only_numeric_indicators(catalogue_dir):
    text = _dashboard(
        "{title: A, chart: table, indicators: [LD.LLLD, LD.GHI_CHU], level: province}",
        # Completeness and alerts panels do not draw their indicators' values.
        "{title: B, chart: alerts, indicators: [LD.GHI_CHU]}",
    )
    problem = _only(_problems(catalogue_dir, text))
    assert (problem.code, problem.field, problem.line) == (
        "panel_indicator_not_numeric",
        "dashboards[0].panels[0].indicators[1]",
        _line(text, "LD.GHI_CHU"),
    )
    assert problem.args_dict["code"] == "LD.GHI_CHU"
    with translation.override("en"):
        assert problem.message == (
            'Indicator LD.GHI_CHU is of type Text; a panel "Table of the units below" shows '
            "only indicators whose values are numbers."
        )


@pytest.mark.parametrize("chart", ["tiles", "line", "bar", "ranking", "map", "table"])
def test_a_chart_of_figures_needs_an_indicator(catalogue_dir, chart):
    text = _dashboard(TILES, f"{{title: Trống, chart: {chart}, level: province}}")
    problem = _only(_problems(catalogue_dir, text))
    assert (problem.code, problem.field) == (
        "panel_no_indicators",
        "dashboards[0].panels[1].indicators",
    )
    # No `indicators` key: the panel's own line.
    assert problem.line == _line(text, "title: Trống")


def test_the_same_indicator_twice_in_a_panel(catalogue_dir):
    text = _dashboard("{title: A, chart: line, indicators: [KT.GRDP, LD.LLLD, KT.GRDP]}")
    problem = _only(_problems(catalogue_dir, text))
    assert (problem.code, problem.field) == (
        "panel_duplicate_indicator",
        "dashboards[0].panels[0].indicators[2]",
    )
    assert problem.args_dict == {"code": "KT.GRDP", "other": 1}


@pytest.mark.parametrize("chart", ["ranking", "map", "table"])
def test_charts_of_the_units_below_need_their_level(catalogue_dir, chart):
    text = _dashboard(TILES, f"{{title: Các tỉnh, chart: {chart}, indicators: [KT.GRDP]}}")
    problem = _only(_problems(catalogue_dir, text))
    assert (problem.code, problem.field, problem.line) == (
        "panel_level_required",
        "dashboards[0].panels[1].level",
        _line(text, "title: Các tỉnh"),
    )


def test_the_map_shows_provinces_and_levels_are_checked(catalogue_dir):
    text = _dashboard(
        "{title: Bản đồ, chart: map, indicators: [KT.GRDP], level: commune}",
        "{title: Bảng, chart: table, indicators: [KT.GRDP], level: huyen}",
    )
    problems = _problems(catalogue_dir, text)
    assert {(p.code, p.field) for p in problems} == {
        ("invalid_choice", "dashboards[0].panels[1].level"),
    }
    text = _dashboard("{title: Bản đồ, chart: map, indicators: [KT.GRDP], level: commune}")
    problem = _only(_problems(catalogue_dir, text))
    assert (problem.code, problem.field) == ("panel_map_level", "dashboards[0].panels[0].level")
    with translation.override("en"):
        assert (
            problem.message == "The map shows provinces: its level is province, not Commune level."
        )


def test_completeness_needs_a_known_regime(catalogue_dir):
    text = _dashboard(
        "{title: A, chart: completeness}", "{title: B, chart: completeness, regime: R-KHONG}"
    )
    problems = _problems(catalogue_dir, text)
    assert [(p.code, p.field) for p in problems] == [
        ("panel_regime_required", "dashboards[0].panels[0].regime"),
        ("unknown_regime", "dashboards[0].panels[1].regime"),
    ]
    assert problems[1].line == _line(text, "R-KHONG")
    with translation.override("vi"):
        assert problems[1].message == "Không có chế độ báo cáo R-KHONG."


def test_sector_pages_name_a_known_sector(catalogue_dir):
    text = _dashboard(TILES, head="    kind: sector\n")
    problem = _only(_problems(catalogue_dir, text))
    assert (problem.code, problem.field, problem.line) == (
        "dashboard_sector_required",
        "dashboards[0].sector",
        2,
    )
    text = _dashboard(TILES, head="    kind: sector\n    sector: KHONG_CO\n")
    problem = _only(_problems(catalogue_dir, text))
    assert (problem.code, problem.field, problem.line) == (
        "unknown_sector",
        "dashboards[0].sector",
        5,
    )
    assert problem.args_dict == {"code": "KHONG_CO"}


@pytest.mark.parametrize(
    ("disaggregation", "code", "field", "args"),
    [
        ("SEX:NU", "panel_disaggregation_invalid", "disaggregation", {"value": "SEX:NU"}),
        ("SEX=NU,SEX=NAM", "panel_disaggregation_invalid", "disaggregation", None),
        ("GIOI=NU", "unknown_dimension", "disaggregation", {"code": "GIOI"}),
        (
            "SEX=KHAC",
            "panel_unknown_option",
            "disaggregation",
            {"option": "KHAC", "dimension": "SEX", "expected": "NAM, NU, *"},
        ),
        # KT.GRDP is not broken down by sex: the problem names it, where it is listed.
        ("SEX=*", "panel_dimension_not_on_indicator", "indicators[1]", None),
    ],
)
def test_disaggregation(catalogue_dir, disaggregation, code, field, args):
    panel = (
        f"{{title: A, chart: line, indicators: [LD.LLLD, KT.GRDP], "
        f"disaggregation: '{disaggregation}'}}"
    )
    if code != "panel_dimension_not_on_indicator":
        panel = panel.replace(", KT.GRDP", "")
    problem = _only(_problems(catalogue_dir, _dashboard(panel)))
    assert (problem.code, problem.field) == (code, f"dashboards[0].panels[0].{field}")
    if args is not None:
        assert problem.args_dict == args
    if code == "panel_dimension_not_on_indicator":
        assert problem.args_dict == {"code": "KT.GRDP", "dimension": "SEX"}
        with translation.override("en"):
            assert "KT.GRDP is not broken down by SEX" in problem.message


def test_schema_of_panels_and_pages(catalogue_dir):
    text = _dashboard(
        "{title: A, chart: pie, indicators: [KT.GRDP]}",
        "{title: B, chart: line, indicators: [KT.GRDP], periods: 61, width: 4, colour: red}",
        head="    kind: quoc_gia\n    rotation_seconds: 5\n",
    )
    problems = _problems(catalogue_dir, text)
    assert {(p.code, p.field) for p in problems} == {
        ("invalid_choice", "dashboards[0].kind"),
        ("out_of_range", "dashboards[0].rotation_seconds"),
        ("invalid_choice", "dashboards[0].panels[0].chart"),
        ("out_of_range", "dashboards[0].panels[1].periods"),
        ("out_of_range", "dashboards[0].panels[1].width"),
        ("unknown_field", "dashboards[0].panels[1].colour"),
    }
    chart = next(p for p in problems if p.field.endswith("chart"))
    assert "completeness" in chart.message and chart.line == _line(text, "chart: pie")


def test_duplicate_page_code_across_files(catalogue_dir):
    write(catalogue_dir, _dashboard(TILES), "dashboards_2.yaml")
    problem = _only(_problems(catalogue_dir, _dashboard(TILES)))
    assert (problem.code, problem.field) == ("duplicate_code", "dashboards[0].code")
    assert problem.file.endswith("dashboards_2.yaml")
    assert "dashboards.yaml:2" in problem.message


def test_a_good_page_is_not_saved_when_another_is_bad(catalogue_dir):
    bad = DASHBOARDS.replace("indicators: [LD.LLLD, LD.THAT_NGHIEP]", "indicators: [LD.KHONG]")
    problem = _only(_problems(catalogue_dir, bad))
    assert problem.field == "dashboards[1].panels[0].indicators[0]"
    assert problem.line == _line(bad, "LD.KHONG")


# Refusals: targets and alerts ----------------------------------------------------------------


TARGET = (
    "targets:\n  - {{indicator: {indicator}, unit: {unit}, period: {period}, value: {value}}}\n"
)


def _target(indicator: str = "KT.GRDP", unit: str = "CP", period: str = "2026", value="1") -> str:
    return TARGET.format(indicator=indicator, unit=unit, period=period, value=value)


def test_target_references(catalogue_dir):
    problems = _problems(catalogue_dir, _target(indicator="KT.KHONG", unit="KHONG"))
    assert [(p.code, p.field, p.line) for p in problems] == [
        ("unknown_indicator", "targets[0].indicator", 2),
        ("unknown_unit", "targets[0].unit", 2),
    ]
    with translation.override("vi"):
        assert problems[1].message == "Không có đơn vị mã KHONG."
    problem = _only(_problems(catalogue_dir, _target(indicator="LD.GHI_CHU")))
    assert (problem.code, problem.field) == (
        "target_indicator_not_numeric",
        "targets[0].indicator",
    )


@pytest.mark.parametrize(
    ("period", "code"),
    [
        ("2026Q5", "period_quarter_out_of_range"),
        ("202613", "period_month_out_of_range"),
        ("2026q1", "period_code_invalid"),
        ("'Năm 2026'", "period_code_invalid"),
    ],
)
def test_target_period_codes(catalogue_dir, period, code):
    problem = _only(_problems(catalogue_dir, _target(period=period)))
    assert (problem.code, problem.field, problem.line) == (code, "targets[0].period", 2)


def test_a_unit_code_read_as_a_number(catalogue_dir):
    problem = _only(_problems(catalogue_dir, _target(unit="01")))
    assert (problem.code, problem.field) == ("unit_code_quotes", "targets[0].unit")
    with translation.override("en"):
        assert problem.message == (
            'The unit code 1 was read as a number: write unit codes in quotes, e.g. unit: "01".'
        )


def test_target_values(catalogue_dir):
    problem = _only(_problems(catalogue_dir, _target(value='"0.0000001"')))
    assert (problem.code, problem.field) == ("number_too_many_digits", "targets[0].value")
    assert problem.args_dict == {"value": "0.0000001", "decimals": 6, "digits": 24}
    problem = _only(_problems(catalogue_dir, _target(value='"8%"')))
    assert (problem.code, problem.field) == ("invalid_number", "targets[0].value")


def test_the_same_target_twice(catalogue_dir):
    text = _target() + _target(value="2").removeprefix("targets:\n")
    problem = _only(_problems(catalogue_dir, text))
    assert (problem.code, problem.field, problem.line) == ("target_duplicate", "targets[1]", 3)
    assert problem.args_dict["other"].endswith("dashboards.yaml:2")
    with translation.override("en"):
        assert problem.message.startswith(
            "The target of KT.GRDP for unit CP in period 2026 appears twice"
        )


ALERT = """\
alerts:
  - code: CB.A
    name: Cảnh báo
    indicator: KT.GRDP
    operator: "<"
    threshold: 0
    level: province
    severity: warning
"""


def test_alert_indicator_and_sector(catalogue_dir):
    text = ALERT.replace("KT.GRDP", "LD.GHI_CHU") + "    sector: KHONG_CO\n"
    problems = _problems(catalogue_dir, text)
    assert [(p.code, p.field, p.line) for p in problems] == [
        ("alert_indicator_not_numeric", "alerts[0].indicator", 4),
        ("unknown_sector", "alerts[0].sector", 9),
    ]
    with translation.override("en"):
        assert problems[0].message == (
            "Indicator LD.GHI_CHU is of type Text; an alert compares numbers with its threshold."
        )
    problem = _only(_problems(catalogue_dir, ALERT.replace("KT.GRDP", "KT.KHONG")))
    assert (problem.code, problem.field) == ("unknown_indicator", "alerts[0].indicator")


def test_alert_schema(catalogue_dir):
    text = ALERT.replace('"<"', '"=="').replace("    severity: warning\n", "")
    text = text.replace("threshold: 0", 'threshold: "1e-9"')
    problems = _problems(catalogue_dir, text)
    assert {(p.code, p.field) for p in problems} == {
        ("invalid_choice", "alerts[0].operator"),
        ("missing_field", "alerts[0].severity"),
    }
    operator = next(p for p in problems if p.field.endswith("operator"))
    assert "'<='" in operator.message
    problem = _only(
        _problems(catalogue_dir, text.replace('"=="', '">="') + "    severity: critical\n")
    )
    assert (problem.code, problem.field) == ("number_too_many_digits", "alerts[0].threshold")


def test_alert_operators_are_the_models():
    assert AlertSpec.model_fields["operator"].annotation.__args__ == ALERT_OPERATORS


# The sample catalogue ----------------------------------------------------------------------


@pytest.fixture
def sample():
    return catalogue_read(SAMPLE_CATALOGUE)


def test_the_sample_loads_and_reloads_unchanged(sample):
    summary = catalogue_load(path=SAMPLE_CATALOGUE, actor=None)
    assert summary.created["dashboards"] == len(sample.dashboards) == 12
    assert summary.created["targets"] == len(sample.targets)
    assert summary.created["alerts"] == len(sample.alerts)
    assert catalogue_load(path=SAMPLE_CATALOGUE, actor=None).changed == 0


def test_the_sample_overview_has_a_row_of_tiles_per_sector(sample):
    indicators = {entry.spec.code: entry.spec for entry in sample.indicators}
    sectors = [entry.spec.code for entry in sorted(sample.sectors, key=lambda e: e.spec.order)]
    pages = {entry.spec.code: entry.spec for entry in sample.dashboards}
    overview = pages["TONG-QUAN"]
    assert (overview.kind, overview.order, overview.rotation) == ("national", 1, True)
    tiles = [panel for panel in overview.panels if panel.chart == "tiles"]
    assert len(tiles) == 9
    for sector, panel in zip(sectors, tiles, strict=True):
        assert 2 <= len(panel.indicators) <= 5, panel.title
        for code in panel.indicators:
            assert indicators[code].sector == sector, (panel.title, code)
            assert indicators[code].value_type in NUMERIC_VALUE_TYPES
    charts = {panel.chart: panel for panel in overview.panels}
    assert charts["map"].level == "province" and charts["map"].indicators
    assert charts["completeness"].regime == "BC-KTXH-THANG"
    assert "alerts" in charts


def test_the_sample_has_a_page_per_sector_a_map_and_a_province_page(sample):
    forms = {entry.spec.code: entry.spec for entry in sample.forms}
    pages = {entry.spec.code: entry.spec for entry in sample.dashboards}
    for entry in sample.sectors:
        page = pages[f"LV-{entry.spec.code}"]
        assert (page.kind, page.sector) == ("sector", entry.spec.code)
        assert page.order >= 10
        line = next(panel for panel in page.panels if panel.chart == "line")
        ranking = next(panel for panel in page.panels if panel.chart == "ranking")
        table = next(panel for panel in page.panels if panel.chart == "table")
        assert line.periods == 24
        assert ranking.indicators == line.indicators[:1]
        assert ranking.level == table.level == "province"
        assert set(line.indicators) <= set(table.indicators)
    assert [panel.chart for panel in pages["BAN-DO"].panels] == ["map"]
    province = pages["TINH"]
    assert province.kind == "unit"
    charts = {panel.chart: panel for panel in province.panels}
    dossier_rows = [row.indicator for row in forms["BM-DVC-THANG"].sections[0].rows]
    assert set(dossier_rows) <= set(charts["table"].indicators)
    assert charts["table"].level == charts["ranking"].level == "commune"
    assert charts["ranking"].indicators == ["HCC.TL_DUNG_HAN"]
    assert charts["completeness"].regime == "BC-DVC-THANG"
    assert charts["tiles"].indicators


def test_the_sample_targets_and_alerts(sample):
    targets = {(t.spec.indicator, t.spec.unit, t.spec.period): t.spec for t in sample.targets}
    assert targets[("TTKT.GRDP_TANG", "CP", "2026")].value > 0
    assert {"TCC.THU_NSNN", "ODVM.XK"} <= {indicator for indicator, _, _ in targets}
    # No target carries an `illustrative` flag: unchecked figures say so in their source.
    assert all(t.legal_source.startswith("Số liệu minh họa") for t in targets.values())
    alerts = {entry.spec.code: entry.spec for entry in sample.alerts}
    cpi = alerts["CB.ODVM.CPI_CK"]
    assert (cpi.indicator, cpi.operator, cpi.threshold, cpi.level) == (
        "ODVM.CPI_CK",
        ">",
        Decimal("104.5"),
        "province",
    )
    assert (cpi.period_type, cpi.severity) == ("month", "warning")
    on_time = alerts["CB.HCC.TL_DUNG_HAN"]
    assert (on_time.indicator, on_time.operator, on_time.threshold) == (
        "HCC.TL_DUNG_HAN",
        "<",
        Decimal(90),
    )
    assert (on_time.level, on_time.period_type, on_time.severity) == (
        "province",
        "month",
        "critical",
    )


# The admin -------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(loaded):
    admin = User.objects.create_superuser("quan-tri", password="mat-khau-dai-123")
    client = Client()
    client.force_login(admin)
    return client


@pytest.mark.parametrize("model", ["dashboard", "dashboardpanel", "indicatortarget", "alertrule"])
def test_the_admin_pages_open(admin_client, model):
    listing = admin_client.get(f"/admin/catalogue/{model}/")
    assert listing.status_code == 200
    assert admin_client.get(f"/admin/catalogue/{model}/add/").status_code == 200
    obj = {
        "dashboard": Dashboard.objects.first,
        "dashboardpanel": DashboardPanel.objects.first,
        "indicatortarget": IndicatorTarget.objects.first,
        "alertrule": AlertRule.objects.first,
    }[model]()
    assert admin_client.get(f"/admin/catalogue/{model}/{obj.pk}/change/").status_code == 200


def _panel_form(panel: DashboardPanel, rows: list[tuple[Indicator, int]], **changes) -> dict:
    stored = list(panel.entries.order_by("order"))
    form = {
        "dashboard": str(panel.dashboard_id),
        "order": str(panel.order),
        "title": panel.title,
        "title_en": panel.title_en,
        "chart": panel.chart,
        "periods": str(panel.periods),
        "disaggregation": panel.disaggregation,
        "level": panel.level,
        "regime": str(panel.regime_id or ""),
        "width": str(panel.width),
        "entries-TOTAL_FORMS": str(len(rows)),
        "entries-INITIAL_FORMS": str(len(stored)),
    }
    for index, (indicator, order) in enumerate(rows):
        form[f"entries-{index}-indicator"] = str(indicator.pk)
        form[f"entries-{index}-order"] = str(order)
        form[f"entries-{index}-panel"] = str(panel.pk)
        if index < len(stored):
            form[f"entries-{index}-id"] = str(stored[index].pk)
    form.update(changes)
    return form


def test_the_panel_admin_refuses_what_a_file_would_and_audits_its_rows(admin_client):
    panel = DashboardPanel.objects.get(dashboard__code="TQ", chart="tiles")
    url = f"/admin/catalogue/dashboardpanel/{panel.pk}/change/"
    grdp, rate, note = (
        Indicator.objects.get(code=code) for code in ("KT.GRDP", "LD.TL_THAT_NGHIEP", "LD.GHI_CHU")
    )
    refused = admin_client.post(url, _panel_form(panel, [(grdp, 0), (note, 1)]))
    assert refused.status_code == 200
    assert "LD.GHI_CHU" in str(
        refused.context["inline_admin_formsets"][0].formset.non_form_errors()
    )
    assert [e.indicator.code for e in panel.entries.order_by("order")] == [
        "KT.GRDP",
        "LD.TL_THAT_NGHIEP",
    ]
    refused = admin_client.post(url, _panel_form(panel, [(grdp, 0), (rate, 1)], chart="map"))
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["level"]

    mark = ChangeRecord.objects.order_by("-pk").values_list("pk", flat=True).first()
    # Reordered: the rows keep their indicators and change their positions.
    edited = admin_client.post(url, _panel_form(panel, [(grdp, 1), (rate, 0)], title="Mới"))
    assert edited.status_code == 302
    assert [e.indicator.code for e in panel.entries.order_by("order")] == [
        "LD.TL_THAT_NGHIEP",
        "KT.GRDP",
    ]
    records = ChangeRecord.objects.filter(pk__gt=mark)
    # The panel and its two rows, each with what it was and what it is.
    assert sorted(records.values_list("object_type", flat=True)) == [
        "catalogue.dashboardpanel",
        "catalogue.dashboardpanelindicator",
        "catalogue.dashboardpanelindicator",
    ]
    row = records.filter(object_type="catalogue.dashboardpanelindicator").first()
    assert row.action == "update" and row.before["order"] != row.after["order"]


def test_the_target_and_alert_admins_refuse_text_indicators_and_bad_periods(admin_client):
    note = Indicator.objects.get(code="LD.GHI_CHU")
    target = IndicatorTarget.objects.get(indicator__code="KT.GRDP")
    form = {
        "indicator": str(note.pk),
        "unit": str(target.unit_id),
        "period": "2026Q5",
        "value": "1",
        "legal_source": "",
    }
    refused = admin_client.post(f"/admin/catalogue/indicatortarget/{target.pk}/change/", form)
    errors = refused.context["adminform"].form.errors
    assert set(errors) == {"indicator", "period"}
    alert = AlertRule.objects.get(code="CB.TN")
    form = {
        "code": alert.code,
        "name": alert.name,
        "indicator": str(note.pk),
        "operator": ">",
        "threshold": "4.5",
        "level": "province",
        "period_type": "month",
        "severity": "critical",
        "active": "on",
    }
    refused = admin_client.post(f"/admin/catalogue/alertrule/{alert.pk}/change/", form)
    assert set(refused.context["adminform"].form.errors) == {"indicator"}
    form["indicator"] = str(alert.indicator_id)
    form["threshold"] = "5"
    assert (
        admin_client.post(f"/admin/catalogue/alertrule/{alert.pk}/change/", form).status_code == 302
    )
    alert.refresh_from_db()
    assert alert.threshold == 5


def _dashboard_form(dashboard: Dashboard, **panel_changes: dict[str, str]) -> dict[str, str]:
    """The dashboard's admin form with its panels inline; `panel_changes` by panel order."""
    panels = list(dashboard.panels.order_by("order"))
    form = {
        "code": dashboard.code,
        "name": dashboard.name,
        "name_en": dashboard.name_en,
        "description": dashboard.description,
        "kind": dashboard.kind,
        "sector": str(dashboard.sector_id or ""),
        "order": str(dashboard.order),
        "rotation": "on" if dashboard.rotation else "",
        "rotation_seconds": str(dashboard.rotation_seconds),
        "panels-TOTAL_FORMS": str(len(panels)),
        "panels-INITIAL_FORMS": str(len(panels)),
    }
    for index, panel in enumerate(panels):
        values = {
            "id": str(panel.pk),
            "dashboard": str(dashboard.pk),
            "order": str(panel.order),
            "title": panel.title,
            "title_en": panel.title_en,
            "chart": panel.chart,
            "periods": str(panel.periods),
            "disaggregation": panel.disaggregation,
            "level": panel.level,
            "regime": str(panel.regime_id or ""),
            "width": str(panel.width),
            **panel_changes.get(f"p{index}", {}),
        }
        form.update({f"panels-{index}-{key}": value for key, value in values.items()})
    return form


def test_the_dashboard_admin_checks_each_panel_with_its_stored_indicators(admin_client):
    dashboard = Dashboard.objects.get(code="TQ")
    url = f"/admin/catalogue/dashboard/{dashboard.pk}/change/"
    # The tiles hold KT.GRDP, which is not broken down by sex.
    refused = admin_client.post(url, _dashboard_form(dashboard, p0={"disaggregation": "SEX=NU"}))
    assert refused.status_code == 200
    panel_errors = refused.context["inline_admin_formsets"][0].formset.errors[0]
    assert "KT.GRDP" in str(panel_errors["__all__"])
    refused = admin_client.post(url, _dashboard_form(dashboard, p3={"regime": ""}))
    assert refused.context["inline_admin_formsets"][0].formset.errors[3]["regime"]

    edited = admin_client.post(url, _dashboard_form(dashboard, p1={"disaggregation": "SEX=NU"}))
    assert edited.status_code == 302
    assert dashboard.panels.get(order=1).disaggregation == "SEX=NU"
    # A new panel gets its indicators on its own page: it may be saved without them.
    form = _dashboard_form(dashboard)
    form.update(
        {
            "panels-TOTAL_FORMS": "5",
            "panels-4-dashboard": str(dashboard.pk),
            "panels-4-order": "4",
            "panels-4-title": "Bản đồ",
            "panels-4-chart": "map",
            "panels-4-periods": "12",
            "panels-4-level": "province",
            "panels-4-width": "3",
        }
    )
    assert admin_client.post(url, form).status_code == 302
    assert dashboard.panels.get(order=4).chart == "map"
