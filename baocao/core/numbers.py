"""Number display in the user's language: 1.234,5 in Vietnamese, 1,234.5 in English.

Django's Vietnamese locale defines the separators but no grouping, so whole numbers would
show as 10035; forms and pages use this instead (DESIGN.md: Vietnamese number formats).
The API never uses it: it speaks plain 1234.5.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation

SEPARATORS = {"vi": (".", ","), "en": (",", ".")}


def format_number(
    value: int | float | Decimal, *, decimals: int = 0, language: str | None = None
) -> str:
    """Group thousands and round half up to `decimals` places in the given or active language."""
    code = (language or translation.get_language() or "vi").split("-")[0]
    thousands, point = SEPARATORS.get(code, SEPARATORS["vi"])
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = thousands.join(groups)
    return f"{sign}{text}{point}{fraction}" if fraction else f"{sign}{text}"
