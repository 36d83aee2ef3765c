"""MNIST-format datasets: an IDX file reader, local file lookup and verified downloads.

MNIST and Fashion-MNIST ship as four IDX files each (train/t10k images and labels),
usually gzipped. This module finds them on disk, downloads the missing ones from a list
of mirrors (checking each file's SHA-256 and writing it atomically), parses them into
numpy arrays, and wraps them in torchvision-style dataset classes.

Where files are looked for, for a dataset folder name such as "mnist" or "fashion-mnist":

1. `root/<name>/`, then `root/` itself, when `root` is given (MNIST and Fashion-MNIST
   use the same file names, so each downloads into its own `root/<name>/`; files a user
   put directly in `root/` are still found);
2. `$MINITORCH_DATA/<name>/`, when MINITORCH_DATA is set;
3. the user cache, `$XDG_CACHE_HOME/minitorch/<name>/` or `~/.cache/minitorch/<name>/`;
4. read-only folders a system package installs (Fashion-MNIST: Debian's
   `dataset-fashion-mnist` puts the four `.gz` files in `/usr/share/datasets/fashion-mnist/`).

Each file may be there under its raw name or with `.gz`. Files found on disk are checked
for structure (header, sizes), not checksum: a system package may recompress them.
Downloads go to the first writable one of `root/<name>/`, `$MINITORCH_DATA/<name>/` and
the cache folder, are checked against the SHA-256 tables below, and get the permissions
of any new file (0o666 minus the umask). Tests may replace the mirror lists, the tables
and the system folders (module attributes, read at call time).
"""
import gzip
import hashlib
import http.client
import math
import os
import struct
import sys
import tempfile
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

FASHION_MNIST_MIRRORS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
# The files as Zalando Research publishes them (their README gives the matching MD5s).
FASHION_MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
}
# Debian's dataset-fashion-mnist installs the four files gzipped here (recompressed, so
# their SHA-256 differs from the table above; the IDX content is the same).
FASHION_MNIST_SYSTEM_FOLDERS = (Path("/usr/share/datasets/fashion-mnist"),)
FASHION_MNIST_PACKAGE = "dataset-fashion-mnist"

# (images, labels) file names of each split, without ".gz".
SPLIT_FILES = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

# IDX element type codes (third byte of the magic number); multi-byte types are big-endian.
IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
IMAGES_MAGIC = 0x00000803  # uint8, 3 dimensions (count, rows, columns)
LABELS_MAGIC = 0x00000801  # uint8, 1 dimension (count)

# No file or numpy array can be larger: a header asking for more is impossible.
MAX_IDX_BYTES = 2**63 - 1

GZIP_SIGNATURE = b"\x1f\x8b"
DOWNLOAD_CHUNK_BYTES = 1 << 16
DOWNLOAD_TIMEOUT_S = 60


class DatasetError(ValueError):
    """A dataset file is missing, corrupt or could not be downloaded.

    The message names the file, says what is wrong and what to do about it.
    """


# ---------------------------------------------------------------------------
# Reading IDX files
# ---------------------------------------------------------------------------


class CorruptFileError(DatasetError):
    """A file on disk is not the IDX file it should be.

    `path` and `problem` say which file and what is wrong; `remedy` is the sentence
    saying what to do, by default to delete the file so that it is downloaded again.
    load_split() replaces the remedy with one that fits where the file was found.
    """

    def __init__(self, path, problem, remedy=None):
        if remedy is None:
            remedy = f"Delete {path} and run again to re-download it."
        self.path, self.problem, self.remedy = path, problem, remedy
        super().__init__(f"{path} is not a valid IDX file: {problem}. {remedy}")

    def __reduce__(self):  # pickle (e.g. across processes) with the three arguments
        return type(self), (self.path, self.problem, self.remedy)


def _file_contents(path):
    """The bytes of `path`, gunzipped when the file starts with the gzip signature."""
    raw = Path(path).read_bytes()
    if not raw.startswith(GZIP_SIGNATURE):
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as error:
        problem = f"the gzip data is truncated or corrupt ({error})"
        raise CorruptFileError(path, problem) from error


