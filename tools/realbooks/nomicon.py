"""Make an Octavo book of the Rustonomicon (rust-lang/nomicon) from its mdBook sources, recording each change.

Changes (all mechanical, listed in CHANGES below): book.yaml written from book.toml and src/SUMMARY.md (each
top-level entry a chapter, its nested pages its sections); in section files every heading outside code fences
is shifted down one level (mdBook pages start with '#'; a section of a chapter starts with '##'); the
Introduction becomes kind: introduction.
"""
import re, shutil, sys
from pathlib import Path

SRC = Path(sys.argv[1]) / "src"
OUT = Path(sys.argv[2])
CHANGES: list[str] = []

def entries(summary: str):
    """(depth, title, path) per SUMMARY line; prefix chapters (no bullet) at depth 0."""
    for line in summary.splitlines():
        m = re.match(r"^(\s*)[*-]\s+\[(.*?)\]\((.*?)\)", line)
        if m:
            yield len(m.group(1).replace("\t", "    ")) // 2, m.group(2), m.group(3).removeprefix("./")
            continue
        m = re.match(r"^\[(.*?)\]\((.*?)\)", line)
        if m:
            yield -1, m.group(1), m.group(2).removeprefix("./")

def shift(text: str, levels: int) -> str:
    out, fence = [], None
    for line in text.splitlines(keepends=True):
        f = re.match(r"^\s*(```+|~~~+)", line)
        if f:
            fence = None if fence and f.group(1)[0] == fence[0] else (fence or f.group(1))
        elif fence is None and re.match(r"^#{1,5} ", line):
            line = "#" * levels + line
        out.append(line)
    return "".join(out)

def absolute_links(text: str, page: str) -> tuple[str, int]:
    """Links that leave the book (../std/..., as doc.rust-lang.org serves the Nomicon beside std) -> the
    absolute URL they resolve to on the web, https://doc.rust-lang.org/nomicon/<page> as the base."""
    import posixpath
    count = 0
    def fix(m: re.Match[str]) -> str:
        nonlocal count
        target = m.group(2)
        path, _, anchor = target.partition("#")
        resolved = posixpath.normpath(posixpath.join("nomicon", posixpath.dirname(page), path))
        if resolved.startswith("nomicon/") or resolved.startswith(".."):
            return m.group(0)
        count += 1
        return f"{m.group(1)}https://doc.rust-lang.org/{resolved}" + (f"#{anchor}" if anchor else "") + m.group(3)
    text = re.sub(r"(\]\(|^\[[^\]]+\]:\s*)(\.\./[^)\s]+)(\)|\s|$)", fix, text, flags=re.M)
    return text, count


if OUT.exists():
    shutil.rmtree(OUT)
shutil.copytree(SRC, OUT, ignore=shutil.ignore_patterns("SUMMARY.md"))
chapters: list[dict] = []
for depth, title, path in entries((SRC / "SUMMARY.md").read_text()):
    if depth <= 0:
        chapters.append({"file": path, "sections": []})
    else:
        chapters[-1]["sections"].append(path)
        (OUT / path).write_text(shift((OUT / path).read_text(), depth))
CHANGES.append(f"headings shifted down by their SUMMARY depth (1 or 2 levels) in {sum(len(c['sections']) for c in chapters)} section files")
intro = OUT / "intro.md"
intro.write_text("---\nkind: introduction\n---\n\n" + intro.read_text())
CHANGES.append("intro.md: front matter kind: introduction")
lines = ['title: "The Rustonomicon"', 'subtitle: "The Dark Arts of Advanced and Unsafe Rust Programming"',
         "authors: [The Rust Project Developers]", "language: en", "publisher: The Rust Project",
         'rights: "Licensed under the Apache License 2.0 or the MIT licence, at your option."',
         "print:", "  trim: 7in 10in", "  printer: generic", "chapters:"]
for c in chapters:
    if c["sections"]:
        lines.append(f"  - file: {c['file']}")
        lines.append("    sections:")
        lines += [f"      - {s}" for s in c["sections"]]
    else:
        lines.append(f"  - {c['file']}")
(OUT / "book.yaml").write_text("\n".join(lines) + "\n")
total = 0
for md in sorted(OUT.rglob("*.md")):
    text, n = absolute_links(md.read_text(), md.relative_to(OUT).as_posix())
    md.write_text(text)
    total += n
CHANGES.append(f"{total} links that leave the book (../std/..., ../reference/...) made absolute on doc.rust-lang.org")
CHANGES.append("book.yaml written from book.toml and SUMMARY.md")
print("\n".join(CHANGES))


def hide_rustdoc_lines(text: str) -> tuple[str, int]:
    """Drop the lines mdBook hides in Rust code blocks (`# ` or a lone `#`), keep `##` as `#`, as mdBook does."""
    out, fence, hidden = [], None, 0
    for line in text.splitlines(keepends=True):
        f = re.match(r"^\s*(```+|~~~+)\s*(\S*)", line)
        if f and fence is None:
            info = f.group(2).split(",")[0]
            fence = (f.group(1), info in ("rust", ""))
        elif f and fence and line.strip().startswith(fence[0]):
            fence = None
        elif fence and fence[1]:
            stripped = line.lstrip(" ")
            if stripped.startswith("# ") or stripped.rstrip("\n") == "#":
                hidden += 1
                continue
            if stripped.startswith("##"):
                line = line.replace("##", "#", 1)
        out.append(line)
    return "".join(out), hidden


hidden = 0
for md in sorted(OUT.rglob("*.md")):
    text, n = hide_rustdoc_lines(md.read_text())
    md.write_text(text)
    hidden += n
