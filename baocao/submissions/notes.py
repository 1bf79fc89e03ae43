"""Notes on a report's values supplied by the apps above this one (issue 5, scope 4).

The review page shows, beside a value, what the data-quality checks think of it: today an
outlier against the unit's own history with the range that was expected. Those checks live
in the validation app, which sits above submissions in the dependency order
(docs/architecture.md), so submissions cannot call them. As with `checks.py`, the
validation app registers a provider here when Django starts (`ValidationConfig.ready`) and
the page asks `value_notes_for` without knowing who answers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from baocao.submissions.layout import CellKey
from baocao.submissions.models import Report

OUTLIER = "outlier"


@dataclasses.dataclass(frozen=True)
class ValueNote:
    """A remark on one value: its kind, a sentence in the user's language, a range.

    `text` is already translated (e.g. "Expected 120 to 180 (compared with the same
    month of earlier years)"); `low` and `high` are the expected range for an outlier, for
    pages that draw it themselves.
    """

    kind: str
    text: str
    low: float | None = None
    high: float | None = None


# A provider gets the report and the texts to judge ((indicator, disaggregation) -> canonical
# text, e.g. a version's values) and returns the notes it has, by cell.
ValueNoteProvider = Callable[[Report, Mapping[CellKey, str]], Mapping[CellKey, ValueNote]]

_PROVIDERS: list[ValueNoteProvider] = []


def value_notes_register(provider: ValueNoteProvider) -> None:
    """Add a provider of notes (idempotent: a provider is registered once)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def value_notes_for(report: Report, values: Mapping[CellKey, str]) -> dict[CellKey, ValueNote]:
    """The notes every registered provider has on `values`, one per cell.

    A page shows one note per cell; when two providers note the same cell the one
    registered first keeps it.
    """
    notes: dict[CellKey, ValueNote] = {}
    for provider in _PROVIDERS:
        for key, note in provider(report, values).items():
            notes.setdefault(key, note)
    return notes
