"""Views of the dashboards app, one module per area; each module has its own ``urlpatterns``."""
