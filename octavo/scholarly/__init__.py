"""The scholarly apparatus: Markdown marks and the laid-out pages -> the index (and citations, cross-references)."""
