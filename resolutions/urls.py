from resolutions.views import (
    documents,
    drafting,
    meetings,
    printing,
    progress,
)

app_name = "resolutions"

urlpatterns = (
    drafting.urlpatterns + progress.urlpatterns + printing.urlpatterns + meetings.urlpatterns + documents.urlpatterns
)
