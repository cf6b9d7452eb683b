"""Stage 3b: Book + templates -> EPUB 3 (documents and their passes, page breaks, typography, a11y, cover, package)."""
