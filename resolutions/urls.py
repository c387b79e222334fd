from resolutions.views import drafting, printing, progress

app_name = "resolutions"

urlpatterns = drafting.urlpatterns + progress.urlpatterns + printing.urlpatterns
