"""Which hierarchy files or datasets have been loaded, so reloading the same one is a no-op."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HierarchySource(models.Model):
    """A named source of units (`vn` for the national dataset) and the fingerprint last applied."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("hierarchy source")
        verbose_name_plural = _("hierarchy sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
