from resolutions.views import (
    committee,
    documents,
    drafting,
    printing,
    progress,
)

app_name = "resolutions"

urlpatterns = (
    drafting.urlpatterns + progress.urlpatterns + printing.urlpatterns + documents.urlpatterns + committee.urlpatterns
)
