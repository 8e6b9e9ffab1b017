"""Images attached to community posts: pictures only, since a post shows them inline."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from schwarmdesk.core.uploads import check_upload

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


def check_image(upload: Upload) -> str:
    """The upload's content type if it is a picture we show; Invalid otherwise."""
    return check_upload(
        upload.content,
        upload.content_type,
        allowed=IMAGE_TYPES,
        allowed_description=_("PNG, JPEG, GIF and WebP images"),
        limit=image_limit(),
    )
