"""python -m octavo ...: the same as the octavo command."""

from octavo.entry import run

if __name__ == "__main__":  # not when a worker process imports the main module (pdf/parallel.py)
    raise SystemExit(run())
