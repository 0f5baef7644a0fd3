"""API errors as JSON, field by field, in the caller's language; never a bare 500 for bad input."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        else:
            fields = {"non_field_errors": [str(m) for m in exc.messages]}
        return Response(
            {"detail": _("The request has invalid fields."), "fields": fields}, status=400
        )
    if isinstance(exc, exceptions.ParseError):
        return Response(
            {"detail": _("The request body could not be read."),
             "fields": {"non_field_errors": [str(exc.detail)]}},
            status=400,
        )  # fmt: skip
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("Your role does not allow this."))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        data = response.data
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {"detail": _("The request has invalid fields."), "fields": fields}
    return response
