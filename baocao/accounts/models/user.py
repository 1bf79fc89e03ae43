"""Users of the system and their roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from baocao.accounts.choices import Role


class User(AbstractUser):
    """A person or a system account acting for a unit.

    A user belongs to one unit (a commune, a province department, a ministry); what they
    may see and do is that unit and everything below it (see `baocao.accounts.scope`).
    """

    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, role: str) -> bool:
        return self.is_superuser or self.roles.filter(role=role).exists()


class UserRole(models.Model):
    """A role held by a user (a user may hold several)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("user role")
        verbose_name_plural = _("user roles")
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"],
                name="accounts_role_unique",
                violation_error_message=_("The user already has this role."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"
