"""The programme API's serializers: what a register record looks like on the wire, and what a
write may send."""

from __future__ import annotations

from rest_framework import serializers

from . import services
from .models import (
    Action,
    ActionLine,
    ActionProgress,
    ActionStatus,
    Chamber,
    Commitment,
    Indicator,
    IndicatorValue,
    ItemStatus,
    Letter,
    Motion,
    MotionSubmitter,
    ProposedUpdate,
    Recommendation,
    RecommendationBody,
    RecommendationStatus,
)

PROVENANCE = ("source_letter", "source_location", "source_passage", "source_note")


# The details of an action the API's PATCH may change besides its status.
ACTION_DETAILS = services.EDITABLE[Action]


class ProgrammeProgressSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionProgress
        fields = ("id", "on", "note", "history", *PROVENANCE)


class ProgrammeActionSerializer(serializers.ModelSerializer):
    action_line = serializers.IntegerField(source="action_line.number")
    progress = ProgrammeProgressSerializer(many=True)

    class Meta:
        model = Action
        fields = (
            "code", "number", "action_line", "title", "description", "holders", "start", "end",
            "period_note", "status", "progress", *PROVENANCE,
        )  # fmt: skip


class ProgrammeActionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Action
        fields = ("code", "number", "title", "status")


class ProgrammeActionLineSerializer(serializers.ModelSerializer):
    actions = ProgrammeActionSummarySerializer(many=True)

    class Meta:
        model = ActionLine
        fields = ("number", "title", "title_nl", "description", "holders", "actions", *PROVENANCE)


class ProgrammeSubmitterSerializer(serializers.ModelSerializer):
    class Meta:
        model = MotionSubmitter
        fields = ("name", "party", "party_inferred")


REFERENCE = ("reference_key", "reference_display", "chamber", "dossier", "suffix")


STATUS = ("status", "letter_status", "status_date", "status_letter", "status_evidence")


class ProgrammeMotionSerializer(serializers.ModelSerializer):
    reference_key = serializers.CharField()
    reference_display = serializers.CharField()
    submitters = ProgrammeSubmitterSerializer(many=True)
    parties = serializers.SerializerMethodField()

    class Meta:
        model = Motion
        fields = (
            *REFERENCE, "document_number", "parliamentary_year", "date", "subject", "submitters",
            "parties", "co_signers", "notes", *STATUS, *PROVENANCE,
        )  # fmt: skip

    def get_parties(self, motion: Motion) -> list[str]:
        return sorted({s.party for s in motion.submitters.all() if s.party})


class ProgrammeCommitmentSerializer(serializers.ModelSerializer):
    reference_key = serializers.CharField()
    reference_display = serializers.CharField()
    related_motion = serializers.CharField(source="related_motion.reference_key", default=None)

    class Meta:
        model = Commitment
        fields = (
            "code", *REFERENCE, "document_number", "parliamentary_year", "made_by", "made_to",
            "made_to_members", "made_on", "occasion", "description", "due", "due_note",
            "related_motion", *STATUS, *PROVENANCE,
        )  # fmt: skip


class ProgrammeRecommendationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recommendation
        fields = (
            "code", "body", "round", "report_date", "title", "text", "government_response",
            "response_due", "status", *PROVENANCE,
        )  # fmt: skip


class ProgrammeIndicatorValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorValue
        fields = ("period", "as_of", "value", "is_lower_bound", "source", *PROVENANCE)


class ProgrammeIndicatorSerializer(serializers.ModelSerializer):
    action_line = serializers.IntegerField(source="action_line.number", default=None)
    values = ProgrammeIndicatorValueSerializer(many=True)

    class Meta:
        model = Indicator
        fields = ("code", "name", "unit", "description", "action_line", "values")


class ProgrammeMotionEditSerializer(serializers.ModelSerializer):
    class Meta:
        model = Motion
        fields = services.EDITABLE[Motion]


class ProgrammeCommitmentEditSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commitment
        fields = services.EDITABLE[Commitment]


class ProgrammeRecommendationEditSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recommendation
        fields = services.EDITABLE[Recommendation]


class ProgrammeIndicatorValueCreateSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    period = serializers.CharField(max_length=60)
    as_of = serializers.DateField(required=False, allow_null=True)
    is_lower_bound = serializers.BooleanField(required=False, default=False)
    source = serializers.CharField(max_length=300)


class ProgrammeSubmitterInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    party = serializers.CharField(max_length=40, required=False, allow_blank=True)


class ProgrammeMotionCreateSerializer(serializers.Serializer):
    chamber = serializers.ChoiceField(choices=Chamber.choices, default=Chamber.TWEEDE_KAMER)
    dossier = serializers.CharField(max_length=8)
    suffix = serializers.CharField(max_length=8, required=False, allow_blank=True)
    document_number = serializers.CharField(max_length=8)
    parliamentary_year = serializers.CharField(max_length=9, required=False, allow_blank=True)
    date = serializers.DateField(required=False, allow_null=True)
    subject = serializers.CharField(max_length=4000)
    submitters = ProgrammeSubmitterInputSerializer(many=True, required=False)
    co_signers = serializers.BooleanField(required=False, default=False)
    status = serializers.ChoiceField(choices=ItemStatus.choices, required=False)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    tk_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    vote_outcome = serializers.CharField(max_length=40, required=False, allow_blank=True)


class ProgrammeCommitmentCreateSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=80, required=False, allow_blank=True)
    made_by = serializers.CharField(max_length=200, required=False)
    made_to = serializers.CharField(max_length=200, required=False, allow_blank=True)
    made_on = serializers.DateField(required=False, allow_null=True)
    occasion = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(max_length=4000)
    due = serializers.DateField(required=False, allow_null=True)
    due_note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ItemStatus.choices, required=False)
    tk_number = serializers.CharField(max_length=20, required=False, allow_blank=True)


class ProgrammeRecommendationCreateSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=80)
    body = serializers.ChoiceField(choices=RecommendationBody.choices)
    round = serializers.CharField(max_length=120, required=False, allow_blank=True)
    report_date = serializers.DateField(required=False, allow_null=True)
    title = serializers.CharField(max_length=300)
    text = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    government_response = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    response_due = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=RecommendationStatus.choices, required=False)


class ProgrammeProgressCorrectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000)
    on = serializers.DateField(required=False, allow_null=True)


class ActionUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    on = serializers.DateField(required=False, allow_null=True)
    holders = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=50
    )
    start = serializers.DateField(required=False, allow_null=True)
    end = serializers.DateField(required=False, allow_null=True)
    period_note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ProgrammeLetterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Letter
        fields = ("id", "title", "sent_on", "kamerstuk", "file_name", "sha256", "registered_at")


class ProgrammeProposedUpdateSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", default=None)
    motion = serializers.CharField(source="motion.reference_key", default=None)
    commitment = serializers.CharField(source="commitment.code", default=None)

    class Meta:
        model = ProposedUpdate
        fields = (
            "id", "letter", "item_index", "kind", "reference_key", "proposed_status", "evidence",
            "payload", "state", "decided_by", "decided_at", "reason", "before", "motion",
            "commitment",
        )  # fmt: skip


class ProgrammeRejectRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)
