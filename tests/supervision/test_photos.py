"""Supervisor photos: only the pixels of a real raster image are kept, re-encoded, under a
name the server chooses, without metadata, within size caps; served as what they are
(supervision/services/photos.py; docs/security.md, "Uploaded photos").

Every image here is made by Pillow in memory; the hostile files are written out by hand."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from supervision.models import SupervisorProfile
from supervision.services.photos import MAX_SIDE, NOT_A_PHOTO, NotAPhoto, reencode
from tests.factories.core import signed_in
from tests.factories.supervision import SupervisorProfileFactory
from tests.supervision.test_supervisor_pages import _profile_post

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def image_bytes(format: str, size: tuple[int, int] = (40, 30), mode: str = "RGB", **save: object) -> bytes:
    out = io.BytesIO()
    colour = 100 if mode in ("L", "P") else (200, 30, 60, 128)[: len(mode)]
    Image.new(mode, size, colour).save(out, format=format, **save)
    return out.getvalue()


def jpeg_with_gps(size: tuple[int, int] = (40, 30)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif.get_ifd(GPS_IFD)[2] = (53.0, 48.0, 0.0)  # GPSLatitude: Leeds
    return image_bytes("JPEG", size, exif=exif.tobytes(), comment=b"<script>alert(1)</script>")


def png_claiming(width: int, height: int) -> bytes:
    """A tiny real PNG whose header says width × height: a decompression bomb's shape."""
    png = image_bytes("PNG", (1, 1))
    body = b"IHDR" + struct.pack(">II", width, height) + png[24:29]
    return png[:12] + body + struct.pack(">I", zlib.crc32(body)) + png[33:]


def upload(content: bytes, name: str = "me.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored(photo: bytes) -> Image.Image:
    return Image.open(io.BytesIO(photo))


# --- The re-encoding ----------------------------------------------------------------------------


def test_a_jpeg_loses_its_exif_gps_and_comment_and_is_scaled_down() -> None:
    photo = reencode(io.BytesIO(jpeg_with_gps((3000, 2000))))
    image = stored(photo.content)
    assert (photo.extension, image.format, image.size) == ("jpg", "JPEG", (MAX_SIDE, 683))
    assert dict(image.getexif()) == {} and "comment" not in image.info
    assert b"Exif" not in photo.content and b"<script" not in photo.content


def test_transparency_is_kept_as_png() -> None:
    photo = reencode(io.BytesIO(image_bytes("PNG", mode="RGBA")))
    image = stored(photo.content)
    assert (photo.extension, image.format, image.mode, image.getpixel((0, 0))) == (
        "png",
        "PNG",
        "RGBA",
        (200, 30, 60, 128),
    )


@pytest.mark.parametrize(("format", "mode"), [("WEBP", "RGB"), ("PNG", "L"), ("PNG", "P"), ("JPEG", "CMYK")])
def test_other_raster_kinds_become_plain_jpeg(format: str, mode: str) -> None:
    photo = reencode(io.BytesIO(image_bytes(format, mode=mode)))
    assert (photo.extension, stored(photo.content).mode, stored(photo.content).size) == ("jpg", "RGB", (40, 30))


def test_the_stored_name_is_random_and_the_servers() -> None:
    names = {reencode(io.BytesIO(image_bytes("PNG"))).as_file().name for _ in range(2)}
    assert len(names) == 2 and all(re.fullmatch(r"[0-9a-f]{32}\.jpg", name) for name in names)


HOSTILE_FILES = {
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "html": b"<!doctype html><script>alert(document.cookie)</script>",
    "png header then html": b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>",
    "truncated jpeg": image_bytes("JPEG", (400, 300))[:600],
    "truncated png": image_bytes("PNG", (400, 300))[:80],
    "gif (not accepted)": image_bytes("GIF"),
    "bmp (not accepted)": image_bytes("BMP"),
    "empty": b"",
    "nul bytes": b"\x00" * 1000,
}


@pytest.mark.parametrize("name", HOSTILE_FILES)
def test_what_is_not_a_raster_photo_is_refused(name: str) -> None:
    with pytest.raises(NotAPhoto) as refused:
        reencode(io.BytesIO(HOSTILE_FILES[name]))
    assert refused.value.message == NOT_A_PHOTO


@pytest.mark.parametrize("size", [(30_000, 30_000), (100_000, 100_000), (6_000, 5_000)])
def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded(size: tuple[int, int]) -> None:
    with pytest.raises(NotAPhoto) as refused:
        reencode(io.BytesIO(png_claiming(*size)))
    assert refused.value.message == "The photo is too large: use one of at most 25 megapixels."


# --- Through the profile form and the photo's URL -----------------------------------------------


def test_an_upload_named_html_is_stored_under_a_name_the_server_chose(client, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    profile = SupervisorProfileFactory(verified_at=None)
    signed_in(client, profile.user)
    photo = upload(image_bytes("PNG"), name="me.html", content_type="text/html")
    assert client.post(reverse("supervisor_profile_edit"), _profile_post(photo=photo)).status_code == 302
    name = SupervisorProfile.objects.get(pk=profile.pk).photo.name
    assert re.fullmatch(r"supervisors/[0-9a-f]{32}\.jpg", name), name


@pytest.mark.parametrize("name", ["svg", "png header then html", "truncated jpeg"])
def test_the_form_refuses_a_hostile_file_in_words_and_keeps_nothing(client, user, settings, tmp_path, name) -> None:
    settings.MEDIA_ROOT = tmp_path
    signed_in(client, user)
    photo = upload(HOSTILE_FILES[name], name="me.svg", content_type="image/svg+xml")
    response = client.post(reverse("supervisor_profile_edit"), _profile_post(photo=photo))
    assert response.status_code == 200
    assert response.context["form"].errors["photo"] == [NOT_A_PHOTO]
    assert not SupervisorProfile.objects.exists() and not list(tmp_path.rglob("*.*"))


def test_the_form_refuses_more_than_5_mb_before_decoding(client, user) -> None:
    signed_in(client, user)
    photo = upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * 1024 * 1024))
    response = client.post(reverse("supervisor_profile_edit"), _profile_post(photo=photo))
    assert response.context["form"].errors["photo"] == ["The photo must be 5 MB or smaller."]


