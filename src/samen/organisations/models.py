from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name


class SafetyRegion(models.Model):
    """Veiligheidsregio: the 25 regions that also frame regional care coordination."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["code"]
        verbose_name = _("safety region")
        verbose_name_plural = _("safety regions")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    code = models.CharField(_("CBS code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=80)
    region = models.ForeignKey(
        SafetyRegion, on_delete=models.PROTECT, related_name="municipalities"
    )
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="municipalities")

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name


class OrganisationType(models.TextChoices):
    """The chain's organisation types (see docs/glossary.md)."""

    SOCIAL_TEAM = "social_team", _("Municipal social team")
    SCHOOL = "school", _("School")
    HOSPITALITY = "hospitality", _("Hotel / hospitality")
    ASYLUM_RECEPTION = "asylum_reception", _("Asylum reception (COA)")
    YOUTH_CARE = "youth_care", _("Youth care")
    HEALTH_CARE = "health_care", _("Health care")
    MUNICIPALITY = "municipality", _("Municipality")
    CARE_COORDINATION = "care_coordination", _("Care coordination")
    SHELTER = "shelter", _("Shelter provider")
    COMENSHA = "comensha", _("CoMensha (national coordination centre)")
    POLICE = "police", _("Police")
    KMAR = "kmar", _("Royal Netherlands Marechaussee (KMar)")
    LABOUR_INSPECTORATE = "labour_inspectorate", _("Labour Inspectorate (NLA)")
    IND = "ind", _("Immigration and Naturalisation Service (IND)")
    PROSECUTION = "prosecution", _("Public Prosecution Service (OM)")
    NIDOS = "nidos", _("Nidos (guardianship)")
    VEILIG_THUIS = "veilig_thuis", _("Veilig Thuis")
    MINISTRY = "ministry", _("Ministry programme team")
    RAPPORTEUR = "rapporteur", _("National Rapporteur")


FIELD_TYPES = frozenset(
    {
        OrganisationType.SOCIAL_TEAM,
        OrganisationType.SCHOOL,
        OrganisationType.HOSPITALITY,
        OrganisationType.ASYLUM_RECEPTION,
        OrganisationType.YOUTH_CARE,
        OrganisationType.HEALTH_CARE,
    }
)


class Role(models.TextChoices):
    FIELD_PROFESSIONAL = "field_professional", _("Field professional")
    CARE_COORDINATOR = "care_coordinator", _("Care coordinator")
    SHELTER_STAFF = "shelter_staff", _("Shelter staff")
    INVESTIGATOR = "investigator", _("Investigator")
    # The public prosecutor (officier van justitie) decides on the criminal case; the decisions
    # decide the B8/3 permit. A role of its own, so the OM does not borrow the police's reach.
    PROSECUTOR = "prosecutor", _("Public prosecutor")
    NATIONAL_REGISTRAR = "national_registrar", _("National registrar")
    # The IND decides on residence (reflection period, B8/3); Nidos is the guardian of
    # unaccompanied foreign minors. Each has its own role, so neither borrows another's reach.
    IND_OFFICER = "ind_officer", _("IND officer")
    GUARDIAN = "guardian", _("Guardian")
    PROGRAMME_STAFF = "programme_staff", _("Programme staff")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    FUNCTIONAL_ADMIN = "functional_admin", _("Functional administrator")
    # A member of the review group of experts by experience (the Spiegelgroep): comments on the
    # programme's work, reaches no case and no personal data.
    REVIEW_MEMBER = "review_member", _("Review group member")
    # Online help (issue #23): the outreach worker contacts the person behind an online lead; the
    # counsellor answers the anonymous chat; the chat supervisor also receives its safety alerts.
    OUTREACH_WORKER = "outreach_worker", _("Outreach worker")
    COUNSELLOR = "counsellor", _("Chat counsellor")
    CHAT_SUPERVISOR = "chat_supervisor", _("Chat supervisor")
    # Online signals (issue #18): the police's or the labour inspectorate's analyst reviews the
    # online engine's leads, sends them into the chain and notifies platforms (DSA art. 16).
    ONLINE_ANALYST = "online_analyst", _("Online signals analyst")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=32, choices=OrganisationType.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="organisations"
    )
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["name", "municipality"], name="org_unique_name_place")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one organisation. A user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organisation__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_role_display()}"
