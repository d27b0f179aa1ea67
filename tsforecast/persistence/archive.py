"""The model file as a zip archive: written atomically, read only after safety checks.

Reading refuses what a hostile or damaged file could use against the reader: member names
that are absolute or climb out with ``..`` (path traversal), members that would expand
beyond :data:`MAX_MEMBER_BYTES` (zip bombs, checked again inside the nested ``arrays.npz``,
``.keras`` and ``.skops`` archives), members the format does not define, and manifests of
a foreign or newer format.

Format versions: 1 stored every estimator in the manifest; 2 adds ``models/s<n>.skops``
members for estimators of other libraries (scikit-learn, LightGBM, XGBoost). Version-1
files keep loading. Every such problem is a :class:`ModelFileError` that names the file.

Writing goes through :func:`tsforecast.files.atomic_path`, so an existing model file is
replaced only by a complete new one.
"""

import io
import json
import os
import posixpath
import re
import tempfile
import zipfile
import zlib

from tsforecast.files import atomic_path
from tsforecast.validation import InputValueError

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_MANIFEST_BYTES",
    "MAX_MEMBER_BYTES",
    "ModelArchive",
    "ModelFileError",
    "first_line",
    "keras_member",
    "skops_member",
    "write_archive",
]

FORMAT = "tsforecast.model"
FORMAT_VERSION = 2

#: Largest uncompressed size accepted for one archive member (zip-bomb guard), in bytes.
MAX_MEMBER_BYTES = 2 * 1024**3
#: Largest accepted ``manifest.json``, in bytes.
MAX_MANIFEST_BYTES = 64 * 1024**2

_MEMBER_PATTERN = re.compile(
    r"^(manifest\.json|arrays\.npz|models/m[0-9]+\.keras|models/s[0-9]+\.skops)$"
)


class ModelFileError(InputValueError):
    """A model file cannot be written or read: corrupted, foreign, unsafe or unsupported."""


