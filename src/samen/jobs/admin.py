"""Job runs in the admin, for the functional administrator: read-only, from the queue's tables.

Procrastinate registers its job list on the admin site with Django's model permissions; Samen's
admin admits functional administrators by role instead (samen.web.admin_site), so the list is
registered again on those terms. On SQLite there is no queue and so no list.
"""

from django.apps import apps
from django.contrib import admin

from samen.web.admin_site import FunctionalAdminAccess

if apps.is_installed("procrastinate.contrib.django"):
    from procrastinate.contrib.django.admin import ProcrastinateJobAdmin
    from procrastinate.contrib.django.models import ProcrastinateJob

    class JobRunAdmin(FunctionalAdminAccess, ProcrastinateJobAdmin):  # type: ignore[misc]
        editable = False

    if admin.site.is_registered(ProcrastinateJob):
        admin.site.unregister(ProcrastinateJob)
    admin.site.register(ProcrastinateJob, JobRunAdmin)
