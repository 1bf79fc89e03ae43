from rest_framework import serializers

from baocao.accounts.models import User
from baocao.organisations.models import Unit


class MeSerializer(serializers.ModelSerializer[User]):
    unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "unit", "roles", "is_superuser"]

    def get_roles(self, obj: User) -> list[str]:
        return sorted(obj.roles.values_list("role", flat=True))
