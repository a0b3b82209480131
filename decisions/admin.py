from django.contrib import admin

from .models import Decision


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "decided_on", "review_date", "owner")
    list_filter = ("organisation",)
