"""Serializers of the signal endpoints."""

from __future__ import annotations

from rest_framework import serializers

from samen.api.base import PresentSerializer
from samen.cases.models import AgeBand, Gender
from samen.signalling.services import MAX_NOTES, PersonInput, SignalInput


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    category_code = serializers.CharField()
    category = serializers.CharField()
    text = serializers.CharField()
    severity = serializers.CharField()
    acute = serializers.BooleanField()
    concerns_minor = serializers.BooleanField()


class SignalListSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    setting = serializers.CharField()
    description = serializers.CharField()
    indicators = IndicatorSerializer(many=True, source="indicators.all")


class PersonInSerializer(serializers.Serializer):
    gender = serializers.ChoiceField(choices=Gender.choices, default=Gender.UNKNOWN)
    age_band = serializers.ChoiceField(choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    nationality = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    contact = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SignalCreateSerializer(serializers.Serializer):
    signal_list = serializers.CharField(max_length=40)
    indicators = serializers.ListField(
        child=serializers.CharField(max_length=80), allow_empty=False, max_length=200
    )
    observed_on = serializers.DateField()
    municipality = serializers.CharField(max_length=6)
    setting = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    notes = serializers.CharField(
        max_length=MAX_NOTES, required=False, allow_blank=True, default="", trim_whitespace=False
    )
    forms = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=10
    )
    person = PersonInSerializer(required=False)

    def to_input(self) -> SignalInput:
        v = dict(self.validated_data)
        person = v.pop("person", None) or {}
        return SignalInput(person=PersonInput(**person), **v)


class AdviceSerializer(serializers.Serializer):
    level = serializers.CharField()
    label = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    next_steps = serializers.ListField(child=serializers.CharField())
    score = serializers.IntegerField()


class IdentitySerializer(PresentSerializer):
    name = serializers.CharField(required=False)
    date_of_birth = serializers.CharField(required=False)
    nationality = serializers.CharField(required=False)
    contact = serializers.CharField(required=False)


class SignalSerializer(PresentSerializer):
    id = serializers.IntegerField()
    receipt = serializers.CharField(help_text="The reference its author was given.")
    case = serializers.CharField(
        help_text="Only for readers who reach the case by more than having signalled it."
    )
    signal_list = serializers.CharField()
    signal_list_version = serializers.IntegerField()
    indicators = serializers.ListField(child=serializers.CharField())
    observed_on = serializers.DateField()
    municipality = serializers.CharField()
    organisation = serializers.CharField()
    setting = serializers.CharField()
    advice = serializers.CharField()
    advice_reasons = serializers.ListField(child=serializers.CharField())
    linked_to_existing = serializers.BooleanField(
        help_text="Whether it joined a known person's case; never shown to the signaller."
    )
    new_identity = IdentitySerializer(
        help_text="Identity details it added to a known person's case (coordinator, registrar)."
    )
    created_at = serializers.DateTimeField()
    notes = serializers.CharField(required=False)
    is_synthetic = serializers.BooleanField()


class SignalCreatedSerializer(serializers.Serializer):
    """The same for a known and an unknown person: the receipt, what was recorded, the advice."""

    receipt = serializers.CharField()
    signal = SignalSerializer()
    message = serializers.CharField()
    advice = AdviceSerializer()
