"""Make the fallback fonts in styles/fonts/ (and the CJK sample font of the tests) from their sources.

Octavo's book face (Vollkorn) draws Latin, modern Greek and modern Cyrillic. For the other scripts a book
may quote, Octavo ships Noto fonts (SIL Open Font License 1.1), cut down to the script they are there for
and without TrueType hinting (a PDF viewer or a printer's RIP does not use it): the same outlines and the
same OpenType layout (shaping, marks, ligatures), a fraction of the size. See styles/fonts/LICENSE-Noto.md.

Sources:
  Debian's fonts-noto-core 20201225-1 (NotoSerif, NotoSerifHebrew, NotoNaskhArabic, NotoSerifDevanagari):
      apt-get download fonts-noto-core && dpkg -x fonts-noto-core_*.deb x   -> --noto x/usr/share/fonts/truetype/noto
  npm's @expo-google-fonts/noto-emoji 0.4.7 (Noto Emoji, the monochrome one, static Regular instance):
      npm pack @expo-google-fonts/noto-emoji@0.4.7 && tar xzf *.tgz          -> --emoji package/400Regular/NotoEmoji_400Regular.ttf
  Debian's fonts-noto-cjk (NotoSansCJK-Regular.ttc), only for the tests' sample font (--cjk).

    python tools/subset_fonts.py --noto DIR --emoji FILE [--cjk FILE.ttc] [--out styles/fonts]

The output is byte-reproducible (fixed head.modified from SOURCE_DATE_EPOCH, or the epoch below).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
#: Shaping needs these beside a script's letters: the spaces, joiners, directional marks, the dotted circle.
CONTROLS = "U+0020,U+00A0,U+200C-200F,U+25CC"
#: file written -> (source file name, the Unicode ranges kept).
FALLBACKS: dict[str, tuple[str, str]] = {
    # Vollkorn has monotonic Greek and modern Cyrillic; this adds polytonic and archaic Greek, Coptic letters
    # in the Greek block, and historic Cyrillic (Old Church Slavonic), with their combining marks.
    "NotoSerif-GreekCyrillic.ttf": ("NotoSerif-Regular.ttf",
                                    "U+0020,U+00A0,U+0300-036F,U+0370-03FF,U+1F00-1FFF,U+0400-052F,U+1C80-1C8F,U+2DE0-2DFF,"
                                    "U+A640-A69F"),
    "NotoSerifHebrew-Regular.ttf": ("NotoSerifHebrew-Regular.ttf", f"U+0590-05FF,U+FB1D-FB4F,{CONTROLS}"),
    "NotoNaskhArabic-Regular.ttf": ("NotoNaskhArabic-Regular.ttf",
                                    f"U+0600-06FF,U+0750-077F,U+08A0-08FF,U+FB50-FDFF,U+FE70-FEFF,{CONTROLS}"),
    "NotoSerifDevanagari-Regular.ttf": ("NotoSerifDevanagari-Regular.ttf",
                                        f"U+0900-097F,U+A8E0-A8FF,U+1CD0-1CFF,{CONTROLS}"),
}
#: The tests' CJK sample: the characters their chapter about UTF-8 uses, and no more.
CJK_SAMPLE = " 你好世界中文汉字こんにちはカタカナひらがな안녕하세요한국어"
EPOCH = 1_700_000_000


def _options(hinting: bool = False) -> subset.Options:
    options = subset.Options()
    options.layout_features = ["*"]  # every OpenType feature: shaping must not lose a form
    options.name_IDs = ["*"]         # keep the copyright, licence and version strings
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = hinting
    options.drop_tables += ["DSIG"]
    return options


def cut(source: Path, target: Path, unicodes: str | None = None, text: str | None = None, number: int = 0) -> int:
    """Subset `source` (font `number` of a collection) to `unicodes` or `text`, without hinting; its size."""
    font = TTFont(source, fontNumber=number, recalcTimestamp=False)
    subsetter = subset.Subsetter(_options())
    if unicodes == "*":
        subsetter.populate(unicodes=font.getBestCmap())
    elif unicodes is not None:
        subsetter.populate(unicodes=subset.parse_unicodes(unicodes))
    else:
        subsetter.populate(text=text or "")
    subsetter.subset(font)
    font["head"].modified = int(os.environ.get("SOURCE_DATE_EPOCH", EPOCH)) + 2_082_844_800  # since 1904
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(target)
    return target.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--noto", type=Path, help="folder holding fonts-noto-core's .ttf files")
    parser.add_argument("--emoji", type=Path, help="NotoEmoji_400Regular.ttf (monochrome Noto Emoji)")
    parser.add_argument("--cjk", type=Path, help="NotoSansCJK-Regular.ttc, for tests/fixtures/fonts/ only")
    parser.add_argument("--out", type=Path, default=ROOT / "styles" / "fonts")
    args = parser.parse_args()
    if args.noto:
        for name, (source, unicodes) in FALLBACKS.items():
            print(name, cut(args.noto / source, args.out / name, unicodes))
    if args.emoji:
        # Every emoji is kept: a book's emoji cannot be known here.
        print("NotoEmoji-Regular.ttf", cut(args.emoji, args.out / "NotoEmoji-Regular.ttf", unicodes="*"))
    if args.cjk:
        target = ROOT / "tests" / "fixtures" / "fonts" / "NotoSansCJK-Sample.otf"
        print(target.name, cut(args.cjk, target, text=CJK_SAMPLE))


if __name__ == "__main__":
    main()
