from django.contrib import admin

from supervision.models import SupervisorProfile


@admin.register(SupervisorProfile)
class SupervisorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "profession", "verified_at", "created_at"]
    list_filter = ["verified_at"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "profession"]
    raw_id_fields = ["user"]