def read_idx(path):
    """Parse the IDX file at `path` (raw or gzipped) into a numpy array.

    Returns an array of the header's shape, in native byte order, of the header's element
    type (uint8, int8, int16, int32, float32 or float64). Raises CorruptFileError (a
    DatasetError) naming the file when the magic number is malformed, the type code is
    unknown, the dimensions ask for more bytes than any file can hold, or the data is
    shorter or longer than the dimensions imply.
    """
    contents = _file_contents(path)
    if len(contents) < 4:
        raise CorruptFileError(path, f"only {len(contents)} bytes, too short for the 4-byte "
                                     "magic number")
    zero_a, zero_b, type_code, ndim = contents[:4]
    if zero_a != 0 or zero_b != 0:
        raise CorruptFileError(path, f"magic number 0x{contents[:4].hex()} does not start "
                                     "with two zero bytes")
    if type_code not in IDX_DTYPES:
        known = ", ".join(f"0x{code:02X}" for code in IDX_DTYPES)
        raise CorruptFileError(path, f"unknown element type code 0x{type_code:02X} "
                                     f"(known: {known})")
    header_bytes = 4 + 4 * ndim
    if len(contents) < header_bytes:
        raise CorruptFileError(path, f"truncated header: {ndim} dimensions need "
                                     f"{header_bytes} bytes, the file holds {len(contents)}")
    shape = struct.unpack(f">{ndim}I", contents[4:header_bytes])
    element_type = IDX_DTYPES[type_code]
    # Python ints: a product of 32-bit dimensions can overflow int64.
    expected_bytes = header_bytes + math.prod(shape) * element_type.itemsize
    if expected_bytes > MAX_IDX_BYTES:
        raise CorruptFileError(path, f"impossible header: shape {shape} of "
                                     f"{element_type.name} would need {expected_bytes} bytes, "
                                     "more than any file can hold")
    if len(contents) < expected_bytes:
        raise CorruptFileError(path, f"truncated: shape {shape} needs {expected_bytes} "
                                     f"bytes, the file holds {len(contents)}")
    if len(contents) > expected_bytes:
        raise CorruptFileError(path, f"{len(contents) - expected_bytes} unexpected bytes "
                                     f"after the {expected_bytes} that shape {shape} needs")
    flat = np.frombuffer(contents, dtype=element_type, offset=header_bytes)
    return flat.reshape(shape).astype(element_type.newbyteorder("="))


def _require_uint8(path, array, magic, what):
    """Refuse `array` read from `path` unless it is uint8 with the dimensions `magic` says."""
    ndim = magic & 0xFF
    if array.dtype != np.uint8 or array.ndim != ndim:
        raise CorruptFileError(path, f"it holds {array.dtype} data in {array.ndim} dimensions, "
                                     f"but {what} have magic number 0x{magic:08X} (uint8, "
                                     f"{ndim} dimensions)")
    return array


def read_images(path):
    """uint8 images shaped (count, rows, columns) from an IDX image file (magic 2051)."""
    return _require_uint8(path, read_idx(path), IMAGES_MAGIC, "image files")


def read_labels(path):
    """int64 labels shaped (count,) from an IDX label file (magic 2049)."""
    return _require_uint8(path, read_idx(path), LABELS_MAGIC, "label files").astype(np.int64)


# ---------------------------------------------------------------------------
# Finding files
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetSource:
    """Everything needed to find or fetch one MNIST-format dataset.

    name: folder name under root, MINITORCH_DATA and the cache ("mnist", "fashion-mnist").
    mirrors: base URLs, each ending in "/", tried in order.
    sha256: hex SHA-256 of each ".gz" file name the mirrors serve.
    system_folders: read-only folders a system package may have filled.
    system_package: the Debian package that fills them ("" when there is none).
    """

    name: str
    mirrors: tuple
    sha256: dict
    system_folders: tuple = ()
    system_package: str = ""


def mnist_source():
    """MNIST's source, built from the module attributes at call time."""
    return DatasetSource("mnist", tuple(MNIST_MIRRORS), dict(MNIST_SHA256))


