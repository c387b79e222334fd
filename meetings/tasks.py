"""Background work of the meeting: the minutes PDF, built by a Celery worker into a stored file.

``Meeting.version`` goes up with every change of what the minutes show. ``pdf_version`` is the version the
PDF state speaks of: the one being built, built, or whose build failed. A stored file is current only for its
own version (``Meeting.pdf_is_current``), so an edit makes it stale without touching the file. The periodic job
of ``resolutions.tasks`` queues a lost build again (``MeetingsConfig.ready`` registers it there).
"""

from __future__ import annotations

import logging
import uuid

from celery import Task, shared_task
from django.utils import timezone

from meetings.documents import render_minutes_pdf
from meetings.models import Meeting, minutes_path
from resolutions.background import PdfBuild, queue_after_commit, store_pdf
from resolutions.tasks import PDF_LIMITS

logger = logging.getLogger(__name__)

S = Meeting.PdfState


def request_minutes_pdf(meeting: Meeting) -> bool:
    """Ask for the minutes PDF of the meeting's current version; False when the stored one is current already.

    The task is queued after the transaction commits, so the worker sees the state this wrote."""
    meeting.refresh_from_db(fields=["version", "minutes_pdf", "pdf_version", "pdf_state"])
    if meeting.pdf_is_current:
        return False
    version, now = meeting.version, timezone.now()
    Meeting.objects.filter(pk=meeting.pk, version=version).update(
        pdf_state=S.BUILDING, pdf_version=version, pdf_requested_at=now, pdf_requeued=False
    )
    meeting.pdf_state, meeting.pdf_version, meeting.pdf_requested_at = S.BUILDING, version, now
    # With the broker down the row says "building" and the periodic job queues it once the build is stale.
    queue_after_commit(build_minutes_pdf, [(meeting.pk, version)])
    return True


@shared_task(
    name="resolutions.tasks.build_minutes_pdf",
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    **PDF_LIMITS,
)
def build_minutes_pdf(self: Task, meeting_id: int, version: int) -> str:
    """Render and store the minutes of ``version``; returns what it did (for the worker's log and the tests).

    Idempotent: a version already stored is reused, and a version that is no longer the meeting's is left
    alone (whoever changed the meeting asks again). The final write is a conditional update on the version,
    so a build that an edit overtook while it rendered never overwrites the newer state."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        return "gone"
    return store_pdf(
        self,
        MINUTES_BUILD,
        meeting,
        version,
        current=lambda: meeting.pdf_is_current,
        render=lambda: render_minutes_pdf(meeting),
        file_field="minutes_pdf",
        path=minutes_path(meeting, f"{uuid.uuid4().hex}.pdf"),
        what=f"The minutes of meeting {meeting_id}",
    )


MINUTES_BUILD = PdfBuild(
    Meeting, build_minutes_pdf, "minutes_pdfs", state="pdf_state", requested="pdf_requested_at", requeued="pdf_requeued"
)
