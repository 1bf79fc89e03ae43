"""The national hierarchy loaded from the packages: counts, lineage and type changes."""

from __future__ import annotations

import datetime as dt

import pytest

from baocao.organisations import selectors
from baocao.organisations.choices import Level, UnitType
from baocao.organisations.models import ChangeEvent, LineageLink, Unit, UnitVersion

pytestmark = pytest.mark.django_db

BEFORE = dt.date(2025, 6, 30)
AFTER = dt.date(2025, 7, 1)


@pytest.mark.parametrize(
    ("on", "level", "expected"),
    [
        (BEFORE, Level.PROVINCE, 63),
        (BEFORE, Level.DISTRICT, 696),
        (BEFORE, Level.COMMUNE, 10035),
        (AFTER, Level.PROVINCE, 34),
        (AFTER, Level.DISTRICT, 0),
        (AFTER, Level.COMMUNE, 3321),
        (dt.date(2026, 11, 21), Level.COMMUNE, 3321),
        (dt.date(2025, 2, 28), Level.MINISTRY, 30),
        (dt.date(2025, 3, 1), Level.MINISTRY, 22),
        (AFTER, Level.GOVERNMENT, 1),
    ],
)
def test_units_in_force_on_a_day(on, level, expected):
    assert selectors.units_count(on=on, level=level) == expected


def test_new_commune_types_after_reorganisation():
    types = {
        unit_type: UnitVersion.objects.valid_on(AFTER).filter(type=unit_type).count()
        for unit_type in (UnitType.COMMUNE, UnitType.WARD, UnitType.SPECIAL_ZONE)
    }
    assert types == {UnitType.COMMUNE: 2621, UnitType.WARD: 687, UnitType.SPECIAL_ZONE: 13}


def test_every_old_province_has_successors_among_the_new_34():
    new_codes = {v.unit.code for v in selectors.units_on(on=AFTER, level=Level.PROVINCE)}
    for version in selectors.units_on(on=BEFORE, level=Level.PROVINCE):
        successors = selectors.unit_successors(unit=version.unit)
        assert successors, version.name
        assert {step.unit.code for step in successors} <= new_codes, version.name


def test_merged_province_keeps_a_predecessor_code():
    quang_tri = Unit.objects.get(code="44")
    assert selectors.unit_version_on(unit=quang_tri, on=BEFORE).name == "Tỉnh Quảng Bình"
    assert selectors.unit_version_on(unit=quang_tri, on=AFTER).name == "Tỉnh Quảng Trị"
    predecessors = selectors.unit_predecessors(unit=quang_tri)
    assert [(s.unit.code, s.version.name) for s in predecessors] == [
        ("44", "Tỉnh Quảng Bình"),
        ("45", "Tỉnh Quảng Trị"),
    ]
    event = predecessors[0].event
    assert event.legal_act == "202/2025/QH15"
    assert event.effective_date == AFTER


def test_old_province_ends_the_day_before_the_merger():
    old = Unit.objects.get(code="45")
    assert selectors.unit_version_on(unit=old, on=BEFORE) is not None
    assert selectors.unit_version_on(unit=old, on=AFTER) is None
    assert [s.unit.code for s in selectors.unit_successors(unit=old)] == ["44"]


def test_unchanged_province_is_its_own_successor_with_one_version():
    ha_noi = Unit.objects.get(code="01")
    assert ha_noi.versions.count() == 1
    assert [s.unit.code for s in selectors.unit_successors(unit=ha_noi)] == ["01"]


def test_communes_move_from_districts_to_provinces():
    ward = Unit.objects.get(code="00004")  # Phường Trúc Bạch, then Phường Ba Đình
    before = [a.code for a in selectors.unit_ancestors(unit=ward, on=BEFORE)]
    after = [a.code for a in selectors.unit_ancestors(unit=ward, on=AFTER)]
    assert before == ["001", "01", "CP"]
    assert after == ["01", "CP"]
    assert selectors.unit_version_on(unit=ward, on=AFTER).name == "Phường Ba Đình"


def test_divided_communes_are_partial_links():
    partial = LineageLink.objects.filter(
        partial=True, event__effective_date=AFTER, predecessor__level=Level.COMMUNE
    )
    divided = partial.values("predecessor").distinct().count()
    assert divided == 471
    # Each divided commune went to at least two new communes.
    some = partial.first().predecessor
    assert len(selectors.unit_successors(unit=some)) >= 2
    assert all(step.partial for step in selectors.unit_successors(unit=some))


def test_every_old_commune_has_a_successor():
    old_communes = set(
        UnitVersion.objects.valid_on(BEFORE)
        .filter(unit__level=Level.COMMUNE)
        .values_list("unit_id", flat=True)
    )
    linked = set(
        LineageLink.objects.filter(
            event__effective_date=AFTER, predecessor_id__in=old_communes
        ).values_list("predecessor_id", flat=True)
    )
    assert linked == old_communes