def fashion_mnist_source():
    """Fashion-MNIST's source, built from the module attributes at call time."""
    return DatasetSource("fashion-mnist", tuple(FASHION_MNIST_MIRRORS),
                         dict(FASHION_MNIST_SHA256), tuple(FASHION_MNIST_SYSTEM_FOLDERS),
                         FASHION_MNIST_PACKAGE)


def cache_folder(name):
    """`$XDG_CACHE_HOME/minitorch/<name>`, or `~/.cache/minitorch/<name>` when unset."""
    cache_root = os.environ.get("XDG_CACHE_HOME")
    if cache_root:
        return Path(cache_root).expanduser() / "minitorch" / name
    return Path.home() / ".cache" / "minitorch" / name


def writable_candidates(name, root=None):
    """Folders a download of dataset `name` may go to, best first.

    `root/<name>` when root is given (never `root` itself, which MNIST and Fashion-MNIST
    would share), then `$MINITORCH_DATA/<name>` when set, then the cache folder.
    """
    folders = []
    if root is not None:
        folders.append(Path(root).expanduser() / name)
    data_root = os.environ.get("MINITORCH_DATA")
    if data_root:
        folders.append(Path(data_root).expanduser() / name)
    folders.append(cache_folder(name))
    return folders


def search_folders(source, root=None):
    """Folders searched for `source`'s files, in order (see the module docstring):
    writable_candidates() with `root` itself after `root/<name>`, then the system folders.
    """
    folders = writable_candidates(source.name, root)
    if root is not None:
        folders.insert(1, Path(root).expanduser())
    return folders + list(source.system_folders)


def find_file(stem, folders):
    """The first `folder/stem` or `folder/stem.gz` that exists, or None.

    Folders are tried in order; inside one folder the raw name wins over ".gz".
    """
    for folder in folders:
        for filename in (stem, stem + ".gz"):
            candidate = Path(folder) / filename
            if candidate.is_file():
                return candidate
    return None


def _package_hint(source):
    """", or `apt-get install <package>`" when `source` comes in a system package."""
    return f", or `apt-get install {source.system_package}`" if source.system_package else ""


def download_folder(source, root=None):
    """The first of writable_candidates() that exists or can be made, and is writable.

    Raises DatasetError listing each candidate and why it was refused.
    """
    refusals = []
    for folder in writable_candidates(source.name, root):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            refusals.append(f"  {folder}: {error}")
            continue
        if os.access(folder, os.W_OK):
            return folder
        refusals.append(f"  {folder}: not writable")
    raise DatasetError(f"no writable folder to download {source.name} into:\n"
                       + "\n".join(refusals)
                       + "\nPass a writable root=, or set MINITORCH_DATA to a writable folder.")


# ---------------------------------------------------------------------------
# Downloading
# ---------------------------------------------------------------------------


def _progress_bar(total, label):
    """A tqdm bar on stderr when tqdm is installed and stderr is a terminal, else None."""
    if not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=label, unit="B", unit_scale=True, unit_divisor=1024)


def _stream_to(url, handle, label):
    """Copy the body at `url` into the open binary `handle`; return its SHA-256 hex digest.

    Raises DatasetError when the server closes the connection before Content-Length
    bytes arrived; urllib's errors (HTTP status, connection) pass through.
    """
    digest = hashlib.sha256()
    received = 0
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
        declared = response.headers.get("Content-Length")
        expected = int(declared) if declared is not None else None
        bar = _progress_bar(expected, label)
        try:
            chunk = response.read(DOWNLOAD_CHUNK_BYTES)
            while chunk:
                handle.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                if bar is not None:
                    bar.update(len(chunk))
                chunk = response.read(DOWNLOAD_CHUNK_BYTES)
        finally:
            if bar is not None:
                bar.close()
    if expected is not None and received != expected:
        raise DatasetError(f"connection closed after {received} of {expected} bytes")
    return digest.hexdigest()


