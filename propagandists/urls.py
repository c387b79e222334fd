from django.urls import path

from propagandists import views

app_name = "propagandists"

urlpatterns = [
    path("organisations/<int:org_id>/propagandists/", views.roster, name="roster"),
    path("organisations/<int:org_id>/propagandists/new/", views.entry_create, name="entry-create"),
    path("organisations/<int:org_id>/propagandists/add-suggested/", views.add_suggestion, name="add-suggestion"),
    path("propagandists/<int:entry_id>/edit/", views.entry_edit, name="entry-edit"),
    path("propagandists/<int:entry_id>/end/", views.entry_end, name="entry-end"),
]
