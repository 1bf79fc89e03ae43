from baocao.organisations.models.change_event import ChangeEvent, LineageLink
from baocao.organisations.models.source import HierarchySource
from baocao.organisations.models.unit import Unit, UnitVersion

__all__ = ["ChangeEvent", "HierarchySource", "LineageLink", "Unit", "UnitVersion"]
