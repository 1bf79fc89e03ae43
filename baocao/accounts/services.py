"""Writes to accounts: creating users and granting roles, audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from rest_framework.authtoken.models import Token

from baocao.accounts.choices import Role
from baocao.accounts.errors import AccountError
from baocao.accounts.models import User, UserRole
from baocao.audit.choices import AuditAction
from baocao.audit.services import Actor, change_record_create, snapshot
from baocao.core.errors import DomainError
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


@transaction.atomic
def system_account_create(*, unit: Unit, username: str, name: str = "", actor: Actor) -> str:
    """An account for a system that reports for `unit`, and its API token (returned).

    A reporting officer of the unit with no password: it cannot sign in to the web pages and
    may do through the API exactly what an officer of the unit may do.
    """
    if User.objects.filter(username=username).exists():
        raise DomainError(AccountError.USERNAME_TAKEN, field="username", username=username)
    user = user_create(
        username=username,
        password=None,
        unit=unit,
        roles=[Role.REPORTER],
        first_name=name,
        actor=actor,
    )
    token = Token.objects.create(user=user)
    # The key is the token's primary key and a secret: the record is made on the user, so
    # that neither the key nor its `str()` reaches the audit trail.
    change_record_create(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=user,
        after={"api_token": "created", "prefix": token.key[:6]},
    )
    return str(token.key)


@transaction.atomic
def api_token_revoke(*, username: str, actor: Actor) -> None:
    """Delete a user's API token: the system it was given to can no longer call the API."""
    token = Token.objects.filter(user__username=username).select_related("user").first()
    if token is None:
        raise DomainError(AccountError.NO_TOKEN, field="username", username=username)
    change_record_create(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=token.user,
        before={"api_token": "created", "prefix": token.key[:6]},
        after={"api_token": "revoked"},
    )
    token.delete()
