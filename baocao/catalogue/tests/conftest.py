from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "small.yaml"


@pytest.fixture
def audit_mark(db):  # type: ignore[no-untyped-def]
    """The last audit record before the test: records are append-only, and packages that ran
    before may have left theirs (a sample catalogue loaded once for a package)."""
    from baocao.audit.models import ChangeRecord

    return ChangeRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.fixture
def small_catalogue(db):  # type: ignore[no-untyped-def]
    from baocao.catalogue.services import catalogue_load

    return catalogue_load(path=SMALL, actor=None)


def write(tmp_path: Path, text: str, name: str = "catalogue.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
