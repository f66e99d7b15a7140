"""Checkpoints: ``ember.save`` and ``ember.load`` in PyTorch's own file format.

A checkpoint is PyTorch's zip archive (``torch/serialization.py``), so files move both
ways between ember and PyTorch. Every record sits under one folder (the file's name without
its extension, ``archive`` for file objects), is stored uncompressed and starts on a 64-byte
boundary:

* ``data.pkl``: the object, pickled (protocol 2 by default) as ``_checkpoint_pickle``
  describes: tensors as PyTorch's rebuild calls over storages named by persistent ids;
* ``data/<key>``: each storage's bytes, little-endian;
* ``byteorder``, ``version``, ``.format_version``, ``.storage_alignment`` and
  ``.data/serialization_id``, as PyTorch writes them.

``load`` reads with ``weights_only=True`` by default: only tensors, containers
(dict, OrderedDict, list, tuple, set, Counter), primitive values, dtypes, ``Size``,
``device``, and what ``add_safe_globals`` allows resolve; any other global raises
``pickle.UnpicklingError`` naming it, and nothing a file names runs. ``weights_only=False``
unpickles anything and is as unsafe as ``pickle``: use it only on files you trust. Corrupt
or truncated files raise ``RuntimeError`` (sizes and CRC-32 of every record are checked).

``save`` to a path writes a temporary file in the same directory and renames it over the
target (``os.replace``), so an interrupted save leaves any previous file whole.

Where ember differs: ember has CPU tensors only (a storage saved on ``cuda`` needs a
``map_location`` that maps it to the CPU, as on a PyTorch without CUDA); dtypes ember lacks
(``bfloat16``, ``uint16``...) and PyTorch's legacy non-zip format raise
``NotImplementedError``; ``pickle_module`` must be the standard ``pickle``.
"""

import contextlib
import io
import os
import pickle
import secrets
import stat
import struct
import sys
import zipfile
import zlib

import numpy as np

from ._checkpoint_pickle import SAFE_GLOBALS, Pickler, Unpickler

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2
_ALIGNMENT = 64
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature ... file name length, extra length
_CORRUPT = ("If you are seeing this error, there is a high likelihood that your checkpoint "
            "file is corrupted.")


# ---- allowing more globals in weights-only loads ------------------------------------------


def add_safe_globals(safe_globals):
    """Allow these classes or functions (or ``(obj, "module.name")`` pairs) in
    weights-only loads."""
    for entry in safe_globals:
        if isinstance(entry, tuple):
            obj, name = entry
        else:
            obj, name = entry, f"{entry.__module__}.{entry.__qualname__}"
        SAFE_GLOBALS[name] = obj


def get_safe_globals():
    return list(SAFE_GLOBALS.values())


def clear_safe_globals():
    SAFE_GLOBALS.clear()


@contextlib.contextmanager
def safe_globals(safe_globals):
    """Allow these globals in weights-only loads inside the ``with`` block."""
    saved = dict(SAFE_GLOBALS)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        SAFE_GLOBALS.clear()
        SAFE_GLOBALS.update(saved)


# ---- saving -------------------------------------------------------------------------------


def _padded_record(archive, file, name, data):
    """Write one stored record whose data starts on a 64-byte boundary, padding the local
    header's extra field with an ``FB`` block as PyTorch's writer does."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    header = 30 + len(name.encode()) + 4
    if len(data) * 1.05 > zipfile.ZIP64_LIMIT:  # zipfile then appends a 20-byte zip64 block
        header += 20
    padding = -(file.tell() + header) % _ALIGNMENT
    info.extra = b"FB" + struct.pack("<H", padding) + b"Z" * padding
    archive.writestr(info, data)


def _write_archive(file, folder, pickled, storages, byteorder):
    with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as archive:
        def record(name, data):
            _padded_record(archive, file, f"{folder}/{name}", data)

        record("data.pkl", pickled)
        record(".format_version", b"1")
        record(".storage_alignment", str(_ALIGNMENT).encode())
        if byteorder:
            record("byteorder", sys.byteorder.encode())
        for ref in storages:
            record(f"data/{ref.key}", ref.raw_bytes())
        record("version", b"3\n")
        record(".data/serialization_id",
               f"{int.from_bytes(os.urandom(16), 'little'):040d}"[:40].encode())


def _atomic_write(path, write):
    """Write through ``write(file)`` to a temporary file beside ``path``, then rename it
    over ``path``: readers see the old file or the new one, never half of one."""
    target = os.path.realpath(path)
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise RuntimeError(f"Parent directory {os.path.dirname(os.fspath(path))} does not "
                           "exist.")
    while True:
        temporary = os.path.join(directory, f".{os.path.basename(target)}."
                                            f"{secrets.token_hex(6)}.tmp")
        try:  # mode 0o666 lets the umask decide, as for a file opened with open()
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        if os.path.exists(target):
            os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        directory_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_fd)
        finally:
            os.close(directory_fd)


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization=True, _disable_byteorder_record=False):
    """Save ``obj`` to ``f`` (a path or a binary file object) in PyTorch's format."""
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("ember.save writes PyTorch's zip format only: the legacy "
                                  "format (_use_new_zipfile_serialization=False) is not "
                                  "supported")
    if pickle_module is not pickle:
        raise NotImplementedError(f"ember.save pickles with the standard pickle module only: "
                                  f"pickle_module={pickle_module!r} is not supported")
    # Pickle first: an object that cannot be pickled fails before any file is touched.
    buffer = io.BytesIO()
    pickler = Pickler(buffer, pickle_protocol)
    pickler.dump(obj)
    storages = list(pickler.storages.values())
    byteorder = not _disable_byteorder_record
    if isinstance(f, (str, os.PathLike)):
        folder = os.path.splitext(os.path.basename(os.fspath(f)))[0] or "archive"
        _atomic_write(f, lambda file: _write_archive(file, folder, buffer.getvalue(),
                                                     storages, byteorder))
    elif getattr(f, "seekable", lambda: False)():
        _write_archive(f, "archive", buffer.getvalue(), storages, byteorder)
    else:  # zipfile needs to seek back: build the archive in memory first
        archive = io.BytesIO()
        _write_archive(archive, "archive", buffer.getvalue(), storages, byteorder)
        f.write(archive.getvalue())


