""" "Was it carried out?": one page that answers it in one look for an adopted resolution (the verdict is
``dashboards.carried_out``)."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import path

from chibo.lib.requests import SignedInRequest
from dashboards.carried_out import carried_out_report
from members.models import today
from resolutions.access import get_resolution


def resolution_carried_out(request: SignedInRequest, resolution_id: int) -> HttpResponse:
    """Each task, who, deadline, done when, how late, evidence; the targets; the votes and versions.

    The access check comes before the method check, so that an outsider learns nothing (404) whatever the method.
    """
    resolution = get_resolution(request, resolution_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    day = today()
    context: dict[str, object] = {"resolution": resolution, "today": day, **carried_out_report(resolution, day)}
    return render(request, "dashboards/carried_out.html", context)


urlpatterns = [
    path("resolutions/<int:resolution_id>/carried-out/", resolution_carried_out, name="resolution-carried-out"),
]
