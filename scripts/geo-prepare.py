#!/usr/bin/env python3
"""Simplify the province boundary TopoJSON files shipped with the direction center's map.

Usage: python scripts/geo-prepare.py SOURCE_DIR [TARGET_DIR]

SOURCE_DIR holds `vn-provinces-34.topo.json` and `vn-provinces-63.topo.json` as published
(../shared/data/geo, see its NOTICE.md); TARGET_DIR defaults to
`baocao/dashboards/data/geo`. Plain Python, no dependency, deterministic: running it twice
on the same input writes the same bytes.

What it does, and why:

- Each *arc* (a stretch of boundary, shared by the two provinces on either side) is
  simplified with the Douglas-Peucker algorithm at `TOLERANCE_DEGREES`. Simplifying arcs,
  not rings, keeps the topology: neighbours still share exactly the same border, with no
  gaps or overlaps. 0.002 degree is about 220 m; the whole country drawn 600 px high shows
  about 0.025 degree per pixel, so the change is invisible, and the province layer served
  to the browser shrinks from about 1.4 MB to about 0.35 MB of JSON.
- Every ring keeps at least three distinct corners: an arc that would collapse a ring
  (the smallest islands of Hoàng Sa and Trường Sa are a single short arc) is kept as it
  was. Viet Nam's official maps must show both archipelagos (the data's NOTICE.md), so no
  island may be dropped or flattened.
- Everything else is kept as published: the quantisation `transform`, the objects, the
  geometry types, the properties (`ten_tinh`, `code`, `gid`) and the ring orientation.
"""

from __future__ import annotations

import json
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

FILES = ("vn-provinces-34.topo.json", "vn-provinces-63.topo.json")
TOLERANCE_DEGREES = 0.002
DEFAULT_TARGET = Path(__file__).resolve().parent.parent / "baocao/dashboards/data/geo"

Point = tuple[int, int]


def absolute_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """The arcs as absolute quantised positions (TopoJSON stores deltas when quantised)."""
    arcs: list[list[Point]] = []
    for arc in topology["arcs"]:
        x = y = 0
        points: list[Point] = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x, y))
        arcs.append(points)
    return arcs


def delta_arcs(arcs: list[list[Point]]) -> list[list[list[int]]]:
    """Back to the delta encoding of a quantised topology."""
    encoded: list[list[list[int]]] = []
    for arc in arcs:
        px = py = 0
        deltas: list[list[int]] = []
        for x, y in arc:
            deltas.append([x - px, y - py])
            px, py = x, y
        encoded.append(deltas)
    return encoded


def _distance2(p: Point, a: Point, b: Point, scale: tuple[float, float]) -> float:
    """Squared distance in degrees from p to the segment ab (to a when a == b)."""
    sx, sy = scale
    ax, ay = a[0] * sx, a[1] * sy
    bx, by = b[0] * sx, b[1] * sy
    px, py = p[0] * sx, p[1] * sy
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return (px - ax) ** 2 + (py - ay) ** 2
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    qx, qy = ax + t * dx - px, ay + t * dy - py
    return qx * qx + qy * qy


def simplify(points: list[Point], tolerance: float, scale: tuple[float, float]) -> list[Point]:
    """Douglas-Peucker, iterative; both ends are always kept (they are arc junctions).

    A closed arc (an island drawn as one arc) keeps at least four positions, that is three
    distinct corners, so that it stays a polygon.
    """
    count = len(points)
    if count < 3:
        return list(points)
    keep = [False] * count
    keep[0] = keep[-1] = True
    tolerance2 = tolerance * tolerance
    stack = [(0, count - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = -1.0, -1
        for i in range(first + 1, last):
            d = _distance2(points[i], points[first], points[last], scale)
            if d > farthest:
                farthest, index = d, i
        if index != -1 and farthest > tolerance2:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    if points[0] == points[-1] and count >= 4 and sum(keep) < 4:
        # The farthest point from the start, then the one farthest from that chord.
        far = max(range(count), key=lambda i: _distance2(points[i], points[0], points[0], scale))
        third = max(
            (i for i in range(1, count - 1) if i != far),
            key=lambda i: _distance2(points[i], points[0], points[far], scale),
        )
        keep[far] = keep[third] = True
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _rings(topology: dict[str, Any]) -> list[list[int]]:
    """Every ring of every polygon, as its list of arc indexes."""
    rings: list[list[int]] = []
    for obj in topology["objects"].values():
        for geometry in obj.get("geometries", [obj]):
            if geometry.get("type") == "Polygon":
                rings.extend(geometry["arcs"])
            elif geometry.get("type") == "MultiPolygon":
                for polygon in geometry["arcs"]:
                    rings.extend(polygon)
    return rings


def _ring_points(ring: list[int], arcs: list[list[Point]]) -> list[Point]:
    points: list[Point] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _degenerate(points: list[Point]) -> bool:
    """Fewer than three distinct corners, or no area at all."""
    if len(set(points)) < 3:
        return True
    twice_area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(points))
    return twice_area == 0


def prepare(topology: dict[str, Any]) -> tuple[dict[str, Any], int, int]:
    """The simplified topology, and the number of positions before and after."""
    scale = tuple(topology["transform"]["scale"])
    original = absolute_arcs(topology)
    simplified = [simplify(arc, TOLERANCE_DEGREES, (scale[0], scale[1])) for arc in original]
    # A ring whose arcs all shrank to straight lines would vanish: keep its arcs as published.
    for ring in _rings(topology):
        if _degenerate(_ring_points(ring, simplified)):
            for index in ring:
                arc = index if index >= 0 else ~index
                simplified[arc] = original[arc]
    result = {key: value for key, value in topology.items() if key not in ("arcs", "bbox")}
    result["arcs"] = delta_arcs(simplified)
    before = sum(len(arc) for arc in original)
    after = sum(len(arc) for arc in simplified)
    return result, before, after


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    source = Path(argv[0])
    target = Path(argv[1]) if len(argv) == 2 else DEFAULT_TARGET
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        topology = json.loads((source / name).read_text(encoding="utf-8"))
        if "transform" not in topology:
            print(f"{source / name}: expected a quantised topology (with transform)")
            return 1
        result, before, after = prepare(topology)
        text = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
        (target / name).write_text(text + "\n", encoding="utf-8")
        print(f"{name}: {before} -> {after} positions, {len(text.encode()):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
