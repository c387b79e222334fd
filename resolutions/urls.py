from resolutions.views import (
    documents,
    drafting,
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
)
