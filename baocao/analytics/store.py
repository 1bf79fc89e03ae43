"""Where the analytics store lives, and how one writer and many readers share it.

The store is a DuckDB file per *generation* in `DATA_DIR/analytics/`: `gen-000042.duckdb`.
A generation is never changed once published. Building one (from scratch, or from the
previous generation plus what changed since) writes a new file beside the others, and
publishing it replaces the small pointer file `current.json` in one `os.replace`: a reader
sees the old generation or the new one, never half of either, and a build that crashes leaves
only an unpublished file behind (removed by the next build). Readers in any process (web
workers, the background worker, the command line) open the published file read-only, which
DuckDB allows from many processes at once since no process ever opens it for writing again.

What changed in the transactional database since a generation was built (its *watermark*) is
read at query time from that database itself (`baocao.analytics.delta`) and laid over the
generation, so a value accepted a moment ago is already in the answer; a compaction folds
those changes into a new generation when they grow.

DuckDB's SQLite and PostgreSQL scanners come as PyPI wheels (DESIGN.md: extensions cannot be
downloaded at run time) and are loaded from the installed packages' files.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings
from django.db import connection

POINTER = "current.json"
# Generations kept besides the current one: a reader that opened the previous one just before
# a swap finishes its query on it.
KEEP_PREVIOUS = 2


@dataclasses.dataclass(frozen=True)
class Generation:
    """A published store: its file, when it was built and what it holds."""

    number: int
    file: str
    watermark: dt.datetime  # changes after this (less an overlap) are read live
    built_at: dt.datetime
    seconds: float
    facts: int
    kind: str  # "rebuild" or "compaction"

    @property
    def path(self) -> Path:
        return store_dir() / self.file

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["watermark"] = self.watermark.isoformat()
        data["built_at"] = self.built_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Generation:
        return cls(
            number=int(data["number"]),
            file=str(data["file"]),
            watermark=dt.datetime.fromisoformat(data["watermark"]),
            built_at=dt.datetime.fromisoformat(data["built_at"]),
            seconds=float(data["seconds"]),
            facts=int(data["facts"]),
            kind=str(data.get("kind", "rebuild")),
        )


def store_dir() -> Path:
    path = Path(getattr(settings, "ANALYTICS_DIR", settings.DATA_DIR / "analytics"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def generation_current() -> Generation | None:
    """The published generation, or None before the first build."""
    try:
        data = json.loads((store_dir() / POINTER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return Generation.from_dict(data)


def generation_publish(generation: Generation) -> None:
    """Make `generation` the one readers open; drop generations no reader should still use."""
    folder = store_dir()
    staging = folder / f".{POINTER}.{os.getpid()}"
    staging.write_text(json.dumps(generation.as_dict(), indent=2), encoding="utf-8")
    os.replace(staging, folder / POINTER)  # atomic on POSIX: old or new, never half
    kept = {
        f"gen-{number:06d}.duckdb"
        for number in range(generation.number - KEEP_PREVIOUS, generation.number + 1)
    }
    for path in folder.glob("gen-*.duckdb*"):
        if path.name.split(".wal")[0] not in kept and not path.name.endswith(".building"):
            path.unlink(missing_ok=True)
    for marker in folder.glob("compact-*.requested"):
        marker.unlink(missing_ok=True)  # a newer generation: requests start again


def generation_file(number: int) -> str:
    return f"gen-{number:06d}.duckdb"


# Connections ------------------------------------------------------------------------------------


def extensions_load(con: duckdb.DuckDBPyConnection) -> None:
    """Load the SQLite and PostgreSQL scanners from their wheels (never from the internet)."""
    import duckdb_extension_postgres_scanner
    import duckdb_extension_sqlite_scanner

    for module, name in (
        (duckdb_extension_sqlite_scanner, "sqlite_scanner"),
        (duckdb_extension_postgres_scanner, "postgres_scanner"),
    ):
        folder = Path(module.__file__ or "").parent / "extensions" / f"v{duckdb.__version__}"
        con.execute(f"LOAD '{folder / (name + '.duckdb_extension')}'")


def duckdb_config() -> dict[str, Any]:
    """Settings of every connection: no downloads, bounded memory and threads."""
    return {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "memory_limit": getattr(settings, "ANALYTICS_MEMORY_LIMIT", "3GB"),
        "threads": int(getattr(settings, "ANALYTICS_THREADS", os.cpu_count() or 2)),
    }


def transactional_attach(con: duckdb.DuckDBPyConnection, name: str = "tx") -> None:
    """Attach the transactional database read-only as `name` (SQLite file or PostgreSQL)."""
    extensions_load(con)
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        path = str(database["NAME"])
        con.execute(f"ATTACH '{_quoted(path)}' AS {name} (TYPE sqlite, READ_ONLY)")
        return
    if connection.vendor == "postgresql":
        parts = {
            "host": database.get("HOST") or "",
            "port": database.get("PORT") or "",
            "dbname": database.get("NAME") or "",
            "user": database.get("USER") or "",
            "password": database.get("PASSWORD") or "",
        }
        dsn = " ".join(f"{key}={value}" for key, value in parts.items() if value)
        con.execute(f"ATTACH '{_quoted(dsn)}' AS {name} (TYPE postgres, READ_ONLY)")
        return
    raise RuntimeError(f"The analytics store cannot read a {connection.vendor} database.")


def _quoted(text: str) -> str:
    return text.replace("'", "''")


_local = threading.local()


def reader() -> tuple[duckdb.DuckDBPyConnection, Generation] | None:
    """This thread's read-only connection to the published generation (None before any build).

    Reopened when another generation is published; a DuckDB connection is not shared
    between threads (each web request thread has its own).
    """
    current = generation_current()
    if current is None:
        return None
    held: tuple[duckdb.DuckDBPyConnection, Generation] | None = getattr(_local, "held", None)
    if held is not None and held[1] == current:
        return held
    reader_close()
    con = duckdb.connect(str(current.path), read_only=True, config=duckdb_config())
    _local.held = (con, current)
    _local.state = {}
    return _local.held


def reader_state() -> dict[str, Any]:
    """What this thread's connection holds besides the store (its temporary tables), emptied
    whenever the connection is reopened."""
    state: dict[str, Any] | None = getattr(_local, "state", None)
    if state is None:
        state = _local.state = {}
    return state


def reader_close() -> None:
    """Close this thread's connection (tests, and before a file is removed on Windows)."""
    held = getattr(_local, "held", None)
    if held is not None:
        held[0].close()
        _local.held = None
    _local.state = {}


def rows_insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[Any, ...]]) -> None:
    """Insert Python rows through a temporary CSV file and `COPY`.

    DuckDB binds parameters one value at a time (11,000 rows of four columns took 7.6 s with
    multi-row `INSERT`s); writing them with the csv module and copying the file takes
    milliseconds. `None` is written as `\\N`.
    """
    if not rows:
        return
    with tempfile.NamedTemporaryFile(
        "w", suffix=".csv", encoding="utf-8", newline="", delete=False, dir=store_dir()
    ) as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(["\\N" if value is None else _csv_value(value) for value in row])
    try:
        con.execute(
            f"COPY {table} FROM '{_quoted(handle.name)}' "
            "(FORMAT csv, HEADER false, NULLSTR '\\N', QUOTE '\"', ESCAPE '\"')"
        )
    finally:
        os.unlink(handle.name)


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
