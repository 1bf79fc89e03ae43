"""Reconciliation rules as catalogue data: load, update by code, dump, refusals, sample, agree()."""

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
from baocao.catalogue.files import catalogue_read, catalogue_write
from baocao.catalogue.models import (
    Dimension,
    Form,
    Indicator,
    ReconciliationRule,
    Regime,
    Sector,
    ValidationRule,
)
from baocao.catalogue.services import SAMPLE_CATALOGUE, catalogue_load
from baocao.catalogue.specs_from_db import catalogue_spec
from baocao.catalogue.tests.conftest import SMALL, write
from baocao.core.errors import Rejected

pytestmark = pytest.mark.django_db

# Added to the small catalogue: the public-service indicators the rules compare, and a text
# indicator (not a number).
EXTRA = """\
sectors:
  - {code: HCC, name: "Hành chính công phục vụ người dân, doanh nghiệp", order: 8}
indicators:
  - code: HCC.HS_TIEP_NHAN
    name: Số hồ sơ thủ tục hành chính tiếp nhận trong kỳ
    unit: hồ sơ
    value_type: integer
    aggregation: sum
    sector: HCC
  - code: HCC.HS_GQ_DUNG_HAN
    name: Số hồ sơ đã giải quyết đúng hạn
    unit: hồ sơ
    value_type: integer
    aggregation: sum
    sector: HCC
  - code: HCC.GHI_CHU
    name: Ghi chú về tình hình giải quyết hồ sơ
    value_type: text
    aggregation: none
    sector: HCC
"""

