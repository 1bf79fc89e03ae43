"""Text normalisation. Vietnamese text is stored NFC so that equal names compare equal."""

from __future__ import annotations

import unicodedata


def nfc(value: str) -> str:
    """NFC-normalise and strip; input from Excel and old systems is often NFD."""
    return unicodedata.normalize("NFC", value).strip()


def fold(value: str) -> str:
    """Case- and accent-insensitive key for searching names ("Đà Nẵng" -> "da nang")."""
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())
