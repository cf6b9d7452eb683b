"""Checks for the generated CMYK output profile styles/icc/OctavoGenericCMYK.icc."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageCms

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "styles" / "icc" / "OctavoGenericCMYK.icc"
SCRIPT = ROOT / "tools" / "make_cmyk_icc.py"


@pytest.fixture(scope="module")
def cmyk() -> ImageCms.ImageCmsProfile:
    return ImageCms.getOpenProfile(str(PROFILE))


def to_cmyk(cmyk: ImageCms.ImageCmsProfile, rgb: tuple[int, int, int],
            intent: int = ImageCms.Intent.PERCEPTUAL) -> list[float]:
    """Convert one sRGB colour; returns C, M, Y, K in percent."""
    transform = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), cmyk, "RGB", "CMYK",
                                        renderingIntent=intent)
    pixel = ImageCms.applyTransform(Image.new("RGB", (1, 1), rgb), transform).getpixel((0, 0))
    return [v * 100 / 255 for v in pixel]


def to_rgb(cmyk: ImageCms.ImageCmsProfile, inks: tuple[int, int, int, int]) -> tuple[int, ...]:
    """Convert one CMYK colour given in percent to sRGB (relative colorimetric)."""
    transform = ImageCms.buildTransform(cmyk, ImageCms.createProfile("sRGB"), "CMYK", "RGB",
                                        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
    image = Image.new("CMYK", (1, 1), tuple(round(v * 2.55) for v in inks))
    return tuple(ImageCms.applyTransform(image, transform).getpixel((0, 0)))


def test_profile_header_and_tags() -> None:
    data = PROFILE.read_bytes()
    size, version, device, space, pcs = struct.unpack(">I4xI4s4s4s", data[:24])
    assert size == len(data)
    assert version >> 24 == 2
    assert (device, space, pcs, data[36:40]) == (b"prtr", b"CMYK", b"Lab ", b"acsp")
    assert struct.unpack(">6H", data[24:36]) == (2026, 1, 1, 0, 0, 0)
    assert struct.unpack(">I", data[64:68]) == (0,)  # rendering intent
    assert struct.unpack(">3i", data[68:80]) == (63190, 65536, 54061)  # D50
    assert data[84:100] == bytes(16)  # v2: no profile ID
    (count,) = struct.unpack(">I", data[128:132])
    tags = {}
    for i in range(count):
        sig, offset, length = struct.unpack(">4sII", data[132 + 12 * i:144 + 12 * i])
        assert offset % 4 == 0 and offset + length <= size
        tags[sig] = data[offset:offset + 4]
    for sig in (b"A2B0", b"A2B1", b"A2B2", b"B2A0", b"B2A1", b"B2A2", b"gamt"):
        assert tags[sig] == b"mft2"
    assert (tags[b"desc"], tags[b"cprt"], tags[b"wtpt"]) == (b"desc", b"text", b"XYZ ")


def test_profile_opens_as_cmyk_output(cmyk: ImageCms.ImageCmsProfile) -> None:
    info = cmyk.profile
    assert info.xcolor_space.strip() == "CMYK"
    assert info.connection_space.strip() == "Lab"
    assert info.device_class == "prtr"
    assert info.profile_description == "Octavo Generic Coated CMYK"
    assert info.copyright.startswith("CC0 1.0")
    for intent in ImageCms.Intent:
        assert ImageCms.isIntentSupported(cmyk, intent, ImageCms.Direction.OUTPUT)


@pytest.mark.parametrize("intent", [ImageCms.Intent.PERCEPTUAL,
                                    ImageCms.Intent.RELATIVE_COLORIMETRIC])
def test_srgb_black_is_rich_k_heavy_black(cmyk: ImageCms.ImageCmsProfile, intent: int) -> None:
    c, m, y, k = to_cmyk(cmyk, (0, 0, 0), intent)
    assert k >= 85
    assert c + m + y + k <= 300 + 1  # 1 %: 8-bit rounding of four channels
    assert c + m + y + k >= 200  # rich, not plain K


def test_srgb_white_is_unprinted(cmyk: ImageCms.ImageCmsProfile) -> None:
    assert max(to_cmyk(cmyk, (255, 255, 255))) <= 1


@pytest.mark.parametrize("level", [64, 96, 128])
def test_greys_are_k_dominant(cmyk: ImageCms.ImageCmsProfile, level: int) -> None:
    c, m, y, k = to_cmyk(cmyk, (level, level, level))
    assert k > max(c, m, y)
    assert k >= 35


def test_total_ink_never_exceeds_limit(cmyk: ImageCms.ImageCmsProfile) -> None:
    transform = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), cmyk, "RGB", "CMYK")
    steps = range(0, 256, 17)
    colours = [(r, g, b) for r in steps for g in steps for b in steps]
    image = Image.new("RGB", (len(colours), 1))
    image.putdata(colours)
    out = ImageCms.applyTransform(image, transform)
    worst = max(sum(out.getpixel((x, 0))) for x in range(len(colours)))
    assert worst * 100 / 255 <= 300 + 1


def test_black_ink_prints_dark_neutral(cmyk: ImageCms.ImageCmsProfile) -> None:
    r, g, b = to_rgb(cmyk, (0, 0, 0, 100))
    assert max(r, g, b) <= 60
    assert max(r, g, b) - min(r, g, b) <= 6


def test_cyan_ink_prints_cyan(cmyk: ImageCms.ImageCmsProfile) -> None:
    r, g, b = to_rgb(cmyk, (100, 0, 0, 0))
    assert r < 40 and g > 120 and b > 200


@pytest.mark.slow
def test_generator_is_deterministic(tmp_path: Path) -> None:
    out = tmp_path / "profile.icc"
    subprocess.run([sys.executable, str(SCRIPT), str(out)], check=True,
                   capture_output=True, timeout=600)
    assert out.read_bytes() == PROFILE.read_bytes()
