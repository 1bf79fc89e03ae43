"""Catalogue as code: loading, idempotence, dump round-trip, and refusing bad files whole."""

from __future__ import annotations

import pytest
from django.utils import translation

from baocao.audit.models import ChangeRecord
from baocao.catalogue.files import KINDS, catalogue_read, catalogue_write
from baocao.catalogue.models import (
    AlertRule,
    Dashboard,
    Dimension,
    Form,
    FormRow,
    Indicator,
    IndicatorTarget,
    ReconciliationRule,
    Regime,
    RegimeVersion,
    ReportingStep,
    Sector,
    ValidationRule,
)
from baocao.catalogue.services import SAMPLE_CATALOGUE, catalogue_load
from baocao.catalogue.specs_from_db import catalogue_spec
from baocao.catalogue.tests.conftest import SMALL, write
from baocao.core.errors import Rejected

pytestmark = pytest.mark.django_db


def _wipe() -> None:
    # Highest first: dashboards, targets and alerts use indicators, sectors, regimes and units;
    # rules and regimes use sectors, forms use indicators, indicators the rest.
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


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            Sector,
            Dimension,
            Indicator,
            Form,
            FormRow,
            Regime,
            RegimeVersion,
            ValidationRule,
        )
    )


def test_load_creates_every_kind(small_catalogue):
    assert small_catalogue.created == {
        "sectors": 2,
        "dimensions": 1,
        "indicators": 4,
        "forms": 1,
        "regimes": 2,
    }
    rate = Indicator.objects.get(code="LD.TL_THAT_NGHIEP")
    assert rate.is_derived
    assert [d.code for d in Indicator.objects.get(code="LD.LLLD").dimensions.all()] == ["SEX"]
    step = ReportingStep.objects.get(version__regime__code="R-BO")
    assert [u.code for u in step.reporter_units.all()] == ["BKHDT"]


def test_second_load_changes_nothing_and_writes_no_audit(small_catalogue):
    records = ChangeRecord.objects.count()
    summary = catalogue_load(path=SMALL, actor=None)
    assert summary.changed == 0
    assert sum(summary.unchanged.values()) == 10
    assert ChangeRecord.objects.count() == records


def test_each_write_is_audited(audit_mark, small_catalogue):
    records = ChangeRecord.objects.filter(pk__gt=audit_mark, object_type__startswith="catalogue.")
    assert records.count() == 10


def test_an_edit_updates_only_that_entry_and_keeps_option_identity(small_catalogue, tmp_path):
    male = Dimension.objects.get(code="SEX").options.get(code="NAM")
    text = SMALL.read_text(encoding="utf-8").replace("name: Nam, name_en: Male", "name: Nam giới")
    summary = catalogue_load(path=write(tmp_path, text), actor=None)
    assert summary.updated == {"dimensions": 1}
    male.refresh_from_db()
    assert male.name == "Nam giới"


def test_dump_then_load_into_an_empty_catalogue_reproduces_it(tmp_path):
    catalogue_load(path=SAMPLE_CATALOGUE, actor=None)
    catalogue_load(path=SMALL, actor=None)
    before = catalogue_spec()
    assert len(before.rules) >= 20  # the sample's validation rules go round too
    # And its pages, targets and alerts.
    assert len(before.dashboards) >= 12 and before.targets and before.alerts
    first = tmp_path / "dump"
    catalogue_write(before, first)
    _wipe()
    assert _counts() == (0, 0, 0, 0, 0, 0, 0, 0)
    catalogue_load(path=first, actor=None)
    assert catalogue_spec() == before
    second = tmp_path / "again.yaml"
    catalogue_write(catalogue_spec(), second)
    # The single-file dump has the same entries as the per-kind files, byte for byte.
    joined = "".join(
        (first / f"{kind}.yaml").read_text(encoding="utf-8").split("\n", 1)[1] for kind in KINDS
    )
    assert second.read_text(encoding="utf-8").split("\n", 1)[1] == joined


def test_the_sample_catalogue_is_complete():
    summary = catalogue_load(path=SAMPLE_CATALOGUE, actor=None)
    assert summary.created["sectors"] == 9
    assert summary.created["indicators"] >= 40
    assert summary.created["regimes"] >= 6
    kinds = set(Regime.objects.values_list("kind", flat=True))
    assert kinds >= {"periodic", "ad_hoc"}
    frequencies = set(RegimeVersion.objects.values_list("frequency", flat=True))
    assert {"month", "quarter", "year", "range"} <= frequencies
    # Every regime says whether it is illustrative or follows a cited text.
    assert all(
        r.illustrative or r.versions.exclude(legal_basis="").exists() for r in Regime.objects.all()
    )
    assert catalogue_load(path=SAMPLE_CATALOGUE, actor=None).changed == 0


# Bad input: refused whole, with file, line, path and reason ---------------------------------


def _problems(path) -> list:
    with pytest.raises(Rejected) as caught:
        catalogue_load(path=path, actor=None)
    return caught.value.problems


def _refused_without_change(tmp_path, text: str) -> list:
    before = _counts()
    problems = _problems(write(tmp_path, text))
    assert _counts() == before
    return problems


GOOD_SECTOR = "sectors:\n  - {code: S1, name: Ngành một}\n"


def test_unknown_field_is_named_with_its_line(tmp_path):
    text = GOOD_SECTOR + "  - code: S2\n    name: Ngành hai\n    colour: red\n"
    with translation.override("vi"):
        (problem,) = _refused_without_change(tmp_path, text)
        assert problem.code == "unknown_field"
        assert problem.field == "sectors[1].colour"
        assert problem.line == 5
        assert "colour" in problem.message
        assert problem.message != "Unknown field colour."


