"""Writing files so that nothing the user saved is ever half-written.

Everything the library writes (weights, rendered graphs, plots, checkpoints, logs) goes
through `atomic_write` (or `atomic_path`, for writers that need a file name, such as h5py
and zipfile): the bytes go to a new temporary file next to the target, which then
replaces the target in one step (`os.replace`, atomic within a file system). A crash or an
error midway leaves the old file untouched and removes the temporary one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file next to `path` for writing (`mode` 'wb' or 'w'); when the block
    ends without an error, the file is flushed to disk and renamed over `path`.

        with atomic_write("weights.npz") as f:
            np.savez(f, **arrays)
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write: mode must be 'wb' or 'w', received {mode!r}")
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, mode, **({"newline": ""} if mode == "w" else {})) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0o600; open() would not
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path next to `path`, for writers that want a file name rather than an
    open file (h5py, zipfile, safetensors); when the block ends without an error, the file
    written there is flushed to disk and renamed over `path`.

        with atomic_path("model.weights.h5") as temporary:
            with h5py.File(temporary, "w") as f:
                ...
    """
    path = Path(path)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb+") as file:
            os.fsync(file.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0o600; open() would not
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
