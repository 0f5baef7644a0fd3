from django.http import HttpRequest

from samen.core import policy
from samen.core.actor import active_memberships
from samen.core.models import Purpose
from samen.core.register import purposes_of_role


def actor(request: HttpRequest) -> dict[str, object]:
    act = getattr(request, "actor", None)
    if act is None or not act.is_authenticated:
        return {}
    codes = purposes_of_role(act.role) if act.membership else []
    by_code = {p.code: p for p in Purpose.objects.filter(code__in=codes)}
    return {
        "actor": act,
        "memberships": active_memberships(act.user),
        "role_purposes": [by_code[c] for c in codes if c in by_code],
        "can": {p.replace(".", "_"): policy.allows(act, p) for p in policy.PERMISSIONS},
    }
