"""Admin pages of reports.

Reports, versions and values change only through the services (web, API, CLI), which check
who acts, the lifecycle, locks and revisions and record every transition; the admin shows
them read-only. Reporting policies (grace days, automatic acceptance) are edited here, audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from baocao.catalogue.admin import AuditedAdmin
from baocao.submissions.models import (
    DataValue,
    Report,
    ReportingPolicy,
    ReportTransition,
    ReportVersion,
    UnitCertificate,
    UnitSigningKey,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TransitionInline(admin.TabularInline):
    model = ReportTransition
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_status", "to_status", "actor_name", "reason", "edxml_status")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class VersionInline(admin.TabularInline):
    model = ReportVersion
    extra = 0
    can_delete = False
    fields = ("number", "submitted_at", "submitted_by_name", "days_late", "signature_method")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("regime", "period", "unit", "receiver", "status", "days_late", "deadline")
    list_filter = ("status", "regime", "period_type")
    search_fields = ("unit__code", "period", "regime__code")
    list_select_related = ("regime", "unit", "receiver")
    inlines = [VersionInline, TransitionInline]


@admin.register(DataValue)
class DataValueAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "disaggregation", "unit", "period", "source", "value")
    list_filter = ("source",)
    search_fields = ("indicator__code", "unit__code", "period")
    list_select_related = ("indicator", "unit")


@admin.register(ReportingPolicy)
class ReportingPolicyAdmin(AuditedAdmin):
    list_display = ("regime", "grace_days", "auto_accept")
    raw_id_fields = ("regime",)


@admin.register(UnitCertificate)
class UnitCertificateAdmin(ReadOnlyAdmin):
    list_display = ("unit", "subject", "fingerprint", "valid_from", "valid_to", "revoked_at")
    search_fields = ("unit__code", "fingerprint", "subject")


@admin.register(UnitSigningKey)
class UnitSigningKeyAdmin(ReadOnlyAdmin):
    list_display = ("unit", "fingerprint", "created_at", "active")
    exclude = ("private_key_pem",)
