"""Levels, unit types and change kinds of the administrative hierarchy."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Where a unit sits in the reporting hierarchy; fixed for the life of a unit."""

    GOVERNMENT = "government", _("Central government")
    MINISTRY = "ministry", _("Ministry or central agency")
    PROVINCE = "province", _("Province level")
    # Districts existed until 30 June 2025 (Law on Organisation of Local Government 2025).
    DISTRICT = "district", _("District level")
    COMMUNE = "commune", _("Commune level")
    AGENCY_UNIT = "agency_unit", _("Unit of an agency")


class UnitType(models.TextChoices):
    """The legal type of a unit at a time; may change (a province becoming a city)."""

    GOVERNMENT = "government", _("Government")
    MINISTRY = "ministry", _("Ministry")
    MINISTERIAL_AGENCY = "ministerial_agency", _("Ministerial-level agency")
    GOVERNMENT_AGENCY = "government_agency", _("Government agency")
    PROVINCE = "province", _("Province")
    CENTRAL_CITY = "central_city", _("Centrally-run city")
    URBAN_DISTRICT = "urban_district", _("Urban district")
    RURAL_DISTRICT = "rural_district", _("Rural district")
    DISTRICT_TOWN = "district_town", _("District-level town")
    PROVINCIAL_CITY = "provincial_city", _("Provincial city")
    COMMUNE = "commune", _("Commune")
    WARD = "ward", _("Ward")
    TOWNSHIP = "township", _("Township")
    SPECIAL_ZONE = "special_zone", _("Special zone")
    AGENCY_UNIT = "agency_unit", _("Agency unit")


# Which unit types a unit of each level may have.
TYPES_BY_LEVEL: dict[str, frozenset[str]] = {
    Level.GOVERNMENT: frozenset({UnitType.GOVERNMENT}),
    Level.MINISTRY: frozenset(
        {UnitType.MINISTRY, UnitType.MINISTERIAL_AGENCY, UnitType.GOVERNMENT_AGENCY}
    ),
    Level.PROVINCE: frozenset({UnitType.PROVINCE, UnitType.CENTRAL_CITY}),
    Level.DISTRICT: frozenset(
        {
            UnitType.URBAN_DISTRICT,
            UnitType.RURAL_DISTRICT,
            UnitType.DISTRICT_TOWN,
            UnitType.PROVINCIAL_CITY,
        }
    ),
    Level.COMMUNE: frozenset(
        {UnitType.COMMUNE, UnitType.WARD, UnitType.TOWNSHIP, UnitType.SPECIAL_ZONE}
    ),
    Level.AGENCY_UNIT: frozenset({UnitType.AGENCY_UNIT}),
}

# Which levels a parent may have, for a child of each level. The root (the Government)
# has no parent; every other unit must have one while it exists.
PARENT_LEVELS: dict[str, frozenset[str]] = {
    Level.GOVERNMENT: frozenset(),
    Level.MINISTRY: frozenset({Level.GOVERNMENT}),
    Level.PROVINCE: frozenset({Level.GOVERNMENT}),
    Level.DISTRICT: frozenset({Level.PROVINCE}),
    # Communes sat under districts until 30 June 2025 and sit under provinces since.
    Level.COMMUNE: frozenset({Level.DISTRICT, Level.PROVINCE}),
    Level.AGENCY_UNIT: frozenset(
        {Level.GOVERNMENT, Level.MINISTRY, Level.PROVINCE, Level.AGENCY_UNIT}
    ),
}


class ChangeKind(models.TextChoices):
    """What a change event did (Law on Organisation of Local Government; Res. 76/2025)."""

    ESTABLISH = "establish", _("Establishment")
    MERGE = "merge", _("Merger")
    SPLIT = "split", _("Split")
    RENAME = "rename", _("Renaming")
    TYPE_CHANGE = "type_change", _("Type change")
    REASSIGN = "reassign", _("Transfer to another parent")
    ABOLISH = "abolish", _("Abolition")
