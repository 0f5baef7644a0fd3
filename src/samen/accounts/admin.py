from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from samen.accounts.models import User


@admin.register(User)
class SamenUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff", "is_synthetic"]
    search_fields = ["username", "first_name", "last_name", "email"]
