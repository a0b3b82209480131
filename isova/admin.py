from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from isova.accounts.models import Membership, Organisation, User
from isova.actions.models import Action
from isova.notifications.models import Notification
from isova.records.models import QualityPolicy, RecordVersion, SignOff, SignOffChain


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name"]}),
        (
            "Access",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]
    inlines = [MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "organisation", "owner", "status", "due_date"]
    list_filter = ["organisation", "status", "priority"]
    search_fields = ["title"]
    raw_id_fields = ["owner", "assigned_by", "completed_by", "verified_by"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "kind", "day", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["recipient", "digest"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by isova/records.py: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = [
        "sequence",
        "organisation",
        "meaning",
        "record_label",
        "version_number",
        "signer_name",
        "signed_at",
    ]
    list_filter = ["organisation", "meaning"]
    search_fields = ["record_label", "signer_name", "hash"]


@admin.register(RecordVersion)
class RecordVersionAdmin(ReadOnlyAdmin):
    list_display = ["record_label", "number", "status", "organisation", "submitted_at"]
    list_filter = ["organisation", "status"]
    search_fields = ["record_label"]


@admin.register(SignOffChain)
class SignOffChainAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "length", "last_hash"]


@admin.register(QualityPolicy)
class QualityPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["title", "organisation", "owner", "effective_from"]
    list_filter = ["organisation"]
    raw_id_fields = ["owner"]
