"""Read-only API over the dated hierarchy: `/api/v1/units/…` and `/api/v1/unit-changes/`.

Every query answers for one day, `as_of` (ISO date, default today).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from baocao.core.dates import parse_iso_date
from baocao.organisations import selectors
from baocao.organisations.api.serializers import (
    ChangeEventSerializer,
    CountSerializer,
    LineageStepSerializer,
    TreeNodeSerializer,
    UnitDetailSerializer,
    UnitOnDaySerializer,
)
from baocao.organisations.choices import ChangeKind, Level, UnitType
from baocao.organisations.models import ChangeEvent, UnitVersion

AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATE, description="Day asked about (default today).")
LEVEL = OpenApiParameter("level", OpenApiTypes.STR, enum=Level.values)


def _date_param(request: Request, name: str, default: dt.date | None) -> dt.date | None:
    raw = request.query_params.get(name)
    if not raw:
        return default
    try:
        return parse_iso_date(raw)
    except ValueError:
        raise ValidationError({name: [f"{raw!r}: YYYY-MM-DD"]}) from None


def _choice_param(request: Request, name: str, choices: list[str]) -> str | None:
    raw = request.query_params.get(name) or None
    if raw is not None and raw not in choices:
        raise ValidationError({name: [f"{raw!r} ∉ {', '.join(choices)}"]})
    return raw


@extend_schema_view(
    list=extend_schema(
        summary="Units in force on a day",
        parameters=[
            AS_OF,
            LEVEL,
            OpenApiParameter("type", OpenApiTypes.STR, enum=UnitType.values),
            OpenApiParameter("parent", OpenApiTypes.STR, description="Parent unit code."),
            OpenApiParameter(
                "ancestor", OpenApiTypes.STR, description="Only units below this unit code."
            ),
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description="Name contains (accents and case ignored) or code.",
            ),
        ],
        responses=UnitOnDaySerializer(many=True),
    ),
    retrieve=extend_schema(summary="A unit with all its versions", responses=UnitDetailSerializer),
)
class UnitViewSet(viewsets.GenericViewSet[UnitVersion]):
    """Units by code; lists and trees answer for the day `as_of`."""

    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9._-]+"
    serializer_class = UnitOnDaySerializer
    queryset = UnitVersion.objects.none()
    filter_backends: list[Any] = []

    def as_of(self) -> dt.date:
        value = _date_param(self.request, "as_of", selectors.today())
        assert value is not None
        return value

    def list(self, request: Request) -> Response:
        on = self.as_of()
        parent_code = request.query_params.get("parent")
        ancestor_code = request.query_params.get("ancestor")
        versions: QuerySet[UnitVersion] = selectors.units_on(
            on=on,
            level=_choice_param(request, "level", Level.values),
            unit_type=_choice_param(request, "type", UnitType.values),
            parent=selectors.unit_get(code=parent_code) if parent_code else None,
            search=request.query_params.get("q"),
        )
        if ancestor_code:
            ids = selectors.descendant_ids(unit=selectors.unit_get(code=ancestor_code), on=on)
            versions = versions.filter(unit_id__in=ids)
        page = self.paginate_queryset(versions)
        serializer = UnitOnDaySerializer(page if page is not None else versions, many=True)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def retrieve(self, request: Request, code: str) -> Response:
        unit = selectors.unit_get(code=code)
        data = {
            "code": unit.code,
            "level": unit.level,
            "versions": unit.versions.select_related("parent").order_by(
                UnitVersion.chronological()
            ),
        }
        return Response(UnitDetailSerializer(data).data)

    @extend_schema(
        summary="Children on a day", parameters=[AS_OF], responses=UnitOnDaySerializer(many=True)
    )
    @action(detail=True)
    def children(self, request: Request, code: str) -> Response:
        unit = selectors.unit_get(code=code)
        children = selectors.unit_children(unit=unit, on=self.as_of())
        return Response(UnitOnDaySerializer(children, many=True).data)

    @extend_schema(
        summary="Ancestors on a day, nearest first",
        parameters=[AS_OF],
        responses=UnitOnDaySerializer(many=True),
    )
    @action(detail=True)
    def ancestors(self, request: Request, code: str) -> Response:
        unit = selectors.unit_get(code=code)
        chain = selectors.unit_ancestors(unit=unit, on=self.as_of())
        return Response(UnitOnDaySerializer([item.version for item in chain], many=True).data)

    @extend_schema(
        summary="Descendants on a day",
        parameters=[AS_OF, LEVEL],
        responses=UnitOnDaySerializer(many=True),
    )
    @action(detail=True)
    def descendants(self, request: Request, code: str) -> Response:
        unit = selectors.unit_get(code=code)
        found = selectors.unit_descendants(
            unit=unit, on=self.as_of(), level=_choice_param(request, "level", Level.values)
        )
        return Response(UnitOnDaySerializer([item.version for item in found], many=True).data)

    @extend_schema(
        summary="Successors of a unit",
        parameters=[
            OpenApiParameter(
                "as_of",
                OpenApiTypes.DATE,
                description="Follow links to the units in force that day.",
            )
        ],
        responses=LineageStepSerializer(many=True),
    )
    @action(detail=True)
    def successors(self, request: Request, code: str) -> Response:
        unit = selectors.unit_get(code=code)
        steps = selectors.unit_successors(unit=unit, on=_date_param(request, "as_of", None))
        return Response(LineageStepSerializer(steps, many=True).data)

    @extend_schema(
        summary="Predecessors of a unit",
        parameters=[
            OpenApiParameter(
                "as_of",
                OpenApiTypes.DATE,
                description="Follow links back to the units in force that day.",
            )
        ],
        responses=LineageStepSerializer(many=True),
    )
    @action(detail=True)
    def predecessors(self, request: Request, code: str) -> Response:
        unit = selectors.unit_get(code=code)
        steps = selectors.unit_predecessors(unit=unit, on=_date_param(request, "as_of", None))
        return Response(LineageStepSerializer(steps, many=True).data)

    @extend_schema(summary="Change events of a unit", responses=ChangeEventSerializer(many=True))
    @action(detail=True)
    def changes(self, request: Request, code: str) -> Response:
        unit = selectors.unit_get(code=code)
        return Response(ChangeEventSerializer(selectors.change_events(unit=unit), many=True).data)

    @extend_schema(
        summary="How many units were in force on a day",
        parameters=[AS_OF, LEVEL],
        responses=CountSerializer,
    )
    @action(detail=False)
    def count(self, request: Request) -> Response:
        on = self.as_of()
        level = _choice_param(request, "level", Level.values)
        data = {"as_of": on, "level": level, "count": selectors.units_count(on=on, level=level)}
        return Response(CountSerializer(data).data)

    @extend_schema(
        summary="The tree on a day",
        parameters=[
            AS_OF,
            OpenApiParameter("root", OpenApiTypes.STR, description="Start from this unit code."),
            OpenApiParameter(
                "depth", OpenApiTypes.INT, description="Levels below (0-3, default 1)."
            ),
        ],
        responses=TreeNodeSerializer(many=True),
    )
    @action(detail=False)
    def tree(self, request: Request) -> Response:
        root_code = request.query_params.get("root")
        try:
            depth = int(request.query_params.get("depth", "1"))
        except ValueError:
            raise ValidationError({"depth": ["0-3"]}) from None
        if not 0 <= depth <= 3:
            raise ValidationError({"depth": ["0-3"]})
        root = selectors.unit_get(code=root_code) if root_code else None
        return Response(selectors.tree_on(on=self.as_of(), root=root, depth=depth))


@extend_schema_view(
    list=extend_schema(
        summary="Change events",
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATE),
            OpenApiParameter("until", OpenApiTypes.DATE),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=ChangeKind.values),
            OpenApiParameter(
                "unit", OpenApiTypes.STR, description="Events linking this unit code."
            ),
        ],
    )
)
class ChangeEventViewSet(viewsets.ReadOnlyModelViewSet[ChangeEvent]):
    """Mergers, splits, renamings and the rest, with their legal acts and links."""

    serializer_class = ChangeEventSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9._-]+"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ChangeEvent]:
        params = self.request.query_params
        unit_code = params.get("unit")
        return selectors.change_events(
            unit=selectors.unit_get(code=unit_code) if unit_code else None,
            since=_date_param(self.request, "since", None),
            until=_date_param(self.request, "until", None),
            kind=_choice_param(self.request, "kind", ChangeKind.values),
        )
