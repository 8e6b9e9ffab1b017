"""Checks for every file someone uploads or sends us: size, declared type, and the bytes.

The declared type must be on the caller's list and agree with the file's own signature where
the format has one (text formats carry none). Used by conversation attachments and community
images.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import filetype
from django.utils.translation import gettext as _

from schwarmdesk.core.errors import Invalid

log = logging.getLogger(__name__)

# Containers that several declared types share (a .docx is a zip).
SNIFFED_ALIASES: Mapping[str, frozenset[str]] = {
    "application/zip": frozenset(
        {
            "application/zip",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.oasis.opendocument.text",
        }
    ),
}
UNSIGNED_TYPES = frozenset({"message/rfc822"})  # besides text/*


def clean_filename(filename: str, *, fallback: str = "attachment") -> str:
    """The last path component, trimmed: no directories from the sender's side."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:255] or fallback


def sniffed_type_matches(declared: str, content: bytes) -> bool:
    kind = filetype.guess(content)
    if kind is None:
        return declared.startswith("text/") or declared in UNSIGNED_TYPES
    sniffed: str = kind.mime
    return declared == sniffed or declared in SNIFFED_ALIASES.get(sniffed, frozenset())


def check_upload(
    content: bytes,
    content_type: str,
    *,
    allowed: frozenset[str],
    allowed_description: str,
    limit: int,
) -> str:
    """The normalised content type of an acceptable upload; :class:`Invalid` otherwise."""
    declared = content_type.split(";", maxsplit=1)[0].strip().lower()
    if not content:
        raise Invalid(_("The file is empty."))
    if len(content) > limit:
        log.info("upload.too_large size=%s limit=%s", len(content), limit)
        raise Invalid(
            _("The file is %(size)s bytes; at most %(limit)s are allowed.")
            % {"size": len(content), "limit": limit}
        )
    if declared not in allowed:
        log.info("upload.type_refused type=%s", declared)
        raise Invalid(_("Only %(allowed)s are accepted.") % {"allowed": allowed_description})
    if not sniffed_type_matches(declared, content):
        log.info("upload.type_mismatch type=%s", declared)
        raise Invalid(_("The file's content is not %(type)s.") % {"type": declared})
    return declared
