"""Reading values as people type them (Vietnamese style) and as systems send them (plain)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest

from baocao.catalogue.choices import ValueType
from baocao.core.errors import DomainError
from baocao.submissions.values import (
    MAX_COMMENT,
    MAX_TEXT,
    canonical_decimal,
    clean_comment,
    clean_value,
    parse_number,
)


def clean(raw: object, value_type: str = ValueType.NUMBER, *, decimals: int = 2, style="vi"):
    return clean_value(value_type=value_type, decimals=decimals, raw=raw, style=style)


def refused(raw: object, value_type: str = ValueType.NUMBER, *, decimals: int = 2, style="vi"):
    with pytest.raises(DomainError) as caught:
        clean(raw, value_type, decimals=decimals, style=style)
    return caught.value.code


# Vietnamese style: dots group thousands, the comma marks decimals ---------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.234,5", Decimal("1234.5")),
        ("1.234", Decimal("1234")),
        ("1.234.567", Decimal("1234567")),
        ("12,5", Decimal("12.5")),
        ("1 234", Decimal("1234")),
        ("1 234 567,25", Decimal("1234567.25")),
        ("1\u00a0234", Decimal("1234")),  # no-break space, as Excel and Word write it
        ("1\u202f234", Decimal("1234")),  # narrow no-break space
        # A single dot not followed by exactly three digits can only be a decimal point.
        ("12.5", Decimal("12.5")),
        ("1.2345", Decimal("1.2345")),
        ("-3", Decimal("-3")),
        ("+7", Decimal("7")),
        ("-1.234,5", Decimal("-1234.5")),
        (",5", Decimal("0.5")),
        ("  42  ", Decimal("42")),
        ("0", Decimal("0")),
    ],
)
def test_vietnamese_numbers(raw, expected):
    assert parse_number(raw, style="vi") == expected


@pytest.mark.parametrize(
    "raw",
    [
        "1,2,3",  # two decimal commas
        "12,3a",
        "1.23,4",  # dots that do not group thousands before a decimal comma
        "1.234.56",
        "1.234,5.6",
        "abc",
        "",  # callers treat an empty cell as "no value" before parsing
        "-",
        "1 2",  # two numbers, not twelve (fixed: spaces used to be dropped anywhere)
        "12 34",
        "1 2345",
        "1E+3",  # exponents are refused when typed: nobody writes them in a report
        "1e3",
        "NaN",
        "Infinity",
        "0x10",
    ],
)
def test_not_vietnamese_numbers(raw):
    with pytest.raises(ValueError):
        parse_number(raw, style="vi")


# Plain style: what systems send (the API, CSV imports) --------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.5", Decimal("1234.5")),
        ("1.234", Decimal("1.234")),  # plain: the dot is always the decimal point
        ("-0.5", Decimal("-0.5")),
        (".5", Decimal("0.5")),
        ("1 234.5", Decimal("1234.5")),
    ],
)
def test_plain_numbers(raw, expected):
    assert parse_number(raw, style="plain") == expected


@pytest.mark.parametrize("raw", ["1.234,5", "12,5", "1,234", "1E+3", "1e-2", "12.3.4"])
def test_not_plain_numbers(raw):
    with pytest.raises(ValueError):
        parse_number(raw, style="plain")


# Checks by value type -----------------------------------------------------------------------


def test_canonical_text_has_no_trailing_zeros_or_exponent():
    assert clean("1.234,50") == "1234.5"
    assert clean("1.000") == "1000"
    assert clean("-0") == "0"
    assert clean("0,00") == "0"
    assert canonical_decimal(Decimal("1E+3")) == "1000"
    assert canonical_decimal(Decimal("1234.500")) == "1234.5"
    assert canonical_decimal(Decimal("-0.0")) == "0"


def test_numbers_sent_as_numbers_are_accepted_whatever_their_exponent():
    # JSON numbers reach the service as int, float or Decimal: their exponent is not typed
    # by a person, so it is accepted and written out plainly. Typed exponents are refused.
    assert clean(Decimal("1E+3")) == "1000"
    assert clean(1500) == "1500"
    assert clean(2.5) == "2.5"
    assert refused("1E+3") == "not_a_number"
    assert refused("1E+3", style="plain") == "not_a_number"


def test_integers():
    assert clean("1.234", ValueType.INTEGER, decimals=0) == "1234"
    assert clean("12,0", ValueType.INTEGER, decimals=0) == "12"
    assert clean(7, ValueType.INTEGER, decimals=0) == "7"
    assert clean(7.0, ValueType.INTEGER, decimals=0) == "7"
    assert refused("12,5", ValueType.INTEGER, decimals=0) == "not_an_integer"
    assert refused("1,5", ValueType.INTEGER, decimals=2) == "not_an_integer"
    assert refused(2.5, ValueType.INTEGER, decimals=0) == "not_an_integer"


def test_decimal_places():
    assert clean("12,34", decimals=2) == "12.34"
    assert clean("12,340", decimals=2) == "12.34"  # trailing zeros are not places
    assert refused("12,345", decimals=2) == "too_many_decimals"
    assert refused(0.1 + 0.2, decimals=2) == "too_many_decimals"
    assert clean("99,5", ValueType.PERCENTAGE, decimals=1) == "99.5"
    assert refused("99,55", ValueType.PERCENTAGE, decimals=1) == "too_many_decimals"


def test_magnitude_is_bounded():
    assert clean("999.999.999.999.999", decimals=0) == "999999999999999"
    assert refused("1.000.000.000.000.000", decimals=0) == "number_too_large"
    assert refused("-1.000.000.000.000.000", decimals=0) == "number_too_large"
    assert refused(Decimal("1E+100000")) == "number_too_large"
    assert refused(float("inf")) == "not_a_number"
    assert refused(float("nan")) == "not_a_number"


def test_a_refusal_names_the_value_as_typed():
    with pytest.raises(DomainError) as caught:
        clean("12,3a")
    assert caught.value.args_dict == {"value": "12,3a"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("có", "true"),
        ("Có", "true"),
        (unicodedata.normalize("NFD", "có"), "true"),
        ("co", "true"),
        ("x", "true"),
        ("1", "true"),
        ("true", "true"),
        (True, "true"),
        ("không", "false"),
        ("KHÔNG", "false"),
        ("khong", "false"),
        ("0", "false"),
        ("sai", "false"),
        (False, "false"),
    ],
)
def test_booleans(raw, expected):
    assert clean(raw, ValueType.BOOLEAN) == expected


@pytest.mark.parametrize("raw", ["có lẽ", "2", "yes please", ""])
def test_not_booleans(raw):
    assert refused(raw, ValueType.BOOLEAN) == "not_a_boolean"


def test_a_boolean_is_not_a_number():
    assert refused(True, ValueType.NUMBER) == "not_a_number"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("30/11/2026", dt.date(2026, 11, 30)),
        ("1/2/2026", dt.date(2026, 2, 1)),
        ("2026-11-30", dt.date(2026, 11, 30)),
        (" 29/02/2028 ", dt.date(2028, 2, 29)),
    ],
)
def test_dates(raw, expected):
    assert clean(raw, ValueType.DATE) == expected.isoformat()


@pytest.mark.parametrize("raw", ["31/02/2026", "29/02/2027", "11/30/2026", "30-11-2026", "hôm nay"])
def test_not_dates(raw):
    assert refused(raw, ValueType.DATE) == "not_a_date"


def test_text_is_nfc_stripped_and_bounded():
    decomposed = unicodedata.normalize("NFD", "  Thủ tục hành chính  ")
    assert clean(decomposed, ValueType.TEXT) == "Thủ tục hành chính"
    assert clean("x" * MAX_TEXT, ValueType.TEXT) == "x" * MAX_TEXT
    assert refused("x" * (MAX_TEXT + 1), ValueType.TEXT) == "text_too_long"


def test_comments():
    assert clean_comment(None) == ""
    assert clean_comment(unicodedata.normalize("NFD", " Số liệu ước tính ")) == "Số liệu ước tính"
    with pytest.raises(DomainError) as caught:
        clean_comment("x" * (MAX_COMMENT + 1))
    assert caught.value.code == "comment_too_long"
