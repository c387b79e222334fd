from django.urls import path

from inspections import views

app_name = "inspections"

urlpatterns = [
    path("inspections/", views.inspection_list, name="inspection-list"),
    path("organisations/<int:org_id>/inspections/", views.org_inspections, name="org-inspections"),
    path("organisations/<int:org_id>/inspections/new/", views.inspection_create, name="inspection-create"),
    path("inspections/<int:inspection_id>/", views.inspection_detail, name="inspection-detail"),
    path("inspections/<int:inspection_id>/edit/", views.inspection_edit, name="inspection-edit"),
    path("inspections/<int:inspection_id>/start/", views.inspection_start, name="inspection-start"),
    path("inspections/<int:inspection_id>/conclude/", views.inspection_conclude, name="inspection-conclude"),
    path("inspections/<int:inspection_id>/follow-up/", views.follow_up, name="follow-up"),
    path("inspections/<int:inspection_id>/conclusion.pdf", views.conclusion_pdf, name="conclusion-pdf"),
]
