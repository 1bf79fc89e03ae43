"""Date parsing shared by the CLI, the API and file loaders (ISO 8601 only)."""

from __future__ import annotations

import datetime as dt
import re

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_iso_date(value: str | dt.date) -> dt.date:
    """Parse `YYYY-MM-DD`; raise ValueError naming the offending text otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not _ISO_DATE.match(text):
        raise ValueError(f"not a date in YYYY-MM-DD form: {text!r}")
    return dt.date.fromisoformat(text)
