"""Choices of the submissions app: report statuses, lifecycle actions, signature kinds.

Values are stable English words used by the API and the CLI; labels are translated.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    """Where a report stands. See `baocao.submissions.lifecycle` for the allowed moves."""

    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    RECALL_REQUESTED = "recall_requested", _("Recall requested")


class ReportAction(models.TextChoices):
    """A move of the lifecycle, recorded with who, when and why."""

    CREATE = "create", _("Created")
    SAVE = "save", _("Saved as draft")
    SUBMIT = "submit", _("Submitted")
    OPEN = "open", _("Opened by the receiver")
    ACCEPT = "accept", _("Accepted")
    RETURN = "return", _("Returned")
    RECALL = "recall", _("Recalled by the sender")
    RECALL_REQUEST = "recall_request", _("Recall requested")
    RECALL_AGREE = "recall_agree", _("Recall agreed")
    RECALL_REFUSE = "recall_refuse", _("Recall refused")
    UNLOCK = "unlock", _("Unlocked for late changes")


# QCVN 102:2016/BTTTT (edXML) document statuses, so that reports can be exchanged with the
# national document axis later: 01 arrived, 02 rejected, 03 accepted, 13 recall requested,
# 15 recall agreed, 16 recall refused. Drafts have no edXML status: they were never sent.
EDXML_STATUS_OF_STATUS: dict[str, str] = {
    ReportStatus.SUBMITTED: "01",
    ReportStatus.RESUBMITTED: "01",
    ReportStatus.RETURNED: "02",
    ReportStatus.ACCEPTED: "03",
    ReportStatus.RECALL_REQUESTED: "13",
}
EDXML_STATUS_OF_ACTION: dict[str, str] = {
    ReportAction.SUBMIT: "01",
    ReportAction.RETURN: "02",
    ReportAction.ACCEPT: "03",
    ReportAction.RECALL_REQUEST: "13",
    ReportAction.RECALL_AGREE: "15",
    ReportAction.RECALL_REFUSE: "16",
}


class SignatureMethod(models.TextChoices):
    """Who made a submission's signature."""

    SERVER = "server", _("Signed by the system with the unit's key")
    CLIENT = "client", _("Signed by the sender with a registered certificate")


class SignatureAlgorithm(models.TextChoices):
    RSA_SHA256 = "rsa-sha256", _("RSA (PKCS #1 v1.5) with SHA-256")
    ECDSA_SHA256 = "ecdsa-sha256", _("ECDSA with SHA-256")


class ValueSource(models.TextChoices):
    """How a value arrived."""

    WEB = "web", _("Web form")
    EXCEL = "excel", _("Excel file")
    API = "api", _("API")
    IMPORT = "import", _("Bulk import")
