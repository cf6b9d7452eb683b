from octavo.entry import run

raise SystemExit(run())