# ---- loading ------------------------------------------------------------------------------


class _Archive:
    """The records of a checkpoint's zip archive, read as PyTorch's reader reads them."""

    def __init__(self, file, mmap_path):
        try:
            self.zip = zipfile.ZipFile(file)
            names = self.zip.namelist()
        except (zipfile.BadZipFile, EOFError, ValueError, OSError, NotImplementedError,
                struct.error) as error:  # NotImplementedError: an impossible zip version
            raise RuntimeError("PytorchStreamReader failed reading zip archive: failed finding "
                               f"central directory. {_CORRUPT}") from error
        if not names:
            raise RuntimeError(f"PytorchStreamReader failed reading zip archive: no records. "
                               f"{_CORRUPT}")
        self.file = file
        self.mmap_path = mmap_path
        self.folder = names[0].split("/", 1)[0]
        self.byteorder = "little"
        if self.has("byteorder"):
            self.byteorder = self.read("byteorder").decode()
            if self.byteorder not in ("little", "big"):
                raise ValueError("Unknown endianness type: " + self.byteorder)

    def has(self, name):
        return f"{self.folder}/{name}" in self.zip.NameToInfo

    def _info(self, name):
        try:
            return self.zip.getinfo(f"{self.folder}/{name}")
        except KeyError:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not "
                               "found") from None

    def read(self, name):
        info = self._info(name)
        try:
            return self.zip.read(info)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError,
                struct.error, zlib.error) as error:  # NotImplementedError: unknown compression
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: {error}. "
                               f"{_CORRUPT}") from error

    def read_storage(self, name, nbytes):
        """A storage record's bytes as a new writable uint8 array, checked against its size
        and CRC-32; with ``mmap=True`` a copy-on-write map of the file, paged in on use
        (so, as in PyTorch, its CRC is not checked)."""
        info = self._info(name)
        if info.file_size != nbytes:
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: it holds "
                               f"{info.file_size} bytes, its storage needs {nbytes}. {_CORRUPT}")
        if info.compress_type != zipfile.ZIP_STORED:
            return np.frombuffer(bytearray(self.read(name)), np.uint8)
        try:
            self.file.seek(info.header_offset)
            signature, name_length, extra_length = _LOCAL_HEADER.unpack(self.file.read(30))
        except (ValueError, OSError, struct.error):
            signature = None
        if signature != b"PK\x03\x04":
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: invalid "
                               f"header or archive is corrupted. {_CORRUPT}")
        start = info.header_offset + 30 + name_length + extra_length
        if self.mmap_path is not None and nbytes:
            return np.memmap(self.mmap_path, np.uint8, "c", offset=start, shape=(nbytes,))
        data = np.empty(nbytes, np.uint8)
        self.file.seek(start)
        view, done = memoryview(data), 0
        while done < nbytes and (count := self.file.readinto(view[done:])):
            done += count
        if done != nbytes:
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: the file "
                               f"ends early. {_CORRUPT}")
        if zlib.crc32(data) != info.CRC:
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: CRC-32 "
                               f"mismatch. {_CORRUPT}")
        return data


def _check_zip(file):
    """Refuse what is not a zip checkpoint, naming PyTorch's legacy format when it is one."""
    start = file.tell()
    head = file.read(4)
    file.seek(start)
    if head == b"PK\x03\x04":
        return
    if head[:1] == b"\x80" or _is_tar(file):
        raise NotImplementedError("ember.load reads PyTorch's zip checkpoint format only; this "
                                  "file is in the legacy format of torch.save before PyTorch "
                                  "1.6 (or _use_new_zipfile_serialization=False). Load it "
                                  "with PyTorch and save it again to convert it.")
    if not head:
        raise EOFError("Ran out of input")
    raise pickle.UnpicklingError(f"invalid load key, {head[:1].decode('latin1')!r}.")


def _is_tar(file):
    start = file.tell()
    file.seek(start + 257)
    magic = file.read(5)
    file.seek(start)
    return magic == b"ustar"


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None,
         **pickle_load_args):
    """Load an object saved by ``ember.save`` or ``torch.save`` from a path or a binary
    file object. ``weights_only=False`` runs whatever the file's pickle names: only for
    trusted files."""
    if weights_only is None:
        weights_only = True
    if pickle_module is not None:
        if weights_only:
            raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                               "specified")
        if pickle_module is not pickle:
            raise NotImplementedError(f"ember.load unpickles with the standard pickle module "
                                      f"only: pickle_module={pickle_module!r} is not supported")
    pickle_load_args.setdefault("encoding", "utf-8")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as file:
            return _load(file, map_location, weights_only, f if mmap else None,
                         pickle_load_args)
    if mmap:
        raise ValueError("f must be a file path in order to use the mmap argument")
    if not getattr(f, "seekable", lambda: False)():
        f = io.BytesIO(f.read())
    return _load(f, map_location, weights_only, None, pickle_load_args)


def _load(file, map_location, weights_only, mmap_path, pickle_load_args):
    _check_zip(file)
    archive = _Archive(file, mmap_path)
    unpickler = Unpickler(io.BytesIO(archive.read("data.pkl")), archive, map_location,
                           weights_only, **pickle_load_args)
    return unpickler.load()
