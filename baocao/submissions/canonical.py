"""The canonical serialisation of a report's content: what is signed and hashed.

One document per submission: the report's identity (regime, step, unit, receiver, period),
its version number, every value (sorted by indicator and disaggregation), the narrative
sections and each attachment's SHA-256. Serialised as JSON with sorted keys, no insignificant
whitespace and UTF-8 text in NFC (the stored form), the way RFC 8785 canonicalises JSON for
signing: the same content always gives the same bytes, on any machine, so a signature made
by the sender's own software over these bytes verifies here, and any change to a stored
value, text or file makes verification fail.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

FORMAT = "baocao-report/1"


def canonical_document(
    *,
    regime: str,
    step: int,
    unit: str,
    receiver: str,
    period: str,
    version: int,
    values: list[tuple[str, str, str, str]],
    narrative: dict[str, str],
    attachments: list[tuple[str, str, int]],
) -> dict[str, Any]:
    """The document; `values` are (indicator, disaggregation, value, comment)."""
    return {
        "format": FORMAT,
        "regime": regime,
        "step": step,
        "unit": unit,
        "receiver": receiver,
        "period": period,
        "version": version,
        "values": [list(item) for item in sorted(values)],
        "narrative": {code: text for code, text in sorted(narrative.items()) if text},
        "attachments": [
            {"name": name, "sha256": sha256, "size": size}
            for name, sha256, size in sorted(attachments, key=lambda item: (item[1], item[0]))
        ],
    }


def canonical_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def digest(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(document)).hexdigest()