def test_island_districts_became_special_zones():
    con_dao = Unit.objects.get(code="26732")
    assert selectors.unit_version_on(unit=con_dao, on=AFTER).type == UnitType.SPECIAL_ZONE
    assert [s.unit.code for s in selectors.unit_predecessors(unit=con_dao)] == ["755"]
    assert selectors.unit_version_on(unit=con_dao, on=BEFORE) is None


def test_district_passes_to_its_new_province():
    ba_dinh = Unit.objects.get(code="001")
    assert [s.unit.code for s in selectors.unit_successors(unit=ba_dinh)] == ["01"]
    assert selectors.unit_version_on(unit=ba_dinh, on=AFTER) is None


def test_commune_resolutions_come_from_the_sources():
    event = ChangeEvent.objects.get(code="20250701-X-00004")
    assert event.legal_act == "1656/NQ-UBTVQH15"
    assert event.kind == "merge"


def test_hue_became_a_centrally_run_city_in_2025():
    hue = Unit.objects.get(code="46")
    assert selectors.unit_version_on(unit=hue, on=dt.date(2024, 12, 31)).type == UnitType.PROVINCE
    assert selectors.unit_version_on(unit=hue, on=dt.date(2025, 1, 1)).type == (
        UnitType.CENTRAL_CITY
    )


@pytest.mark.parametrize(
    ("code", "day", "act"),
    [
        ("75", dt.date(2026, 4, 24), "30/2026/QH16"),
        ("22", dt.date(2026, 8, 24), "36/2026/QH16"),
        ("24", dt.date(2026, 8, 24), "39/2026/QH16"),
    ],
)
def test_provinces_becoming_cities_after_2025(code, day, act):
    unit = Unit.objects.get(code=code)
    assert selectors.unit_version_on(unit=unit, on=day - dt.timedelta(days=1)).type == (
        UnitType.PROVINCE
    )
    after = selectors.unit_version_on(unit=unit, on=day)
    assert after.type == UnitType.CENTRAL_CITY
    assert after.name.startswith("Thành phố")
    assert (
        ChangeEvent.objects.get(
            kind="type_change", effective_date=day, links__predecessor=unit
        ).legal_act
        == act
    )


def test_later_commune_type_change_keeps_the_2025_merger_as_predecessors():
    loc_ninh = Unit.objects.get(code="25270")
    assert selectors.unit_version_on(unit=loc_ninh, on=dt.date(2026, 4, 24)).type == (UnitType.WARD)
    predecessors = selectors.unit_predecessors(unit=loc_ninh)
    assert len(predecessors) > 1
    assert {step.event.effective_date for step in predecessors} == {AFTER}


def test_descendants_of_a_province_on_each_side():
    ha_noi = Unit.objects.get(code="01")
    before = selectors.unit_descendants(unit=ha_noi, on=BEFORE, level=Level.COMMUNE)
    after = selectors.unit_descendants(unit=ha_noi, on=AFTER, level=Level.COMMUNE)
    assert len(after) == 126
    assert len(before) > 500
    districts = selectors.unit_descendants(unit=ha_noi, on=BEFORE, level=Level.DISTRICT)
    assert len(districts) == 30


def test_successors_as_of_follow_links_to_the_day():
    old = Unit.objects.get(code="00001")  # Phường Phúc Xá, merged in 2025
    assert [s.unit.code for s in selectors.unit_successors(unit=old, on=BEFORE)] == ["00001"]
    assert [s.unit.code for s in selectors.unit_successors(unit=old, on=AFTER)] == ["00097"]


def test_predecessors_as_of_reach_back_before_the_merger():
    quang_tri = Unit.objects.get(code="44")
    steps = selectors.unit_predecessors(unit=quang_tri, on=BEFORE)
    assert [s.unit.code for s in steps] == ["44", "45"]


def test_tree_from_the_root():
    tree = selectors.tree_on(on=AFTER, depth=1)
    assert [node["code"] for node in tree] == ["CP"]
    children = tree[0]["children"]
    assert sum(1 for node in children if node["level"] == Level.PROVINCE) == 34


def test_reloading_is_a_no_op():
    from baocao.organisations.services import units_load_vn

    before = (Unit.objects.count(), UnitVersion.objects.count(), LineageLink.objects.count())
    summary = units_load_vn(actor=None)
    assert summary.skipped
    assert (
        Unit.objects.count(),
        UnitVersion.objects.count(),
        LineageLink.objects.count(),
    ) == before


def test_tree_three_levels_down_holds_every_commune():
    tree = selectors.tree_on(on=AFTER, depth=3)
    provinces = [node for node in tree[0]["children"] if node["level"] == Level.PROVINCE]
    assert sum(node["children_count"] for node in provinces) == 3321
    assert sum(len(node["children"]) for node in provinces) == 3321
    da_nang = next(node for node in provinces if node["code"] == "48")
    assert da_nang["children_count"] == 94
