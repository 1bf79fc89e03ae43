from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "small.yaml"


@pytest.fixture
def small_catalogue(db):  # type: ignore[no-untyped-def]
    from baocao.catalogue.services import catalogue_load

    return catalogue_load(path=SMALL, actor=None)


def write(tmp_path: Path, text: str, name: str = "catalogue.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
