"""`baocao` and `python -m baocao` run the management commands (subprocess, real entry points)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def test_python_m_baocao_lists_the_units_command(tmp_path: Path):
    env = {**os.environ, "BAOCAO_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "baocao", "help", "units"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "load-vn" in result.stdout


def test_console_script_counts_units_in_a_fresh_database(tmp_path: Path):
    script = Path(sys.executable).with_name("baocao")
    if not script.exists():
        pytest.skip("console script not installed in this environment")
    env = {**os.environ, "BAOCAO_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)  # a throwaway SQLite file, not the CI database
    subprocess.run([str(script), "migrate", "-v", "0"], env=env, check=True)
    result = subprocess.run(
        [str(script), "units", "count", "--as-of", "2025-07-01"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "0\n"
