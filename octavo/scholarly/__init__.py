"""The scholarly apparatus, read with the Markdown: citations and the bibliography, captions, numbered figures,
tables, listings and equations, cross-references, math."""
