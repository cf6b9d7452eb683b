"""The preview's current Snapshot, shared by the watcher, the output worker and the server's event streams."""

from __future__ import annotations

import threading
from collections.abc import Callable

from octavo.preview.page import Snapshot


class Live:
    """The current Snapshot, replaced whole under a condition so that event streams can wait for the next."""

    def __init__(self, snapshot: Snapshot):
        self._snapshot = snapshot
        self._changed = threading.Condition()
        self.closed = False

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def update(self, change: Callable[[Snapshot], Snapshot]) -> Snapshot:
        """Apply `change` to the current snapshot and wake every waiting stream."""
        with self._changed:
            self._snapshot = change(self._snapshot)
            self._changed.notify_all()
            return self._snapshot

    def wait_newer(self, generation: int, outputs: int, timeout: float) -> Snapshot | None:
        """The snapshot once it differs from (generation, outputs version); None on timeout or close."""
        def newer() -> bool:
            snap = self._snapshot
            return self.closed or snap.generation != generation or snap.outputs.version != outputs

        with self._changed:
            found = self._changed.wait_for(newer, timeout)
            return self._snapshot if found and not self.closed else None

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()
