from django.http import HttpRequest

from samen.sharing import policy
from samen.sharing.actor import active_memberships


def actor(request: HttpRequest) -> dict[str, object]:
    act = getattr(request, "actor", None)
    if act is None or not act.is_authenticated:
        return {}
    return {
        "actor": act,
        "memberships": active_memberships(act.user),
        "can": {p.replace(".", "_"): policy.allows(act, p) for p in policy.PERMISSIONS},
    }
