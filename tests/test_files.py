"""Issue 13's file items: the atomic writer, CSVLogger through it, load_weights reading
headers before data, and ModelCheckpoint's placeholders."""

import errno
import io
import os
import stat
import tracemalloc
import zipfile

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import files
from tinygrad_acts.callbacks import CSVLogger, ModelCheckpoint
from tinygrad_acts.files import atomic_write, check_writable, npz_headers
from tinygrad_acts.layers import Dense
from tinygrad_acts.models import Sequential


def leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


# ---- atomic_write ------------------------------------------------------------------------------


def test_atomic_write_keeps_the_permission_bits(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("old")
    path.chmod(0o600)
    with atomic_write(path, "w") as f:
        f.write("new")
    assert path.read_text() == "new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_atomic_write_writes_through_a_symbolic_link(tmp_path):
    target = tmp_path / "real.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with atomic_write(link, "w") as f:
        f.write("new")
    assert link.is_symlink() and target.read_text() == "new"


def test_atomic_write_names_the_target_in_its_errors_and_cleans_up(tmp_path):
    missing = tmp_path / "no" / "such" / "file.bin"
    with pytest.raises(FileNotFoundError) as raised:
        with atomic_write(missing) as f:
            f.write(b"x")
    assert raised.value.filename == str(missing)
    path = tmp_path / "full.bin"
    path.write_bytes(b"old")
    with pytest.raises(OSError, match="No space left") as raised:
        with atomic_write(path) as f:
            f.write(b"half")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert raised.value.filename == str(path)
    assert path.read_bytes() == b"old" and leftovers(tmp_path) == []


def test_atomic_write_removes_its_temporary_file_when_the_rename_fails(tmp_path, monkeypatch):
    path = tmp_path / "a.bin"

    def fail(*args):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(PermissionError) as raised, atomic_write(path) as f:
        f.write(b"x")
    assert raised.value.filename == str(path)
    assert leftovers(tmp_path) == [] and not path.exists()


def test_check_writable(tmp_path):
    check_writable(tmp_path / "new" / "deeper" / "x.svg")  # missing folders can be made
    check_writable(tmp_path / "pictures", folder=True)
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        check_writable(tmp_path)
    (tmp_path / "f").write_text("")
    with pytest.raises(NotADirectoryError, match="is a file"):
        check_writable(tmp_path / "f" / "x.svg")
    with pytest.raises(NotADirectoryError):
        check_writable(tmp_path / "f", folder=True)
    if os.path.isdir("/proc/self"):
        with pytest.raises(OSError, match="cannot write /proc/x.svg"):
            check_writable("/proc/x.svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]  # the probe left nothing


# ---- CSVLogger ---------------------------------------------------------------------------------


def small_model():
    model = Sequential([Dense(1, input_dim=2)])
    model.compile("sgd", loss="mse")
    return model


def test_csv_logger_goes_through_the_atomic_writer_and_never_leaves_half_a_row(
        tmp_path, monkeypatch):
    path = tmp_path / "log.csv"
    calls = []
    real_fsync = files.os.fsync

    def fsync_then_disk_full(fd):
        calls.append(fd)
        if len(calls) == 3:  # train begin, epoch 1, then epoch 2 fails
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", fsync_then_disk_full)
    x, y = np.ones((4, 2)), np.zeros((4, 1))
    with pytest.raises(OSError, match="No space left") as raised:
        small_model().fit(x, y, epochs=3, verbose=0, callbacks=[CSVLogger(path)])
    assert raised.value.filename == str(path)
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,loss" and len(lines) == 2 and lines[1].startswith("0,")
    assert path.read_text().endswith("\n") and leftovers(tmp_path) == []


def test_csv_logger_append_keeps_what_was_there(tmp_path):
    path = tmp_path / "log.csv"
    x, y = np.ones((4, 2)), np.zeros((4, 1))
    small_model().fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(path)])
    small_model().fit(x, y, epochs=1, verbose=0, callbacks=[CSVLogger(path, append=True)])
    lines = path.read_text().splitlines()
    assert [line.split(",")[0] for line in lines] == ["epoch", "0", "1", "0"]


# ---- load_weights reads the headers first --------------------------------------------------------


