from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Measurement, Objective, Review, StrategicGoal


@admin.register(StrategicGoal)
class StrategicGoalAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["title"]


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ["title", "organisation", "owner", "status", "target_date"]
    list_filter = ["organisation", "status", "frequency"]
    search_fields = ["title", "measure_name"]
    raw_id_fields = ["owner", "created_by", "goal"]


@admin.register(Measurement)
class MeasurementAdmin(SimpleHistoryAdmin):
    list_display = ["objective", "period", "value", "recorded_by", "recorded_at"]
    list_filter = ["objective__organisation"]
    raw_id_fields = ["objective", "recorded_by"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["objective", "reviewed_on", "decision", "reviewed_by"]
    raw_id_fields = ["objective", "reviewed_by"]
