"""Serializers of the case endpoints (a case shows its signals: the signal serializers)."""

from rest_framework import serializers

from samen.api.base import PresentSerializer
from samen.cases.models import CaseStatus
from samen.core.policy import Relation
from samen.signalling.serializers import IdentitySerializer, SignalSerializer


class TimelineEventSerializer(PresentSerializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    by = serializers.CharField()
    organisation = serializers.CharField()
    data = serializers.DictField()


# How a case can be reached (statistics is an aggregate, never a case read).
CASE_RELATIONS = [r for r in Relation if r not in (Relation.SIGNALLER, Relation.STATISTICS)]


class NoteSerializer(PresentSerializer):
    kind = serializers.ChoiceField(choices=["care", "investigation", "shelter"])
    text = serializers.CharField()
    by = serializers.CharField()
    organisation = serializers.CharField()
    at = serializers.DateTimeField()


class CaseSerializer(PresentSerializer):
    number = serializers.CharField()
    access = serializers.ChoiceField(
        choices=[r.value for r in CASE_RELATIONS],
        help_text=(
            "The relation through which the caller's organisation reaches this case (the "
            "register's relations: registration, responsible, guardian, investigating, "
            "prosecuting, immigration, shelter), a share, or emergency access."
        ),
    )
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    forms = serializers.ListField(child=serializers.CharField())
    municipality = serializers.CharField()
    region = serializers.CharField()
    responsible_organisation = serializers.IntegerField()
    opened_at = serializers.DateTimeField()
    minor = serializers.BooleanField(
        help_text="Under 18, estimated to be, or presumed a minor while the age is uncertain."
    )
    minor_estimated = serializers.BooleanField(
        help_text="The minor flag rests on an estimated or uncertain age, not a document."
    )
    age_is_estimate = serializers.BooleanField()
    age_band = serializers.CharField()
    gender = serializers.CharField()
    nationality_group = serializers.CharField()
    is_synthetic = serializers.BooleanField()


class CaseDetailSerializer(CaseSerializer):
    identity = IdentitySerializer(required=False)
    notes = NoteSerializer(many=True, required=False)
    signals = SignalSerializer(many=True)
    timeline = TimelineEventSerializer(many=True)
