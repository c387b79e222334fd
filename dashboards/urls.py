from dashboards.views import carried_out, dashboard, documents, exports

app_name = "dashboards"

urlpatterns = dashboard.urlpatterns + carried_out.urlpatterns + exports.urlpatterns + documents.urlpatterns
