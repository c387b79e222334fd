from meetings.views import documents, pages, votes

app_name = "meetings"

urlpatterns = pages.urlpatterns + documents.urlpatterns + votes.urlpatterns
