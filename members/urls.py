from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("organisations/", views.org_tree, name="org-tree"),
    path("organisations/<int:org_id>/", views.org_detail, name="org-detail"),
    path("organisations/<int:org_id>/members/new/", views.member_create, name="member-create"),
    path("organisations/<int:org_id>/members/import/", views.member_import, name="member-import"),
    path(
        "organisations/<int:org_id>/members/import/template.xlsx",
        views.member_import_template,
        name="member-import-template",
    ),
    path("organisations/<int:org_id>/members/export.xlsx", views.cell_members_export, name="cell-members-export"),
    path("members/", views.member_list, name="member-list"),
    path("members/export.xlsx", views.member_list_export, name="member-list-export"),
    path("members/<int:member_id>/", views.member_detail, name="member-detail"),
    path("members/<int:member_id>/my-data.zip", views.member_data_export, name="member-data-export"),
    path("members/<int:member_id>/edit/", views.member_edit, name="member-edit"),
    path("members/<int:member_id>/exemptions/new/", views.exemption_create, name="exemption-create"),
    path("members/<int:member_id>/away/new/", views.away_create, name="away-create"),
    path("members/<int:member_id>/leave/", views.member_leave, name="member-leave"),
    path("members/<int:member_id>/official/", views.member_recognise, name="member-recognise"),
    path("members/<int:member_id>/transfer/", views.member_transfer, name="member-transfer"),
    path("members/<int:member_id>/exemptions/<int:exemption_id>/end/", views.exemption_end, name="exemption-end"),
    path("members/<int:member_id>/away/<int:away_id>/back/", views.away_back, name="away-back"),
]
