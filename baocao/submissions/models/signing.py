"""Keys and certificates units sign their reports with.

Two ways to sign a submission (issue: digital signature):
- the system signs with a key it holds for the unit (`UnitSigningKey`), for officers
  without a signing token;
- the sender signs on their own machine (a USB token, a remote-signing service) and sends a
  detached signature, verified against an X.509 certificate registered for the unit
  (`UnitCertificate`). RSA and ECDSA keys are accepted.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitCertificate(models.Model):
    """An X.509 certificate registered for a unit; signatures made with its key are accepted."""

    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    fingerprint = models.CharField(_("fingerprint (SHA-256)"), max_length=64, unique=True)
    subject = models.CharField(_("subject"), max_length=500)
    certificate_pem = models.TextField(_("certificate (PEM)"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid to"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"))

    class Meta:
        verbose_name = _("unit certificate")
        verbose_name_plural = _("unit certificates")
        ordering = ["unit__code", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.subject} ({self.fingerprint[:16]}…)"


class UnitSigningKey(models.Model):
    """A key the system holds for a unit and signs its submissions with.

    The private key is stored encrypted (PKCS #8, with a password derived from the site's
    secret key), so a copy of the database alone does not give the key away.
    """

    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="signing_keys",
    )
    private_key_pem = models.TextField(_("private key (encrypted PEM)"))
    certificate_pem = models.TextField(_("certificate (PEM)"))
    fingerprint = models.CharField(_("fingerprint (SHA-256)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit signing key")
        verbose_name_plural = _("unit signing keys")
        ordering = ["unit__code", "-created_at"]

    def __str__(self) -> str:
        return f"{self.unit.code} ({self.fingerprint[:16]}…)"
