"""Province boundaries for the direction center's map, as GeoJSON keyed by official codes.

The shapes come from two TopoJSON files in `data/geo/` (provenance, licences and the
simplification applied in `data/geo/NOTICE.md`): the 34 provinces in force since 1 July
2025 and the 63 before. Their own `code` property is not the official code, so every shape
is matched by *name* to the province of the registry (`baocao.organisations`) in force on
the day asked about, and served with the registry's code and name.

Both files include the Hoàng Sa and Trường Sa archipelagos, in Đà Nẵng and Khánh Hòa: every
official map of Viet Nam must show them (data/geo/NOTICE.md), so nothing here drops small
polygons, however far offshore.

Caching: decoding a file is done once per process (`_decoded_file`, keyed on the file
name). Matching is cached on the file name and the tuple of province versions read from the
registry for the day, `(code, name, short_name)` each (`_matched`): a new or renamed
province changes the key, so the cache never serves a stale match, while the thousands of
days that share one structure share one entry. The registry is read on every call (one
query of 34 or 63 rows).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext

from baocao.core.errors import DomainError
from baocao.core.text import nfc
from baocao.dashboards.errors import DashboardError
from baocao.organisations.choices import Level
from baocao.organisations.selectors import unit_get, units_on

DATA_DIR = Path(__file__).resolve().parent / "data" / "geo"
PROVINCES_34 = "vn-provinces-34.topo.json"
PROVINCES_63 = "vn-provinces-63.topo.json"

# Resolution 202/2025/QH15: the 34 provinces are in force from 1 July 2025.
REORGANISATION = dt.date(2025, 7, 1)
GOVERNMENT = "CP"

# 4 decimals is about 11 m: finer than the files' simplification (about 220 m, see
# data/geo/NOTICE.md), so rounding changes nothing visible and keeps the JSON small.
DECIMALS = 4

# Names by which the same province goes in the files and the registry. Each group is a set
# of equivalent normalised names (see `province_key`).
# - "TP HCM" is the usual abbreviation of Thành phố Hồ Chí Minh.
# - The 63-province file calls unit 46 "TP Huế", its name since 1 January 2025 (Resolution
#   175/2024/QH15); before that day the registry calls it "Tỉnh Thừa Thiên Huế".
_ALIAS_GROUPS: tuple[tuple[str, ...], ...] = (
    ("Hồ Chí Minh", "HCM"),
    ("Huế", "Thừa Thiên Huế"),
)

# Prefixes naming the type of a province-level unit, longest first.
_PREFIXES = ("thành phố ", "tỉnh ", "tp ")
# The five tone marks. Their placement varies ("Hoà"/"Hòa", "Thuỷ"/"Thủy"): the old and new
# spelling conventions put the mark on different vowels of the same syllable.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_PUNCTUATION = re.compile(r"[.,\-–—_()]+")

Position = list[float]
Ring = list[Position]


class ProvinceShapesMismatch(DomainError):
    """The boundary file and the registry disagree: a server-side data problem (HTTP 500)."""

    http_status = 500


# ---------------------------------------------------------------------------------------
# TopoJSON to GeoJSON (https://github.com/topojson/topojson-specification)


def _absolute_arcs(topology: Mapping[str, Any]) -> list[list[tuple[float, float]]]:
    """Every arc as absolute longitude/latitude positions.

    A quantised topology (one with a `transform`) stores each arc's first position as
    integers and every next one as the difference from the previous (spec 2.1.2, 2.1.3);
    the real position is `integer * scale + translate`. Without a transform, arcs hold
    real positions already.
    """
    transform = topology.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    if transform is None:
        for arc in topology["arcs"]:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
        return arcs
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    for arc in topology["arcs"]:
        x = y = 0
        positions: list[tuple[float, float]] = []
        for point in arc:
            x += point[0]
            y += point[1]
            positions.append((x * sx + tx, y * sy + ty))
        arcs.append(positions)
    return arcs


def _round_ring(ring: Sequence[tuple[float, float]], decimals: int | None) -> Ring:
    """Round, dropping positions that rounding made equal to the previous one.

    A ring that rounding would flatten (a tiny island) is rounded more finely instead:
    islands are part of the map (Hoàng Sa, Trường Sa).
    """
    if decimals is None:
        return [[x, y] for x, y in ring]
    for places in range(decimals, 16):
        rounded: Ring = []
        for x, y in ring:
            position = [round(x, places), round(y, places)]
            if not rounded or rounded[-1] != position:
                rounded.append(position)
        if len({(x, y) for x, y in rounded}) >= min(3, len(set(ring))):
            return rounded
    return [[x, y] for x, y in ring]


def _ring(
    indexes: Sequence[int], arcs: Sequence[Sequence[tuple[float, float]]], decimals: int | None
) -> Ring:
    """Stitch a ring from arc indexes; `~i` (negative) is arc `i` reversed (spec 2.1.4)."""
    positions: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        # Consecutive arcs share their junction: keep it once.
        positions.extend(arc[1:] if positions else arc)
    return _round_ring(positions, decimals)


def _geometry(
    geometry: Mapping[str, Any],
    arcs: Sequence[Sequence[tuple[float, float]]],
    decimals: int | None,
) -> dict[str, Any]:
    kind = geometry.get("type")
    if kind == "Polygon":
        coordinates: Any = [_ring(ring, arcs, decimals) for ring in geometry["arcs"]]
    elif kind == "MultiPolygon":
        coordinates = [
            [_ring(ring, arcs, decimals) for ring in polygon] for polygon in geometry["arcs"]
        ]
    else:
        # Province boundaries are areas; anything else means the file is not what we think.
        raise ValueError(f"unsupported TopoJSON geometry type for a province: {kind!r}")
    return {"type": kind, "coordinates": coordinates}


def topojson_features(
    topology: Mapping[str, Any], *, object_name: str | None = None, decimals: int | None = DECIMALS
) -> list[dict[str, Any]]:
    """The GeoJSON features of one object of a topology (its only one when not named).

    Handles quantised (delta-encoded) and plain arcs, reversed arcs and Polygon and
    MultiPolygon geometries. Coordinates are rounded to `decimals` (None keeps them exact).
    Each feature keeps the geometry's `properties` (and `id`, when it has one).
    """
    if topology.get("type") != "Topology":
        raise ValueError("not a TopoJSON topology")
    objects: Mapping[str, Any] = topology["objects"]
    if object_name is None:
        if len(objects) != 1:
            raise ValueError(f"the topology has several objects: {sorted(objects)}")
        object_name = next(iter(objects))
    obj = objects[object_name]
    geometries = obj["geometries"] if obj.get("type") == "GeometryCollection" else [obj]
    arcs = _absolute_arcs(topology)
    features: list[dict[str, Any]] = []
    for geometry in geometries:
        feature: dict[str, Any] = {
            "type": "Feature",
            "properties": dict(geometry.get("properties") or {}),
            "geometry": _geometry(geometry, arcs, decimals),
        }
        if "id" in geometry:
            feature["id"] = geometry["id"]
        features.append(feature)
    return features


def _signed_area(ring: Ring) -> float:
    """Twice the signed planar area: positive when counter-clockwise (north up)."""
    return sum(
        x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True)
    )


def d3_winding(geometry: dict[str, Any]) -> dict[str, Any]:
    """The geometry with exterior rings clockwise and holes counter-clockwise.

    Plotly's geo subplot draws with d3-geo, which reads polygons on the sphere: a ring is
    the boundary of the area on its right, so an anticlockwise province would be drawn as
    the whole globe minus the province. This is the opposite of RFC 7946's advice, and
    Plotly does not rewind (plotly.js 4.1.1), so the server does.
    """

    def oriented(rings: list[Ring]) -> list[Ring]:
        result = []
        for position, ring in enumerate(rings):
            clockwise = _signed_area(ring) < 0
            want_clockwise = position == 0
            result.append(ring if clockwise == want_clockwise else ring[::-1])
        return result

    if geometry["type"] == "Polygon":
        coordinates: Any = oriented(geometry["coordinates"])
    else:
        coordinates = [oriented(polygon) for polygon in geometry["coordinates"]]
    return {"type": geometry["type"], "coordinates": coordinates}


# ---------------------------------------------------------------------------------------
# Matching shapes to the registry's provinces


def province_key(name: str) -> str:
    """A comparison key for province names from different sources.

    NFC, lower case, punctuation and repeated spaces ignored, the type prefix ("Tỉnh",
    "Thành phố", "TP", "TP.") removed, and each word's tone mark moved to the end of the
    word, so that "Khánh Hoà" and "Tỉnh Khánh Hòa" give the same key. Other diacritics
    (â, ă, ê, ô, ơ, ư, đ) are kept: they tell names apart.
    """
    text = _PUNCTUATION.sub(" ", nfc(name).lower())
    text = " ".join(text.split())
    for prefix in _PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix) :]
            break
    return " ".join(_tone_last(word) for word in text.split())


def _tone_last(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in _TONES]
    bare = "".join(ch for ch in decomposed if ch not in _TONES)
    return unicodedata.normalize("NFC", bare) + "".join(tones)


def _equivalents(key: str) -> frozenset[str]:
    for group in _ALIAS_KEYS:
        if key in group:
            return group
    return frozenset({key})


_ALIAS_KEYS = tuple(frozenset(province_key(name) for name in group) for group in _ALIAS_GROUPS)


@dataclass(frozen=True)
class _Province:
    code: str
    name: str
    short_name: str


@dataclass(frozen=True, eq=False)
class _Match:
    """The outcome of matching a file's shapes to a day's provinces."""

    features: tuple[dict[str, Any], ...]
    problems: tuple[str, ...]


@functools.lru_cache(maxsize=4)
def _decoded_file(file_name: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    """(name in the file, geometry in d3's winding) for every shape of a data file."""
    topology = json.loads((DATA_DIR / file_name).read_text(encoding="utf-8"))
    return tuple(
        (str(feature["properties"].get("ten_tinh", "")), d3_winding(feature["geometry"]))
        for feature in topojson_features(topology)
    )


@functools.lru_cache(maxsize=16)
def _matched(file_name: str, provinces: tuple[_Province, ...]) -> _Match:
    """Pair every shape with exactly one province and every province with exactly one shape."""
    shapes = _decoded_file(file_name)
    by_key: dict[str, set[_Province]] = {}
    for province in provinces:
        for name in (province.name, province.short_name):
            if name:
                by_key.setdefault(province_key(name), set()).add(province)
    problems: list[str] = []
    shapes_of: dict[str, list[tuple[str, dict[str, Any]]]] = {p.code: [] for p in provinces}
    for shape_name, geometry in shapes:
        found: set[_Province] = set()
        for key in _equivalents(province_key(shape_name)):
            found |= by_key.get(key, set())
        if not found:
            problems.append(gettext("no province is named %(name)s") % {"name": shape_name})
        elif len(found) > 1:
            codes = ", ".join(sorted(p.code for p in found))
            problems.append(
                gettext("%(name)s matches several provinces (%(codes)s)")
                % {"name": shape_name, "codes": codes}
            )
        else:
            shapes_of[found.pop().code].append((shape_name, geometry))
    features: list[dict[str, Any]] = []
    for province in sorted(provinces, key=lambda p: p.code):
        matches = shapes_of[province.code]
        if not matches:
            problems.append(
                gettext("no shape for %(code)s %(name)s")
                % {"code": province.code, "name": province.name}
            )
        elif len(matches) > 1:
            problems.append(
                gettext("several shapes for %(code)s %(name)s (%(names)s)")
                % {
                    "code": province.code,
                    "name": province.name,
                    "names": ", ".join(name for name, _geometry in matches),
                }
            )
        else:
            features.append(
                {
                    "type": "Feature",
                    "id": province.code,
                    "properties": {"code": province.code, "name": province.name},
                    "geometry": matches[0][1],
                }
            )
    return _Match(tuple(features), tuple(problems))


def boundary_file(on: dt.date) -> str:
    """The data file for a day: 34 provinces from 1 July 2025, 63 before."""
    return PROVINCES_34 if on >= REORGANISATION else PROVINCES_63


def _provinces_on(on: dt.date) -> tuple[_Province, ...]:
    """The provinces in force on a day: the Government's children of the province level."""
    versions = units_on(on=on, level=Level.PROVINCE, parent=unit_get(code=GOVERNMENT))
    return tuple(
        _Province(code, name, short_name)
        for code, name, short_name in versions.values_list(
            "unit__code", "name", "short_name"
        ).order_by("unit__code")
    )


def _match_on(on: dt.date) -> tuple[str, tuple[_Province, ...], _Match]:
    """The data file, the day's provinces and their match; raises when they disagree."""
    file_name = boundary_file(on)
    provinces = _provinces_on(on)
    match = _matched(file_name, provinces)
    if match.problems:
        raise ProvinceShapesMismatch(
            DashboardError.PROVINCE_SHAPES_MISMATCH,
            data_file=file_name,
            date=on.isoformat(),
            problems="; ".join(match.problems),
        )
    return file_name, provinces, match


def province_shapes(*, on: dt.date) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the provinces in force on a day.

    Each feature has `id` = the official unit code ("01" for Hà Nội) and `properties`
    `{"code", "name"}`, the name from the registry. Geometries are rounded to `DECIMALS`
    and wound for Plotly (`d3_winding`). Raises `ProvinceShapesMismatch`, naming every
    unmatched shape and province, when the file and the registry disagree.

    The dicts returned are fresh, but the geometries are shared with the cache: treat them
    as read-only.
    """
    _file_name, _provinces, match = _match_on(on)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": feature["id"],
                "properties": dict(feature["properties"]),
                "geometry": feature["geometry"],
            }
            for feature in match.features
        ],
    }


@functools.lru_cache(maxsize=16)
def _serialised(file_name: str, provinces: tuple[_Province, ...]) -> str:
    match = _matched(file_name, provinces)
    collection = {"type": "FeatureCollection", "features": list(match.features)}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"))


def province_shapes_json(*, on: dt.date) -> str:
    """`province_shapes` as compact JSON text, serialised once per file and structure.

    For pages and API views that send the layer as it is: a view then costs one registry
    query, not the serialisation of a third of a megabyte.
    """
    file_name, provinces, _match = _match_on(on)
    return _serialised(file_name, provinces)
