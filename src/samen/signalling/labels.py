"""The signalling app's codes in words, registered with samen.labels (which finds this module)."""

from __future__ import annotations

from samen.labels import register_choices
from samen.signalling.models import Advice, Severity

register_choices("severity", Severity)
register_choices("advice", Advice)
