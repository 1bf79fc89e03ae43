#!/bin/sh
# Debian packages the tests need beyond Python: Chromium for the browser tests, Pango and the
# Noto fonts for printable PDF reports (WeasyPrint), pdftotext to read the PDFs back.
# Installs what is missing when run as root on Debian; otherwise says what to install.
set -eu
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || missing="$missing libpangoft2-1.0-0"
fc-list 2>/dev/null | grep -qi 'Noto Serif' || missing="$missing fonts-noto-core"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
if [ -z "$missing" ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian packages:$missing" >&2
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
    echo "Missing Debian packages:$missing (install them with apt-get as root)" >&2
fi
