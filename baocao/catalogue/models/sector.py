"""Sectors: the 9 areas of the Government's indicator set (QĐ 293/QĐ-TTg, 2020)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from baocao.catalogue.models.common import Named, code_field


class Sector(Named):
    """An area that groups indicators and regimes (economic growth, public finance, ...)."""

    code = code_field(unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    legal_source = models.CharField(_("legal source"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"