print(f"{hidden} hidden rustdoc lines ('# ') dropped from Rust code blocks, as mdBook hides them")

# Code lines longer than the 84 characters of a code block at 7in x 10in, reflowed for print as a
# print edition's editor does (comments onto two lines, arguments one per line, compiler notes cut).
REFLOW = {
    "aliasing.md": [("        // If the input is greater than 10, the previous code would set the output to 1 and then double it,",
                     "        // If the input is greater than 10, the previous code would set the output\n        // to 1 and then double it,")],
    "lifetimes.md": [("            let z: &'c &'b i32 = &'c y; // \"a reference to a reference to an i32\" (with lifetimes annotated)",
                      "            // \"a reference to a reference to an i32\" (with lifetimes annotated)\n            let z: &'c &'b i32 = &'c y;")],
    "lifetime-mismatch.md": [("error[E0502]: cannot borrow `foo` as immutable because it is also borrowed as mutable",
                              "error[E0502]: cannot borrow `foo` as immutable because it is also borrowed as\nmutable")],
    "lifetime-elision.md": [("fn args<'a, 'b, T: ToCStr>(&'a mut self, args: &'b [T]) -> &'a mut Command // expanded",
                             "// expanded\nfn args<'a, 'b, T: ToCStr>(&'a mut self, args: &'b [T]) -> &'a mut Command"),
                            ("fn new(buf: &mut [u8]) -> BufWriter<'_>;                // elided (with `rust_2018_idioms`)",
                             "fn new(buf: &mut [u8]) -> BufWriter<'_>;   // elided (with `rust_2018_idioms`)")],
    "subtyping.md": [("        debug(hello, world); // hello silently downgrades from `&'static str` into `&'world str`",
                      "        // hello silently downgrades from `&'static str` into `&'world str`\n        debug(hello, world);"),
                     ("   |                    ------------ type annotation requires that `world` is borrowed for `'static`",
                      "   |                    ------------ type annotation requires that `world` is\n   |                                 borrowed for `'static`"),
                     ("    k2: Mixed,              // invariant over Mixed, because invariance wins all conflicts",
                      "    k2: Mixed,   // invariant over Mixed, because invariance wins all conflicts")],
    "dropck.md": [("   |                                      ^^^^^^^^^^^ borrowed value does not live long enough",
                   "   |                                      ^^^^^^^^^^^ borrowed value does not\n   |                                                  live long enough"),
                  ("   | borrow might be used here, when `world` is dropped and runs the destructor for type `World<'_>`",
                   "   | borrow might be used here, when `world` is dropped and runs the destructor\n   | for type `World<'_>`"),
                  ("unsafe impl<'a, #[may_dangle] 'b, #[may_dangle] T, U: Display> Drop for Inspector<'a, 'b, T, U> {",
                   "unsafe impl<'a, #[may_dangle] 'b, #[may_dangle] T, U: Display> Drop\n    for Inspector<'a, 'b, T, U>\n{")],
    "phantom-data.md": [("    ptr: *const T, // `*const` for variance (but this does not express ownership of a `T` *per se*)",
                         "    // `*const` for variance (but this does not express ownership of a `T` *per se*)\n    ptr: *const T,")],
    "send-and-sync.md": [("        assert_ne!(size_of::<T>(), 0, \"Zero-sized types are out of the scope of this example\");",
                          "        assert_ne!(size_of::<T>(), 0,\n                   \"Zero-sized types are out of the scope of this example\");")],
    "atomics.md": [("    while lock.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() { }",
                    "    while lock\n        .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)\n        .is_err() { }")],
    "vec/vec-final.md": [("        // `NonNull::dangling()` doubles as \"unallocated\" and \"zero-sized allocation\"",
                          "        // `NonNull::dangling()` doubles as \"unallocated\" and\n        // \"zero-sized allocation\"")],
    "vec/vec-zsts.md": [("        // `NonNull::dangling()` doubles as \"unallocated\" and \"zero-sized allocation\"",
                         "        // `NonNull::dangling()` doubles as \"unallocated\" and\n        // \"zero-sized allocation\"")],
    "ffi.md": [("    println!(\"cargo:rustc-link-lib=dylib=stdc++\"); // This line may be unnecessary for some environments.",
                "    // This line may be unnecessary for some environments.\n    println!(\"cargo:rustc-link-lib=dylib=stdc++\");"),
               ("    fn register(cb: Option<extern \"C\" fn(Option<extern \"C\" fn(c_int) -> c_int>, c_int) -> c_int>);",
                "    fn register(\n        cb: Option<\n            extern \"C\" fn(Option<extern \"C\" fn(c_int) -> c_int>, c_int) -> c_int,\n        >,\n    );"),
               ("extern \"C\" fn apply(process: Option<extern \"C\" fn(c_int) -> c_int>, int: c_int) -> c_int {",
                "extern \"C\" fn apply(\n    process: Option<extern \"C\" fn(c_int) -> c_int>,\n    int: c_int,\n) -> c_int {"),
               ("struct Foo; /* Foo is a structure, but its contents are not part of the public interface */",
                "/* Foo is a structure, but its contents are not part of the public interface */\nstruct Foo;")],
}
reflowed = 0
for name, pairs in REFLOW.items():
    path = OUT / name
    text = path.read_text()
    for old, new in pairs:
        assert text.count(old) == 1, (name, old)
        text = text.replace(old, new)
        reflowed += 1
    path.write_text(text)
print(f"{reflowed} code lines longer than the 84 characters of the print measure reflowed for print")
