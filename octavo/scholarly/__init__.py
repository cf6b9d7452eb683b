"""The scholarly apparatus: captions, numbered figures, tables, listings and equations, cross-references, math."""
