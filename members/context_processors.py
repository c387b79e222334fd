from django.http import HttpRequest

from members.access import access_for


def access(request: HttpRequest) -> dict[str, object]:
    """The current user's access, for menus. Read lazily: pages without a menu pay nothing."""
    return {"access": lambda: access_for(request.user)}
