"""What every page's layout needs about the signed-in user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from baocao.organisations import selectors as org_selectors


def user_unit(request: HttpRequest) -> dict[str, Any]:
    """The user's unit as it is named today (its last name if it has ceased), for the header."""
    user = getattr(request, "user", None)
    unit = getattr(user, "unit", None) if user is not None and user.is_authenticated else None
    if unit is None:
        return {"user_unit": None}
    return {"user_unit": org_selectors.unit_as_of(unit=unit)}
