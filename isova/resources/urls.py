from django.urls import path

from . import views

app_name = "resources"

urlpatterns = [
    path("workload/", views.workload_page, name="workload"),
    # A member of the organisation by their membership (a person in two organisations has
    # one in each), so another organisation's id is a 404.
    path("workload/<int:member_id>/<str:month>/", views.person_month, name="person_month"),
    path("reassign/<slug:kind>/<int:pk>/", views.reassign, name="reassign"),
    path("capacity/", views.capacity_page, name="capacity"),
    path("plans/<int:type_id>/<int:pk>/", views.plan_page, name="plan"),
    path("plans/<int:type_id>/<int:pk>/people/", views.allocation_add, name="allocation_add"),
    path("plans/<int:type_id>/<int:pk>/lines/", views.line_add, name="line_add"),
    path("lines/<int:pk>/spent/", views.line_spent, name="line_spent"),
    path("<slug:kind>/<int:pk>/delete/", views.part_delete, name="delete"),
]
