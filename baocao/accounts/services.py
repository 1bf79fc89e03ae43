"""Writes to accounts: creating users and granting roles, audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from baocao.accounts.models import User, UserRole
from baocao.audit.choices import AuditAction
from baocao.audit.services import Actor, change_record_create, snapshot
from baocao.organisations.models import Unit


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    unit: Unit | None,
    roles: Iterable[str] = (),
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    actor: Actor,
) -> User:
    """Create a user with roles; `password=None` makes an account that cannot log in."""
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        unit=unit,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean()
    user.save()
    change_record_create(
        actor=actor, action=AuditAction.CREATE, instance=user, after=_public(snapshot(user))
    )
    for role in roles:
        user_role_grant(user=user, role=role, actor=actor)
    return user


@transaction.atomic
def user_role_grant(*, user: User, role: str, actor: Actor) -> UserRole:
    """Give a user a role (no-op when they already have it)."""
    existing = UserRole.objects.filter(user=user, role=role).first()
    if existing is not None:
        return existing
    grant = UserRole(user=user, role=role)
    grant.full_clean()
    grant.save()
    change_record_create(
        actor=actor, action=AuditAction.CREATE, instance=grant, after=snapshot(grant)
    )
    return grant


def _public(data: dict[str, object]) -> dict[str, object]:
    """A user snapshot without the password hash."""
    return {key: value for key, value in data.items() if key != "password"}
