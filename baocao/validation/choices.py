"""Choices of the validation app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ViolationStatus(models.TextChoices):
    VIOLATED = "violated", _("Violated")
    NOT_EVALUABLE = "not_evaluable", _("Not evaluable")


class DiscrepancyStatus(models.TextChoices):
    """Where a discrepancy between two sources stands (issue 5, scope 5).

    A discrepancy is open until the values agree again after a correction (found when the
    sources are compared again, or confirmed by a reviewer), or until someone with the
    authority accepts the difference and says why (two cut-off dates, two definitions).
    """

    OPEN = "open", _("Open")
    CORRECTED = "corrected", _("Corrected")
    ACCEPTED = "accepted", _("Difference accepted")


RESOLVED_STATUSES = frozenset({DiscrepancyStatus.CORRECTED, DiscrepancyStatus.ACCEPTED})


class DiscrepancyEventKind(models.TextChoices):
    FOUND = "found", _("Found")
    CHANGED = "changed", _("Values changed")
    COMMENT = "comment", _("Comment")
    CORRECTED = "corrected", _("Corrected")
    ACCEPTED = "accepted", _("Difference accepted")
    REOPENED = "reopened", _("Reopened")
