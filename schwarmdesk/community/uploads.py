"""Checks for images attached to community posts: size and type, by the bytes themselves.

The same idea as ``conversations.actions.attach_file`` (declared type on a list and agreeing
with the file's own signature), narrowed to pictures: a post shows them inline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from schwarmdesk.core.errors import Invalid

log = logging.getLogger(__name__)

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGES = 5


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes
    content_type: str


def image_limit() -> int:
    return min(MAX_IMAGE_BYTES, int(settings.MAX_ATTACHMENT_BYTES))


def clean_filename(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:255] or "image"


def check_image(upload: Upload) -> str:
    """The upload's content type if it is a picture we show; Invalid otherwise."""
    declared = upload.content_type.split(";", maxsplit=1)[0].strip().lower()
    if not upload.content:
        raise Invalid(_("The image is empty."))
    if len(upload.content) > image_limit():
        log.info("community.image_too_large size=%s", len(upload.content))
        raise Invalid(
            _("The image is %(size)s bytes; at most %(limit)s are allowed.")
            % {"size": len(upload.content), "limit": image_limit()}
        )
    if declared not in IMAGE_TYPES:
        log.info("community.image_type_refused type=%s", declared)
        raise Invalid(_("Only PNG, JPEG, GIF and WebP images are accepted."))
    kind = filetype.guess(upload.content)
    if kind is None or kind.mime != declared:
        log.info("community.image_type_mismatch type=%s", declared)
        raise Invalid(_("The file is not the kind of image its name says."))
    return declared
