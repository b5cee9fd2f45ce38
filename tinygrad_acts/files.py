"""Writing files so that nothing the user saved is ever half-written, and reading weight
archives without trusting them.

Everything the library writes (weights, rendered graphs, plots, checkpoints, logs) goes
through `atomic_write` (or `atomic_path`, for writers that need a file name, such as h5py
and zipfile): the bytes go to a new temporary file next to the target, which then
replaces the target in one step (`os.replace`, atomic within a file system). A crash or an
error midway leaves the old file untouched and removes the temporary one. The new file keeps
the old one's permission bits, and a symbolic link is written through (its target is
replaced, the link stays a link).

`npz_headers` reads what a `.npz` archive claims to hold (names, shapes, dtypes) from the
`.npy` headers alone, so that a file can be refused before any of its data is read.
`check_writable` tells, before any work is done, whether a path could be written.
"""

from __future__ import annotations

import os
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import numpy as np

__all__ = ["atomic_path", "atomic_write", "check_writable", "npz_headers"]


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file next to `path` for writing (`mode` 'wb' or 'w'); when the block
    ends without an error, the file is flushed to disk and renamed over `path`.

        with atomic_write("weights.npz") as f:
            np.savez(f, **arrays)

    An OSError of the writing itself (no such folder, disk full, ...) names `path`, not the
    temporary file.
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write: mode must be 'wb' or 'w', received {mode!r}")
    shown = os.fspath(path)
    target = Path(os.path.realpath(path))  # through symbolic links: the link itself stays
    try:
        permissions = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        permissions = 0o666 & ~_umask()  # what open() would give a new file
    except OSError as e:
        raise _naming(e, shown) from None
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                             suffix=".tmp")
    except OSError as e:
        raise _naming(e, shown) from None
    try:
        text = {"newline": "", "encoding": "utf-8"} if mode == "w" else {}
        with os.fdopen(handle, mode, **text) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, permissions)  # mkstemp makes 0o600
        os.replace(temporary, target)
    except BaseException as e:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(e, OSError) and e.filename in (None, temporary, os.fspath(target)):
            raise _naming(e, shown) from None
        raise


def _naming(error: OSError, path: str) -> OSError:
    """The same error (same type, errno and reason), naming `path`."""
    renamed = type(error)(error.errno, error.strerror or str(error), path)
    return renamed if error.errno is not None else type(error)(f"{path}: {error}")


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path next to `path`, for writers that want a file name rather than an
    open file (h5py, zipfile, safetensors); when the block ends without an error, the file
    written there is flushed to disk and renamed over `path`, as `atomic_write` does
    (permission bits kept, symbolic links written through, errors naming `path`).

        with atomic_path("model.weights.h5") as temporary:
            with h5py.File(temporary, "w") as f:
                ...
    """
    shown = os.fspath(path)
    target = Path(os.path.realpath(path))
    try:
        permissions = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        permissions = 0o666 & ~_umask()
    except OSError as e:
        raise _naming(e, shown) from None
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=".tmp")
    except OSError as e:
        raise _naming(e, shown) from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb+") as file:
            os.fsync(file.fileno())
        os.chmod(temporary, permissions)  # mkstemp makes 0o600
        os.replace(temporary, target)
    except BaseException as e:
        temporary.unlink(missing_ok=True)
        if isinstance(e, OSError) and e.filename in (None, name, os.fspath(target)):
            raise _naming(e, shown) from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_writable(path: str | os.PathLike, folder: bool = False) -> None:
    """Raise OSError (one line, naming `path`) unless `path` could be written now: a file
    (or with `folder`, a folder for files) whose missing parent folders can be created.
    Nothing is left behind: the check creates and removes one empty temporary file."""
    shown = os.fspath(path)
    target = Path(os.path.realpath(path))
    if target.is_dir() and not folder:
        raise IsADirectoryError(f"cannot write {shown}: it is a folder")
    if target.exists() and not target.is_dir() and folder:
        raise NotADirectoryError(f"cannot write into {shown}: it is a file, not a folder")
    existing = target if folder and target.is_dir() else target.parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise NotADirectoryError(f"cannot write {shown}: {existing} is a file, not a folder")
    try:
        handle, probe = tempfile.mkstemp(dir=existing, prefix=".tinygrad_acts-probe-")
    except OSError as e:
        raise type(e)(f"cannot write {shown}: cannot create a file in {existing} "
                      f"({e.strerror or e})") from None
    os.close(handle)
    os.unlink(probe)


def npz_headers(path: str | os.PathLike) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """`{name: (shape, dtype)}` of every array in the `.npz` archive at `path`, read from the
    `.npy` headers only: no array data is read or decompressed.

    Raises:
        ValueError: naming `path`, if it is not a zip archive of `.npy` arrays, or a header
            is malformed or holds Python objects (which would need pickle).
    """
    shown = os.fspath(path)
    headers = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    raise ValueError(f"{info.filename!r} is not a .npy array")
                with archive.open(info) as member:
                    headers[info.filename.removesuffix(".npy")] = _npy_header(member)
    # RuntimeError: an encrypted member, or (NotImplementedError) an unknown compression
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, RuntimeError) as e:
        if isinstance(e, FileNotFoundError):
            raise FileNotFoundError(f"no such file: {shown!r}") from None
        raise ValueError(f"{shown!r} is not a numpy .npz archive of arrays ({e})") from None
    return headers


def _npy_header(member: IO[bytes]) -> tuple[tuple[int, ...], np.dtype]:
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(member)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(member)
    else:
        raise ValueError(f"unsupported .npy format version {version}")
    if dtype.hasobject:
        raise ValueError("an array of Python objects (refused: it would need pickle)")
    return tuple(shape), dtype
