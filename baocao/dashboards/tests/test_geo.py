"""Province boundaries: TopoJSON decoding, matching to the registry, the archipelagos."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from baocao.dashboards import geo
from baocao.organisations import selectors
from baocao.organisations.choices import Level
from baocao.organisations.models import UnitVersion

AFTER = dt.date(2026, 1, 1)
BEFORE = dt.date(2024, 6, 30)
HUE_CITY_BEFORE_MERGERS = dt.date(2025, 3, 1)

# Places well inland, to check that each official code got the right shape.
HOAN_KIEM = (105.8542, 21.0285)  # Hà Nội
TAN_BINH = (106.6527, 10.8015)  # Hồ Chí Minh City
THU_DAU_MOT = (106.6520, 10.9800)  # Bình Dương until 30 June 2025, Hồ Chí Minh City since
DANANG_HOA_VANG = (108.1000, 16.0500)  # Đà Nẵng, inland
DIEN_KHANH = (109.0960, 12.2560)  # Khánh Hòa, inland of Nha Trang
HA_GIANG_TOWN = (104.9800, 22.8230)  # Hà Giang until 30 June 2025, Tuyên Quang since
TUYEN_QUANG_TOWN = (105.2140, 21.8180)  # Tuyên Quang

# The archipelagos, as far as their islands go (longitude and latitude ranges).
HOANG_SA = ((111.0, 113.0), (15.5, 17.5))
TRUONG_SA = ((111.0, 117.0), (6.0, 12.0))


def _polygons(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def _inside_ring(point, ring):
    """Ray casting: is the point inside the ring?"""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _contains(feature, point):
    return any(
        _inside_ring(point, polygon[0]) and not any(_inside_ring(point, h) for h in polygon[1:])
        for polygon in _polygons(feature["geometry"])
    )


def _by_code(collection):
    return {feature["id"]: feature for feature in collection["features"]}


def _registry_provinces(on):
    return {
        version.unit.code: version.name
        for version in selectors.units_on(on=on, level=Level.PROVINCE)
    }


def _islands_within(feature, box):
    """Polygons of a feature that lie wholly in a longitude/latitude box."""
    (west, east), (south, north) = box
    return [
        polygon
        for polygon in _polygons(feature["geometry"])
        if all(west <= x <= east and south <= y <= north for x, y in polygon[0])
    ]


@pytest.mark.parametrize(("on", "count"), [(AFTER, 34), (BEFORE, 63)])
def test_every_shape_matches_exactly_one_province_in_force(db, on, count):
    collection = geo.province_shapes(on=on)
    registry = _registry_provinces(on)

    assert collection["type"] == "FeatureCollection"
    assert len(registry) == count
    assert [feature["id"] for feature in collection["features"]] == sorted(registry)
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert feature["properties"] == {"code": feature["id"], "name": registry[feature["id"]]}
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_the_34_provinces_carry_official_codes_and_registry_names(db):
    shapes = _by_code(geo.province_shapes(on=AFTER))

    assert shapes["01"]["properties"]["name"] == "Thành phố Hà Nội"
    assert shapes["79"]["properties"]["name"] == "Thành phố Hồ Chí Minh"  # "TP HCM" in the file
    assert shapes["48"]["properties"]["name"] == "Thành phố Đà Nẵng"  # "TP Đà Nẵng"
    assert shapes["56"]["properties"]["name"] == "Tỉnh Khánh Hòa"  # "Khánh Hoà"
    assert _contains(shapes["01"], HOAN_KIEM)
    assert _contains(shapes["79"], TAN_BINH)
    assert _contains(shapes["79"], THU_DAU_MOT)  # Bình Dương merged into the city
    assert _contains(shapes["48"], DANANG_HOA_VANG)
    assert _contains(shapes["56"], DIEN_KHANH)
    # Hà Giang merged into Tuyên Quang, which kept its code.
    assert "02" not in shapes
    assert _contains(shapes["08"], HA_GIANG_TOWN)
    assert _contains(shapes["08"], TUYEN_QUANG_TOWN)
    assert not _contains(shapes["01"], TAN_BINH)


def test_the_63_provinces_carry_official_codes_before_the_mergers(db):
    shapes = _by_code(geo.province_shapes(on=BEFORE))

    assert shapes["02"]["properties"]["name"] == "Tỉnh Hà Giang"
    assert shapes["08"]["properties"]["name"] == "Tỉnh Tuyên Quang"
    assert _contains(shapes["02"], HA_GIANG_TOWN)
    assert not _contains(shapes["02"], TUYEN_QUANG_TOWN)
    assert _contains(shapes["08"], TUYEN_QUANG_TOWN)
    assert not _contains(shapes["08"], HA_GIANG_TOWN)
    assert _contains(shapes["74"], THU_DAU_MOT)  # still Bình Dương
    assert not _contains(shapes["79"], THU_DAU_MOT)
    assert _contains(shapes["79"], TAN_BINH)
    assert _contains(shapes["01"], HOAN_KIEM)
    # The file's "TP Huế" is the registry's Thừa Thiên Huế before 1 January 2025.
    assert shapes["46"]["properties"]["name"] == "Tỉnh Thừa Thiên Huế"


def test_hue_matches_under_its_city_name_in_the_first_half_of_2025(db):
    shapes = _by_code(geo.province_shapes(on=HUE_CITY_BEFORE_MERGERS))

    assert len(shapes) == 63
    assert shapes["46"]["properties"]["name"] == "Thành phố Huế"


def test_the_file_changes_on_the_day_of_the_reorganisation(db):
    assert len(geo.province_shapes(on=dt.date(2025, 6, 30))["features"]) == 63
    assert len(geo.province_shapes(on=dt.date(2025, 7, 1))["features"]) == 34


@pytest.mark.parametrize("on", [AFTER, BEFORE])
def test_hoang_sa_and_truong_sa_are_kept_offshore(db, on):
    shapes = _by_code(geo.province_shapes(on=on))

    # Official maps must show both archipelagos (data/geo/NOTICE.md).
    assert len(_islands_within(shapes["48"], HOANG_SA)) >= 10
    assert len(_islands_within(shapes["56"], TRUONG_SA)) >= 10
    longitudes = [x for polygon in _polygons(shapes["56"]["geometry"]) for x, _y in polygon[0]]
    assert max(longitudes) > 114.0  # far beyond the coast (about 109.5°E)


@pytest.mark.parametrize("on", [AFTER, BEFORE])
def test_rings_are_closed_and_wound_for_plotly(db, on):
    for feature in geo.province_shapes(on=on)["features"]:
        for polygon in _polygons(feature["geometry"]):
            for position, ring in enumerate(polygon):
                assert ring[0] == ring[-1]
                assert len({tuple(p) for p in ring}) >= 3, feature["id"]
                area = geo._signed_area(ring)
                # d3-geo: exterior clockwise (negative area), holes anticlockwise.
                assert (area < 0) if position == 0 else (area > 0), feature["id"]


@pytest.mark.parametrize(("on", "limit"), [(AFTER, 500_000), (BEFORE, 550_000)])
def test_the_layer_sent_to_the_browser_stays_small(db, on, limit):
    text = geo.province_shapes_json(on=on)

    assert len(text.encode()) < limit
    assert json.loads(text) == geo.province_shapes(on=on)


def test_an_unmatched_name_is_named_in_the_error(db):
    version = UnitVersion.objects.valid_on(AFTER).get(unit__code="01")
    version.name = "Thành phố Thăng Long"
    version.short_name = "Thăng Long"
    version.save()

    with pytest.raises(geo.ProvinceShapesMismatch) as raised:
        geo.province_shapes(on=AFTER)

    error = raised.value
    assert error.code == "province_shapes_mismatch"
    assert error.http_status == 500
    assert "vn-provinces-34.topo.json" in error.message
    assert "2026-01-01" in error.message
    assert "TP Hà Nội" in error.message  # the shape left without a province
    assert "01 Thành phố Thăng Long" in error.message  # the province left without a shape
    assert "Khánh" not in error.message  # only what failed is named


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Khánh Hoà", "Tỉnh Khánh Hòa"),
        ("Thanh Hoá", "Thanh Hóa"),
        ("Tỉnh Hoà Bình", "Hòa Bình"),
        ("Thuỷ Nguyên", "Thủy Nguyên"),
        ("TP Đà Nẵng", "Thành phố Đà Nẵng"),
        ("TP. Cần Thơ", "thành phố  cần thơ"),
        ("Bà Rịa - Vũng Tàu", "Tỉnh Bà Rịa-Vũng Tàu"),
        ("Ha\u0300 Nô\u0323i", "Hà Nội"),  # NFD input
    ],
)
def test_province_keys_ignore_spelling_variants(first, second):
    assert geo.province_key(first) == geo.province_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [("Hà Nam", "Hà Nội"), ("Bắc Kạn", "Bạc Liêu"), ("Hà Tĩnh", "Hà Tiên"), ("Cà Mau", "Cao")],
)
def test_province_keys_keep_different_names_apart(first, second):
    assert geo.province_key(first) != geo.province_key(second)


# A 2x2 grid of quantised positions: scale 0.5 and 0.25, origin (100, 10). Arc 0 is the
# border shared by the two squares; arcs 1 and 2 are their outer sides; arc 3 an island.
TINY_TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [100, 10]},
    "objects": {
        "provinces": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "properties": {"ten_tinh": "Tây"}},
                {
                    "type": "MultiPolygon",
                    "arcs": [[[~0, 2]], [[3]]],
                    "properties": {"ten_tinh": "Đông"},
                    "id": "E",
                },
            ],
        }
    },
    "arcs": [
        [[2, 0], [0, 2]],  # (2,0) -> (2,2)
        [[2, 2], [-2, 0], [0, -2], [2, 0]],  # (2,2) -> (0,2) -> (0,0) -> (2,0)
        [[2, 0], [2, 0], [0, 2], [-2, 0]],  # (2,0) -> (4,0) -> (4,2) -> (2,2)
        [[6, 0], [1, 0], [0, 1], [-1, -1]],  # (6,0) -> (7,0) -> (7,1) -> (6,0)
    ],
}


def test_decoding_a_quantised_topology_gives_exact_coordinates():
    west, east = geo.topojson_features(TINY_TOPOLOGY, decimals=None)

    assert west == {
        "type": "Feature",
        "properties": {"ten_tinh": "Tây"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[101.0, 10.0], [101.0, 10.5], [100.0, 10.5], [100.0, 10.0], [101.0, 10.0]]
            ],
        },
    }
    assert east["id"] == "E"
    assert east["geometry"] == {
        "type": "MultiPolygon",
        "coordinates": [
            # Arc 0 reversed, then arc 2 without its first position (the shared junction).
            [[[101.0, 10.5], [101.0, 10.0], [102.0, 10.0], [102.0, 10.5], [101.0, 10.5]]],
            [[[103.0, 10.0], [103.5, 10.0], [103.5, 10.25], [103.0, 10.0]]],
        ],
    }


def test_decoding_rounds_and_drops_positions_that_become_equal():
    topology = {
        "type": "Topology",
        "objects": {"one": {"type": "Polygon", "arcs": [[0]]}},
        # Not quantised: positions as they are.
        "arcs": [
            [[1.00001, 2.0], [1.00004, 2.0], [3.123456, 2.0], [3.0, 4.987654], [1.00001, 2.0]]
        ],
    }

    [feature] = geo.topojson_features(topology, decimals=3)

    assert feature["geometry"]["coordinates"] == [
        [[1.0, 2.0], [3.123, 2.0], [3.0, 4.988], [1.0, 2.0]]
    ]


def test_rounding_never_flattens_a_tiny_island():
    topology = {
        "type": "Topology",
        "objects": {"islet": {"type": "Polygon", "arcs": [[0]]}},
        "arcs": [[[112.00001, 16.0], [112.00003, 16.0], [112.00002, 16.00002], [112.00001, 16.0]]],
    }

    [feature] = geo.topojson_features(topology, decimals=4)

    ring = feature["geometry"]["coordinates"][0]
    assert len({tuple(position) for position in ring}) == 3


def test_d3_winding_turns_exteriors_clockwise_and_holes_anticlockwise():
    anticlockwise = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
    clockwise_hole = [[1, 1], [1, 2], [2, 2], [2, 1], [1, 1]]

    wound = geo.d3_winding({"type": "Polygon", "coordinates": [anticlockwise, clockwise_hole]})

    assert wound["coordinates"] == [anticlockwise[::-1], clockwise_hole[::-1]]


def test_other_geometry_types_are_refused():
    topology = {
        "type": "Topology",
        "objects": {"points": {"type": "Point", "coordinates": [1, 2]}},
        "arcs": [],
    }

    with pytest.raises(ValueError, match="Point"):
        geo.topojson_features(topology)
