from resolutions.views import (
    carried_out,
    dashboard,
    documents,
    drafting,
    exports,
    notifications,
    printing,
    progress,
)

app_name = "resolutions"

urlpatterns = (
    drafting.urlpatterns
    + progress.urlpatterns
    + printing.urlpatterns
    + documents.urlpatterns
    + notifications.urlpatterns
    + dashboard.urlpatterns
    + carried_out.urlpatterns
    + exports.urlpatterns
)
