"""`POST /api/v1/values/import/`: bulk import of data values from CSV (issue 4, scope 5).

The file comes as the multipart field `file` or as the request body (`Content-Type: text/csv`).
It is spooled to disk as it arrives (never read whole into memory) and refused past
`MAX_IMPORT_BYTES`. The answer is the import summary with 200, even when rows were rejected
(each conflict names its line); a problem with the file itself (size, encoding, header,
source) is a 400 with `{code, message, field, args}`, and nothing is written.
"""

from __future__ import annotations

import tempfile
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from baocao.core.errors import DomainError
from baocao.submissions.errors import SubmissionError
from baocao.submissions.imports import DEFAULT_SOURCE, values_import

# A million values of a migration make a CSV of about 40 MB; 200 MB leaves room for comments.
MAX_IMPORT_BYTES = 200 * 1024 * 1024
# The API answer lists at most this many conflicts; the counts are always exact.
MAX_CONFLICTS_SHOWN = 10_000
_SPOOL_IN_MEMORY = 8 * 1024 * 1024
_BLOCK = 1024 * 1024


def _too_large(size: int) -> DomainError:
    return DomainError(
        SubmissionError.FILE_TOO_LARGE, field="file", size=size, maximum=MAX_IMPORT_BYTES
    )


def _spool(stream: IO[bytes]) -> IO[bytes]:
    """Copy a stream to a temporary file, refusing it past `MAX_IMPORT_BYTES`."""
    spooled = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115
    size = 0
    while block := stream.read(_BLOCK):
        size += len(block)
        if size > MAX_IMPORT_BYTES:
            spooled.close()
            raise _too_large(size)
        spooled.write(block)
    spooled.seek(0)
    return spooled


class CsvParser(BaseParser):
    """A CSV request body, handed on as a file (`{"file": ...}`), not parsed here."""

    media_type = "text/csv"

    def parse(
        self,
        stream: IO[bytes] | None,
        media_type: str | None = None,
        parser_context: Any = None,
    ) -> dict[str, IO[bytes]]:
        if stream is None:
            return {}
        return {"file": _spool(stream)}


class ValueImportQuerySerializer(serializers.Serializer[Any]):
    source = serializers.CharField(  # type: ignore[assignment]
        required=False,
        default=DEFAULT_SOURCE,
        max_length=64,
        help_text=_("Code of the system the values come from; never a regime code."),
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text=_("Check and count, write nothing.")
    )


class ConflictSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(help_text=_("Line in the file; the header is line 1."))
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(required=False)


class ImportSummarySerializer(serializers.Serializer[Any]):
    source = serializers.CharField()  # type: ignore[assignment]
    dry_run = serializers.BooleanField()
    imported = serializers.IntegerField(help_text=_("New values."))
    updated = serializers.IntegerField(help_text=_("Values changed; the previous ones are kept."))
    ignored = serializers.IntegerField(help_text=_("Rows that changed nothing."))
    deleted = serializers.IntegerField(help_text=_("Values removed by an empty value."))
    rejected = serializers.IntegerField()
    total = serializers.IntegerField()
    conflicts = ConflictSerializer(many=True)
    conflicts_truncated = serializers.BooleanField()


class ValueImportView(APIView):
    """Import data values from CSV; answers the import summary."""

    parser_classes = [MultiPartParser, CsvParser]

    @extend_schema(
        summary="Import data values from CSV",
        description=(
            "CSV in UTF-8 with the header `indicator,disaggregation,unit,period,value[,comment]`"
            " (codes; plain numbers such as `1234.5`), as the multipart field `file` or as a"
            " `text/csv` body. Rows are checked one by one: those that pass are written, each"
            " rejected row is a conflict naming its line. An empty value deletes the stored"
            " value. Every changed or deleted value keeps its previous value in the history."
            " Only units the caller may report for are accepted (`forbidden_unit`)."
        ),
        parameters=[
            OpenApiParameter("source", OpenApiTypes.STR, description="Default IMPORT."),
            OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Write nothing."),
        ],
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            },
            "text/csv": OpenApiTypes.BINARY,
        },
        responses={200: ImportSummarySerializer},
        examples=[
            OpenApiExample(
                "Summary",
                response_only=True,
                value={
                    "source": "IMPORT",
                    "dry_run": False,
                    "imported": 2,
                    "updated": 0,
                    "ignored": 0,
                    "deleted": 0,
                    "rejected": 1,
                    "total": 3,
                    "conflicts": [
                        {
                            "row": 4,
                            "code": "unknown_unit",
                            "message": "Không tìm thấy mã đơn vị 99999.",
                            "field": "unit",
                        }
                    ],
                    "conflicts_truncated": False,
                },
            )
        ],
        tags=["values"],
    )
    def post(self, request: Request) -> Response:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > MAX_IMPORT_BYTES + _BLOCK:  # multipart framing adds a little
            raise _too_large(declared)
        query = ValueImportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        upload = request.data.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": [_("Send a CSV file.")]})
        if getattr(upload, "size", 0) > MAX_IMPORT_BYTES:
            raise _too_large(upload.size)
        stream: IO[bytes] = (upload.file or upload) if isinstance(upload, UploadedFile) else upload
        try:
            summary = values_import(
                file=stream,
                source=query.validated_data["source"],
                actor=request.user,
                dry_run=query.validated_data["dry_run"],
            )
        finally:
            upload.close()
        return Response(summary.as_dict(max_conflicts=MAX_CONFLICTS_SHOWN))
