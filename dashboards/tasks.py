"""Background work of the dashboards: the monthly summary report of an organisation above the cells, built by a
Celery worker into a stored PDF (``SummaryReport``; queued again when lost as ``resolutions.background`` says).

The task keeps the name it had when it lived in ``resolutions.tasks``, so messages already queued still find it.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chibo.lib.layout import REPORT, document_number
from dashboards.exports import render_summary_pdf
from dashboards.models import SummaryReport, report_path
from members.models import DocumentSequence, Organisation, today
from resolutions.background import PdfBuild, queue_after_commit, store_pdf
from resolutions.tasks import PDF_LIMITS

logger = logging.getLogger(__name__)


@transaction.atomic
def request_summary_pdf(org: Organisation, day: dt.date, *, by_hand: bool = False) -> tuple[SummaryReport, bool]:
    """Ask for the summary PDF of ``org`` for the month of ``day``; returns (report, queued).

    One ``SummaryReport`` per organisation and month: a request reuses the file built today, else raises the
    version and queues a build after the transaction commits; the build replaces the stored file. The report is
    numbered from the organisation's run of reports the first time it is asked for without ``by_hand``; the number
    stays with it (a later request by hand prints the blank, the next one without prints the number again)."""
    month = day.replace(day=1)
    report, _created = SummaryReport.objects.get_or_create(org=org, month=month)
    draw = not by_hand and not report.number
    if report.is_current(day) and report.numbered_by_hand == by_hand and not draw:
        return report, False
    fields: dict[str, object] = {"numbered_by_hand": by_hand}
    if draw:
        seq = DocumentSequence.draw(organisation=org, kind=REPORT, year=month.year)
        fields["number"] = document_number(seq, REPORT, is_cell=org.is_cell)
    SummaryReport.objects.filter(pk=report.pk).update(
        version=F("version") + 1, state=SummaryReport.PdfState.BUILDING, pdf_version=F("version") + 1, **fields
    )
    report.refresh_from_db(fields=["version", "pdf_version", "state", "number", "numbered_by_hand"])
    SummaryReport.objects.filter(pk=report.pk).update(requested_at=timezone.now(), requeued=False)
    report.refresh_from_db(fields=["requested_at", "requeued"])
    queue_after_commit(build_summary_pdf, [(report.pk, report.version)])
    return report, True


@shared_task(
    name="resolutions.tasks.build_summary_pdf",
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    **PDF_LIMITS,
)
def build_summary_pdf(self, report_id: int, version: int | None = None) -> str:
    """Render and store the summary of the report's organisation as of today; returns what it did.

    A build asked for by an older request is left alone; the final write is conditional on the version, so a
    newer request that overtook this build wins, and the file it replaces is deleted."""
    report = SummaryReport.objects.select_related("org").filter(pk=report_id).first()
    if report is None:
        return "gone"
    day = today()
    return store_pdf(
        self,
        SUMMARY_BUILD,
        report,
        report.version if version is None else version,
        current=lambda: report.is_current(day),
        render=lambda: render_summary_pdf(report.org, day, number="" if report.numbered_by_hand else report.number),
        file_field="file",
        path=report_path(report, "report.pdf"),
        what=f"The summary report {report_id}",
        built_on=day,
    )


SUMMARY_BUILD = PdfBuild(SummaryReport, build_summary_pdf, "summary_pdfs")
