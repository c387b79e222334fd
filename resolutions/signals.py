"""What happened on the resolution side, for the apps above it to act on (``notifications`` tells the people
concerned). Resolutions imports none of them: each service sends its signal inside its own transaction, with the
objects as keyword arguments, and the receivers connected in those apps' ``AppConfig.ready()`` do the rest (the
notifications are stored in the same transaction, their emails leave after it commits).

``by`` is the user who acted (nobody is told of their own action); it may be None.
"""

from django.dispatch import Signal

# Tasks
# A resolution in force may have given people a new part in its tasks: when it is adopted (``before`` None: every
# part is new) and when its page is saved (``before``: the parts before the save, ``services.assignments``).
tasks_assigned = Signal()  # resolution, before, by
progress_reported = Signal()  # update: a progress report now waits for confirmation
progress_reviewed = Signal()  # update, by: a report was confirmed or sent back

# Meetings (they move to the meetings app with the meetings)
meeting_scheduled = Signal()  # meeting, by: a meeting was planned
meeting_moved = Signal()  # meeting, by: its date, time or place changed
meeting_pack_published = Signal()  # meeting, day: its documents were released
meeting_cancelled = Signal()  # meeting: it was called off
absence_decided = Signal()  # request, by: a member's request to be excused was approved or refused
