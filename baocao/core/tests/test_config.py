"""Settings come from the environment; a missing required value stops start-up."""

from __future__ import annotations

import pytest

from baocao.config import ConfigurationError, load_config


def test_defaults_use_sqlite_under_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("BAOCAO_DATA_DIR", str(tmp_path))
    config = load_config()
    assert config.database_url == f"sqlite:///{tmp_path / 'baocao.sqlite3'}"
    assert not config.uses_postgres


def test_production_needs_a_secret_key(monkeypatch):
    monkeypatch.setenv("BAOCAO_DEBUG", "false")
    monkeypatch.delenv("BAOCAO_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="BAOCAO_SECRET_KEY"):
        load_config()


def test_malformed_values_are_named(monkeypatch):
    monkeypatch.setenv("BAOCAO_DEBUG", "perhaps")
    with pytest.raises(ConfigurationError, match="BAOCAO_DEBUG"):
        load_config()
    monkeypatch.setenv("BAOCAO_DEBUG", "true")
    monkeypatch.setenv("DATABASE_URL", "mysql://x")
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        load_config()


def test_postgres_url_is_recognised(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/baocao")
    assert load_config().uses_postgres
