from resolutions.views import (
    carried_out,
    dashboard,
    documents,
    drafting,
    exports,
    meetings,
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
    + dashboard.urlpatterns
    + carried_out.urlpatterns
    + exports.urlpatterns
)
