from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from baocao.accounts.models import Delegation, User, UserRole


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0


class DelegationInline(admin.TabularInline):
    model = Delegation
    extra = 0
    raw_id_fields = ("unit",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users with their unit and roles."""

    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Reporting"), {"fields": ("unit",)}),
    )
    list_display = ("username", "first_name", "last_name", "unit", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", "roles__role")
    raw_id_fields = ("unit",)
    inlines = [UserRoleInline, DelegationInline]
