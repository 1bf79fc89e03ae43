"""Loading custom hierarchies from CSV and YAML files, and what bad files get."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from baocao.audit.models import ChangeRecord
from baocao.core.errors import Rejected
from baocao.organisations import selectors
from baocao.organisations.models import ChangeEvent, Unit, UnitVersion
from baocao.organisations.services import units_load_file

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(exc: pytest.ExceptionInfo[Rejected]) -> list[tuple[int | None, str | None, str]]:
    return [(p.line, p.field, p.code) for p in exc.value.problems]


def test_yaml_with_versions_and_events_loads_and_reloads_idempotently():
    summary = units_load_file(path=FIXTURES / "ministry_units.yaml", actor=None)
    assert (summary.units_created, summary.versions_created, summary.events_created) == (2, 3, 1)
    unit = Unit.objects.get(code="BTC-TCTK")
    assert [a.code for a in selectors.unit_ancestors(unit=unit, on=dt.date(2025, 1, 1))] == [
        "BKHDT",
        "CP",
    ]
    assert [a.code for a in selectors.unit_ancestors(unit=unit, on=dt.date(2025, 3, 1))] == [
        "BTC",
        "CP",
    ]
    again = units_load_file(path=FIXTURES / "ministry_units.yaml", actor=None)
    assert (
        again.units_created,
        again.versions_created,
        again.versions_updated,
        again.events_created,
        again.links_created,
    ) == (0, 0, 0, 0, 0)


def test_csv_loads_one_version_per_row(tmp_path):
    path = write(
        tmp_path,
        "units.csv",
        (
            "code,name,level,type,parent,valid_from,valid_to\n"
            "SYT-01,Sở Y tế Hà Nội,agency_unit,agency_unit,01,,\n"
            "SYT-01-A,Phòng Kế hoạch - Tài chính,agency_unit,agency_unit,SYT-01,2025-07-01,\n"
        ),
    )
    summary = units_load_file(path=path, actor=None)
    assert summary.units_created == 2
    assert [
        d.code
        for d in selectors.unit_descendants(
            unit=Unit.objects.get(code="SYT-01"), on=dt.date(2026, 1, 1)
        )
    ] == ["SYT-01-A"]


def test_load_is_audited(tmp_path):
    path = write(
        tmp_path,
        "units.csv",
        ("code,name,level,type,parent\nSNV-01,Sở Nội vụ Hà Nội,agency_unit,agency_unit,01\n"),
    )
    units_load_file(path=path, actor=None)
    unit = Unit.objects.get(code="SNV-01")
    record = ChangeRecord.objects.get(object_type="organisations.unit", object_id=str(unit.pk))
    assert record.action == "create"
    assert record.after["code"] == "SNV-01"
    assert record.actor_name == "system"


def test_malformed_csv_names_file_line_and_field_and_loads_nothing(tmp_path):
    path = write(
        tmp_path,
        "bad.csv",
        (
            "code,name,level,type,parent,valid_from\n"
            "OK-1,Đơn vị hợp lệ,agency_unit,agency_unit,01,\n"
            "OK-2,,agency_unit,agency_unit,01,\n"
            "OK-3,Đơn vị ba,agency_unit,agency_unit,01,2025-13-01\n"
        ),
    )
    with pytest.raises(Rejected) as exc:
        units_load_file(path=path, actor=None)
    assert problems(exc) == [(3, "name", "missing_field"), (4, "valid_from", "invalid_date")]
    assert str(exc.value.problems[0]).startswith(f"{path}:3: name:")
    assert not Unit.objects.filter(code__startswith="OK-").exists()


def test_unknown_column_is_refused(tmp_path):
    path = write(tmp_path, "cols.csv", "code,ten,level,type\nX,Y,agency_unit,agency_unit\n")
    with pytest.raises(Rejected) as exc:
        units_load_file(path=path, actor=None)
    assert (1, "ten", "unknown_column") in problems(exc)


def test_unknown_parent_code_is_refused(tmp_path):
    path = write(
        tmp_path,
        "parent.csv",
        ("code,name,level,type,parent\nU-1,Đơn vị,agency_unit,agency_unit,KHONG-CO\n"),
    )
    with pytest.raises(Rejected) as exc:
        units_load_file(path=path, actor=None)
    assert problems(exc) == [(2, "parent", "unknown_parent")]
    assert "KHONG-CO" in exc.value.problems[0].message


def test_cycle_is_refused(tmp_path):
    path = write(
        tmp_path,
        "cycle.csv",
        (
            "code,name,level,type,parent\n"
            "A-1,Đơn vị A,agency_unit,agency_unit,B-1\n"
            "B-1,Đơn vị B,agency_unit,agency_unit,A-1\n"
        ),
    )
    with pytest.raises(Rejected) as exc:
        units_load_file(path=path, actor=None)
    assert [p.code for p in exc.value.problems] == ["cycle"]
    assert "A-1" in exc.value.problems[0].message and "B-1" in exc.value.problems[0].message
    assert not Unit.objects.filter(code__in=["A-1", "B-1"]).exists()


def test_overlapping_versions_are_refused(tmp_path):
    path = write(
        tmp_path,
        "overlap.csv",
        (
            "code,name,level,type,parent,valid_from,valid_to\n"
            "V-1,Tên cũ,agency_unit,agency_unit,01,2020-01-01,2025-12-31\n"
            "V-1,Tên mới,agency_unit,agency_unit,01,2025-07-01,\n"
        ),
    )
    with pytest.raises(Rejected) as exc:
        units_load_file(path=path, actor=None)
    assert problems(exc) == [(3, "valid_from", "overlap")]


def test_overlap_with_a_stored_version_is_refused(tmp_path):
    # Hà Nội has one open version; a second one starting in 2026 must close it first.
    path = write(
        tmp_path,
        "hn.csv",
        (
            "code,name,level,type,parent,valid_from\n"
            "01,Thủ đô Hà Nội,province,central_city,CP,2026-01-01\n"
        ),
    )
    with pytest.raises(Rejected) as exc:
        units_load_file(path=path, actor=None)
    assert [p.code for p in exc.value.problems] == ["overlap"]


def test_a_renaming_closes_the_old_version_and_opens_a_new_one(tmp_path):
    path = write(
        tmp_path,
        "rename.yaml",
        """
