"""Settings read from environment variables, in one typed place.

Every variable the application reads is listed here with its type and default, and
docs/configuration.md documents them. A required value that is missing stops the
process at start-up with a message naming the variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """A required environment variable is missing or malformed."""


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, got {raw!r}")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}") from None


def _list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


@dataclass(frozen=True)
class Config:
    """The process configuration, built once from the environment."""

    debug: bool
    secret_key: str
    data_dir: Path
    database_url: str
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    time_zone: str
    log_level: str
    # Outgoing email (reminders to reporting officers). Without a host, messages are written
    # to files in the data directory instead, so that the embedded default needs no server.
    email_host: str = ""
    email_port: int = 587
    email_user: str = ""
    email_password: str = ""
    email_tls: bool = True
    email_from: str = "baocao <no-reply@localhost>"

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))


def load_config() -> Config:
    """Read the environment. `BAOCAO_SECRET_KEY` is required unless `BAOCAO_DEBUG` is on."""
    debug = _bool("BAOCAO_DEBUG", default=True)
    data_dir = Path(os.environ.get("BAOCAO_DATA_DIR") or BASE_DIR / "data").resolve()
    secret_key = os.environ.get("BAOCAO_SECRET_KEY", "")
    if not secret_key:
        if not debug:
            raise ConfigurationError(
                "BAOCAO_SECRET_KEY is required when BAOCAO_DEBUG is off (see docs/configuration.md)"
            )
        # Development only: a fixed key so that sessions survive restarts of `make demo`.
        secret_key = "baocao-development-only-not-secret"
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'baocao.sqlite3'}"
    if not database_url.startswith(("sqlite://", "postgres://", "postgresql://")):
        raise ConfigurationError(
            f"DATABASE_URL must be a sqlite:// or postgresql:// URL, got {database_url!r}"
        )
    return Config(
        debug=debug,
        secret_key=secret_key,
        data_dir=data_dir,
        database_url=database_url,
        allowed_hosts=_list("BAOCAO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"]),
        csrf_trusted_origins=_list("BAOCAO_CSRF_TRUSTED_ORIGINS", []),
        time_zone=os.environ.get("BAOCAO_TIME_ZONE", "Asia/Ho_Chi_Minh"),
        log_level=os.environ.get("BAOCAO_LOG_LEVEL", "INFO").upper(),
        email_host=os.environ.get("BAOCAO_EMAIL_HOST", ""),
        email_port=_int("BAOCAO_EMAIL_PORT", 587),
        email_user=os.environ.get("BAOCAO_EMAIL_USER", ""),
        email_password=os.environ.get("BAOCAO_EMAIL_PASSWORD", ""),
        email_tls=_bool("BAOCAO_EMAIL_TLS", default=True),
        email_from=os.environ.get("BAOCAO_EMAIL_FROM", "baocao <no-reply@localhost>"),
    )
