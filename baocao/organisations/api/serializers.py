"""API representations of units, versions and change events (codes, ISO dates)."""

from __future__ import annotations

from rest_framework import serializers

from baocao.organisations.models import ChangeEvent, LineageLink, Unit, UnitVersion


class UnitVersionSerializer(serializers.ModelSerializer[UnitVersion]):
    # The stubs declare Field.parent; a field named "parent" is still fine at run time.
    parent: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True
    )

    class Meta:
        model = UnitVersion
        fields = [
            "name",
            "short_name",
            "type",
            "parent",
            "valid_from",
            "valid_to",
            "latitude",
            "longitude",
        ]


class UnitOnDaySerializer(serializers.ModelSerializer[UnitVersion]):
    """A unit as it was on the day asked about: its code, level and version then."""

    code = serializers.CharField(source="unit.code")
    level = serializers.CharField(source="unit.level")
    # The stubs declare Field.parent; a field named "parent" is still fine at run time.
    parent: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True
    )

    class Meta:
        model = UnitVersion
        fields = ["code", "level", "name", "short_name", "type", "parent", "valid_from", "valid_to"]


class UnitDetailSerializer(serializers.Serializer[object]):
    code = serializers.CharField()
    level = serializers.CharField()
    versions = UnitVersionSerializer(many=True)


class LineageStepSerializer(serializers.Serializer[object]):
    code = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="version.name", allow_null=True, default=None)
    level = serializers.CharField(source="unit.level")
    partial = serializers.BooleanField()  # type: ignore[assignment]
    event = serializers.CharField(source="event.code", allow_null=True, default=None)
    effective_date = serializers.DateField(
        source="event.effective_date", allow_null=True, default=None
    )


class LineageLinkSerializer(serializers.ModelSerializer[LineageLink]):
    predecessor: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    successor: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = LineageLink
        fields = ["predecessor", "successor", "partial", "weight"]


class ChangeEventSerializer(serializers.ModelSerializer[ChangeEvent]):
    links = LineageLinkSerializer(many=True, read_only=True)

    class Meta:
        model = ChangeEvent
        fields = ["code", "kind", "effective_date", "legal_act", "legal_act_title", "note", "links"]


class CountSerializer(serializers.Serializer[object]):
    as_of = serializers.DateField()
    level = serializers.CharField(allow_null=True)
    count = serializers.IntegerField()


class TreeNodeSerializer(serializers.Serializer[object]):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    type = serializers.CharField()
    children_count = serializers.IntegerField()
    children = serializers.ListField(child=serializers.DictField(), required=False)
