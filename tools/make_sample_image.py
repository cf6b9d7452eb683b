"""Draw templates/new/content/images/open-book.png, the sample picture of `octavo new` (run once, commit the PNG).

Grayscale, flat shapes, 1320 px wide (300 ppi across a 4.4 in text block): small, sharp in print, and the
same bytes every time it is run.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 1320, 720
DEST = Path(__file__).resolve().parent.parent / "templates" / "new" / "content" / "images" / "open-book.png"


def draw() -> Image.Image:
    """An open book seen from above: two pages of text lines either side of the gutter."""
    image = Image.new("L", (WIDTH, HEIGHT), 255)
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((70, 60, 1250, 660), radius=18, fill=205)  # the cover, showing round the pages
    for left in (100, 670):
        pen.rectangle((left, 85, left + 550, 635), fill=248, outline=120, width=3)
        for row in range(14):
            top = 150 + row * 30
            length = 440 if row % 5 != 4 else 260  # a short last line closes each paragraph
            pen.rectangle((left + 55, top, left + 55 + length, top + 10), fill=150)
    pen.line((660, 85, 660, 635), fill=90, width=6)  # the gutter
    return image


if __name__ == "__main__":
    DEST.parent.mkdir(parents=True, exist_ok=True)
    draw().save(DEST, optimize=True)
    print(f"{DEST} ({DEST.stat().st_size} bytes)")
