"""Validation rules as catalogue data: load, dump, refusals with file:line and path, admin."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from baocao.accounts.models import User
from baocao.audit.models import ChangeRecord
from baocao.catalogue.expressions import expression_parse
from baocao.catalogue.files import catalogue_read, catalogue_write
from baocao.catalogue.models import (
    Dimension,
    Form,
    Indicator,
    Regime,
    Sector,
    ValidationRule,
)
from baocao.catalogue.services import SAMPLE_CATALOGUE, catalogue_load
from baocao.catalogue.specs_from_db import catalogue_spec
from baocao.catalogue.tests.conftest import SMALL, write
from baocao.core.errors import Rejected

pytestmark = pytest.mark.django_db

# Added to the small catalogue: a second dimension, an indicator broken down by SEX then AGE,
# and a text indicator (not a number).
EXTRA = """\
dimensions:
  - code: AGE
    name: Nhóm tuổi
    options:
      - {code: A15_24, name: 15-24 tuổi}
      - {code: A25_PLUS, name: Từ 25 tuổi}
indicators:
  - code: LD.LLLD_TUOI
    name: Lực lượng lao động theo giới tính và nhóm tuổi
    value_type: integer
    aggregation: sum
    sector: LDVL
    dimensions: [SEX, AGE]
  - code: LD.GHI_CHU
    name: Ghi chú về lao động
    value_type: text
    aggregation: none
    sector: LDVL
"""

RULES = """\
rules:
  - code: QT.THAT_NGHIEP
    name: Thất nghiệp không vượt lực lượng lao động
    left: "#{LD.THAT_NGHIEP}"
    operator: "<="
    right: "#{LD.LLLD}"
    message: "Thất nghiệp (%(left)s) lớn hơn lực lượng lao động (%(right)s) của %(unit)s."
    sector: LDVL
    illustrative: true
  - code: QT.NU
    name: Nữ thất nghiệp không vượt lực lượng lao động nữ
    left: "#{LD.THAT_NGHIEP|SEX=NU}"
    operator: "<="
    right: "#{LD.LLLD|SEX=NU}"
    importance: warning
    missing_values: skip_if_any_missing
    period_type: quarter
    unit_levels: [province, commune]
    message: "Nữ thất nghiệp %(left)s > %(right)s, kỳ %(period)s."
  - code: QT.GIOI_TINH
    name: Nam cộng nữ bằng tổng số
    left: "#{LD.LLLD_TUOI|SEX=*}"
    operator: "=="
    right: "#{LD.LLLD_TUOI}"
    message: Tổng theo giới tính khác tổng số.
  - code: QT.CUNG_KY
    name: Không giảm quá một nửa so với cùng kỳ
    left: "#{KT.GRDP}"
    operator: ">="
    right: "0.5 * last_year(#{KT.GRDP})"
    importance: warning
    message: "GRDP giảm hơn 50%% so với cùng kỳ."
  - code: QT.CAP
    name: Lực lượng lao động theo tuổi báo cáo cùng tổng số
    left: "#{LD.LLLD_TUOI|SEX=NAM,AGE=A15_24}"
    operator: compulsory_pair
    right: "previous(#{LD.LLLD})"
    message: Phải báo cáo cùng nhau.
