"""Views that belong to no app."""

from django.http import HttpRequest, HttpResponse


def ping(request: HttpRequest) -> HttpResponse:
    """A logged-in page that does nothing: the session, the login check and a response, no more. It tells a
    phone that its session is alive, and the benchmark measures every page against it (the framework floor)."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
