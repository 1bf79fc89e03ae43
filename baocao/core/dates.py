"""Date parsing shared by the CLI, the API, the pages and file loaders.

Programs write ISO 8601; people type dd/mm/yyyy (`parse_typed_date`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re

from django.utils.translation import gettext as _

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


def cli_date(value: str) -> dt.date:
    """An argparse `type` for YYYY-MM-DD options, with a translated message."""
    try:
        return parse_iso_date(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("%(value)s is not a date in YYYY-MM-DD form.") % {"value": value}
        ) from None


def parse_typed_date(value: str) -> dt.date:
    """A day typed by a person: dd/mm/yyyy (how officers write dates) or YYYY-MM-DD.

    Raise ValueError otherwise; callers name the field in their own message.
    """
    text = value.strip()
    if "/" in text:
        return dt.datetime.strptime(text, "%d/%m/%Y").date()
    return parse_iso_date(text)
