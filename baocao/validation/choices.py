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
