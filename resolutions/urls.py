from resolutions.views import (
    carried_out,
    dashboard,
    documents,
    drafting,
    exports,
    meetings,
    notifications,
    printing,
    progress,
)

app_name = "resolutions"

urlpatterns = (
    drafting.urlpatterns
    + progress.urlpatterns
    + printing.urlpatterns
    + meetings.urlpatterns
    + documents.urlpatterns
    + notifications.urlpatterns
    + dashboard.urlpatterns
    + carried_out.urlpatterns
    + exports.urlpatterns
)
