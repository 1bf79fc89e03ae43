"""The exact CLI forms of the issue, run through the real `baocao` console entry point."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("units", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--as-of", "2025-06-30", "--level", "province"), "63"),
        (("--as-of", "2025-07-01", "--level", "province"), "34"),
        (("--as-of", "2025-07-01", "--level", "commune"), "3321"),
        (("--as-of", "2025-06-30", "--level", "commune"), "10035"),
        (("--as-of", "2025-06-30", "--level", "district"), "696"),
    ],
)
def test_count_prints_one_integer(args, expected):
    assert run("count", *args) == expected + "\n"


def test_successors_print_code_tab_name():
    assert run("successors", "45") == "44\tTỉnh Quảng Trị\n"
    assert run("successors", "01") == "01\tThành phố Hà Nội\n"


def test_predecessors_print_code_tab_name():
    assert run("predecessors", "44") == "44\tTỉnh Quảng Bình\n45\tTỉnh Quảng Trị\n"


def test_load_vn_again_says_nothing_to_do_in_vietnamese():
    assert "đã được nạp" in run("load-vn")


def test_unknown_code_fails_with_a_message():
    with pytest.raises(CommandError, match="KHONG"):
        run("successors", "KHONG")


def test_bad_file_prints_each_problem_and_fails(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,name,level,type,parent\nX-1,,agency_unit,agency_unit,01\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("units", "load", str(path), stdout=io.StringIO(), stderr=err)
    assert f"{path}:2: name:" in err.getvalue()


def test_show_lists_versions_and_events():
    text = run("show", "46")
    assert "Tỉnh Thừa Thiên Huế" in text and "175/2024/QH15" in text
