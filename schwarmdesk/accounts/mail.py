"""Rendering and sending our e-mails: a plain-text and an HTML part, in the recipient's
language, with absolute links to this installation (``SCHWARMDESK_BASE_URL``)."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def absolute_url(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def send_templated_mail(
    *,
    to: str,
    template: str,
    context: Mapping[str, object],
    language: str,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Send ``<template>_subject.txt``, ``<template>.txt`` and ``<template>.html``, rendered in
    ``language``; raises what the mail backend raises."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", dict(context)).split())
        text = render_to_string(f"{template}.txt", dict(context))
        html = render_to_string(f"{template}.html", dict(context))
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=dict(headers or {}),
    )
    message.attach_alternative(html, "text/html")
    message.send()
