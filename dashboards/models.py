"""The dashboards' model: the monthly summary report (the tokens their cache is keyed by are
``members.models.OrganisationVersion``, ``members.versions``).

``SummaryReport``: the monthly summary report of an organisation above the cells (a ward's "báo cáo tình hình
thực hiện nghị quyết chi bộ tháng …"), built by a Celery worker into a stored PDF.

One row per organisation and month, with its number ("12-BC/ĐU", drawn once from the organisation's run of
reports) unless the secretary numbers it by hand. ``version`` goes up with every request to build; ``pdf_version``
is the version the state speaks of (being built, built, or failed), as for ``Meeting.pdf_version``. The stored file
is current when it is ready for the latest request and was built today (``is_current``): the figures change
every day, so a file of yesterday is rebuilt rather than served.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import Organisation
from resolutions.background import PdfState, build_is_stale


def report_path(instance: SummaryReport, filename: str) -> str:
    return f"reports/{instance.month:%Y/%m}/{uuid.uuid4().hex}.pdf"


class SummaryReport(models.Model):
    PdfState = PdfState  # where its stored PDF stands (resolutions.background)

    org = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="summary_reports", verbose_name=_("organisation")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    file = models.FileField(_("file"), upload_to=report_path, blank=True)
    version = models.PositiveIntegerField(default=0)
    pdf_version = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=PdfState.choices, default=PdfState.NONE, blank=True)
    built_on = models.DateField(_("built on"), null=True, blank=True)
    # As for the minutes: when the build was asked for, and whether the periodic job has queued it again already.
    requested_at = models.DateTimeField(null=True, blank=True)
    requeued = models.BooleanField(default=False)
    # "12-BC/ĐU", drawn from the organisation's run of reports the first time the report is issued, and kept by
    # every rebuild of the month; empty while it is numbered by hand (the PDF then leaves the blank to fill in).
    number = models.CharField(_("number"), max_length=20, blank=True)
    numbered_by_hand = models.BooleanField(_("number by hand"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "resolutions_summaryreport"  # made by the resolutions app, before the dashboards had their own
        verbose_name = _("summary report")
        verbose_name_plural = _("summary reports")
        ordering = ["-month", "org_id"]
        constraints = [models.UniqueConstraint(fields=["org", "month"], name="summary_report_one_per_month")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month:%m/%Y}"

    def is_current(self, day: dt.date) -> bool:
        """The stored file answers for ``day``: built that day, for the latest request."""
        return (
            bool(self.file)
            and self.state == self.PdfState.READY
            and self.pdf_version == self.version
            and self.built_on == day
        )

    def is_building(self) -> bool:
        """Being built, and not for longer than a build can take (then it is offered again)."""
        return (
            self.state == self.PdfState.BUILDING
            and self.pdf_version == self.version
            and not build_is_stale(self.requested_at)
        )

    def build_is_stale(self) -> bool:
        return (
            self.state == self.PdfState.BUILDING
            and self.pdf_version == self.version
            and build_is_stale(self.requested_at)
        )
