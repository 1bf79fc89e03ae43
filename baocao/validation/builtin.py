"""Checks that follow from the catalogue's metadata, with no rule to write (issue 5, scope 2).

- A count cannot be negative: an indicator of whole numbers (value type `integer`) counts
  things (dossiers, enterprises, people).
- A total equals the sum of its parts: when a report carries an indicator's total and a value
  for every option of one of its dimensions, they must add up.
Value types, whole numbers and decimals are enforced when a value is entered
(`baocao.submissions.values`), and required cells when a report is sent; ranges specific to
an indicator (a share between 0 and 100, where an index or a growth rate may pass 100 or fall
below 0) are rules in the catalogue, since the metadata cannot tell a share from an index.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils.translation import gettext as _

from baocao.catalogue.choices import ValueType
from baocao.catalogue.models import Indicator
from baocao.core.numbers import format_number
from baocao.submissions.checks import ERROR, Finding
from baocao.submissions.layout import CellKey

NEGATIVE_COUNT = "builtin.negative_count"
TOTAL_MISMATCH = "builtin.total_mismatch"
# Totals and parts are compared after rounding to the indicator's decimals, so that parts
# rounded by the reporter do not raise a false alarm.


def builtin_findings(
    values: Mapping[CellKey, Decimal],
    indicators: Mapping[str, Indicator],
    options: Mapping[str, Mapping[str, list[str]]],
) -> list[Finding]:
    """Findings of the built-in checks over a report's numeric values.

    `indicators` maps the codes present to their indicator; `options` maps an indicator code
    to its dimensions and their option codes, in order.
    """
    findings = list(_negative_counts(values, indicators))
    findings.extend(_totals(values, indicators, options))
    return findings


def _negative_counts(
    values: Mapping[CellKey, Decimal], indicators: Mapping[str, Indicator]
) -> Iterable[Finding]:
    for key, value in sorted(values.items()):
        indicator = indicators.get(key[0])
        if indicator is not None and indicator.value_type == ValueType.INTEGER and value < 0:
            yield Finding(
                code=NEGATIVE_COUNT,
                importance=ERROR,
                message=_("%(indicator)s counts things and cannot be negative (%(value)s).")
                % {"indicator": indicator.name, "value": format_number(value)},
                cells=(key,),
            )


def _totals(
    values: Mapping[CellKey, Decimal],
    indicators: Mapping[str, Indicator],
    options: Mapping[str, Mapping[str, list[str]]],
) -> Iterable[Finding]:
    for code, indicator in sorted(indicators.items()):
        total = values.get((code, ""))
        if total is None:
            continue
        for dimension, codes in options.get(code, {}).items():
            keys = [(code, f"{dimension}={option}") for option in codes]
            if not keys or any(key not in values for key in keys):
                continue  # only a complete breakdown must add up
            parts = sum((values[key] for key in keys), Decimal(0))
            quantum = Decimal(1).scaleb(-indicator.decimals)
            if parts.quantize(quantum) != total.quantize(quantum):
                yield Finding(
                    code=TOTAL_MISMATCH,
                    importance=ERROR,
                    message=_(
                        "The parts of %(indicator)s by %(dimension)s add up to %(parts)s,"
                        " not to the total %(total)s."
                    )
                    % {
                        "indicator": indicator.name,
                        "dimension": dimension,
                        "parts": format_number(parts, decimals=indicator.decimals),
                        "total": format_number(total, decimals=indicator.decimals),
                    },
                    cells=((code, ""), *keys),
                )
