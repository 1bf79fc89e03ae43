"""Built-in checks: counts are not negative, a complete breakdown adds up to its total."""

from __future__ import annotations

from decimal import Decimal as D

from baocao.catalogue.models import Indicator
from baocao.submissions.checks import ERROR
from baocao.validation.builtin import NEGATIVE_COUNT, TOTAL_MISMATCH, builtin_findings

DOSSIERS = Indicator(code="HCC.HS", name="Số hồ sơ", value_type="integer", decimals=0)
GRDP = Indicator(code="GRDP", name="GRDP", value_type="number", decimals=1)
GROWTH = Indicator(code="TANG", name="Tốc độ tăng", value_type="percentage", decimals=2)
INDICATORS = {"HCC.HS": DOSSIERS, "GRDP": GRDP, "TANG": GROWTH}
OPTIONS = {"GRDP": {"KV": ["NLTS", "CNXD", "DV", "THUE"]}, "HCC.HS": {"CAP": ["TINH", "XA"]}}


def codes(values):
    return [(f.code, f.importance, f.cells) for f in builtin_findings(values, INDICATORS, OPTIONS)]


def test_a_negative_count_is_an_error_and_a_negative_growth_is_not():
    assert codes({("HCC.HS", ""): D(-3), ("TANG", ""): D("-2.5")}) == [
        (NEGATIVE_COUNT, ERROR, (("HCC.HS", ""),))
    ]


def test_a_complete_breakdown_must_add_up_to_the_total():
    values = {
        ("GRDP", ""): D("100.0"),
        ("GRDP", "KV=NLTS"): D("10.0"),
        ("GRDP", "KV=CNXD"): D("40.0"),
        ("GRDP", "KV=DV"): D("45.0"),
        ("GRDP", "KV=THUE"): D("4.0"),
    }
    [finding] = builtin_findings(values, INDICATORS, OPTIONS)
    assert finding.code == TOTAL_MISMATCH
    assert finding.cells[0] == ("GRDP", "")
    assert len(finding.cells) == 5
    values[("GRDP", "KV=THUE")] = D("5.0")
    assert codes(values) == []


def test_parts_are_compared_at_the_indicators_decimals():
    values = {
        ("GRDP", ""): D("100.0"),
        ("GRDP", "KV=NLTS"): D("10.04"),
        ("GRDP", "KV=CNXD"): D("40"),
        ("GRDP", "KV=DV"): D("45"),
        ("GRDP", "KV=THUE"): D("4.98"),
    }
    assert codes(values) == []


def test_an_incomplete_breakdown_is_not_judged():
    values = {("HCC.HS", ""): D(10), ("HCC.HS", "CAP=TINH"): D(3)}
    assert codes(values) == []
