"""python -m octavo ...: the same as the octavo command."""

from octavo.entry import run

raise SystemExit(run())
