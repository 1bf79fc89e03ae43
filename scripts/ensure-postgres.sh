#!/bin/sh
# Print a DATABASE_URL for a PostgreSQL server on 127.0.0.1:5432, starting one if needed.
#
# 1. A server already listening (trust auth, user postgres): use it.
# 2. Debian's PostgreSQL installed but stopped: start its cluster.
# 3. Nothing installed and we are root with apt-get: install Debian's postgresql and start it.
# Exit 3 (with the reason on stderr) when none of these is possible.
set -eu
PY="${PY:-.venv/bin/python}"
URL="postgresql://postgres@127.0.0.1:5432/baocao"

reachable() {
    "$PY" - "$1" <<'PYEOF' >/dev/null 2>&1
import sys, psycopg
url = sys.argv[1].rsplit("/", 1)[0] + "/postgres"
psycopg.connect(url, connect_timeout=3).close()
PYEOF
}

start_cluster() {
    if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql >/dev/null 2>&1; then
        version="$(ls /etc/postgresql | sort -V | tail -1)"
        pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
    fi
}

trust_local_tcp() {
    # A cluster we installed ourselves: let the postgres user in over loopback, as CI expects.
    for hba in /etc/postgresql/*/main/pg_hba.conf; do
        [ -f "$hba" ] || continue
        if ! grep -q "baocao-ci" "$hba"; then
            printf '%s\n' "host all postgres 127.0.0.1/32 trust # baocao-ci" | cat - "$hba" > "$hba.new"
            mv "$hba.new" "$hba"
            chown postgres:postgres "$hba" 2>/dev/null || true
        fi
    done
}

if reachable "$URL"; then echo "$URL"; exit 0; fi
start_cluster
for _ in 1 2 3 4 5 6 7 8 9 10; do
    if reachable "$URL"; then echo "$URL"; exit 0; fi
    sleep 1
done
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing Debian's postgresql ..." >&2
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        trust_local_tcp
        start_cluster
        for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
            if reachable "$URL"; then echo "$URL"; exit 0; fi
            sleep 1
        done
    fi
fi
echo "no PostgreSQL server on 127.0.0.1:5432 and none could be installed or started" >&2
exit 3
