"""Pieces shared by the catalogue's models."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Codes are chosen by people and written in YAML files and URLs: capitals, digits and a few
# separators, never a slug of a Vietnamese name (STYLE.md: slugify drops đ).
CODE_VALIDATOR = RegexValidator(
    r"^[A-Z0-9][A-Z0-9._-]*$",
    _("A code contains only capital letters A-Z, digits, dots, dashes and underscores."),
    code="invalid_code",
)


def code_field(*, unique: bool = False) -> models.CharField[str, str]:
    return models.CharField(_("code"), max_length=64, unique=unique, validators=[CODE_VALIDATOR])


class Named(models.Model):
    """A Vietnamese name (the official one) and an English name."""

    name = models.CharField(_("name"), max_length=500)
    name_en = models.CharField(_("name in English"), max_length=500, blank=True)

    class Meta:
        abstract = True
