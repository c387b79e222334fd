"""Views of the resolutions app, one module per area; each module has its own ``urlpatterns``."""
