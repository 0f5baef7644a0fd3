from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404

from samen.organisations.models import Municipality, Organisation, SafetyRegion


def organisation_page(
    *, type: str = "", region: str = "", page: int = 1, per_page: int = 25
) -> Page:
    qs = Organisation.objects.select_related("municipality__region").order_by("name", "id")
    if type:
        qs = qs.filter(type=type)
    if region:
        qs = qs.filter(municipality__region__code=region)
    return Paginator(qs, per_page).get_page(page)


def organisation_get(*, pk: int) -> Organisation:
    org = Organisation.objects.select_related("municipality__region").filter(pk=pk).first()
    if org is None:
        raise Http404
    return org


def municipalities() -> list[Municipality]:
    return list(Municipality.objects.select_related("region").order_by("name"))


def municipalities_all() -> QuerySet[Municipality]:
    """Every municipality, unevaluated: the choices of an API field that names one by code."""
    return Municipality.objects.all()


def safety_regions() -> list[SafetyRegion]:
    """The safety regions in code order, for a page's region filter."""
    return list(SafetyRegion.objects.all())


def safety_region_exists(*, code: str) -> bool:
    return SafetyRegion.objects.filter(code=code).exists()


def organisation_or_none(*, pk: int) -> Organisation | None:
    """The organisation with this id, or None (the share service refuses an unknown recipient
    with its own field error)."""
    return Organisation.objects.filter(pk=pk).first()
