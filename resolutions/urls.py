from resolutions.views import (
    documents,
    drafting,
    printing,
    progress,
)

app_name = "resolutions"

urlpatterns = drafting.urlpatterns + progress.urlpatterns + printing.urlpatterns + documents.urlpatterns
