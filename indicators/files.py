"""Files written whole or not at all: written beside their final name, then renamed over it."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def replaced_atomically(path: Path):
    """Yields a temporary path beside `path`; if the block succeeds it becomes `path`, else it disappears.

    A reader never sees half a file, and a failure leaves the previous file as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_atomically(path: Path, content: bytes) -> None:
    with replaced_atomically(path) as temporary:
        temporary.write_bytes(content)
