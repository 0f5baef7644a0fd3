"""Serializers of the sharing endpoints (a case share is created on the case's endpoint too)."""

from __future__ import annotations

from rest_framework import serializers


class ShareCreateSerializer(serializers.Serializer):
    recipient = serializers.IntegerField(min_value=1)
    purpose = serializers.SlugField(max_length=40)
    categories = serializers.ListField(child=serializers.SlugField(max_length=40), max_length=20)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ShareSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="case.number")
    from_organisation = serializers.IntegerField(source="from_organisation_id")
    recipient = serializers.IntegerField(source="recipient_id")
    purpose = serializers.CharField(source="purpose.code")
    categories = serializers.ListField(child=serializers.CharField())
    shared_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)


class EmergencyRequestSerializer(serializers.Serializer):
    case = serializers.CharField(max_length=20)
    reason = serializers.CharField(max_length=2000)


class RegisterRuleSerializer(serializers.Serializer):
    organisation_type = serializers.CharField()
    purpose = serializers.CharField(source="purpose.code")
    category = serializers.CharField(source="category.code")
    legal_basis = serializers.CharField()
    sector_law = serializers.CharField()
    retention_days = serializers.IntegerField()
    share_with = serializers.ListField(child=serializers.CharField())
