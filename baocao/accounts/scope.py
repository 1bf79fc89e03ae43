"""The one place that restricts querysets to what a user may see.

A user sees their own unit and everything below it in the hierarchy in force on the day
asked about; superusers and users of the Government unit see everything. Views never
filter by unit themselves: they call `restrict` (or use `ScopedQuerysetMixin`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, QuerySet

from baocao.organisations import selectors as org_selectors
from baocao.organisations.choices import Level

M = TypeVar("M", bound=Model)


def sees_everything(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    unit = getattr(user, "unit", None)
    return unit is not None and unit.level == Level.GOVERNMENT


def unit_ids_in_scope(
    user: AbstractBaseUser | AnonymousUser, *, on: dt.date | None = None
) -> set[int] | None:
    """Ids of the units a user may see on a day; `None` means no restriction."""
    if sees_everything(user):
        return None
    unit = getattr(user, "unit", None)
    if not user.is_authenticated or unit is None:
        return set()
    return org_selectors.descendant_ids(unit=unit, on=on or org_selectors.today())


def restrict(
    queryset: QuerySet[M],
    user: AbstractBaseUser | AnonymousUser,
    *,
    unit_field: str = "unit",
    on: dt.date | None = None,
) -> QuerySet[M]:
    """Keep only rows whose `unit_field` is in the user's scope."""
    ids = unit_ids_in_scope(user, on=on)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{unit_field}__in": ids})


class ScopedQuerysetMixin:
    """For API views: `get_queryset` is restricted to the requesting user's scope.

    Subclasses set `scope_unit_field` to the path of the unit on their model.
    """

    scope_unit_field = "unit"
    request: Any

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()  # type: ignore[misc]
        return restrict(queryset, self.request.user, unit_field=self.scope_unit_field)
