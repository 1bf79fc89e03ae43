#!/bin/sh
# Create the virtual environment and install baocao with its development tools.
# On a fresh Debian machine python3 may lack the venv module: install it when we can.
set -eu
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"

if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
    echo "baocao needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version 2>&1)" >&2
    exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
        rm -rf "$VENV"
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "Installing Debian's python3-venv ..." >&2
            apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
            "$PYTHON" -m venv "$VENV"
        else
            echo "Cannot create a virtual environment: install python3-venv (Debian) first." >&2
            exit 1
        fi
    fi
fi
# Chromium (browser tests), Pango and Noto fonts (PDF reports): best effort, never fatal.
sh "$(dirname "$0")/ensure-system-packages.sh" || true
"$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
"$VENV/bin/python" -m pip install --quiet -e '.[dev]'
