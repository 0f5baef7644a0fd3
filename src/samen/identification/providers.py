"""What the identification app provides to signalling below it (samen.hooks,
signalling/hooks.py): a signal about a minor attaches the guardian and tells them. Imported
from IdentificationConfig.ready()."""

from __future__ import annotations

from samen.identification.services import guardian_signal_notice
from samen.signalling import hooks as signal_hooks

signal_hooks.minor_signalled.provide(guardian_signal_notice)