def test_duplicate_code_across_files_names_both(tmp_path):
    write(tmp_path, GOOD_SECTOR, "a.yaml")
    write(tmp_path, GOOD_SECTOR, "b.yaml")
    (problem,) = _problems(tmp_path)
    assert problem.code == "duplicate_code"
    assert problem.file.endswith("b.yaml")
    assert "a.yaml:2" in problem.message
    assert Sector.objects.count() == 0


def test_formula_with_missing_indicator(tmp_path):
    text = GOOD_SECTOR + (
        "indicators:\n"
        "  - {code: A, name: A, value_type: number, aggregation: sum, sector: S1}\n"
        "  - code: R\n"
        "    name: Tỷ lệ\n"
        "    value_type: percentage\n"
        "    aggregation: none\n"
        "    sector: S1\n"
        '    formula: "#{A} / #{KHONG_CO} * 100"\n'
    )
    (problem,) = _refused_without_change(tmp_path, text)
    assert (problem.code, problem.field, problem.line) == (
        "unknown_reference",
        "indicators[1].formula",
        10,
    )
    assert problem.args_dict["code"] == "KHONG_CO"


def test_formula_cycle(tmp_path):
    text = GOOD_SECTOR + (
        "indicators:\n"
        + "".join(
            f"  - {{code: {code}, name: {code}, value_type: number, aggregation: none,"
            f' sector: S1, formula: "{formula}"}}\n'
            for code, formula in (("X", "#{Y} + 1"), ("Y", "#{Z} * 2"), ("Z", "#{X} / 3"))
        )
    )
    problems = _refused_without_change(tmp_path, text)
    assert [p.code for p in problems] == ["formula_cycle"]
    assert problems[0].args_dict["path"] == "X → Y → Z → X"


def test_cycle_through_a_stored_indicator(small_catalogue, tmp_path):
    # LD.TL_THAT_NGHIEP (stored) uses LD.THAT_NGHIEP; redefining the latter over the
    # former closes a loop.
    text = (
        "indicators:\n"
        "  - code: LD.THAT_NGHIEP\n    name: Thất nghiệp\n    value_type: number\n"
        "    aggregation: none\n    sector: LDVL\n"
        '    formula: "#{LD.TL_THAT_NGHIEP} * #{LD.LLLD} / 100"\n'
    )
    problems = _refused_without_change(tmp_path, text)
    assert "formula_cycle" in [p.code for p in problems]


REGIME = (
    "regimes:\n"
    "  - code: R1\n"
    "    name: Báo cáo thử\n"
    "    kind: periodic\n"
    "    content: data\n"
    "    versions:\n"
    "      - valid_from: 2026-01-01\n"
    "        frequency: month\n"
    "        cutoff: {cutoff}\n"
    "        steps:\n"
    "          - reporters: {{levels: [province]}}\n"
    "            receiver: {{unit: CP}}\n"
    "            deadline: {deadline}\n"
)


def test_deadline_before_the_cutoff_is_an_impossible_rule(tmp_path):
    text = REGIME.format(
        cutoff="{rule: decree09}", deadline="{rule: fixed_day, month_offset: 0, day: 10}"
    )
    (problem,) = _refused_without_change(tmp_path, text)
    assert problem.code == "deadline_before_cutoff"
    assert problem.field == "regimes[0].versions[0].steps[0].deadline"
    assert problem.line == 13


def test_shifted_cutoff_day_out_of_range(tmp_path):
    text = REGIME.format(
        cutoff="{rule: shifted, day: 31}", deadline="{rule: working_days_after_cutoff, days: 2}"
    )
    (problem,) = _refused_without_change(tmp_path, text)
    assert problem.code == "cutoff_day_out_of_range"
    assert problem.field == "regimes[0].versions[0].cutoff"


def test_unknown_unit_and_missing_deadline_parameter(tmp_path):
    text = REGIME.format(cutoff="{rule: decree09}", deadline="{rule: working_days_after_cutoff}")
    text = text.replace("{unit: CP}", "{unit: KHONG_CO}")
    problems = _refused_without_change(tmp_path, text)
    assert {p.code for p in problems} == {"unknown_reference", "deadline_parameter_missing"}


def test_layered_steps_must_not_be_due_before_what_they_compile(tmp_path):
    text = (
        REGIME.format(
            cutoff="{rule: decree09}", deadline="{rule: working_days_after_cutoff, days: 1}"
        )
        .replace("levels: [province]", "levels: [commune]")
        .replace("{unit: CP}", "{level: province}")
        .replace("days: 1}", "days: 5}")
        + "          - reporters: {levels: [province]}\n"
        "            receiver: {unit: CP}\n"
        "            deadline: {rule: working_days_after_cutoff, days: 2}\n"
    )
    (problem,) = _refused_without_change(tmp_path, text)
    assert problem.code == "step_deadlines_decrease"
    assert problem.field == "regimes[0].versions[0].steps[1].deadline"


def test_a_good_entry_is_not_saved_when_another_is_bad(tmp_path):
    text = GOOD_SECTOR + "dimensions:\n  - {code: D1, name: Chiều, options: []}\n"
    (problem,) = _refused_without_change(tmp_path, text)
    assert problem.code == "too_short"
    assert Sector.objects.filter(code="S1").count() == 0


def test_yaml_syntax_error_has_a_line(tmp_path):
    (problem,) = _problems(write(tmp_path, "sectors:\n  - code: [S1\n"))
    assert problem.code == "file_not_yaml"
    assert problem.line == 3


def test_read_keeps_origins(tmp_path):
    document = catalogue_read(write(tmp_path, GOOD_SECTOR))
    assert document.sectors[0].origin.where("name")["line"] == 2
