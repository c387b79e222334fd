from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("organisations/", views.org_tree, name="org-tree"),
    path("organisations/<int:org_id>/", views.org_detail, name="org-detail"),
    path("organisations/<int:org_id>/members/new/", views.member_create, name="member-create"),
    path("members/", views.member_list, name="member-list"),
    path("members/<int:member_id>/", views.member_detail, name="member-detail"),
    path("members/<int:member_id>/edit/", views.member_edit, name="member-edit"),
    path("members/<int:member_id>/exemptions/new/", views.exemption_create, name="exemption-create"),
    path("members/<int:member_id>/away/new/", views.away_create, name="away-create"),
    path("members/<int:member_id>/leave/", views.member_leave, name="member-leave"),
]
