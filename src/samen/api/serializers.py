"""Serializers of what the API shares across apps: who am I, the organisation directory."""

from __future__ import annotations

from rest_framework import serializers

from samen.organisations.models import Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.code")
    municipality_name = serializers.CharField(source="municipality.name")
    region = serializers.CharField(source="municipality.region.code")

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "type",
            "municipality",
            "municipality_name",
            "region",
            "is_synthetic",
        ]


class MembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.CharField(source="organisation.name")
    organisation_type = serializers.CharField(source="organisation.type")
    role = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    active_membership = serializers.IntegerField(allow_null=True)
    memberships = MembershipSerializer(many=True)
