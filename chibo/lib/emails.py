"""Every email is three templates — subject, plain text, HTML — built by this one function."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def build_email(template_prefix: str, context: dict[str, Any], to: list[str]) -> EmailMultiAlternatives:
    """``<prefix>_subject.txt``, ``<prefix>.txt`` and ``<prefix>.html`` rendered with ``context``."""
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    text = render_to_string(f"{template_prefix}.txt", context)
    html = render_to_string(f"{template_prefix}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    return message
