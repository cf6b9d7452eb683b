"""The scholarly apparatus, read with the Markdown and finished on the laid-out pages: citations and the
bibliography, captions, numbered figures, tables, listings and equations, cross-references, math, the index."""
