from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from baocao.catalogue.models import Indicator
from baocao.catalogue.tests.conftest import SMALL

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    with translation.override("vi"):
        call_command(*args, stdout=out)
    return out.getvalue()


def test_periods_window(small_catalogue):
    out = _run("periods", "window", "R-THANG", "202611")
    assert "15/10/2026 – 14/11/2026" in out
    assert "17/11/2026" in out and "20/11/2026" in out


def test_periods_window_rejects_bad_code(small_catalogue):
    with pytest.raises(CommandError):
        _run("periods", "window", "R-THANG", "202613")


def test_periods_show():
    out = _run("periods", "show", "2026W53")
    assert "28/12/2026" in out and "2027W01" in out


def test_calendar(small_catalogue):
    out = _run("calendar", "00004", "--from", "2026-11-01", "--to", "2026-11-30")
    assert out.splitlines() == [
        "17/11/2026  R-THANG  202611  Tháng 11/2026  chốt số liệu 15/10/2026–14/11/2026  gửi 01"
    ]


def test_catalogue_load_dump_check(tmp_path):
    out = _run("catalogue", "load", str(SMALL))
    assert Indicator.objects.count() == 4
    assert "4" in out
    _run("catalogue", "dump", str(tmp_path / "out"))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "dimensions.yaml",
        "forms.yaml",
        "indicators.yaml",
        "regimes.yaml",
        "sectors.yaml",
    ]
    assert "10" in _run("catalogue", "check", str(tmp_path / "out"))


def test_catalogue_load_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("indicators:\n  - {code: a}\n", encoding="utf-8")
    with pytest.raises(CommandError):
        _run("catalogue", "load", str(bad))
    assert Indicator.objects.count() == 0
