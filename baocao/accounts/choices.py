from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does in the reporting process (DESIGN.md: who uses it)."""

    REPORTER = "reporter", _("Reporting officer")
    REVIEWER = "reviewer", _("Reviewer")
    ANALYST = "analyst", _("Analyst")
    LEADER = "leader", _("Leader")
    ADMINISTRATOR = "administrator", _("Administrator")
