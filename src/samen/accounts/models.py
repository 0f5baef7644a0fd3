from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships, not from here."""

    is_synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Demo or test account, not a real person.")
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class ApiToken(models.Model):
    """An API token, bound to the one membership (organisation + role) it was issued for.

    Only a hash of the secret is stored; the prefix identifies the token in lists and logs. The
    token stops working when it expires, is revoked, or its membership is deactivated or given
    another role, and when the second factor it was issued with no longer holds."""

    prefix = models.CharField(_("identifier"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_tokens")
    membership = models.ForeignKey(
        "organisations.Membership",
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("membership"),
    )
    # The role the membership had at issue: a changed role needs a new token (and maybe 2FA).
    role = models.CharField(_("role"), max_length=32)
    # The persistent id of the confirmed second-factor device the code was checked against at
    # issue, blank when the role needed none; like a session, the token holds only while it does.
    otp_device = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.prefix


class ExternalIdentity(models.Model):
    """A user as known to a partner's identity provider: the provider's key (from the provider
    configuration) and the subject (`sub`) it gives the person. Sign-in through that provider
    finds the user by this pair only, never by a name or e-mail address the provider sends."""

    provider = models.CharField(_("identity provider"), max_length=64)
    subject = models.CharField(_("subject"), max_length=255)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="external_identities"
    )
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    last_sign_in_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="external_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider} · {self.user_id}"


class IdentityProviderDevice(Device):
    """The second factor as asserted by an identity provider (its `acr`/`amr` claims), so a
    session signed in through it counts as verified for django-otp like one that passed TOTP.
    It verifies no code: only the OIDC callback logs a session in with it."""

    provider = models.CharField(_("identity provider"), max_length=64)

    class Meta:
        verbose_name = _("second factor of an identity provider")
        verbose_name_plural = _("second factors of identity providers")
        constraints = [
            models.UniqueConstraint(fields=["user", "provider"], name="idp_device_unique")
        ]

    def verify_token(self, token: object) -> bool:
        return False


class AuthVersion(models.Model):
    """A token that changes with every write that can change what an API token's check answers:
    the token itself (but its last use), its user (but the last sign-in), memberships,
    organisations, municipalities, safety regions, and second-factor devices (created, deleted,
    confirmed or moved). Database triggers set a fresh random one (migration 0004), so no code
    path can forget it; each process keeps the tokens it checked in memory and reads this token
    in the statement every API call runs anyway to know they are still current (ADR 0074).
    Random, not a counter, like RegisterVersion: a rolled back change must not leave a copy
    cached under a value the next change reuses."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=40)

    def __str__(self) -> str:
        return f"auth version {self.token}"