def test_the_photo_is_served_as_its_type_never_sniffed(client, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    profile = SupervisorProfileFactory(verified_at=None)
    signed_in(client, profile.user)
    photo = upload(image_bytes("PNG", mode="RGBA"), name="me.svg", content_type="image/svg+xml")
    client.post(reverse("supervisor_profile_edit"), _profile_post(photo=photo))
    response = client.get(reverse("supervisor_photo", args=[profile.pk]))
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("image/png", "nosniff")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert stored(b"".join(response.streaming_content)).format == "PNG"


def test_a_replaced_or_cleared_photo_is_deleted(client, settings, tmp_path, django_capture_on_commit_callbacks) -> None:
    settings.MEDIA_ROOT = tmp_path
    profile = SupervisorProfileFactory(verified_at=None)
    signed_in(client, profile.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("supervisor_profile_edit"), _profile_post(photo=upload(image_bytes("PNG"))))
    first = SupervisorProfile.objects.get(pk=profile.pk).photo.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("supervisor_profile_edit"), _profile_post(photo=upload(image_bytes("JPEG"))))
    second = SupervisorProfile.objects.get(pk=profile.pk).photo.name
    assert [path.name for path in tmp_path.rglob("*.*")] == [second.split("/")[1]] != [first.split("/")[1]]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("supervisor_profile_edit"), _profile_post(**{"photo-clear": "on"}))
    assert SupervisorProfile.objects.get(pk=profile.pk).photo.name == "" and not list(tmp_path.rglob("*.*"))


def test_photos_stored_before_re_encoding_are_re_encoded_once(settings, tmp_path) -> None:
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path
    kept, dropped = SupervisorProfileFactory(), SupervisorProfileFactory()
    kept.photo.save("me.html", ContentFile(image_bytes("PNG", mode="RGBA")))
    dropped.photo.save("me.svg", ContentFile(b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script>"))
    out = io.StringIO()
    call_command("reencode_photos", stdout=out)
    assert out.getvalue() == "Re-encoded 1 photo(s); removed 1 that were not photos.\n"
    kept.refresh_from_db()
    dropped.refresh_from_db()
    assert re.fullmatch(r"supervisors/[0-9a-f]{32}\.png", kept.photo.name) and dropped.photo.name == ""
    assert [path.name for path in tmp_path.rglob("*.*")] == [kept.photo.name.split("/")[1]]
    call_command("reencode_photos", stdout=out)
    assert out.getvalue().endswith("Re-encoded 0 photo(s); removed 0 that were not photos.\n")
