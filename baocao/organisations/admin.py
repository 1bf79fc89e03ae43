"""Admin pages: browse units, their versions and change events, and the tree on any day.

The registry is read-only here: changes come from legal acts and are loaded through
`baocao units load FILE`, which validates the whole change before writing it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from baocao.core.dates import parse_typed_date
from baocao.core.errors import NotFound
from baocao.core.numbers import format_number
from baocao.organisations import selectors
from baocao.organisations.choices import Level
from baocao.organisations.models import ChangeEvent, LineageLink, Unit, UnitVersion


def _parse_day(text: str) -> dt.date:
    """A day typed as dd/mm/yyyy (how officers write dates) or YYYY-MM-DD; today if empty."""
    return parse_typed_date(text) if text.strip() else selectors.today()


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UnitVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = UnitVersion
    fk_name = "unit"
    fields = ("valid_from", "valid_to", "name", "type", "parent")
    readonly_fields = fields
    extra = 0


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Units with their versions; the tree view shows the hierarchy on a chosen day."""

    list_display = ("code", "current_name", "level")
    list_filter = ("level",)
    search_fields = ("code", "versions__name")
    inlines = [UnitVersionInline]
    change_list_template = "organisations/admin/unit_change_list.html"

    @admin.display(description=_("name"))
    def current_name(self, obj: Unit) -> str:
        version = selectors.unit_last_version(unit=obj)
        return version.name if version else ""

    def get_urls(self) -> list[URLPattern]:
        tree = path(
            "tree/", self.admin_site.admin_view(self.tree_view), name="organisations_unit_tree"
        )
        return [tree, *super().get_urls()]

    def tree_view(self, request: HttpRequest) -> HttpResponse:
        """The children of a unit on a day, with the path to it (browse by clicking)."""
        error = None
        try:
            on = _parse_day(request.GET.get("as_of", ""))
        except ValueError:
            on = selectors.today()
            error = _("%(value)s is not a date in YYYY-MM-DD form.") % {
                "value": request.GET.get("as_of")
            }
        code = request.GET.get("unit", "")
        unit = current = None
        ancestors: list[selectors.UnitAt] = []
        if code:
            try:
                unit = selectors.unit_get(code=code)
            except NotFound as exc:
                error = exc.message
        if unit is not None:
            current = selectors.unit_version_on(unit=unit, on=on)
            ancestors = list(reversed(selectors.unit_ancestors(unit=unit, on=on)))
            children = list(selectors.unit_children(unit=unit, on=on))
        else:
            children = list(
                selectors.versions_on(on).filter(parent__isnull=True).order_by("unit__code")
            )
        counts = (
            {
                child.unit_id: selectors.unit_children(unit=child.unit, on=on).count()
                for child in children
            }
            if len(children) <= 400
            else {}
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Unit tree"),
            "opts": self.model._meta,
            "as_of": on,
            "unit": unit,
            "current": current,
            "ancestors": ancestors,
            "children": [(child, counts.get(child.unit_id)) for child in children],
            "error": error,
            "levels": "; ".join(
                f"{Level(level).label}: {format_number(count)}"
                for level in (Level.MINISTRY, Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
                if (count := selectors.units_count(on=on, level=level))
            ),
        }
        return TemplateResponse(request, "organisations/admin/unit_tree.html", context)


class LineageLinkInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LineageLink
    fields = ("predecessor", "successor", "partial", "weight")
    readonly_fields = fields
    extra = 0


@admin.register(ChangeEvent)
class ChangeEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Change events with their legal act and predecessor-to-successor links."""

    list_display = ("code", "effective_date", "kind", "legal_act", "links_summary")
    list_filter = ("kind", "effective_date")
    search_fields = ("code", "legal_act", "links__predecessor__code", "links__successor__code")
    date_hierarchy = "effective_date"
    inlines = [LineageLinkInline]

    @admin.display(description=_("links"))
    def links_summary(self, obj: ChangeEvent) -> str:
        links = obj.links.select_related("predecessor", "successor")[:6]
        return ", ".join(str(link) for link in links)
