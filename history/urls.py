"""One page for the change history of every kind of record (``chibo.lib.history.KINDS``); the paths are those of
the records' own pages, with ``history/`` after them."""

from django.urls import path

from history.views import record_history

app_name = "history"

urlpatterns = [
    path("members/<int:member_id>/history/", record_history, {"kind": "member"}, name="member-history"),
    path("resolutions/<int:resolution_id>/history/", record_history, {"kind": "resolution"}, name="resolution-history"),
    path("tasks/<int:task_id>/history/", record_history, {"kind": "task"}, name="task-history"),
    path("meetings/<int:meeting_id>/history/", record_history, {"kind": "meeting"}, name="meeting-history"),
    path("evaluations/<int:cycle_id>/history/", record_history, {"kind": "cycle"}, name="cycle-history"),
]
