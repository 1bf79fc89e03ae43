"""Reports: one per (regime, reporting step, unit, period), their versions and transitions.

A `Report` is the instance of an obligation computed by the catalogue (a unit owes a
regime's report for a period to a receiver by a deadline). The obligation is copied into
the row when the report is first created, so that later catalogue edits never change who
a report was addressed to or when it was due. Every submission freezes the content as a
`ReportVersion`, signed over its canonical serialisation (Decree 09/2019 Art. 14: an
electronic report is digitally signed and has the legal value of the paper one); every
move of the lifecycle is a `ReportTransition`. Nothing is updated in place without a trace.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baocao.submissions.choices import (
    ReportAction,
    ReportStatus,
    SignatureAlgorithm,
    SignatureMethod,
)


class Report(models.Model):
    """A report a unit owes for a period under a regime's step, whatever its status."""

    regime = models.ForeignKey(
        "catalogue.Regime", verbose_name=_("regime"), on_delete=models.PROTECT, related_name="+"
    )
    regime_version = models.ForeignKey(
        "catalogue.RegimeVersion",
        verbose_name=_("regime version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    step_order = models.PositiveIntegerField(_("reporting step"))
    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("reporting unit"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    receiver = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("receiving unit"),
        on_delete=models.PROTECT,
        related_name="reports_received",
    )
    period = models.CharField(_("period"), max_length=32)
    period_type = models.CharField(_("period type"), max_length=16)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=24, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # Optimistic locking: every write bumps the revision; a write that names an older one is
    # refused, so two people editing never overwrite each other silently.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    version_count = models.PositiveIntegerField(_("submitted versions"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"))
    updated_by_name = models.CharField(_("last changed by"), max_length=255, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Days after the deadline of the first submission (0 = on time).
    days_late = models.IntegerField(_("days late"), null=True, blank=True)
    received_at = models.DateTimeField(_("opened by the receiver at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    unlocked_until = models.DateTimeField(_("unlocked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period", "regime__code", "unit__code", "step_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "step_order", "unit", "period"],
                name="sub_report_unique_obligation",
                violation_error_message=_(
                    "This unit already has a report for this regime, step and period."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values),
                name="sub_report_status_valid",
                violation_error_message=_("Unknown report status."),
            ),
        ]
        indexes = [
            models.Index(fields=["receiver", "status"], name="sub_report_receiver_status"),
            models.Index(fields=["unit", "period"], name="sub_report_unit_period"),
            # Reports whose status changed since the analytics store was built.
            models.Index(fields=["updated_at"], name="sub_report_updated_at"),
        ]

    def __str__(self) -> str:
        return f"{self.regime.code} {self.period} {self.unit.code}"

    @property
    def source(self) -> str:
        """The source code of the values this report carries (see `DataValue.source`)."""
        return self.regime.code


class ReportVersion(models.Model):
    """The content of one submission, frozen, with its signature.

    `content` is the canonical document (see `baocao.submissions.canonical`) and `digest`
    its SHA-256; the signature is made over exactly those bytes, so verifying compares the
    stored values, narrative and attachments against what was signed.
    """

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    digest = models.CharField(_("SHA-256 of the content"), max_length=64)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_by_name = models.CharField(_("submitted by (name)"), max_length=255, blank=True)
    days_late = models.IntegerField(_("days late"), default=0)
    idempotency_key = models.CharField(_("idempotency key"), max_length=128, blank=True)
    signature = models.TextField(_("signature (base64)"), blank=True)
    signature_method = models.CharField(
        _("signature method"), max_length=8, choices=SignatureMethod.choices, blank=True
    )
    signature_algorithm = models.CharField(
        _("signature algorithm"), max_length=16, choices=SignatureAlgorithm.choices, blank=True
    )
    certificate_fingerprint = models.CharField(
        _("certificate fingerprint (SHA-256)"), max_length=64, blank=True
    )
    certificate_pem = models.TextField(_("certificate"), blank=True)
    signer_subject = models.CharField(_("signer"), max_length=500, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"],
                name="sub_version_unique_number",
                violation_error_message=_("This report already has a version with this number."),
            ),
            models.UniqueConstraint(
                fields=["report", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="sub_version_unique_idempotency_key",
                violation_error_message=_("This submission was already received."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"


class ReportTransition(models.Model):
    """One move of a report's lifecycle: who, when, from what to what, and why."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.PROTECT, related_name="transitions"
    )
    action = models.CharField(_("action"), max_length=16, choices=ReportAction.choices)
    from_status = models.CharField(_("from"), max_length=24, choices=ReportStatus.choices)
    to_status = models.CharField(_("to"), max_length=24, choices=ReportStatus.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("by (name)"), max_length=255, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    version_number = models.PositiveIntegerField(_("version"), null=True, blank=True)
    edxml_status = models.CharField(_("edXML status"), max_length=2, blank=True)

    class Meta:
        verbose_name = _("report transition")
        verbose_name_plural = _("report transitions")
        ordering = ["report", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.report} {self.action} {self.at:%Y-%m-%d %H:%M}"
