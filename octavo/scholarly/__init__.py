"""The scholarly apparatus: citations and the bibliography (and, beside them, cross-references and the index)."""
