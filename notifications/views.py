"""The people's side of reminders: the notification centre and its bell, preferences, the calendar feed, and the
page where a cell's leaders see what was sent to their people and what failed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from chibo.lib.requests import SignedInRequest
from members.access import access_for, get_organisation, require
from members.models import Member, Role
from notifications.calendar import active_feed, build_calendar, create_feed, revoke_feeds
from notifications.forms import PreferenceForm
from notifications.models import CalendarFeed, Delivery, Notification, Preference
from notifications.reminders import mark_all_read, mark_read

PAGE_SIZE = 30


def _require_account(request: SignedInRequest) -> None:
    """Messages are for people who work in the product: an account with no member record and no role gets none."""
    require(access_for(request.user).has_any_access)


# ---------------------------------------------------------------------------------------------------
# The notification centre
# ---------------------------------------------------------------------------------------------------


def notification_count(request: SignedInRequest) -> HttpResponse:
    """The bell's badge, refreshed by htmx every minute (the page brings the first count)."""
    _require_account(request)
    unread = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
    return render(request, "notifications/_count.html", {"unread": unread})


def notification_list(request: SignedInRequest) -> HttpResponse:
    _require_account(request)
    notifications = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-pk")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


def notification_open(request: SignedInRequest, notification_id: int) -> HttpResponse:
    """Mark the user's own notification read and go to what it is about (a path of this site only)."""
    notification = Notification.objects.filter(pk=notification_id, recipient=request.user).first()
    if notification is None:
        raise Http404
    mark_read(notification)
    url = notification.url
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return redirect(url)
    return redirect("notifications:notification-list")


def notification_read_all(request: SignedInRequest) -> HttpResponse:
    _require_account(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    count = mark_all_read(request.user)
    if count:
        messages.success(request, _("All messages are marked read."))
    return redirect("notifications:notification-list")


# ---------------------------------------------------------------------------------------------------
# Preferences and the calendar address
# ---------------------------------------------------------------------------------------------------


def notification_settings(request: SignedInRequest) -> HttpResponse:
    _require_account(request)
    preference = Preference.objects.filter(user=request.user).first() or Preference(user=request.user)
    # Not ``request.POST or None``: a form with every box unticked posts nothing, and must still be saved.
    form = PreferenceForm(request.POST if request.method == "POST" else None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your choices are saved."))
        return redirect("notifications:notification-settings")
    feed = active_feed(request.user)
    feed_url = request.build_absolute_uri(reverse("notifications:calendar-feed", args=[feed.token])) if feed else ""
    return render(
        request,
        "notifications/settings.html",
        {
            "form": form,
            "feed": feed,
            "feed_url": feed_url,
            # webcal:// makes a phone offer to subscribe, where http(s):// would download the file once.
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else "",
        },
    )


def calendar_feed_create(request: SignedInRequest) -> HttpResponse:
    _require_account(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    create_feed(user=request.user)
    messages.success(request, _("Your calendar address is ready. Any earlier address no longer works."))
    return redirect(reverse("notifications:notification-settings") + "#calendar")


def calendar_feed_revoke(request: SignedInRequest) -> HttpResponse:
    _require_account(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if revoke_feeds(user=request.user):
        messages.success(request, _("Your calendar address no longer works."))
    return redirect(reverse("notifications:notification-settings") + "#calendar")


@login_not_required
@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed a phone calendar subscribes to. The token is the only key: it has no session."""
    feed = (
        CalendarFeed.objects.select_related("user__member")
        .filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    # Calendar apps send whatever language the phone has: the feed speaks the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        body = build_calendar(feed.user, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="chibo.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


# ---------------------------------------------------------------------------------------------------
# What was sent to a cell's people
# ---------------------------------------------------------------------------------------------------

FILTERS = ("all", "failed")


def cell_messages(request: SignedInRequest, org_id: int) -> HttpResponse:
    """For those who oversee the cell: every message to its members and to those holding a role on it, with
    how its email went."""
    cell = get_organisation(request, org_id)
    require(cell.is_cell and access_for(request.user).can_oversee_org(cell))
    shown = request.GET.get("status", "all")
    if shown not in FILTERS:
        shown = "all"
    member_users = Member.objects.filter(cell=cell, user__isnull=False).values("user_id")
    role_users = Role.objects.filter(organisation=cell).values("user_id")
    notifications = Notification.objects.filter(Q(recipient_id__in=member_users) | Q(recipient_id__in=role_users))
    failed = notifications.filter(
        Exists(Delivery.objects.filter(notification=OuterRef("pk"), status=Delivery.Status.FAILED))
    )
    rows = (
        (failed if shown == "failed" else notifications)
        .select_related("recipient__member")
        .prefetch_related("deliveries")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/cell_messages.html",
        {"cell": cell, "page": page, "shown": shown, "failed_count": failed.count()},
    )


urlpatterns = [
    path("notifications/", notification_list, name="notification-list"),
    path("notifications/count/", notification_count, name="notification-count"),
    path("notifications/read/", notification_read_all, name="notification-read-all"),
    path("notifications/<int:notification_id>/open/", notification_open, name="notification-open"),
    path("notifications/settings/", notification_settings, name="notification-settings"),
    path("notifications/calendar/new/", calendar_feed_create, name="calendar-feed-create"),
    path("notifications/calendar/revoke/", calendar_feed_revoke, name="calendar-feed-revoke"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar-feed"),
    path("cells/<int:org_id>/messages/", cell_messages, name="cell-messages"),
]