units:
  - code: "01"
    level: province
    versions:
      - {name: Thành phố Hà Nội, type: central_city, parent: CP, valid_to: "2026-12-31"}
      - {name: Thủ đô Hà Nội, type: central_city, parent: CP, valid_from: "2027-01-01"}
events:
  - code: 20270101-P-01
    kind: rename
    effective_date: "2027-01-01"
    legal_act: 1/2027/QH16
    links: [{from: "01", to: "01"}]
""",
    )
    summary = units_load_file(path=path, actor=None)
    assert (summary.versions_created, summary.versions_updated) == (1, 1)
    ha_noi = Unit.objects.get(code="01")
    assert selectors.unit_version_on(unit=ha_noi, on=dt.date(2027, 1, 1)).name == "Thủ đô Hà Nội"
    # Its communes stay under it across the renaming.
    assert len(selectors.unit_descendants(unit=ha_noi, on=dt.date(2027, 1, 1))) == 126


def test_shortening_a_parent_strands_its_children(tmp_path):
    path = write(
        tmp_path,
        "short.yaml",
        """
units:
  - code: "01"
    level: province
    versions:
      - {name: Thành phố Hà Nội, type: central_city, parent: CP, valid_to: "2026-12-31"}
""",
    )
    with pytest.raises(Rejected) as exc:
        units_load_file(path=path, actor=None)
    assert {p.code for p in exc.value.problems} == {"parent_not_in_force"}


def test_type_must_suit_the_level_and_parent_level_must_suit_the_child(tmp_path):
    path = write(
        tmp_path,
        "types.csv",
        (
            "code,name,level,type,parent\n"
            "T-1,Đơn vị,agency_unit,ward,01\n"
            "99999,Xã Thử,commune,commune,BTC\n"
            "T-3,Đơn vị,planet,agency_unit,01\n"
        ),
    )
    with pytest.raises(Rejected) as exc:
        units_load_file(path=path, actor=None)
    assert problems(exc) == [
        (2, "type", "type_not_for_level"),
        (4, "level", "invalid_level"),
        (3, "parent", "parent_level"),
    ]


def test_level_of_an_existing_unit_cannot_change(tmp_path):
    path = write(
        tmp_path, "level.csv", "code,name,level,type,parent\n01,Hà Nội,agency_unit,agency_unit,CP\n"
    )
    with pytest.raises(Rejected) as exc:
        units_load_file(path=path, actor=None)
    assert problems(exc) == [(2, "level", "level_changed")]


def test_event_links_must_name_known_units(tmp_path):
    path = write(
        tmp_path,
        "event.yaml",
        """
events:
  - code: E-1
    kind: merge
    effective_date: "2026-01-01"
    links:
      - {from: "01", to: KHONG-CO}
  - code: E-2
    kind: explode
    effective_date: 2026-01-01
    links: []
""",
    )
    with pytest.raises(Rejected) as exc:
        units_load_file(path=path, actor=None)
    assert problems(exc) == [
        (7, "to", "unknown_link_unit"),
        (8, "kind", "invalid_kind"),
        (8, "links", "event_no_links"),
    ]
    assert not ChangeEvent.objects.filter(code__in=["E-1", "E-2"]).exists()


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, "broken.yaml", "units:\n  - code: A\n    name: [unclosed\n")
    with pytest.raises(Rejected) as exc:
        units_load_file(path=path, actor=None)
    assert exc.value.problems[0].code == "file_structure"
    assert exc.value.problems[0].line is not None


def test_unsupported_suffix(tmp_path):
    path = write(tmp_path, "units.xlsx", "")
    with pytest.raises(Rejected) as exc:
        units_load_file(path=path, actor=None)
    assert problems(exc) == [(None, None, "file_format")]


def test_codes_in_yaml_stay_text():
    # "01" must not become the number 1.
    from baocao.organisations.parsers import parse_units_yaml

    document = parse_units_yaml(
        "units:\n  - {code: 01, level: province, name: X, type: province}\n"
    )
    assert document.units[0].code == "01"


def test_names_are_stored_nfc(tmp_path):
    decomposed = "Sở Tài chính".encode().decode()
    import unicodedata

    nfd = unicodedata.normalize("NFD", decomposed)
    path = write(
        tmp_path,
        "nfd.csv",
        f"code,name,level,type,parent\nSTC-1,{nfd},agency_unit,agency_unit,01\n",
    )
    units_load_file(path=path, actor=None)
    stored = UnitVersion.objects.get(unit__code="STC-1").name
    assert stored == unicodedata.normalize("NFC", decomposed)
