"""Reading a value as typed by a person or sent by a system, into its canonical text.

The same rules serve the web form, Excel uploads, the API and bulk imports, so a value is
accepted or refused the same way whatever the channel. People type Vietnamese numbers
(`1.234,5`: dots group thousands, the comma marks decimals); systems send plain ones
(`1234.5`). Stored values are canonical: plain decimals without exponent or trailing zeros,
`true`/`false`, ISO dates, NFC text.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Literal

from baocao.catalogue.choices import ValueType
from baocao.core.errors import DomainError
from baocao.core.text import nfc
from baocao.submissions.errors import SubmissionError

NumberStyle = Literal["vi", "plain"]

# Larger than any national total (GDP in VND is about 10^16: entered in billions).
MAX_ABS = Decimal(10) ** 15
MAX_TEXT = 50_000
MAX_COMMENT = 2_000

_TRUE = {"true", "1", "có", "co", "yes", "x", "đúng"}
_FALSE = {"false", "0", "không", "khong", "no", "sai"}
_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_SPACES = re.compile(r"[\s\u00a0\u202f]")
# Spaces may only group thousands (`1 234 567,5`): "1 2" is two numbers, not twelve.
_SPACE_GROUPED = re.compile(r"[+-]?\d{1,3}(?:[\s\u00a0\u202f]\d{3})+(?:[.,]\d*)?")


def parse_number(raw: str, *, style: NumberStyle) -> Decimal:
    """A number typed in Vietnamese style or sent plain; raises `ValueError` if it is none."""
    text = raw.strip()
    if _SPACES.search(text) and not _SPACE_GROUPED.fullmatch(text):
        raise ValueError(raw)
    text = _SPACES.sub("", text)
    if style == "vi":
        if "," in text:
            whole, _, fraction = text.partition(",")
            if "," in fraction or (("." in whole) and not _GROUPED.match(whole)):
                raise ValueError(raw)
            text = whole.replace(".", "") + "." + fraction
        elif _GROUPED.match(text):
            # 1.234 and 1.234.567 are thousands in Vietnamese.
            text = text.replace(".", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise ValueError(raw)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(raw) from None


def canonical_decimal(number: Decimal) -> str:
    """`1234.50` → `1234.5`, `1E+3` → `1000`, `-0` → `0`."""
    if number == 0:
        return "0"
    text = format(number.normalize(), "f")
    return text


def clean_value(
    *,
    value_type: str,
    decimals: int,
    raw: object,
    style: NumberStyle,
) -> str:
    """The canonical text of a value, or a `DomainError` saying what is wrong with it."""
    if isinstance(raw, bool):
        raw = "true" if raw else "false"
    if isinstance(raw, int | float | Decimal) and value_type in _NUMERIC:
        number = Decimal(str(raw))
        return _check_number(number, str(raw), value_type=value_type, decimals=decimals)
    text = nfc(str(raw)).strip()
    if value_type in _NUMERIC:
        try:
            number = parse_number(text, style=style)
        except ValueError:
            raise DomainError(SubmissionError.NOT_A_NUMBER, value=text) from None
        return _check_number(number, text, value_type=value_type, decimals=decimals)
    if value_type == ValueType.BOOLEAN:
        lowered = text.lower()
        if lowered in _TRUE:
            return "true"
        if lowered in _FALSE:
            return "false"
        raise DomainError(SubmissionError.NOT_A_BOOLEAN, value=text)
    if value_type == ValueType.DATE:
        return _parse_date(text).isoformat()
    if len(text) > MAX_TEXT:
        raise DomainError(SubmissionError.TEXT_TOO_LONG, maximum=MAX_TEXT)
    return text


def clean_comment(raw: object) -> str:
    text = nfc(str(raw or "")).strip()
    if len(text) > MAX_COMMENT:
        raise DomainError(SubmissionError.COMMENT_TOO_LONG, maximum=MAX_COMMENT)
    return text


_NUMERIC = {ValueType.NUMBER, ValueType.INTEGER, ValueType.PERCENTAGE}


def _check_number(number: Decimal, text: str, *, value_type: str, decimals: int) -> str:
    if not number.is_finite():
        raise DomainError(SubmissionError.NOT_A_NUMBER, value=text)
    if abs(number) >= MAX_ABS:
        raise DomainError(SubmissionError.NUMBER_TOO_LARGE, value=text, maximum="10^15")
    normal = number.normalize()
    places = max(0, -int(normal.as_tuple().exponent))
    if value_type == ValueType.INTEGER and places:
        raise DomainError(SubmissionError.NOT_AN_INTEGER, value=text)
    if places > decimals and value_type != ValueType.INTEGER:
        raise DomainError(SubmissionError.TOO_MANY_DECIMALS, value=text, decimals=decimals)
    return canonical_decimal(number)


def _parse_date(text: str) -> dt.date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise DomainError(SubmissionError.NOT_A_DATE, value=text)
