from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships, not from here."""

    is_synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Demo or test account, not a real person.")
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
