"""What signalling needs from the apps above it (samen.hooks): a signal about a minor attaches
the guardian and tells them, which the identification app does (identification/providers.py)."""

from __future__ import annotations

from samen.hooks import Hook

# minor_signalled(*, case, at) -> the guardian organisation told, if any. Called in the
# signal's transaction, so a failure undoes the signal too.
minor_signalled: Hook[..., object] = Hook("minor_signalled")
