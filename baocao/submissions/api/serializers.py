"""API representations of reports: codes, ISO dates, canonical value text.

Input serializers only check the shape of a request (types, required keys); every business
rule (a value's type, a cell the forms ask for, a lifecycle move, who may act) is checked by
the services, whose `DomainError`s name the field and reach the client through the one
exception handler (`baocao.core.api`).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from baocao.organisations import selectors as org_selectors
from baocao.organisations.models import Unit
from baocao.submissions import selectors
from baocao.submissions.choices import EDXML_STATUS_OF_STATUS
from baocao.submissions.models import (
    Attachment,
    DataValue,
    Report,
    ReportTransition,
    ReportVersion,
)

# Input -----------------------------------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [{"type": "number"}, {"type": "string"}, {"type": "boolean"}],
        "nullable": True,
        "description": "A plain number (1234.5), true/false, an ISO date or text; "
        "null or an empty string removes the value.",
    }
)
class AnyValueField(serializers.Field[Any, Any, Any, Any]):
    """A value as a system sends it; its meaning is checked against the indicator's type."""

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class ValueInputSerializer(serializers.Serializer[Any]):
    indicator = serializers.CharField(max_length=64)
    disaggregation = serializers.CharField(max_length=255, required=False, allow_blank=True)
    value = AnyValueField(allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class ReportContentSerializer(serializers.Serializer[Any]):
    """Values and narrative text to save as a draft (an existing report)."""

    values = ValueInputSerializer(many=True, required=False)
    narratives = serializers.DictField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False), required=False
    )
    revision = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="The revision you read; a newer one on the server refuses the save (409).",
    )
    replace = serializers.BooleanField(
        default=False, help_text="Remove the values not given (a whole form is sent)."
    )


class ReportWriteSerializer(ReportContentSerializer):
    """A report named by regime, unit and period, created on first use, and its content."""

    regime = serializers.CharField(max_length=64)
    unit = serializers.CharField(max_length=32)
    period = serializers.CharField(max_length=32)


class SubmitSerializer(serializers.Serializer[Any]):
    revision = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    signature = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Base64 detached signature over the bytes of `canonical/`; "
        "without it the system signs with the unit's key.",
    )
    certificate_fingerprint = serializers.CharField(
        required=False, allow_blank=True, help_text="SHA-256 of the registered certificate (hex)."
    )
    certificate = serializers.CharField(
        required=False, allow_blank=True, help_text="The registered certificate itself (PEM)."
    )


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RecallAnswerSerializer(ReasonSerializer):
    agree = serializers.BooleanField()


class UnlockSerializer(ReasonSerializer):
    days = serializers.IntegerField(min_value=1, max_value=60, default=3)


# Output ----------------------------------------------------------------------------------------


class ReportListSerializer(serializers.ModelSerializer[Report]):
    regime: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    receiver: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    step = serializers.IntegerField(source="step_order", read_only=True)
    edxml_status = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "regime",
            "step",
            "unit",
            "receiver",
            "period",
            "deadline",
            "status",
            "edxml_status",
            "revision",
            "version_count",
            "submitted_at",
            "days_late",
            "updated_at",
        ]

    def get_edxml_status(self, report: Report) -> str:
        """QCVN 102:2016 status code, "" for reports never sent."""
        return EDXML_STATUS_OF_STATUS.get(report.status, "")


class DataValueSerializer(serializers.ModelSerializer[DataValue]):
    indicator: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    updated_by = serializers.CharField(source="updated_by_name", read_only=True)

    class Meta:
        model = DataValue
        fields = [
            "indicator",
            "disaggregation",
            "value",
            "comment",
            "channel",
            "updated_at",
            "updated_by",
        ]


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_at"]


class TransitionSerializer(serializers.ModelSerializer[ReportTransition]):
    by = serializers.CharField(source="actor_name", read_only=True)
    version = serializers.IntegerField(source="version_number", read_only=True)

    class Meta:
        model = ReportTransition
        fields = [
            "action",
            "from_status",
            "to_status",
            "at",
            "by",
            "reason",
            "version",
            "edxml_status",
        ]


class VersionSummarySerializer(serializers.ModelSerializer[ReportVersion]):
    submitted_by = serializers.CharField(source="submitted_by_name", read_only=True)

    class Meta:
        model = ReportVersion
        fields = [
            "number",
            "submitted_at",
            "submitted_by",
            "days_late",
            "digest",
            "signature_method",
            "signature_algorithm",
            "certificate_fingerprint",
        ]


class VersionDetailSerializer(VersionSummarySerializer):
    signer = serializers.CharField(source="signer_subject", read_only=True)
    certificate = serializers.CharField(source="certificate_pem", read_only=True)
    content = serializers.JSONField(read_only=True)

    class Meta(VersionSummarySerializer.Meta):
        fields = [
            *VersionSummarySerializer.Meta.fields,
            "signature",
            "signer",
            "signed_at",
            "certificate",
            "content",
        ]


class ReportDetailSerializer(ReportListSerializer):
    """A report with its content, history and versions."""

    unit_name = serializers.SerializerMethodField()
    receiver_name = serializers.SerializerMethodField()
    locked = serializers.SerializerMethodField()
    lock_time = serializers.SerializerMethodField()
    values = serializers.SerializerMethodField()
    narratives = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)
    versions = VersionSummarySerializer(many=True, read_only=True)

    class Meta(ReportListSerializer.Meta):
        fields = [
            *ReportListSerializer.Meta.fields,
            "unit_name",
            "receiver_name",
            "received_at",
            "accepted_at",
            "return_reason",
            "unlocked_until",
            "locked",
            "lock_time",
            "values",
            "narratives",
            "attachments",
            "transitions",
            "versions",
        ]

    def get_unit_name(self, report: Report) -> str:
        return org_selectors.unit_name_as_of(unit=report.unit, on=report.deadline)

    def get_receiver_name(self, report: Report) -> str:
        return org_selectors.unit_name_as_of(unit=report.receiver, on=report.deadline)

    def get_locked(self, report: Report) -> bool:
        return selectors.is_locked(report)

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_lock_time(self, report: Report) -> str:
        """When changes start to need the receiver's unlock (deadline plus grace days)."""
        return serializers.DateTimeField().to_representation(selectors.lock_time(report))

    @extend_schema_field(DataValueSerializer(many=True))
    def get_values(self, report: Report) -> list[dict[str, Any]]:
        values = sorted(selectors.report_values(report).items())
        return list(DataValueSerializer([value for _key, value in values], many=True).data)

    def get_narratives(self, report: Report) -> dict[str, str]:
        return selectors.report_narratives(report)


class VerificationSerializer(serializers.Serializer[Any]):
    """Whether a version still matches its signature and the stored data."""

    version = serializers.IntegerField(source="version.number")
    ok = serializers.BooleanField()
    signature_valid = serializers.BooleanField()
    digest_matches = serializers.BooleanField()
    data_matches = serializers.BooleanField(
        allow_null=True, help_text="null when the report was legitimately changed since."
    )
    problems = serializers.ListField(child=serializers.CharField())


class SubmissionSerializer(serializers.Serializer[Any]):
    """The answer to a submission: the version made (or, on a retry, made before)."""

    report = serializers.IntegerField(source="report.pk")
    status = serializers.CharField(source="report.status")
    revision = serializers.IntegerField(source="report.revision")
    version = VersionDetailSerializer()
