from meetings.views import documents, meetings, votes

app_name = "meetings"

urlpatterns = meetings.urlpatterns + documents.urlpatterns + votes.urlpatterns
