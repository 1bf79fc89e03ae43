"""Test set-up shared by every app.

The real Vietnamese hierarchy is the default dataset (STYLE.md): it is loaded once per
test session into the test database, on SQLite or PostgreSQL alike, and each test runs in
a transaction that is rolled back.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from baocao.organisations.services import units_load_vn

    with django_db_blocker.unblock():
        units_load_vn(actor=None)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # PBKDF2's deliberate slowness (about 0.3 s a user) buys nothing in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):  # type: ignore[no-untyped-def]
    from baocao.accounts.services import user_create
    from baocao.organisations.models import Unit

    return user_create(
        username="can-bo-ha-noi",
        password="mat-khau-dai-123",
        unit=Unit.objects.get(code="01"),
        roles=["reporter"],
        actor=None,
    )


@pytest.fixture
def api_client(user):  # type: ignore[no-untyped-def]
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client
