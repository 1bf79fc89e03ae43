"""REST API of reports (issue 4): list, fill, submit with a signature, review, verify.

Every view is thin: it reads the request through an input serializer, calls one service
(or selector) and answers with an output serializer. Who may do what is decided by
`baocao.submissions.permissions` through the services; the one rule applied here is that
a report the caller may not see does not exist for them (404, not 403), so that the API
does not tell outsiders which units have sent what. Domain errors reach the client as
`{code, message, field, args}` through `baocao.core.api.exception_handler`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from baocao.core.errors import DomainError
from baocao.submissions import permissions, selectors, services
from baocao.submissions.api.serializers import (
    ReasonSerializer,
    RecallAnswerSerializer,
    ReportContentSerializer,
    ReportDetailSerializer,
    ReportListSerializer,
    ReportWriteSerializer,
    SubmissionSerializer,
    SubmitSerializer,
    UnlockSerializer,
    VerificationSerializer,
    VersionDetailSerializer,
    VersionSummarySerializer,
)
from baocao.submissions.canonical import canonical_bytes
from baocao.submissions.choices import ReportStatus, ValueSource
from baocao.submissions.errors import SubmissionError
from baocao.submissions.models import Report

MAX_IDEMPOTENCY_KEY = 128
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="Any unique string (a UUID); a retried request with the same key returns "
    "the version the first one made (200) and never makes a second one.",
)


def _bool_param(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise ValidationError({name: [_("%(value)s is not true or false.") % {"value": raw}]})


def _statuses_param(request: Request) -> list[str]:
    raw = request.query_params.get("status") or ""
    statuses = [item.strip() for item in raw.split(",") if item.strip()]
    unknown = [item for item in statuses if item not in ReportStatus.values]
    if unknown:
        raise ValidationError(
            {
                "status": [
                    _("Unknown status %(value)s (allowed: %(allowed)s).")
                    % {"value": ", ".join(unknown), "allowed": ", ".join(ReportStatus.values)}
                ]
            }
        )
    return statuses


def _input(serializer_class: type[Any], request: Request, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _save(report: Report, data: dict[str, Any], request: Request, *, replace: bool) -> Report:
    """Save values sent by a system: plain numbers (`1234.5`), channel API."""
    values = [
        services.ValueInput(
            indicator=item["indicator"],
            disaggregation=item.get("disaggregation", ""),
            value=item["value"],
            comment=item.get("comment", ""),
            # Problems name the item as the client sent it: values[3].
            where={"field": f"values[{index}]"},
        )
        for index, item in enumerate(data.get("values", []))
    ]
    return services.report_save(
        report=report,
        values=values,
        narratives=data.get("narratives"),
        revision=data.get("revision"),
        replace=replace,
        channel=ValueSource.API,
        style="plain",
        actor=request.user,
    )


def _detail(report: Report, *, code: int = status.HTTP_200_OK) -> Response:
    report = selectors.report_get(report_id=report.pk)
    return Response(ReportDetailSerializer(report).data, status=code)


class ReportAPIView(GenericAPIView[Report]):
    """Base of every report endpoint: the caller sees only `permissions.visible_reports`."""

    serializer_class: type[BaseSerializer[Report]] = ReportDetailSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Report]:
        return permissions.visible_reports(self.request.user, selectors.reports())

    def get_report(self) -> Report:
        # Outside what the caller may see, a report does not exist: 404, never 403.
        return selectors.report_get(report_id=int(self.kwargs["pk"]), user=self.request.user)


class ReportListView(ReportAPIView):
    """Reports visible to the caller; POST creates a report or saves its draft."""

    serializer_class = ReportListSerializer

    @extend_schema(
        summary="Reports visible to the caller",
        parameters=[
            OpenApiParameter("regime", OpenApiTypes.STR, description="Regime code."),
            OpenApiParameter("period", OpenApiTypes.STR, description="Period code (202611)."),
            OpenApiParameter("unit", OpenApiTypes.STR, description="Reporting unit code."),
            OpenApiParameter("receiver", OpenApiTypes.STR, description="Receiving unit code."),
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                description="One status or several separated by commas: "
                + ", ".join(ReportStatus.values),
            ),
            OpenApiParameter("late", OpenApiTypes.BOOL, description="Sent after the deadline."),
            OpenApiParameter(
                "addressed_to_me",
                OpenApiTypes.BOOL,
                description="Only reports sent to the caller's unit (the reviewer's inbox).",
            ),
        ],
        responses=ReportListSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        statuses = _statuses_param(request)
        late = _bool_param(request, "late")
        if _bool_param(request, "addressed_to_me"):
            reports = selectors.inbox(
                user=request.user,
                regime=params.get("regime") or None,
                period=params.get("period") or None,
                statuses=statuses,
                late=late,
            )
        else:
            reports = self.get_queryset()
            if params.get("regime"):
                reports = reports.filter(regime__code=params["regime"])
            if params.get("period"):
                reports = reports.filter(period=params["period"])
            if statuses:
                reports = reports.filter(status__in=statuses)
            if late is not None:
                reports = reports.filter(days_late__gt=0) if late else reports.filter(days_late=0)
        if params.get("unit"):
            reports = reports.filter(unit__code=params["unit"])
        if params.get("receiver"):
            reports = reports.filter(receiver__code=params["receiver"])
        page = self.paginate_queryset(reports)
        assert page is not None  # pagination is configured for the whole API
        return self.get_paginated_response(ReportListSerializer(page, many=True).data)

    @extend_schema(
        summary="Create a report (if needed) and save values and narrative text as a draft",
        description="Values are plain numbers (`1234.5`), `true`/`false`, ISO dates or text. "
        "Any problem refuses the whole request (400, each problem naming `values[i]`); "
        "nothing is saved. 201 when the report's draft starts with this request.",
        request=ReportWriteSerializer,
        responses={201: ReportDetailSerializer, 200: ReportDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        data = _input(ReportWriteSerializer, request)
        unit = selectors.unit_get(data["unit"])
        # Refused before the report is looked up: a caller who may not write for the unit
        # learns nothing about its reports.
        permissions.check_write(request.user, unit)
        # One transaction: a refused save does not leave an empty report behind.
        with transaction.atomic():
            report = services.report_get_or_create(
                regime=data["regime"], unit=unit, period=data["period"], actor=request.user
            )
            created = report.status == ReportStatus.NOT_STARTED
            report = _save(report, data, request, replace=data["replace"])
        return _detail(report, code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ReportDetailView(ReportAPIView):
    """A report: GET reads it, PUT and PATCH save a draft of it."""

    @extend_schema(summary="A report with its values, history and versions")
    def get(self, request: Request, pk: int) -> Response:
        return _detail(self.get_report())

    @extend_schema(
        summary="Save the whole content of a report (values not given are removed)",
        request=ReportContentSerializer,
        responses=ReportDetailSerializer,
    )
    def put(self, request: Request, pk: int) -> Response:
        data = _input(ReportContentSerializer, request)
        return _detail(_save(self.get_report(), data, request, replace=True))

    @extend_schema(
        summary="Save some values or narrative sections of a report",
        request=ReportContentSerializer,
        responses=ReportDetailSerializer,
    )
    def patch(self, request: Request, pk: int) -> Response:
        data = _input(ReportContentSerializer, request)
        return _detail(_save(self.get_report(), data, request, replace=data["replace"]))


class ReportVersionListView(ReportAPIView):
    """The versions a report was submitted as, oldest first (a handful: not paginated)."""

    pagination_class = None

    @extend_schema(
        summary="Submitted versions of a report", responses=VersionSummarySerializer(many=True)
    )
    def get(self, request: Request, pk: int) -> Response:
        versions = selectors.report_versions(self.get_report())
        return Response(VersionSummarySerializer(versions, many=True).data)


class ReportVersionDetailView(ReportAPIView):
    """One version as signed: the canonical content, its digest and signature."""

    @extend_schema(
        summary="One submitted version: its signed content and signature",
        responses=VersionDetailSerializer,
    )
    def get(self, request: Request, pk: int, number: int) -> Response:
        version = selectors.version_get(report=self.get_report(), number=int(number))
        return Response(VersionDetailSerializer(version).data)


class ReportCanonicalView(ReportAPIView):
    """The exact bytes the next submission will carry, for the sender to sign them."""

    @extend_schema(
        summary="Canonical bytes of the next version (sign these for a client signature)",
        description="UTF-8 JSON with sorted keys and no whitespace (see canonical.py). Sign "
        "these bytes exactly (RSA PKCS#1 v1.5 or ECDSA, SHA-256) and send the base64 "
        "signature to `submit/` with the revision given in `X-Report-Revision`.",
        responses={(200, "application/json"): OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        report = self.get_report()
        document = selectors.report_document(report, version=report.version_count + 1)
        response = HttpResponse(canonical_bytes(document), content_type="application/json")
        # The signature is valid only for this content: submit with this revision, so that a
        # change made meanwhile is refused as stale (409) rather than as a bad signature.
        response["X-Report-Revision"] = str(report.revision)
        return response


class ReportSubmitView(ReportAPIView):
    """Freeze the content as a new version signed by the system or by the sender."""

    @extend_schema(
        summary="Submit the report as a new signed version",
        description="Without `signature` the system signs with the unit's key; with it, the "
        "signature must be over the bytes of `canonical/` and made with a certificate "
        "registered for the unit (named by `certificate_fingerprint` or given in PEM).",
        parameters=[IDEMPOTENCY_KEY],
        request=SubmitSerializer,
        responses={201: SubmissionSerializer, 200: SubmissionSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = _input(SubmitSerializer, request)
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > MAX_IDEMPOTENCY_KEY:
            raise ValidationError(
                {
                    "Idempotency-Key": [
                        _("At most %(maximum)s characters.") % {"maximum": MAX_IDEMPOTENCY_KEY}
                    ]
                }
            )
        signature = (data.get("signature") or "").strip()
        fingerprint = (data.get("certificate_fingerprint") or "").strip()
        certificate = (data.get("certificate") or "").strip()
        if (fingerprint or certificate) and not signature:
            raise DomainError(SubmissionError.SIGNATURE_REQUIRED, field="signature")
        client_signature = (
            services.ClientSignature(
                signature=signature,
                certificate_fingerprint=fingerprint,
                certificate_pem=certificate,
            )
            if signature
            else None
        )
        report = self.get_report()
        before = report.version_count
        version = services.report_submit(
            report=report,
            actor=request.user,
            revision=data.get("revision"),
            idempotency_key=key,
            client_signature=client_signature,
        )
        # A version no newer than what the report had is the one an earlier request made.
        replayed = version.number <= before
        body = SubmissionSerializer(
            {"report": selectors.report_get(report_id=report.pk), "version": version}
        ).data
        response = Response(body, status=status.HTTP_200_OK if replayed else 201)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class ReportRecallView(ReportAPIView):
    """The sender takes a report back (edXML 13 once the receiver has opened it)."""

    @extend_schema(
        summary="Take a sent report back (a request to the receiver once they opened it)",
        request=ReasonSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        data = _input(ReasonSerializer, request)
        return _detail(
            services.report_recall(
                report=self.get_report(), actor=request.user, reason=data["reason"]
            )
        )


class ReportRecallAnswerView(ReportAPIView):
    """The receiver agrees to (edXML 15) or refuses (16) a recall request."""

    @extend_schema(summary="Agree to or refuse a recall request", request=RecallAnswerSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = _input(RecallAnswerSerializer, request)
        return _detail(
            services.report_recall_answer(
                report=self.get_report(),
                actor=request.user,
                agree=data["agree"],
                reason=data["reason"],
            )
        )


class ReportAcceptView(ReportAPIView):
    """The receiver accepts a sent report (edXML 03)."""

    @extend_schema(summary="Accept a sent report", request=ReasonSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = _input(ReasonSerializer, request)
        return _detail(
            services.report_accept(
                report=self.get_report(), actor=request.user, reason=data["reason"]
            )
        )


class ReportReturnView(ReportAPIView):
    """The receiver returns a report for correction, with a reason (edXML 02)."""

    @extend_schema(summary="Return a report to its unit, with a reason", request=ReasonSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = _input(ReasonSerializer, request)
        return _detail(
            services.report_return(
                report=self.get_report(), actor=request.user, reason=data["reason"]
            )
        )


class ReportUnlockView(ReportAPIView):
    """The receiver lets the unit change a report locked after its deadline."""

    @extend_schema(
        summary="Let the unit change a locked report for some days, with a reason",
        request=UnlockSerializer,
    )
    def post(self, request: Request, pk: int) -> Response:
        data = _input(UnlockSerializer, request)
        return _detail(
            services.report_unlock(
                report=self.get_report(),
                actor=request.user,
                reason=data["reason"],
                days=data["days"],
            )
        )


class ReportOpenView(ReportAPIView):
    """The receiver opened the report; for anyone else this changes nothing."""

    @extend_schema(
        summary="Mark a sent report as opened by the receiver (recalls then need consent)",
        request=None,
    )
    def post(self, request: Request, pk: int) -> Response:
        return _detail(services.report_open(report=self.get_report(), actor=request.user))


class ReportVerifyView(ReportAPIView):
    """Verification of every version (a handful: not paginated)."""

    pagination_class = None

    @extend_schema(
        summary="Check every version's signature and digest, and the stored data",
        responses=VerificationSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        versions = selectors.report_versions(self.get_report())
        results = [selectors.version_verify(version) for version in versions]
        return Response(VerificationSerializer(results, many=True).data)