"""


@pytest.fixture
def catalogue_dir(tmp_path):
    directory = tmp_path / "catalogue"
    directory.mkdir()
    write(directory, SMALL.read_text(encoding="utf-8"), "a_small.yaml")
    write(directory, EXTRA, "b_extra.yaml")
    return directory


@pytest.fixture
def with_rules(catalogue_dir):
    write(catalogue_dir, RULES, "rules.yaml")
    return catalogue_load(path=catalogue_dir, actor=None)


def _problems(directory, rules_text: str) -> list:
    write(directory, rules_text, "rules.yaml")
    with pytest.raises(Rejected) as caught:
        catalogue_load(path=directory, actor=None)
    assert ValidationRule.objects.count() == 0
    assert Indicator.objects.count() == 0  # nothing of the document was written
    return caught.value.problems


def _one_rule(**changes: str) -> str:
    """The first rule of RULES alone, with some lines replaced (`key='new value'`)."""
    lines = RULES.split("  - code: QT.NU")[0].splitlines()
    for key, value in changes.items():
        lines = [
            f"    {key}: {value}" if line.startswith(f"    {key}:") else line for line in lines
        ]
    return "\n".join(lines) + "\n"


# Loading, idempotence, identity, dump -------------------------------------------------------


def test_load_writes_rules_with_every_field(audit_mark, with_rules):
    assert with_rules.created["rules"] == 5
    rule = ValidationRule.objects.get(code="QT.NU")
    assert (rule.left, rule.operator, rule.right) == (
        "#{LD.THAT_NGHIEP|SEX=NU}",
        "<=",
        "#{LD.LLLD|SEX=NU}",
    )
    assert (rule.importance, rule.missing_values, rule.period_type) == (
        "warning",
        "skip_if_any_missing",
        "quarter",
    )
    assert rule.unit_levels == ["province", "commune"]
    assert rule.sector is None
    first = ValidationRule.objects.get(code="QT.THAT_NGHIEP")
    assert (first.importance, first.missing_values, first.period_type) == (
        "error",
        "skip_if_all_missing",
        "",
    )
    assert first.sector.code == "LDVL" and first.illustrative
    records = ChangeRecord.objects.filter(pk__gt=audit_mark)
    assert records.filter(object_type="catalogue.validationrule").count() == 5


def test_second_load_writes_nothing(with_rules, catalogue_dir):
    records = ChangeRecord.objects.count()
    summary = catalogue_load(path=catalogue_dir, actor=None)
    assert summary.changed == 0
    assert summary.unchanged["rules"] == 5
    assert ChangeRecord.objects.count() == records


def test_an_edited_rule_keeps_its_identity_and_is_audited(with_rules, catalogue_dir):
    rule = ValidationRule.objects.get(code="QT.THAT_NGHIEP")
    write(catalogue_dir, RULES.replace('operator: "<="', 'operator: "<"', 1), "rules.yaml")
    summary = catalogue_load(path=catalogue_dir, actor=None)
    assert summary.updated == {"rules": 1}
    edited = ValidationRule.objects.get(code="QT.THAT_NGHIEP")
    assert edited.pk == rule.pk and edited.operator == "<"
    record = ChangeRecord.objects.filter(object_type="catalogue.validationrule").latest("id")
    assert (record.before["operator"], record.after["operator"]) == ("<=", "<")


def test_dump_then_load_into_an_empty_catalogue_gives_back_the_rules(with_rules, tmp_path):
    before = catalogue_spec()
    assert len(before.rules) == 5
    dumped = tmp_path / "dump.yaml"
    catalogue_write(before, dumped)
    assert "rules:" in dumped.read_text(encoding="utf-8")
    # Rules first: they point at sectors (PROTECT); the rest as test_load does it.
    for model in (ValidationRule, Regime, Form, Indicator, Dimension, Sector):
        model.objects.all().delete()
    catalogue_load(path=dumped, actor=None)
    assert catalogue_spec() == before


# Refusals: whole document, with file:line, path and position --------------------------------


def test_unknown_indicator_is_named_with_its_position(catalogue_dir):
    (problem,) = _problems(catalogue_dir, _one_rule(right='"#{LD.LLLD} + #{LD.KHONG_CO}"'))
    assert problem.code == "rule_unknown_indicator"
    assert problem.file.endswith("rules.yaml")
    assert (problem.line, problem.field) == (6, "rules[0].right")
    assert problem.args_dict == {"code": "LD.KHONG_CO", "position": 14}
    assert "LD.KHONG_CO" in problem.message and "14" in problem.message


def test_unknown_option(catalogue_dir):
    (problem,) = _problems(catalogue_dir, _one_rule(left='"#{LD.THAT_NGHIEP|SEX=KHAC}"'))
    assert (problem.code, problem.field, problem.line) == (
        "rule_unknown_option",
        "rules[0].left",
        4,
    )
    # The option itself: `#{LD.THAT_NGHIEP|SEX=` is 21 characters.
    assert problem.args_dict["position"] == 22
    assert problem.args_dict["expected"] == "NAM, NU, *"


def test_dimension_not_on_the_indicator(catalogue_dir):
    (problem,) = _problems(catalogue_dir, _one_rule(left='"#{LD.THAT_NGHIEP|AGE=A15_24}"'))
    assert problem.code == "rule_dimension_not_on_indicator"
    assert problem.args_dict["dimension"] == "AGE" and problem.args_dict["position"] == 18


def test_dimensions_in_the_wrong_order(catalogue_dir):
    (problem,) = _problems(catalogue_dir, _one_rule(left='"#{LD.LLLD_TUOI|AGE=A15_24,SEX=NU}"'))
    assert (problem.code, problem.field) == ("rule_dimension_order", "rules[0].left")
    assert problem.args_dict["expected"] == "SEX, AGE"
    assert problem.args_dict["position"] == 27  # the second pair, SEX=NU


def test_wildcard_on_a_dimension_the_indicator_lacks(catalogue_dir):
    (problem,) = _problems(catalogue_dir, _one_rule(left='"#{KT.GRDP|SEX=*}"'))
    assert problem.code == "rule_dimension_not_on_indicator"


def test_non_numeric_indicator(catalogue_dir):
    (problem,) = _problems(catalogue_dir, _one_rule(right='"#{LD.LLLD} + #{LD.GHI_CHU}"'))
    assert (problem.code, problem.field) == ("rule_indicator_not_numeric", "rules[0].right")
    assert problem.args_dict["code"] == "LD.GHI_CHU"
    assert problem.args_dict["position"] == 14


def test_parse_error_with_its_position(catalogue_dir):
    (problem,) = _problems(catalogue_dir, _one_rule(left='"#{LD.THAT_NGHIEP} + * 2"'))
    assert (problem.code, problem.field, problem.line) == (
        "rule_expression_invalid",
        "rules[0].left",
        4,
    )
    assert problem.args_dict["position"] == 21  # the "*"
    assert "21" in problem.message


def test_unquoted_expression_is_a_comment_and_refused(catalogue_dir):
    # `left: #{...}` is a YAML comment: the key is empty, and the rule is refused as such.
    (problem,) = _problems(catalogue_dir, _one_rule(left="#{LD.THAT_NGHIEP}"))
    assert problem.field == "rules[0].left"


def test_bad_operator(catalogue_dir):
    (problem,) = _problems(catalogue_dir, _one_rule(operator='"=>"'))
    assert (problem.code, problem.field, problem.line) == (
        "invalid_choice",
        "rules[0].operator",
        5,
    )
    assert "compulsory_pair" in problem.message


def test_bad_placeholder_and_stray_percent_sign(catalogue_dir):
    message = '"Đơn vị %(don_vi)s báo cáo vượt 100% (%(left)s)."'
    problems = _problems(catalogue_dir, _one_rule(message=message))
    assert [(p.code, p.field, p.line) for p in problems] == [
        ("rule_message_placeholder", "rules[0].message", 7),
        ("rule_message_invalid", "rules[0].message", 7),
    ]
    assert problems[0].args_dict["name"] == "%(don_vi)s"
    assert problems[1].args_dict["position"] == 35


def test_a_rule_citing_no_indicator(catalogue_dir):
    (problem,) = _problems(catalogue_dir, _one_rule(left='"1"', right='"2"'))
    assert problem.code == "rule_no_reference"


def test_a_pair_with_a_constant_side(catalogue_dir):
    text = _one_rule(operator="compulsory_pair", right='"0"')
    (problem,) = _problems(catalogue_dir, text)
    assert problem.code == "rule_no_reference"


def test_bad_period_type_level_and_sector(catalogue_dir):
    text = _one_rule(sector="KHONG_CO") + "    period_type: fortnight\n    unit_levels: [village]\n"
    problems = _problems(catalogue_dir, text)
    assert {(p.code, p.field) for p in problems} == {
        ("invalid_choice", "rules[0].period_type"),
        ("invalid_choice", "rules[0].unit_levels[0]"),
    }
    # Schema problems come first; the sector is checked once the schema is right.
    problems = _problems(catalogue_dir, _one_rule(sector="KHONG_CO"))
    assert [(p.code, p.field) for p in problems] == [("unknown_reference", "rules[0].sector")]


def test_duplicate_code_across_files(catalogue_dir):
    write(catalogue_dir, _one_rule(), "rules_2.yaml")
    (problem,) = _problems(catalogue_dir, _one_rule())
    assert problem.code == "duplicate_code"
    assert problem.file.endswith("rules_2.yaml") and problem.field == "rules[0].code"
    assert "rules.yaml:2" in problem.message


def test_a_good_rule_is_not_saved_when_another_is_bad(catalogue_dir):
    bad = RULES.replace('"#{LD.LLLD_TUOI}"', '"#{LD.LLLD_TUOI} +"')
    (problem,) = _problems(catalogue_dir, bad)
    assert problem.field == "rules[2].right"


# The model and the admin -------------------------------------------------------------------


def test_clean_checks_against_the_stored_catalogue(with_rules):
    rule = ValidationRule(
        code="QT.MOI",
        name="Quy tắc mới",
        left="#{LD.LLLD_TUOI|AGE=A15_24,SEX=NU} + #{LD.GHI_CHU}",
        operator="<=",
        right="previous(#{LD.LLLD}",
        message="Sai ở %(don_vi)s",
        unit_levels=["tinh"],
    )
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    errors = caught.value.message_dict
    assert set(errors) == {"left", "right", "message", "unit_levels"}
    assert any("SEX, AGE" in text for text in errors["left"])
    assert any("LD.GHI_CHU" in text for text in errors["left"])
    # The "(" left open, at position 9, whatever the language of the message.
    assert any(re.search(r"\b9\b", text) for text in errors["right"])


@pytest.fixture
def admin_client(with_rules):
    admin = User.objects.create_superuser("quan-tri", password="mat-khau-dai-123")
    client = Client()
    client.force_login(admin)
    return client


def _form(rule: ValidationRule, **changes: str) -> dict[str, str]:
    form = {
        "code": rule.code,
        "name": rule.name,
        "name_en": rule.name_en,
        "description": rule.description,
        "left": rule.left,
        "operator": rule.operator,
        "right": rule.right,
        "importance": rule.importance,
        "missing_values": rule.missing_values,
        "period_type": rule.period_type,
        "unit_levels": "[]",
        "message": rule.message,
        "sector": str(rule.sector_id or ""),
        "legal_source": rule.legal_source,
    }
    form.update(changes)
    return form


def test_admin_lists_rules_and_opens_the_add_page(admin_client):
    listing = admin_client.get("/admin/catalogue/validationrule/")
    assert listing.status_code == 200
    assert "QT.THAT_NGHIEP" in listing.content.decode()
    assert admin_client.get("/admin/catalogue/validationrule/add/").status_code == 200


def test_admin_refuses_a_bad_rule_and_audits_a_good_edit(admin_client):
    rule = ValidationRule.objects.get(code="QT.THAT_NGHIEP")
    url = f"/admin/catalogue/validationrule/{rule.pk}/change/"
    refused = admin_client.post(url, _form(rule, right="#{LD.LLLD|SEX=KHAC}"))
    assert refused.status_code == 200
    assert "KHAC" in refused.content.decode()
    rule.refresh_from_db()
    assert rule.right == "#{LD.LLLD}"

    before = ChangeRecord.objects.count()
    edited = admin_client.post(url, _form(rule, right="#{LD.LLLD|SEX=*}", unit_levels=""))
    assert edited.status_code == 302
    rule.refresh_from_db()
    assert (rule.right, rule.unit_levels) == ("#{LD.LLLD|SEX=*}", [])
    assert ChangeRecord.objects.count() == before + 1


# The sample catalogue ------------------------------------------------------------------------


def test_the_sample_rules_parse_load_and_cover_the_language():
    document = catalogue_read(SAMPLE_CATALOGUE)
    rules = [entry.spec for entry in document.rules]
    assert len(rules) >= 20
    expressions = [expression_parse(text) for rule in rules for text in (rule.left, rule.right)]
    shifts = {ref.shift for expression in expressions for ref in expression.references}
    assert shifts == {"", "previous", "last_year"}
    assert any("=*" in ref.disaggregation for e in expressions for ref in e.references)
    assert {rule.operator for rule in rules} >= {"<=", "==", ">=", "compulsory_pair"}
    assert {rule.importance for rule in rules} == {"error", "warning"}
    # Every rule is either illustrative or cites its source.
    assert all(rule.illustrative or rule.legal_source for rule in rules)

    summary = catalogue_load(path=SAMPLE_CATALOGUE, actor=None)
    assert summary.created["rules"] == len(rules)
    assert catalogue_load(path=SAMPLE_CATALOGUE, actor=None).changed == 0