def first_line(exc):
    """The first line of an exception's message (its class name when it has none)."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


# ---------------------------------------------------------------------------- writing
def keras_member(index):
    """Archive name of the ``index``-th Keras model of a file."""
    return f"models/m{index}.keras"


def skops_member(index):
    """Archive name of the ``index``-th skops-serialised estimator of a file."""
    return f"models/s{index}.skops"


def write_archive(path, manifest, arrays, models, skops_members=()):
    """Write a model file at ``path`` atomically.

    Parameters
    ----------
    path : pathlib.Path
        Destination; replaced only once the new file is complete.
    manifest : dict
        JSON-serialisable manifest (finite numbers only).
    arrays : dict of str to numpy.ndarray
        Stored in ``arrays.npz``.
    models : list of keras.Model
        Stored as ``models/m<index>.keras``.
    skops_members : sequence of bytes
        Estimators serialised by :func:`skops.io.dumps`, stored as ``models/s<index>.skops``.
    """
    import numpy as np

    manifest_bytes = json.dumps(manifest, indent=1, allow_nan=False).encode("utf-8")
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    # Keras writes its native format only to a file name ending in .keras.
    with tempfile.TemporaryDirectory(prefix="tsforecast-save-") as workdir:
        model_files = []
        for index, model in enumerate(models):
            model_file = os.path.join(workdir, f"m{index}.keras")
            model.save(model_file)
            model_files.append((keras_member(index), model_file))
        with atomic_path(path) as temporary, zipfile.ZipFile(
            temporary, "w", compression=zipfile.ZIP_DEFLATED
        ) as archive:
            archive.writestr("manifest.json", manifest_bytes)
            archive.writestr("arrays.npz", buffer.getvalue())
            for member, model_file in model_files:
                archive.write(model_file, member)
            for index, data in enumerate(skops_members):
                archive.writestr(skops_member(index), data)


# ---------------------------------------------------------------------------- reading
class ModelArchive:
    """A model file opened for reading, as a context manager.

    Entering checks that ``path`` is a zip archive whose member names are safe and whose
    sizes are within the limits; :meth:`manifest`, :meth:`arrays` and
    :meth:`keras_model_bytes` then check the content of each member.
    """

    def __init__(self, path):
        self.path = path
        self._zip = None

    def __enter__(self):
        path = self.path
        if not os.path.exists(path):
            raise FileNotFoundError(f"model file '{path}' does not exist; check the path.")
        if os.path.isdir(path):
            raise ModelFileError(f"'{path}' is a directory, not a model file; pass the .tsf file.")
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise ModelFileError(
                f"'{path}' is not a tsforecast model file (not a zip archive, or truncated); "
                "pass a file written by `tsforecast fit` or tsforecast.persistence.save."
            ) from None
        except OSError as exc:
            raise ModelFileError(f"cannot read '{path}': {exc.strerror or exc}.") from None
        try:
            _check_members(self._zip, path, "")
        except BaseException:
            self._zip.close()
            raise
        return self

    def __exit__(self, *exc_info):
        self._zip.close()

    def namelist(self):
        return self._zip.namelist()

    def read(self, name):
        """The bytes of member ``name``; a damaged member is a :class:`ModelFileError`."""
        try:
            return self._zip.read(name)
        except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, OSError) as exc:
            raise ModelFileError(
                f"'{self.path}' is corrupted or truncated (member {name!r}: "
                f"{first_line(exc)}); re-save the model."
            ) from None
        except zlib.error as exc:
            raise ModelFileError(
                f"'{self.path}' is corrupted (member {name!r}: {first_line(exc)}); "
                "re-save the model."
            ) from None

    def manifest(self):
        """The parsed ``manifest.json``, after checking the members, format and version."""
        path = self.path
        names = self.namelist()
        if "manifest.json" not in names:
            raise ModelFileError(
                f"'{path}' has no manifest.json: it is not a tsforecast model file; pass a file "
                "written by `tsforecast fit` or tsforecast.persistence.save."
            )
        for name in names:
            if not _MEMBER_PATTERN.match(name):
                raise ModelFileError(
                    f"'{path}' contains an unexpected member {name!r}; it is not a tsforecast "
                    "model file (or was tampered with)."
                )
        size = self._zip.getinfo("manifest.json").file_size
        if size > MAX_MANIFEST_BYTES:
            raise ModelFileError(
                f"'{path}': manifest.json is {size:,} bytes, above the "
                f"{MAX_MANIFEST_BYTES:,}-byte limit; refusing to open it."
            )
        try:
            manifest = json.loads(self.read("manifest.json").decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise ModelFileError(
                f"'{path}' has an unreadable manifest.json ({first_line(exc)}); re-save the model."
            ) from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ModelFileError(
                f"'{path}' is not a tsforecast model file (its manifest does not declare format "
                f"{FORMAT!r}); pass a file written by `tsforecast fit` or persistence.save."
            )
        version = manifest.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ModelFileError(
                f"'{path}' declares an invalid format version {version!r}; re-save the model."
            )
        if version > FORMAT_VERSION:
            raise ModelFileError(
                f"'{path}' uses model format version {version}, newer than the version "
                f"{FORMAT_VERSION} this tsforecast reads; upgrade tsforecast to load it."
            )
        if "root" not in manifest or "class" not in manifest:
            raise ModelFileError(f"'{path}' has an incomplete manifest.json; re-save the model.")
        return manifest

    def arrays(self):
        """The arrays of ``arrays.npz`` by key (none when the member is absent), never unpickled."""
        import numpy as np

        if "arrays.npz" not in self.namelist():
            return {}
        buffer = io.BytesIO(self.read("arrays.npz"))
        try:
            with zipfile.ZipFile(buffer) as inner:
                _check_members(inner, self.path, " inside arrays.npz")
            buffer.seek(0)
            with np.load(buffer, allow_pickle=False) as npz:
                return {key: npz[key] for key in npz.files}
        except ModelFileError:
            raise
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
            raise ModelFileError(
                f"'{self.path}' has a corrupted arrays.npz ({first_line(exc)}); re-save the model."
            ) from None

    def keras_model_bytes(self, ref):
        """The bytes of the Keras model member ``ref``, checked like the archive itself."""
        return self._nested_archive(ref, ".keras", "Keras model")

    def skops_bytes(self, ref):
        """The bytes of the skops member ``ref``, checked like the archive itself."""
        return self._nested_archive(ref, ".skops", "skops estimator")

    def _nested_archive(self, ref, suffix, what):
        if (not isinstance(ref, str) or not ref.endswith(suffix)
                or not _MEMBER_PATTERN.match(ref) or ref not in self.namelist()):
            raise ModelFileError(
                f"'{self.path}' refers to a missing {what} {ref!r}; the file is corrupted."
            )
        raw = self.read(ref)
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as inner:
                _check_members(inner, self.path, f" inside {ref}")
        except zipfile.BadZipFile:
            raise ModelFileError(
                f"'{self.path}': member {ref!r} is not a valid {suffix} file; re-save the model."
            ) from None
        return raw


def _check_members(archive, path, inside):
    total = 0
    for info in archive.infolist():
        name = info.filename
        if _is_unsafe_name(name):
            raise ModelFileError(
                f"'{path}' contains an unsafe member name {name!r}{inside} (absolute path or "
                "'..'); refusing to open it. Use only model files written by tsforecast."
            )
        if info.file_size > MAX_MEMBER_BYTES:
            raise ModelFileError(
                f"'{path}': member {name!r}{inside} would expand to {info.file_size:,} bytes, "
                f"above the {MAX_MEMBER_BYTES:,}-byte limit; refusing to open it (possible "
                "zip bomb). Use only model files written by tsforecast."
            )
        total += info.file_size
        if total > 4 * MAX_MEMBER_BYTES:
            raise ModelFileError(
                f"'{path}'{inside}: members would expand to more than "
                f"{4 * MAX_MEMBER_BYTES:,} bytes; refusing to open it (possible zip bomb)."
            )


def _is_unsafe_name(name):
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\x00" in name:
        return True
    if re.match(r"^[A-Za-z]:", name):
        return True
    parts = posixpath.normpath(name).split("/")
    return ".." in name.split("/") or parts[0] == ".."
