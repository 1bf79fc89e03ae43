from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baocao.core.numbers import format_number


@pytest.mark.parametrize(
    ("value", "decimals", "language", "expected"),
    [
        (10035, 0, "vi", "10.035"),
        (1234.5, 1, "vi", "1.234,5"),
        (1234.5, 1, "en", "1,234.5"),
        (-1234567.125, 2, "vi", "-1.234.567,13"),
        (0, 0, "vi", "0"),
        (Decimal("999.95"), 1, "vi", "1.000,0"),
    ],
)
def test_format_number(value, decimals, language, expected):
    assert format_number(value, decimals=decimals, language=language) == expected


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_grouping_round_trips(value):
    text = format_number(value, language="vi")
    assert int(text.replace(".", "")) == value
    assert all(len(group) == 3 for group in text.lstrip("-").split(".")[1:])
