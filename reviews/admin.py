from django.contrib import admin

from .models import ContextIssue, Feedback, PolicyAcknowledgement, Review


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "meeting_date", "status", "chair")
    list_filter = ("status", "organisation")
    readonly_fields = ("pack", "held_at", "closed_at")


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "kind", "received_on", "status")
    list_filter = ("kind", "status", "organisation")


admin.site.register(ContextIssue)
admin.site.register(PolicyAcknowledgement)