def npy_header(shape, descr="<f4"):
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def test_load_weights_refuses_a_zip_bomb_before_decompressing_it(tmp_path):
    model = small_model()
    before = model.get_weights()
    path = tmp_path / "bomb.npz"
    size = 64 * 2**20  # 64 MB of zeros: about 64 kB compressed
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("weight_0000.npy", "w") as member:
            member.write(npy_header((size,), "|u1"))
            chunk = bytes(2**20)
            for _ in range(size // len(chunk)):
                member.write(chunk)
        with archive.open("weight_0001.npy", "w") as member:
            member.write(npy_header((1,)) + np.zeros(1, "<f4").tobytes())
    assert path.stat().st_size < 2**20
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"shape \(2, 1\).*shape \(67108864,\)"):
            model.load_weights(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20
    for w, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, b)


def test_load_weights_refuses_a_header_claiming_10_to_the_13_elements(tmp_path):
    path = tmp_path / "liar.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("weight_0000.npy", npy_header((10**13,)))
        archive.writestr("weight_0001.npy", npy_header((1,)))
    assert npz_headers(path)["weight_0000"][0] == (10**13,)
    with pytest.raises(ValueError, match=r"10000000000000"):
        small_model().load_weights(path)


def test_load_weights_of_a_file_that_is_not_a_zip_names_the_path(tmp_path):
    path = tmp_path / "junk.npz"
    path.write_bytes(b"just some bytes, not a zip")
    with pytest.raises(ValueError, match="not a weights file") as raised:
        small_model().load_weights(path)
    assert str(path) in str(raised.value) and "allow_pickle" not in str(raised.value)


def test_load_weights_refuses_object_arrays_and_still_loads_its_own_files(tmp_path):
    model = small_model()
    model.save_weights(tmp_path / "w.npz")
    other = small_model()
    other.load_weights(tmp_path / "w.npz")
    for a, b in zip(model.get_weights(), other.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    path = tmp_path / "objects.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("weight_0000.npy", npy_header((2, 1), "|O"))
        archive.writestr("weight_0001.npy", npy_header((1,)))
    with pytest.raises(ValueError, match="pickle"):
        model.load_weights(path)


# ---- ModelCheckpoint's placeholders --------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, why",
    [
        ("w{epoch.__class__}.npz", "not a plain name"),
        ("w{epoch[0]}.npz", "not a plain name"),
        ("w{epoch!r}.npz", "not a plain name"),
        ("w{0}.npz", "positional"),
        ("w{}.npz", "positional"),
        ("w{batch}.npz", "save_freq"),
        ("w{loss:d}.npz", "does not suit"),
        ("w{epoch:{width}}.npz", "not a plain name"),
        ("w{epoch.npz", "not a valid pattern"),
    ],
)
def test_model_checkpoint_refuses_placeholders_when_made(tmp_path, pattern, why):
    with pytest.raises(ValueError, match=why):
        ModelCheckpoint(str(tmp_path / pattern))


def test_model_checkpoint_accepts_the_documented_placeholders(tmp_path):
    ta.set_seed(0)
    pattern = str(tmp_path / "w{epoch:02d}-{loss:.3f}-{batch}.npz")
    small_model().fit(np.ones((4, 2)), np.zeros((4, 1)), epochs=1, verbose=0, batch_size=4,
                      callbacks=[ModelCheckpoint(pattern, save_freq=1)])
    assert len(list(tmp_path.glob("w01-*-1.npz"))) == 1


def test_model_checkpoint_never_reads_attributes_even_of_a_path_changed_later(tmp_path):
    checkpoint = ModelCheckpoint(str(tmp_path / "w{epoch}.npz"))
    checkpoint.filepath = str(tmp_path / "w{epoch.__class__}.npz")
    with pytest.raises(KeyError, match=r"epoch\.__class__.{0,3} is not in the logs"):
        checkpoint._file_path(0, None, {"loss": 1.0})


def test_npz_headers_of_an_unreadable_member_is_a_value_error(tmp_path):
    path = tmp_path / "odd.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("weight_0000.npy", npy_header((1,)))
    data = bytearray(path.read_bytes())
    data[8:10] = (99).to_bytes(2, "little")  # the local header's compression method: unknown
    i = data.rfind(b"PK\x01\x02")
    data[i + 10:i + 12] = (99).to_bytes(2, "little")  # and the central directory's
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="not a numpy .npz archive"):
        npz_headers(path)
