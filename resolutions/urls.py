from resolutions.views import drafting, meetings, printing, progress

app_name = "resolutions"

urlpatterns = drafting.urlpatterns + progress.urlpatterns + printing.urlpatterns + meetings.urlpatterns