def _new_file_mode():
    """The permissions open() gives a new file: 0o666 minus the process umask."""
    # The umask can only be read by setting it; the restrictive placeholder means a
    # file another thread creates in between is, at worst, private to its owner.
    umask = os.umask(0o077)
    os.umask(umask)
    return 0o666 & ~umask


def _fetch_verified(url, target, expected_sha256):
    """Download `url` to `target` atomically, keeping it only if its SHA-256 matches.

    The body goes to a temporary file beside `target`, which is renamed over `target`
    only after the checksum matched; on any failure the temporary file is removed, so
    `target` never holds a partial or unverified download. The kept file has the usual
    permissions of a new file (mkstemp's are 0o600).
    """
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                             suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            found_sha256 = _stream_to(url, handle, target.name)
            handle.flush()
            os.fsync(handle.fileno())
        if found_sha256 != expected_sha256:
            raise DatasetError(f"SHA-256 mismatch: expected {expected_sha256}, got {found_sha256}")
        os.chmod(temporary, _new_file_mode())
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def download_file(filename, folder, mirrors, expected_sha256, hint=""):
    """Fetch `filename` into `folder` from the first mirror that serves it intact.

    Each mirror is tried in turn with URL `mirror + filename`; the file is kept only when
    its SHA-256 equals `expected_sha256`. Returns the path written. When every mirror
    fails, raises DatasetError listing each URL with its failure and saying where to put
    the file by hand, followed by `hint` (another way to get it, e.g. a package).
    """
    target = Path(folder) / filename
    failures = []
    for mirror in mirrors:
        url = mirror + filename
        try:
            _fetch_verified(url, target, expected_sha256)
            return target
        except (OSError, http.client.HTTPException, DatasetError) as error:
            failures.append(f"  {url}: {error}")
    tried = "\n".join(failures) if failures else "  (no mirrors configured)"
    raise DatasetError(f"could not download {filename}; every mirror failed:\n{tried}\n"
                       f"Download {filename} by hand and put it in {folder}{hint}.")


# ---------------------------------------------------------------------------
# Loading splits
# ---------------------------------------------------------------------------


def locate(source, stem, root=None, download=True):
    """Path of file `stem` (raw or ".gz") of `source`, downloading it when absent.

    Searches search_folders(); when nothing is found and `download` is true, downloads
    `stem + ".gz"` into download_folder(). Raises DatasetError when the file is absent
    and `download` is false, or when the download fails.
    """
    folders = search_folders(source, root)
    found = find_file(stem, folders)
    if found is not None:
        return found
    if not download:
        listed = "\n".join(f"  {folder}" for folder in folders)
        raise DatasetError(f"{stem} (or {stem}.gz) of {source.name} was not found in:\n{listed}\n"
                           "Pass download=True, or put the file in one of these folders"
                           f"{_package_hint(source)}.")
    filename = stem + ".gz"
    if filename not in source.sha256:
        raise DatasetError(f"no known SHA-256 for {filename} of {source.name}; cannot verify a "
                           "download. Put the file in one of the searched folders by hand.")
    return download_file(filename, download_folder(source, root), source.mirrors,
                         source.sha256[filename], _package_hint(source))


def _remedy(paths, source, download):
    """The sentence saying what to do about the damaged or mismatched files `paths`.

    Files in a read-only system folder are the package's to repair; the others may be
    deleted so that they are downloaded again (with `download` on), or replaced.
    """
    system_folders = {Path(folder) for folder in source.system_folders}
    own = [str(path) for path in paths if Path(path).parent not in system_folders]
    if not own:
        origin = "It comes" if len(paths) == 1 else "They come"
        if source.system_package:
            return (f"{origin} from the read-only folder of the {source.system_package} "
                    f"package: run `apt-get install --reinstall {source.system_package}`.")
        return f"{origin} from a read-only system folder: reinstall the package that filled it."
    listed = " and ".join(own)
    pronoun, copies = ("it", "a good copy") if len(own) == 1 else ("them", "good copies")
    if download:
        return f"Delete {listed} and run again to re-download {pronoun}."
    return (f"Replace {listed} with {copies}, or delete {pronoun} and pass download=True to "
            f"download {pronoun}.")