# Line numbers matter: the refusals below name them.
RECONCILIATIONS = """\
reconciliations:
  - code: DC.HCC.TIEP_NHAN
    name: Hồ sơ tiếp nhận khớp với Cổng Dịch vụ công quốc gia
    indicator: HCC.HS_TIEP_NHAN
    left_source: BC-DVC-THANG
    right_source: DVCQG
    sector: HCC
    legal_source: Quyết định 766/QĐ-TTg ngày 23/6/2022
  - code: DC.HCC.TONG_XA
    name: Hồ sơ tiếp nhận của tỉnh bằng tổng của các xã
    name_en: A province's dossiers are the sum of its communes'
    description: Cùng một báo cáo, hai cấp.
    indicator: HCC.HS_TIEP_NHAN
    kind: children
    left_source: BC-DVC-THANG
    right_source: BC-DVC-THANG
    period_type: month
    unit_levels: [province]
    illustrative: true
  - code: DC.KT.GRDP
    name: GRDP của tỉnh gần với số liệu thống kê
    indicator: KT.GRDP
    left_source: R-THANG
    right_source: TCTK
    tolerance_absolute: 0.5
    tolerance_percent: 2.5
    period_type: quarter
    unit_levels: [province, commune]
    sector: TTKT
    illustrative: true
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
    write(catalogue_dir, RECONCILIATIONS, "reconciliations.yaml")
    return catalogue_load(path=catalogue_dir, actor=None)


def _problems(directory, text: str) -> list:
    """Load `text` as reconciliations.yaml beside the catalogue: refused, and nothing saved."""
    write(directory, text, "reconciliations.yaml")
    with pytest.raises(Rejected) as caught:
        catalogue_load(path=directory, actor=None)
    assert ReconciliationRule.objects.count() == 0
    assert Indicator.objects.count() == 0  # nothing of the document was written
    return caught.value.problems


def _first(**changes: str) -> str:
    """The first rule of RECONCILIATIONS alone, with some lines replaced or added."""
    lines = RECONCILIATIONS.split("  - code: DC.HCC.TONG_XA")[0].splitlines()
    for key, value in changes.items():
        line = f"    {key}: {value}"
        replaced = [line if old.startswith(f"    {key}:") else old for old in lines]
        lines = replaced if replaced != lines else [*lines, line]
    return "\n".join(lines) + "\n"


# Loading, idempotence, identity, dump -------------------------------------------------------


def test_load_writes_every_field_and_the_defaults(audit_mark, loaded):
    assert loaded.created["reconciliations"] == 3
    first = ReconciliationRule.objects.get(code="DC.HCC.TIEP_NHAN")
    assert (first.indicator.code, first.kind) == ("HCC.HS_TIEP_NHAN", "sources")
    assert (first.left_source, first.right_source) == ("BC-DVC-THANG", "DVCQG")
    assert (first.tolerance_absolute, first.tolerance_percent) == (0, 0)
    assert (first.period_type, first.unit_levels) == ("", [])
    assert first.sector.code == "HCC" and not first.illustrative
    assert first.legal_source == "Quyết định 766/QĐ-TTg ngày 23/6/2022"

    children = ReconciliationRule.objects.get(code="DC.HCC.TONG_XA")
    # The sum of the communes and the province's own figure may come from the same regime.
    assert (children.kind, children.left_source, children.right_source) == (
        "children",
        "BC-DVC-THANG",
        "BC-DVC-THANG",
    )
    assert (children.period_type, children.unit_levels) == ("month", ["province"])
    assert children.name_en == "A province's dossiers are the sum of its communes'"
    assert children.description == "Cùng một báo cáo, hai cấp."
    assert children.sector is None and children.illustrative

    grdp = ReconciliationRule.objects.get(code="DC.KT.GRDP")
    assert (grdp.tolerance_absolute, grdp.tolerance_percent) == (Decimal("0.5"), Decimal("2.5"))
    assert grdp.unit_levels == ["province", "commune"]
    records = ChangeRecord.objects.filter(pk__gt=audit_mark)
    assert records.filter(object_type="catalogue.reconciliationrule").count() == 3


def test_second_load_writes_nothing(loaded, catalogue_dir):
    records = ChangeRecord.objects.count()
    summary = catalogue_load(path=catalogue_dir, actor=None)
    assert summary.changed == 0
    assert summary.unchanged["reconciliations"] == 3
    assert ChangeRecord.objects.count() == records


def test_an_edited_rule_is_matched_by_code_keeps_its_identity_and_is_audited(loaded, catalogue_dir):
    rule = ReconciliationRule.objects.get(code="DC.KT.GRDP")
    edited_text = RECONCILIATIONS.replace("tolerance_percent: 2.5", "tolerance_percent: 5")
    write(catalogue_dir, edited_text.replace("right_source: TCTK", "right_source: CTK"), "r.yaml")
    (catalogue_dir / "reconciliations.yaml").unlink()
    summary = catalogue_load(path=catalogue_dir, actor=None)
    assert summary.updated == {"reconciliations": 1}
    assert summary.unchanged["reconciliations"] == 2
    edited = ReconciliationRule.objects.get(code="DC.KT.GRDP")
    assert edited.pk == rule.pk
    assert (edited.tolerance_percent, edited.right_source) == (Decimal(5), "CTK")
    record = ChangeRecord.objects.filter(object_type="catalogue.reconciliationrule").latest("id")
    assert record.action == "update" and record.object_id == str(rule.pk)
    assert (record.before["tolerance_percent"], record.after["tolerance_percent"]) == ("2.5", "5")
    assert (record.before["right_source"], record.after["right_source"]) == ("TCTK", "CTK")


def test_rules_not_in_the_files_are_kept(loaded, catalogue_dir):
    write(catalogue_dir, _first(), "reconciliations.yaml")
    catalogue_load(path=catalogue_dir, actor=None)
    assert ReconciliationRule.objects.count() == 3


def test_dump_then_load_into_an_empty_catalogue_gives_back_the_rules(loaded, tmp_path):
    before = catalogue_spec()
    assert len(before.reconciliations) == 3
    dumped = tmp_path / "dump.yaml"
    catalogue_write(before, dumped)
    data = yaml.safe_load(dumped.read_text(encoding="utf-8"))
    grdp = next(item for item in data["reconciliations"] if item["code"] == "DC.KT.GRDP")
    # Tolerances are written as a person writes them; defaults are left out.
    assert (grdp["tolerance_absolute"], grdp["tolerance_percent"]) == (0.5, 2.5)
    first = next(item for item in data["reconciliations"] if item["code"] == "DC.HCC.TIEP_NHAN")
    assert "tolerance_absolute" not in first and "kind" not in first
    for model in (ReconciliationRule, ValidationRule, Regime, Form, Indicator, Dimension, Sector):
        model.objects.all().delete()
    catalogue_load(path=dumped, actor=None)
    assert catalogue_spec() == before
    # And a directory dump has its own file for them, which loads unchanged.
    directory = tmp_path / "dump"
    written = catalogue_write(catalogue_spec(), directory)
    assert directory / "reconciliations.yaml" in written
    assert catalogue_load(path=directory, actor=None).changed == 0


def test_a_rule_may_cite_an_indicator_stored_by_an_earlier_load(small_catalogue, tmp_path):
    text = _first(indicator="LD.THAT_NGHIEP", sector="LDVL")
    summary = catalogue_load(path=write(tmp_path, text), actor=None)
    assert summary.created == {"reconciliations": 1}
    assert ReconciliationRule.objects.get().indicator.code == "LD.THAT_NGHIEP"


def test_cli_load_names_reconciliation_rules(catalogue_dir):
    write(catalogue_dir, RECONCILIATIONS, "reconciliations.yaml")
    out = io.StringIO()
    with translation.override("en"):
        call_command("catalogue", "check", str(catalogue_dir), stdout=out)
        call_command("catalogue", "load", str(catalogue_dir), stdout=out)
    assert "Reconciliation rules: 3 created, 0 updated, 0 unchanged" in out.getvalue()


# Refusals: with file, line, path, a Vietnamese message, and nothing saved ---------------------


def test_unknown_indicator(catalogue_dir):
    (problem,) = _problems(catalogue_dir, _first(indicator="HCC.KHONG_CO"))
    assert problem.code == "reconciliation_unknown_indicator"
    assert problem.file.endswith("reconciliations.yaml")
    assert (problem.line, problem.field) == (4, "reconciliations[0].indicator")
    with translation.override("vi"):
        assert problem.message == "Không có chỉ tiêu mã HCC.KHONG_CO."


def test_indicator_that_is_not_a_number(catalogue_dir):
    (problem,) = _problems(catalogue_dir, _first(indicator="HCC.GHI_CHU"))
    assert (problem.code, problem.field, problem.line) == (
        "reconciliation_indicator_not_numeric",
        "reconciliations[0].indicator",
        4,
    )
    assert problem.args_dict["code"] == "HCC.GHI_CHU"
    with translation.override("en"):
        assert problem.message.startswith("Indicator HCC.GHI_CHU is of type Text;")


def test_children_of_an_indicator_that_does_not_add_up_over_units(catalogue_dir):
    # An unemployment rate of a province is not the sum of its communes' rates.
    text = _first(indicator="LD.TL_THAT_NGHIEP", kind="children")
    (problem,) = _problems(catalogue_dir, text)
    assert (problem.code, problem.field) == (
        "reconciliation_children_not_additive",
        "reconciliations[0].indicator",
    )
    assert problem.args_dict["code"] == "LD.TL_THAT_NGHIEP"


def test_unknown_sector(catalogue_dir):
    (problem,) = _problems(catalogue_dir, _first(sector="KHONG_CO"))
    assert (problem.code, problem.field, problem.line) == (
        "unknown_reference",
        "reconciliations[0].sector",
        7,
    )
    assert problem.args_dict == {"kind": "sector", "code": "KHONG_CO"}
    with translation.override("vi"):
        assert problem.message.startswith("Không có")


def test_unknown_unit_level_and_kind(catalogue_dir):
    text = _first(unit_levels="[province, huyen]", kind="tong_cong")
    problems = _problems(catalogue_dir, text)
    assert {(p.code, p.field) for p in problems} == {
        ("invalid_choice", "reconciliations[0].unit_levels[1]"),
        ("invalid_choice", "reconciliations[0].kind"),
    }
    level = next(p for p in problems if p.field.endswith("unit_levels[1]"))
    assert level.args_dict["value"] == "huyen" and "commune" in level.message
    kind = next(p for p in problems if p.field.endswith("kind"))
    assert "children" in kind.message and "sources" in kind.message


def test_the_same_source_on_both_sides(catalogue_dir):
    (problem,) = _problems(catalogue_dir, _first(right_source="BC-DVC-THANG"))
    assert (problem.code, problem.field, problem.line) == (
        "reconciliation_same_source",
        "reconciliations[0].right_source",
        6,
    )
    assert problem.args_dict == {"source": "BC-DVC-THANG"}
    assert "BC-DVC-THANG" in problem.message


def test_a_negative_tolerance_and_a_percentage_over_100(catalogue_dir):
    text = _first(tolerance_absolute="-1", tolerance_percent="150")
    problems = _problems(catalogue_dir, text)
    assert [(p.code, p.field, p.line) for p in problems] == [
        ("reconciliation_tolerance_negative", "reconciliations[0].tolerance_absolute", 9),
        ("reconciliation_percent_over_100", "reconciliations[0].tolerance_percent", 10),
    ]
    assert problems[0].args_dict == {"value": "-1"}
    assert problems[1].args_dict == {"value": "150"}
    (problem,) = _problems(catalogue_dir, _first(tolerance_percent="-0.5"))
    assert (problem.code, problem.field) == (
        "reconciliation_tolerance_negative",
        "reconciliations[0].tolerance_percent",
    )


def test_a_tolerance_the_database_cannot_hold(catalogue_dir):
    (problem,) = _problems(catalogue_dir, _first(tolerance_absolute='"0.0000001"'))
    assert (problem.code, problem.field) == (
        "reconciliation_tolerance_digits",
        "reconciliations[0].tolerance_absolute",
    )
    assert problem.args_dict == {"value": "0.0000001", "decimals": 6, "digits": 20}
    (problem,) = _problems(catalogue_dir, _first(tolerance_absolute="123456789012345"))
    assert problem.code == "reconciliation_tolerance_digits"


def test_a_tolerance_that_is_not_a_number(catalogue_dir):
    (problem,) = _problems(catalogue_dir, _first(tolerance_percent='"2%"'))
    assert (problem.code, problem.field, problem.line) == (
        "invalid_number",
        "reconciliations[0].tolerance_percent",
        9,
    )
    with translation.override("vi"):
        assert problem.message == "2% không phải là số."


def test_a_missing_source_and_an_unknown_key(catalogue_dir):
    text = _first().replace("    right_source: DVCQG\n", "    nguon_phai: DVCQG\n")
    problems = _problems(catalogue_dir, text)
    assert {(p.code, p.field) for p in problems} == {
        ("missing_field", "reconciliations[0].right_source"),
        ("unknown_field", "reconciliations[0].nguon_phai"),
    }


def test_duplicate_code_across_files(catalogue_dir):
    write(catalogue_dir, _first(), "reconciliations_2.yaml")
    (problem,) = _problems(catalogue_dir, _first())
    assert problem.code == "duplicate_code"
    assert problem.file.endswith("reconciliations_2.yaml")
    assert problem.field == "reconciliations[0].code"
    assert "reconciliations.yaml:2" in problem.message


def test_a_good_rule_is_not_saved_when_another_is_bad(catalogue_dir):
    bad = RECONCILIATIONS.replace("indicator: KT.GRDP", "indicator: KT.KHONG_CO")
    (problem,) = _problems(catalogue_dir, bad)
    assert (problem.field, problem.line) == ("reconciliations[2].indicator", 22)


# The model and the admin ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("absolute", "percent", "left", "right", "expected"),
    [
        # Zero tolerance: equality only.
        ("0", "0", "1250", "1250", True),
        ("0", "0", "1250", "1251", False),
        ("0", "0", "0", "0", True),
        # Absolute: a difference of at most 2.
        ("2", "0", "100", "102", True),
        ("2", "0", "100", "102.5", False),
        # Percent of the larger magnitude: 5% of 200 = 10.
        ("0", "5", "190", "200", True),
        ("0", "5", "189.9", "200", False),
        # Both: the larger allowance wins (1 absolute beats 5% of 10 = 0.5).
        ("1", "5", "10", "11", True),
        ("1", "5", "10", "11.1", False),
        ("1", "5", "1000", "1040", True),  # 5% of 1040 = 52
        ("1", "5", "1000", "1060", False),
        # Negative values (a trade balance, a loss): magnitudes, not signed values.
        ("0", "5", "-190", "-200", True),
        ("0", "5", "-180", "-200", False),
        ("0", "10", "-5", "5", False),  # 10 apart, 10% of 5 is 0.5
        ("10", "0", "-5", "5", True),
    ],
)
def test_agree(absolute, percent, left, right, expected):
    rule = ReconciliationRule(
        tolerance_absolute=Decimal(absolute), tolerance_percent=Decimal(percent)
    )
    assert rule.agree(Decimal(left), Decimal(right)) is expected
    assert rule.agree(Decimal(right), Decimal(left)) is expected  # symmetric


@pytest.fixture
def admin_client(loaded):
    admin = User.objects.create_superuser("quan-tri", password="mat-khau-dai-123")
    client = Client()
    client.force_login(admin)
    return client


def _form(rule: ReconciliationRule, **changes: str) -> dict[str, str]:
    form = {
        "code": rule.code,
        "name": rule.name,
        "name_en": rule.name_en,
        "description": rule.description,
        "indicator": str(rule.indicator_id),
        "kind": rule.kind,
        "left_source": rule.left_source,
        "right_source": rule.right_source,
        "tolerance_absolute": str(rule.tolerance_absolute),
        "tolerance_percent": str(rule.tolerance_percent),
        "period_type": rule.period_type,
        "unit_levels": "[]",
        "sector": str(rule.sector_id or ""),
        "legal_source": rule.legal_source,
    }
    form.update(changes)
    return form


def test_admin_lists_rules_and_opens_the_add_page(admin_client):
    listing = admin_client.get("/admin/catalogue/reconciliationrule/")
    assert listing.status_code == 200
    assert "DC.HCC.TIEP_NHAN" in listing.content.decode()
    assert admin_client.get("/admin/catalogue/reconciliationrule/add/").status_code == 200


def test_admin_refuses_the_same_source_twice_and_audits_a_good_edit(admin_client):
    rule = ReconciliationRule.objects.get(code="DC.HCC.TIEP_NHAN")
    url = f"/admin/catalogue/reconciliationrule/{rule.pk}/change/"
    refused = admin_client.post(url, _form(rule, right_source="BC-DVC-THANG"))
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["right_source"]
    rule.refresh_from_db()
    assert rule.right_source == "DVCQG"

    before = ChangeRecord.objects.count()
    edited = admin_client.post(url, _form(rule, tolerance_absolute="3", unit_levels=""))
    assert edited.status_code == 302
    rule.refresh_from_db()
    assert (rule.tolerance_absolute, rule.unit_levels) == (Decimal(3), [])
    assert ChangeRecord.objects.count() == before + 1


# The sample catalogue ------------------------------------------------------------------------


def test_the_sample_reconciliations_load_and_make_sense():
    document = catalogue_read(SAMPLE_CATALOGUE)
    rules = [entry.spec for entry in document.reconciliations]
    assert 4 <= len(rules) <= 6
    assert {rule.kind for rule in rules} == {"sources", "children"}
    assert any(rule.tolerance_percent > 0 for rule in rules)
    assert any(rule.tolerance_absolute == rule.tolerance_percent == 0 for rule in rules)
    # A source is a regime of the sample or one of the feeds the file's header names.
    regimes = {entry.spec.code for entry in document.regimes}
    feeds = {"DVCQG", "TCTK", "KBNN", "RASOAT-HN"}
    for rule in rules:
        assert {rule.left_source, rule.right_source} <= regimes | feeds, rule.code
        assert rule.name and rule.legal_source and rule.illustrative
    by_code = {rule.code: rule for rule in rules}
    assert (by_code["DC.HCC.TIEP_NHAN.DVCQG"].left_source, "DVCQG") == (
        "BC-DVC-THANG",
        by_code["DC.HCC.TIEP_NHAN.DVCQG"].right_source,
    )

    summary = catalogue_load(path=SAMPLE_CATALOGUE, actor=None)
    assert summary.created["reconciliations"] == len(rules)
    stored = ReconciliationRule.objects.get(code="DC.TCC.THU_NSNN.KBNN")
    assert (stored.tolerance_absolute, stored.tolerance_percent) == (1, 5)
    assert catalogue_load(path=SAMPLE_CATALOGUE, actor=None).changed == 0


def test_the_admin_refuses_a_children_rule_over_an_indicator_that_does_not_add_up(loaded):
    # A province's unemployment rate is not the sum of its communes' rates.
    from django.core.exceptions import ValidationError as DjangoValidationError

    from baocao.catalogue.models import Indicator, ReconciliationRule

    rate = Indicator.objects.get(code="LD.TL_THAT_NGHIEP")
    assert rate.aggregation == "none"
    rule = ReconciliationRule(
        code="DC.TY_LE.TONG_XA",
        name="Tỷ lệ thất nghiệp của tỉnh bằng tổng tỷ lệ các xã",
        indicator=rate,
        kind="children",
        left_source="BC-DVC-THANG",
        right_source="BC-DVC-THANG",
    )
    with pytest.raises(DjangoValidationError) as refused:
        rule.full_clean()
    assert rate.code in " ".join(refused.value.message_dict["indicator"])
