"""A supervisor's photo: decoded and drawn again, so only a plain raster image is ever stored
and served (docs/security.md, "Uploaded photos"; docs/supervisors-and-agreements.md).

An upload is whatever its sender made it: an SVG or HTML page named ``.png``, a file that is
an image and a script at once, a truncated file, or a small file that decodes to billions of
pixels. So nothing of it is kept but its pixels: Pillow decodes it (JPEG, PNG or WebP only),
the pixels are turned upright (EXIF orientation), scaled down to at most ``MAX_SIDE`` on the
longest side, and encoded afresh, JPEG without transparency and PNG with it, with no metadata
(no EXIF, so no GPS position, no camera, no comment) under a random name the server chooses.
"""

from __future__ import annotations

import io
import re
import secrets
import warnings
from dataclasses import dataclass
from typing import IO

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from PIL import Image, ImageOps, UnidentifiedImageError

from supervision.models import SupervisorProfile

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1024
# Pillow warns past MAX_IMAGE_PIXELS and refuses past twice that; warnings are made errors
# below, so anything over this is refused before its pixels are decoded.
MAX_PIXELS = 25_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# The decoders tried: the formats a phone or a camera makes. Fewer decoders, less to attack.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")

NOT_A_PHOTO = "The photo must be a JPEG, PNG or WebP image."


class NotAPhoto(ValueError):
    """The upload is not an image this service will keep; ``message`` says so in words."""

    def __init__(self, message: str = NOT_A_PHOTO) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Photo:
    content: bytes
    extension: str  # "jpg" or "png": the server's choice, never the uploader's

    def as_file(self) -> ContentFile[bytes]:
        """The photo to store, under a random name (the upload's name is never used)."""
        return ContentFile(self.content, name=f"{secrets.token_hex(16)}.{self.extension}")


def _decoded(upload: IO[bytes]) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(upload, formats=ACCEPTED_FORMATS)
            if image.width * image.height > MAX_PIXELS:
                raise NotAPhoto("The photo is too large: use one of at most 25 megapixels.")
            image.load()  # decodes every pixel: a truncated or corrupt file fails here
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise NotAPhoto("The photo is too large: use one of at most 25 megapixels.") from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
            # What Pillow raises for a file it cannot read (SyntaxError for some broken headers).
            raise NotAPhoto() from error
    return image


def reencode(upload: IO[bytes]) -> Photo:
    """The upload's pixels as a new JPEG or PNG, or :class:`NotAPhoto`."""
    image = _decoded(upload)
    try:
        upright = ImageOps.exif_transpose(image) or image
    except (OSError, SyntaxError, ValueError) as error:  # an unreadable EXIF block
        raise NotAPhoto() from error
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    clean = upright.convert("RGBA" if has_alpha else "RGB")
    clean.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    clean.info = {}  # nothing of the upload's metadata (EXIF, ICC, text chunks) is carried over
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, format="PNG", optimize=True)
        return Photo(out.getvalue(), "png")
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return Photo(out.getvalue(), "jpg")


def content_type_of(head: bytes) -> str | None:
    """The content type to serve a stored photo with, from its first bytes: what this service
    writes, or what the upload form took before it re-encoded (PNG and JPEG, checked by these
    same bytes). Anything else is not served."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def image_response(stored: FieldFile, *, cache_control: str) -> FileResponse:
    """A stored image this module wrote, served as what it is and nothing else: never sniffed,
    never a page (docs/security.md). A file it did not write (its first bytes say so) is a 404.
    Also serves the CPD log's evidence files, which follow the same rules (records/)."""
    if not stored:
        raise Http404("No image.")
    with stored.open("rb") as file:
        content_type = content_type_of(file.read(8))
    if content_type is None:
        raise Http404("No image.")
    response = FileResponse(stored.open("rb"), content_type=content_type)
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# The name of a photo this module wrote (upload_to "supervisors/" and a random name).
_REENCODED_NAME = re.compile(r"supervisors/[0-9a-f]{32}\.(jpg|png)")


def reencode_stored_photos() -> tuple[int, int]:
    """Once, for photos stored before uploads were re-encoded (they were checked only by their
    first bytes and kept the uploader's name): each is re-encoded like an upload, or removed if
    it is not a photo. Returns how many were re-encoded and how many removed."""
    reencoded = removed = 0
    for profile in SupervisorProfile.objects.exclude(photo="").only("pk", "photo").order_by("pk"):
        old = profile.photo.name or ""
        if _REENCODED_NAME.fullmatch(old):
            continue
        try:
            if profile.photo.size > MAX_UPLOAD_BYTES:
                raise NotAPhoto()
            with profile.photo.open("rb") as stored:
                photo: Photo | None = reencode(stored)
        except (NotAPhoto, OSError):
            photo = None
        if photo is None:
            profile.photo.name = ""
            removed += 1
        else:
            new = photo.as_file()
            profile.photo.save(new.name or "", new, save=False)
            reencoded += 1
        SupervisorProfile.objects.filter(pk=profile.pk).update(photo=profile.photo.name)
        profile.photo.storage.delete(old)
    return reencoded, removed