def load_split(source, train=True, root=None, download=True):
    """(images, labels) of one split: uint8 (N, rows, columns) and int64 (N,) arrays.

    `train` picks the training split, else the test split. Raises DatasetError when a
    file cannot be found, fetched or parsed, or when the two files disagree on N; the
    message's remedy fits where the files were found and whether `download` is on.
    """
    images_stem, labels_stem = SPLIT_FILES[bool(train)]
    images_path = locate(source, images_stem, root, download)
    labels_path = locate(source, labels_stem, root, download)
    try:
        images = read_images(images_path)
        labels = read_labels(labels_path)
    except CorruptFileError as error:
        raise CorruptFileError(error.path, error.problem,
                               _remedy([error.path], source, download)) from None
    if len(images) != len(labels):
        raise DatasetError(f"{images_path} holds {len(images)} images but {labels_path} holds "
                           f"{len(labels)} labels. "
                           + _remedy([images_path, labels_path], source, download))
    return images, labels


# ---------------------------------------------------------------------------
# Public datasets
# ---------------------------------------------------------------------------


class MNIST:
    """The MNIST handwritten digits, torchvision-style.

    MNIST(root=None, train=True, download=True, as_tensors=True)

    root: folder searched first: `root/<name>/` ("mnist", "fashion-mnist"), where
        downloads go, then `root/` itself (see the module docstring).
    train: the 60000-image training split, else the 10000-image test split.
    download: fetch missing files from the mirrors; otherwise raise DatasetError.
    as_tensors: make `data` a minitorch float32 tensor (N, 28, 28) of raw pixel values
        0..255 (not scaled to 0..1) and `targets` an int64 tensor (N,); otherwise `data`
        is a uint8 numpy array and `targets` an int64 numpy array.

    len(ds) is N; ds[i] is (image, label) with image = data[i] as a (28, 28) tensor or
    array and label a Python int.
    """

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root=None, train=True, download=True, as_tensors=True):
        self.train = train
        self.as_tensors = as_tensors
        self._images, self._labels = load_split(self._source(), train, root, download)
        if as_tensors:
            self.data = _float_tensor(self._images)
            self.targets = _int_tensor(self._labels)
        else:
            self.data = self._images
            self.targets = self._labels

    @staticmethod
    def _source():
        return mnist_source()

    def __len__(self):
        return len(self._labels)

    def __getitem__(self, index):
        label = int(self._labels[index])
        if self.as_tensors:
            return _float_tensor(self._images[index]), label
        return self._images[index], label

    def __repr__(self):
        split = "train" if self.train else "test"
        return f"{type(self).__name__}(split={split}, size={len(self)})"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: same files, shapes and API as MNIST, clothing classes."""

    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    @staticmethod
    def _source():
        return fashion_mnist_source()


def _float_tensor(pixels):
    """A minitorch float32 tensor of uint8 `pixels`, values kept in 0..255."""
    import minitorch  # lazy: this module must import before the package's __init__ finishes
    return minitorch.tensor(pixels.astype(np.float32))


def _int_tensor(labels):
    """A minitorch int64 tensor of int64 `labels`."""
    import minitorch
    return minitorch.tensor(labels)


def _four_arrays(source, root, download):
    """(X_train, Y_train, X_test, Y_test) of `source` as numpy arrays."""
    train_images, train_labels = load_split(source, True, root, download)
    test_images, test_labels = load_split(source, False, root, download)
    return train_images, train_labels, test_images, test_labels


def mnist(root=None, download=True):
    """MNIST as (X_train, Y_train, X_test, Y_test) numpy arrays.

    Images are uint8 (N, 28, 28), labels int64 (N,); N is 60000 for train, 10000 for test.
    """
    return _four_arrays(mnist_source(), root, download)


def fashion_mnist(root=None, download=True):
    """Fashion-MNIST as (X_train, Y_train, X_test, Y_test), shaped and typed like mnist()."""
    return _four_arrays(fashion_mnist_source(), root, download)
