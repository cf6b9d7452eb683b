"""Stage 3a: print HTML -> the print PDF and the screen PDF (layout, editions, page map, fetcher, fonts)."""
