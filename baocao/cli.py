"""The `baocao` command line.

Every subcommand is a Django management command (`baocao units count ...` runs the
`units` command of the organisations app), so the CLI, `manage.py` and tests share one
implementation.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command: `baocao <command> [args...]`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baocao.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["baocao", *args])


if __name__ == "__main__":
    main()
