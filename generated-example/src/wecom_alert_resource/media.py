"""Images, files and voice recordings that a put sends from its inputs.

Every check runs before the first request, so a wrong file fails the step without
sending anything. The limits are those of the WeCom group robot API documentation.
An image is a JPG or PNG of at most 2 MB. An upload is larger than 5 bytes, and at
most 20 MB for a file or 2 MB of AMR audio for a voice message.
"""

import base64
import hashlib
import os
from dataclasses import dataclass

from .errors import ResourceError
from .i18n import tr
from .inputs import input_path

MEGABYTE = 1024 * 1024
IMAGE_MAX_BYTES = 2 * MEGABYTE
UPLOAD_MIN_BYTES = 6
UPLOAD_MAX_BYTES = {"file": 20 * MEGABYTE, "voice": 2 * MEGABYTE}

JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
AMR_MAGIC = b"#!AMR"


@dataclass(frozen=True)
class MediaFile:
    """A checked file for the upload_media API: ``media_type`` is "file" or "voice"."""

    path: str
    filename: str
    size: int
    media_type: str


def image_body(workdir: str, relative_path: str) -> dict:
    """Return the ``image`` object of an image message: the file as base64 and its MD5."""
    field = "params.image_file"
    with open(input_path(workdir, relative_path, field), "rb") as file:
        data = file.read(IMAGE_MAX_BYTES + 1)

    if len(data) > IMAGE_MAX_BYTES:
        raise ResourceError(tr("image_too_large", field=field, path=relative_path, limit=IMAGE_MAX_BYTES))
    if not data.startswith((JPEG_MAGIC, PNG_MAGIC)):
        raise ResourceError(tr("image_bad_format", field=field, path=relative_path))
    # The robot checks the MD5 against the decoded bytes, not against the base64 text.
    return {"base64": base64.b64encode(data).decode("ascii"), "md5": hashlib.md5(data).hexdigest()}  # noqa: S324


def media_file(workdir: str, relative_path: str, media_type: str) -> MediaFile:
    """Check a file for upload as ``media_type`` ("file" or "voice") and describe it."""
    field = "params.media_file"
    path = input_path(workdir, relative_path, field)
    size = os.path.getsize(path)

    if size < UPLOAD_MIN_BYTES:
        raise ResourceError(tr("media_too_small", field=field, path=relative_path, size=size))
    limit = UPLOAD_MAX_BYTES[media_type]
    if size > limit:
        raise ResourceError(
            tr("media_too_large", field=field, path=relative_path, size=size, msgtype=media_type, limit=limit)
        )
    if media_type == "voice":
        with open(path, "rb") as file:
            if not file.read(len(AMR_MAGIC)) == AMR_MAGIC:
                raise ResourceError(tr("voice_not_amr", field=field, path=relative_path))
    return MediaFile(path=path, filename=os.path.basename(relative_path), size=size, media_type=media_type)
