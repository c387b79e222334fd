# English keeps the Vietnamese way of writing dates and numbers: the documents and the people are Vietnamese.
from chibo.formats.vi.formats import *  # noqa: F403
