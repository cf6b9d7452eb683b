"""Commands beside the build: new (a publication from the scaffold), release (versioned, checked outputs)."""
