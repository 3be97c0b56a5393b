"""Service photos: re-encoded so no metadata survives (EXIF with GPS position, device, time), and a perceptual hash
(dHash, 64 bits) to find a photo reused for another visit even after it was resized or recompressed."""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1600
MAX_PIXELS = 40_000_000


def dhash(img: Image.Image) -> str:
    """Difference hash: each bit says whether a pixel is brighter than its right neighbour on a 9×8 grey thumbnail."""
    small = img.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    px = small.tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (px[row * 9 + col] > px[row * 9 + col + 1])
    return f"{bits:016x}"


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def clean(upload: Any, *, max_kb: int, field: str = "photo") -> tuple[SimpleUploadedFile, str]:
    """A JPEG without metadata, upright and at most MAX_SIDE pixels wide, and its hash; a clear error otherwise."""
    if upload.size > max_kb * 1024:
        raise ValidationError({field: f"照片不能超过 {max_kb} KB"})
    data = upload.read()
    try:
        probe = Image.open(io.BytesIO(data))
        probe.verify()
        img: Image.Image = Image.open(io.BytesIO(data))
        if img.width * img.height > MAX_PIXELS:
            raise ValidationError({field: "照片像素过大"})
        img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError({field: "照片无法识别，请上传 JPG 或 PNG 图片"}) from exc
    if probe.format not in ("JPEG", "PNG", "WEBP"):
        raise ValidationError({field: "只接受 JPG、PNG、WEBP 格式的照片"})
    img = ImageOps.exif_transpose(img)  # keep the picture upright once its orientation tag is gone
    img = img.convert("RGB")
    img.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85)  # no exif= argument: nothing of the original's metadata is written
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg"), dhash(img)
