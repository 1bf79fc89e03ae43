"""Error codes of the organisation registry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from baocao.core.errors import ErrorCode


class UnitError(ErrorCode):
    """Why a unit, version, event or units file was rejected."""

    UNKNOWN_UNIT = ("unknown_unit", _("Unknown unit code %(code)s."))
    UNKNOWN_PARENT = ("unknown_parent", _("Parent unit %(code)s does not exist."))
    UNKNOWN_LINK_UNIT = ("unknown_link_unit", _("Unit %(code)s named in a link does not exist."))
    MISSING_FIELD = ("missing_field", _("The field %(field)s is required."))
    UNKNOWN_COLUMN = ("unknown_column", _("Unknown column %(column)s; expected %(expected)s."))
    INVALID_CODE = (
        "invalid_code",
        _("Code %(code)s may contain only capital letters, digits, dots, dashes and underscores."),
    )
    INVALID_DATE = ("invalid_date", _("%(value)s is not a date in YYYY-MM-DD form."))
    INVALID_NUMBER = ("invalid_number", _("%(value)s is not a number."))
    INVALID_BOOLEAN = ("invalid_boolean", _("%(value)s is not true or false."))
    INVALID_LEVEL = ("invalid_level", _("Unknown level %(value)s; expected one of %(expected)s."))
    INVALID_TYPE = ("invalid_type", _("Unknown unit type %(value)s; expected one of %(expected)s."))
    INVALID_KIND = (
        "invalid_kind",
        _("Unknown change kind %(value)s; expected one of %(expected)s."),
    )
    TYPE_NOT_FOR_LEVEL = (
        "type_not_for_level",
        _("A unit of level %(level)s cannot have type %(type)s."),
    )
    LEVEL_CHANGED = (
        "level_changed",
        _("Unit %(code)s is already registered at level %(existing)s, not %(level)s."),
    )
    LEVEL_CONFLICT = (
        "level_conflict",
        _("Unit %(code)s is given two different levels: %(first)s and %(second)s."),
    )
    INTERVAL_REVERSED = (
        "interval_reversed",
        _("Version of %(code)s ends (%(valid_to)s) before it starts (%(valid_from)s)."),
    )
    OVERLAP = (
        "overlap",
        _("Versions of %(code)s overlap: %(first)s and %(second)s are both in force on %(date)s."),
    )
    PARENT_REQUIRED = ("parent_required", _("A unit of level %(level)s must have a parent."))
    PARENT_LEVEL = (
        "parent_level",
        _("Unit %(code)s (level %(level)s) cannot sit under %(parent)s (level %(parent_level)s)."),
    )
    PARENT_NOT_IN_FORCE = (
        "parent_not_in_force",
        _("Parent %(parent)s of %(code)s does not exist on %(date)s."),
    )
    CYCLE = ("cycle", _("The hierarchy would contain a cycle on %(date)s: %(path)s."))
    EVENT_NO_LINKS = ("event_no_links", _("Change event %(code)s has no links."))
    DUPLICATE_VERSION = (
        "duplicate_version",
        _("Unit %(code)s has two versions starting the same day (first on line %(first_line)s)."),
    )
    DUPLICATE_EVENT = (
        "duplicate_event",
        _("Change event %(code)s appears twice (first on line %(first_line)s)."),
    )
    FILE_UNREADABLE = ("file_unreadable", _("Cannot read the file: %(reason)s."))
    FILE_FORMAT = (
        "file_format",
        _("Unsupported file type %(suffix)s; use .csv, .yaml or .yml."),
    )
    FILE_STRUCTURE = ("file_structure", _("Unexpected file structure: %(reason)s."))
