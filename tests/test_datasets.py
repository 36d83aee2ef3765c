"""Tests for minitorch.datasets: IDX parsing, file lookup, verified downloads, datasets.

No test reaches the network: downloads go to an http.server on 127.0.0.1, and an autouse
fixture makes any other URL fail the test.
"""
import gzip
import hashlib
import http.server
import os
import struct
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from minitorch import datasets
from minitorch.datasets import DatasetError

DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
TRAIN_IMAGES, TRAIN_LABELS = datasets.SPLIT_FILES[True]
TEST_IMAGES, TEST_LABELS = datasets.SPLIT_FILES[False]


# ---------------------------------------------------------------------------
# Making IDX files
# ---------------------------------------------------------------------------


def idx_bytes(array, type_code=0x08):
    """The IDX encoding of `array`, stored with element type `type_code`."""
    array = np.asarray(array)
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(datasets.IDX_DTYPES[type_code]).tobytes()


def random_split(count, seed):
    """`count` random uint8 28x28 images and int64 labels in 0..9."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=count).astype(np.int64)
    return images, labels


def split_files(train_count=50, test_count=20, seed=0):
    """{file stem: raw IDX bytes} for a small dataset, and its arrays by stem."""
    train_images, train_labels = random_split(train_count, seed)
    test_images, test_labels = random_split(test_count, seed + 1)
    arrays = {TRAIN_IMAGES: train_images, TRAIN_LABELS: train_labels,
              TEST_IMAGES: test_images, TEST_LABELS: test_labels}
    return {stem: idx_bytes(array) for stem, array in arrays.items()}, arrays


def write_dataset(folder, gz=True, **sizes):
    """Write a small dataset's four files into `folder`; return its arrays by stem."""
    folder.mkdir(parents=True, exist_ok=True)
    contents, arrays = split_files(**sizes)
    for stem, raw in contents.items():
        if gz:
            (folder / (stem + ".gz")).write_bytes(gzip.compress(raw))
        else:
            (folder / stem).write_bytes(raw)
    return arrays


def gz_files_and_hashes(**sizes):
    """({".gz" name: bytes}, {".gz" name: SHA-256}, arrays) of a small dataset."""
    contents, arrays = split_files(**sizes)
    files = {stem + ".gz": gzip.compress(raw, mtime=0) for stem, raw in contents.items()}
    hashes = {name: hashlib.sha256(body).hexdigest() for name, body in files.items()}
    return files, hashes, arrays


def files_under(folder):
    """Every file below `folder`, relative to it, sorted."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Keep every test off the real network, the real cache and the system folders."""
    real_urlopen = urllib.request.urlopen

    def local_only_urlopen(url, *args, **kwargs):
        host = urllib.parse.urlsplit(url).hostname
        assert host == "127.0.0.1", f"test tried to reach {url}"
        return real_urlopen(url, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", local_only_urlopen)
    monkeypatch.delenv("MINITORCH_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(datasets, "FASHION_MNIST_SYSTEM_FOLDERS", ())


class RouteHandler(http.server.BaseHTTPRequestHandler):
    """Serves the server's `routes`: URL path -> (body, declared Content-Length); else 404."""

    def do_GET(self):
        self.server.requests.append(self.path)
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        body, declared_length = route
        self.send_response(200)
        self.send_header("Content-Length", str(declared_length))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(request):
    """An HTTP server on 127.0.0.1 (ephemeral port) with `routes` and `requests` lists."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RouteHandler)
    httpd.routes = {}
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()

    def stop():
        httpd.shutdown()
        httpd.server_close()
        thread.join()

    request.addfinalizer(stop)
    return httpd


def mirror(httpd, prefix, files=None, cut_short=False):
    """Serve `files` ({name: bytes}) under /prefix/ and return that mirror's base URL.

    With cut_short, each body is sent half-way while Content-Length promises all of it.
    """
    for name, body in (files or {}).items():
        sent = body[: len(body) // 2] if cut_short else body
        httpd.routes[f"/{prefix}/{name}"] = (sent, len(body))
    return f"http://127.0.0.1:{httpd.server_address[1]}/{prefix}/"


def use_mnist_mirrors(monkeypatch, mirrors, hashes):
    monkeypatch.setattr(datasets, "MNIST_MIRRORS", tuple(mirrors))
    monkeypatch.setattr(datasets, "MNIST_SHA256", hashes)


# ---------------------------------------------------------------------------
# Reading IDX files
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
def test_reads_images_and_labels(tmp_path, gz):
    arrays = write_dataset(tmp_path, gz=gz)
    suffix = ".gz" if gz else ""
    images = datasets.read_images(tmp_path / (TRAIN_IMAGES + suffix))
    labels = datasets.read_labels(tmp_path / (TRAIN_LABELS + suffix))
    assert images.dtype == np.uint8 and images.shape == (50, 28, 28)
    assert labels.dtype == np.int64 and labels.shape == (50,)
    np.testing.assert_array_equal(images, arrays[TRAIN_IMAGES])
    np.testing.assert_array_equal(labels, arrays[TRAIN_LABELS])


def test_read_idx_converts_big_endian_types(tmp_path):
    values = np.arange(-6, 6, dtype=np.int32).reshape(3, 4) * 100000
    path = tmp_path / "ints-idx2-int"
    path.write_bytes(idx_bytes(values, type_code=0x0C))
    parsed = datasets.read_idx(path)
    assert parsed.dtype == np.dtype(np.int32) and parsed.dtype.isnative
    np.testing.assert_array_equal(parsed, values)
    parsed[0, 0] = 1  # a writable copy, not a view of the file's bytes


def corruptions():
    """(id, file name, bytes) of broken files, each a different fault."""
    images = idx_bytes(np.zeros((5, 28, 28), dtype=np.uint8))
    labels = idx_bytes(np.zeros(5, dtype=np.uint8))
    return [
        ("labels-as-images", TRAIN_IMAGES, labels),
        ("int32-images", TRAIN_IMAGES, idx_bytes(np.zeros((5, 28, 28)), type_code=0x0C)),
        ("nonzero-magic", TRAIN_IMAGES, b"\x01\x02" + images[2:]),
        ("unknown-type-code", TRAIN_IMAGES, images[:2] + b"\x07" + images[3:]),
        ("too-short-for-magic", TRAIN_IMAGES, images[:3]),
        ("truncated-header", TRAIN_IMAGES, images[:10]),
        ("truncated-data", TRAIN_IMAGES, images[:-1]),
        ("trailing-garbage", TRAIN_IMAGES, images + b"garbage"),
        ("truncated-gzip", TRAIN_IMAGES + ".gz", gzip.compress(images)[:-20]),
        ("html-instead-of-gzip", TRAIN_IMAGES + ".gz", b"<html>Not Found</html>"),
    ]


@pytest.mark.parametrize("filename, contents", [case[1:] for case in corruptions()],
                         ids=[case[0] for case in corruptions()])
def test_corrupt_file_error_names_file_and_fix(tmp_path, filename, contents):
    path = tmp_path / filename
    path.write_bytes(contents)
    with pytest.raises(DatasetError) as caught:
        datasets.read_images(path)
    message = str(caught.value)
    assert message.count(str(path)) == 2
    assert f"Delete {path} and run again to re-download it." in message


def test_wrong_magic_message_says_what_was_expected(tmp_path):
    path = tmp_path / TRAIN_LABELS
    path.write_bytes(idx_bytes(np.zeros((5, 28, 28), dtype=np.uint8)))
    with pytest.raises(DatasetError, match="0x00000801"):
        datasets.read_labels(path)


@pytest.mark.parametrize("dims", [(2**32 - 1,) * 3, (2**21, 2**21, 2**22)],
                         ids=["huge", "int64-product-wraps-to-zero"])
def test_header_asking_for_more_than_any_file_is_impossible(tmp_path, dims):
    path = tmp_path / TRAIN_IMAGES
    path.write_bytes(bytes([0, 0, 0x08, 3]) + struct.pack(">3I", *dims) + bytes(100))
    with pytest.raises(DatasetError) as caught:
        datasets.read_images(path)
    message = str(caught.value)
    needed = 16 + dims[0] * dims[1] * dims[2]
    assert f"impossible header: shape {dims} of uint8 would need {needed} bytes" in message
    assert "truncated" not in message and "unexpected bytes" not in message


def test_count_mismatch_names_both_files(tmp_path):
    write_dataset(tmp_path)
    labels_path = tmp_path / (TRAIN_LABELS + ".gz")
    labels_path.write_bytes(gzip.compress(idx_bytes(np.zeros(49, dtype=np.uint8))))
    with pytest.raises(DatasetError) as caught:
        datasets.mnist(root=tmp_path, download=False)
    message = str(caught.value)
    assert str(tmp_path / (TRAIN_IMAGES + ".gz")) in message
    assert str(labels_path) in message
    assert "50 images" in message and "49 labels" in message
    assert "re-download" not in message and "pass download=True" in message


def test_corrupt_file_remedy_depends_on_download(tmp_path):
    write_dataset(tmp_path)
    path = tmp_path / (TEST_LABELS + ".gz")
    path.write_bytes(b"<html>Not Found</html>")
    with pytest.raises(DatasetError) as caught:
        datasets.MNIST(root=tmp_path, train=False, download=False)
    assert str(caught.value).endswith(f"Replace {path} with a good copy, or delete it and "
                                      "pass download=True to download it.")
    with pytest.raises(DatasetError) as caught:
        datasets.MNIST(root=tmp_path, train=False, download=True)
    assert str(caught.value).endswith(f"Delete {path} and run again to re-download it.")


@pytest.mark.parametrize("download", [True, False])
def test_corrupt_system_package_file_says_to_reinstall_the_package(tmp_path, monkeypatch,
                                                                  download):
    system = tmp_path / "usr-share"
    write_dataset(system)
    monkeypatch.setattr(datasets, "FASHION_MNIST_SYSTEM_FOLDERS", (system,))
    (system / (TRAIN_IMAGES + ".gz")).write_bytes(b"\x1f\x8b broken")
    with pytest.raises(DatasetError) as caught:
        datasets.FashionMNIST(download=download)
    message = str(caught.value)
    assert message.startswith(f"{system / (TRAIN_IMAGES + '.gz')} is not a valid IDX file")
    assert message.endswith("run `apt-get install --reinstall dataset-fashion-mnist`.")
    assert "Delete" not in message and "download=True" not in message


def test_count_mismatch_in_system_folder_says_to_reinstall(tmp_path, monkeypatch):
    system = tmp_path / "usr-share"
    write_dataset(system)
    (system / (TEST_LABELS + ".gz")).write_bytes(gzip.compress(idx_bytes(np.zeros(3))))
    monkeypatch.setattr(datasets, "FASHION_MNIST_SYSTEM_FOLDERS", (system,))
    with pytest.raises(DatasetError) as caught:
        datasets.FashionMNIST(train=False)
    message = str(caught.value)
    assert "20 images" in message and "3 labels" in message
    assert "apt-get install --reinstall dataset-fashion-mnist" in message
    assert "Delete" not in message


# ---------------------------------------------------------------------------
# Finding files
# ---------------------------------------------------------------------------


def train_count_found(root=None):
    """How many training images MNIST loads without downloading."""
    return len(datasets.MNIST(root=root, train=True, download=False, as_tensors=False))


def test_lookup_order_root_then_env_then_cache(tmp_path, monkeypatch):
    root = tmp_path / "root"
    data_root = tmp_path / "data"
    write_dataset(root / "mnist", train_count=10)
    write_dataset(root / "fashion-mnist", train_count=9)
    assert train_count_found(root) == 10  # root/<name> first
    (root / "mnist").rename(root / "mnist-moved")
    write_dataset(root, train_count=11)  # files put directly in root still load
    write_dataset(data_root / "mnist", train_count=12, gz=False)
    write_dataset(tmp_path / "cache" / "minitorch" / "mnist", train_count=13)
    monkeypatch.setenv("MINITORCH_DATA", str(data_root))
    assert train_count_found(root) == 11
    assert train_count_found() == 12
    monkeypatch.delenv("MINITORCH_DATA")
    assert train_count_found() == 13


def test_cache_defaults_to_home_without_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME")
    write_dataset(tmp_path / "home" / ".cache" / "minitorch" / "mnist", train_count=14)
    assert train_count_found() == 14


def test_lookup_falls_back_to_other_folders_per_file(tmp_path):
    root = tmp_path / "root"
    write_dataset(root, train_count=11)
    (root / (TRAIN_LABELS + ".gz")).unlink()
    cache = tmp_path / "cache" / "minitorch" / "mnist"
    cache.mkdir(parents=True)
    (cache / TRAIN_LABELS).write_bytes(idx_bytes(np.zeros(11, dtype=np.uint8)))
    assert train_count_found(root) == 11


def test_system_folder_is_searched_last_for_fashion_mnist(tmp_path, monkeypatch):
    system = tmp_path / "usr-share"
    write_dataset(system, train_count=15)
    monkeypatch.setattr(datasets, "FASHION_MNIST_SYSTEM_FOLDERS", (system,))
    assert len(datasets.FashionMNIST(download=False, as_tensors=False)) == 15
    write_dataset(tmp_path / "cache" / "minitorch" / "fashion-mnist", train_count=16)
    assert len(datasets.FashionMNIST(download=False, as_tensors=False)) == 16


def test_missing_files_without_download_lists_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("MINITORCH_DATA", str(tmp_path / "data"))
    with pytest.raises(DatasetError) as caught:
        datasets.mnist(root=tmp_path / "root", download=False)
    message = str(caught.value)
    for folder in (tmp_path / "root", tmp_path / "data" / "mnist",
                   tmp_path / "cache" / "minitorch" / "mnist"):
        assert str(folder) in message
    assert "download=True" in message
    assert "apt-get" not in message


def test_search_folders_put_root_name_then_root_first(tmp_path, monkeypatch):
    monkeypatch.setenv("MINITORCH_DATA", str(tmp_path / "data"))
    source = datasets.fashion_mnist_source()
    assert datasets.search_folders(source, root=tmp_path / "root") == [
        tmp_path / "root" / "fashion-mnist", tmp_path / "root",
        tmp_path / "data" / "fashion-mnist", tmp_path / "cache" / "minitorch" / "fashion-mnist",
    ]
    assert datasets.writable_candidates("mnist", root=tmp_path / "root")[0] == (
        tmp_path / "root" / "mnist")


def test_missing_fashion_files_without_download_mention_the_package(tmp_path):
    with pytest.raises(DatasetError) as caught:
        datasets.fashion_mnist(root=tmp_path, download=False)
    assert str(caught.value).endswith(
        "put the file in one of these folders, or `apt-get install dataset-fashion-mnist`.")


# ---------------------------------------------------------------------------
# Downloading
# ---------------------------------------------------------------------------


def test_download_into_root_verifies_and_loads(tmp_path, server, monkeypatch):
    files, hashes, arrays = gz_files_and_hashes()
    use_mnist_mirrors(monkeypatch, [mirror(server, "good", files)], hashes)
    root = tmp_path / "root"
    x_train, y_train, x_test, y_test = datasets.mnist(root=root)
    assert files_under(root) == sorted(f"mnist/{name}" for name in files)
    for name, body in files.items():
        assert (root / "mnist" / name).read_bytes() == body
    np.testing.assert_array_equal(x_train, arrays[TRAIN_IMAGES])
    np.testing.assert_array_equal(y_test, arrays[TEST_LABELS])
    assert len(server.requests) == 4
    datasets.mnist(root=root)
    assert len(server.requests) == 4  # found on disk the second time


def test_download_goes_to_env_folder_then_cache(tmp_path, server, monkeypatch):
    files, hashes, _ = gz_files_and_hashes()
    use_mnist_mirrors(monkeypatch, [mirror(server, "good", files)], hashes)
    monkeypatch.setenv("MINITORCH_DATA", str(tmp_path / "data"))
    datasets.MNIST(train=False, as_tensors=False)
    assert (tmp_path / "data" / "mnist" / (TEST_IMAGES + ".gz")).is_file()
    monkeypatch.delenv("MINITORCH_DATA")
    datasets.MNIST(train=False, as_tensors=False)
    assert (tmp_path / "cache" / "minitorch" / "mnist" / (TEST_IMAGES + ".gz")).is_file()


def test_second_mirror_used_when_first_returns_404(tmp_path, server, monkeypatch):
    files, hashes, arrays = gz_files_and_hashes()
    empty = mirror(server, "empty")
    good = mirror(server, "good", files)
    use_mnist_mirrors(monkeypatch, [empty, good], hashes)
    dataset = datasets.MNIST(root=tmp_path, train=True, as_tensors=False)
    np.testing.assert_array_equal(dataset.data, arrays[TRAIN_IMAGES])
    image_name = TRAIN_IMAGES + ".gz"
    assert server.requests[:2] == [f"/empty/{image_name}", f"/good/{image_name}"]


def test_checksum_mismatch_keeps_nothing_and_names_file(tmp_path, server, monkeypatch):
    files, hashes, _ = gz_files_and_hashes()
    wrong = {name: body + b"tampered" for name, body in files.items()}
    use_mnist_mirrors(monkeypatch, [mirror(server, "bad", wrong)], hashes)
    with pytest.raises(DatasetError) as caught:
        datasets.MNIST(root=tmp_path, as_tensors=False)
    message = str(caught.value)
    assert TRAIN_IMAGES + ".gz" in message
    assert "SHA-256 mismatch" in message and hashes[TRAIN_IMAGES + ".gz"] in message
    assert files_under(tmp_path) == []


def test_checksum_mismatch_moves_on_to_next_mirror(tmp_path, server, monkeypatch):
    files, hashes, arrays = gz_files_and_hashes()
    wrong = {name: body[::-1] for name, body in files.items()}
    use_mnist_mirrors(monkeypatch, [mirror(server, "bad", wrong), mirror(server, "good", files)],
                      hashes)
    dataset = datasets.MNIST(root=tmp_path, train=False, as_tensors=False)
    np.testing.assert_array_equal(dataset.targets, arrays[TEST_LABELS])
    assert files_under(tmp_path) == [f"mnist/{TEST_IMAGES}.gz", f"mnist/{TEST_LABELS}.gz"]


def test_body_cut_short_leaves_no_partial_file(tmp_path, server, monkeypatch):
    files, hashes, _ = gz_files_and_hashes()
    use_mnist_mirrors(monkeypatch, [mirror(server, "short", files, cut_short=True)], hashes)
    with pytest.raises(DatasetError, match="connection closed after"):
        datasets.MNIST(root=tmp_path, as_tensors=False)
    assert files_under(tmp_path) == []


def test_all_mirrors_failing_lists_each_and_says_where_to_put_files(tmp_path, server,
                                                                     monkeypatch):
    files, hashes, _ = gz_files_and_hashes()
    missing = mirror(server, "missing")
    short = mirror(server, "short", files, cut_short=True)
    use_mnist_mirrors(monkeypatch, [missing, short], hashes)
    with pytest.raises(DatasetError) as caught:
        datasets.mnist(root=tmp_path)
    message = str(caught.value)
    assert f"{missing}{TRAIN_IMAGES}.gz: HTTP Error 404" in message
    assert f"{short}{TRAIN_IMAGES}.gz: connection closed after" in message
    assert message.endswith(f"by hand and put it in {tmp_path / 'mnist'}.")


def test_fashion_mnist_download_failure_mentions_the_debian_package(tmp_path, server,
                                                                   monkeypatch):
    files, hashes, _ = gz_files_and_hashes()
    monkeypatch.setattr(datasets, "FASHION_MNIST_MIRRORS", (mirror(server, "missing"),))
    monkeypatch.setattr(datasets, "FASHION_MNIST_SHA256", hashes)
    with pytest.raises(DatasetError) as caught:
        datasets.fashion_mnist(root=tmp_path)
    assert str(caught.value).endswith(
        f"by hand and put it in {tmp_path / 'fashion-mnist'}, or "
        "`apt-get install dataset-fashion-mnist`.")


def test_mnist_and_fashion_mnist_download_into_their_own_folders_of_root(tmp_path, server,
                                                                        monkeypatch):
    digits, digit_hashes, digit_arrays = gz_files_and_hashes(seed=0)
    clothes, clothes_hashes, clothes_arrays = gz_files_and_hashes(seed=5)
    use_mnist_mirrors(monkeypatch, [mirror(server, "digits", digits)], digit_hashes)
    monkeypatch.setattr(datasets, "FASHION_MNIST_MIRRORS", (mirror(server, "clothes", clothes),))
    monkeypatch.setattr(datasets, "FASHION_MNIST_SHA256", clothes_hashes)
    root = tmp_path / "shared"
    first = datasets.MNIST(root=root, train=False, as_tensors=False)
    second = datasets.FashionMNIST(root=root, train=False, as_tensors=False)
    np.testing.assert_array_equal(first.data, digit_arrays[TEST_IMAGES])
    np.testing.assert_array_equal(second.data, clothes_arrays[TEST_IMAGES])
    assert not np.array_equal(first.data, second.data)
    assert files_under(root) == sorted(f"{name}/{stem}.gz" for name in ("fashion-mnist", "mnist")
                                       for stem in (TEST_IMAGES, TEST_LABELS))
    assert len(server.requests) == 4


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_downloaded_files_get_the_usual_permissions(tmp_path, server, monkeypatch, umask,
                                                    mode):
    files, hashes, _ = gz_files_and_hashes()
    use_mnist_mirrors(monkeypatch, [mirror(server, "good", files)], hashes)
    previous = os.umask(umask)
    try:
        datasets.MNIST(root=tmp_path, train=False, as_tensors=False)
    finally:
        os.umask(previous)
    for stem in (TEST_IMAGES, TEST_LABELS):
        assert (tmp_path / "mnist" / f"{stem}.gz").stat().st_mode & 0o777 == mode


def test_download_refused_without_known_checksum(tmp_path, server, monkeypatch):
    files, _, _ = gz_files_and_hashes()
    use_mnist_mirrors(monkeypatch, [mirror(server, "good", files)], {})
    with pytest.raises(DatasetError, match="no known SHA-256 for train-images-idx3-ubyte.gz"):
        datasets.mnist(root=tmp_path)
    assert server.requests == []


def test_download_file_returns_verified_path(tmp_path, server):
    body = b"any bytes at all"
    url = mirror(server, "plain", {"blob.gz": body})
    path = datasets.download_file("blob.gz", tmp_path, [url], hashlib.sha256(body).hexdigest())
    assert path == tmp_path / "blob.gz" and path.read_bytes() == body


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def test_mnist_returns_original_four_tuple(tmp_path):
    arrays = write_dataset(tmp_path, train_count=50, test_count=20)
    x_train, y_train, x_test, y_test = datasets.mnist(root=tmp_path, download=False)
    assert x_train.shape == (50, 28, 28) and x_test.shape == (20, 28, 28)
    assert x_train.dtype == np.uint8 and x_test.dtype == np.uint8
    assert y_train.shape == (50,) and y_test.shape == (20,)
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    np.testing.assert_array_equal(x_test, arrays[TEST_IMAGES])
    np.testing.assert_array_equal(y_train, arrays[TRAIN_LABELS])


def test_fashion_mnist_returns_four_tuple(tmp_path):
    write_dataset(tmp_path, train_count=30, test_count=10)
    shapes = [array.shape for array in datasets.fashion_mnist(root=tmp_path, download=False)]
    assert shapes == [(30, 28, 28), (30,), (10, 28, 28), (10,)]


def test_dataset_indexing_returns_image_and_label(tmp_path):
    arrays = write_dataset(tmp_path)
    dataset = datasets.MNIST(root=tmp_path, train=True, download=False, as_tensors=False)
    assert len(dataset) == 50
    assert len(dataset.classes) == 10
    image, label = dataset[7]
    np.testing.assert_array_equal(image, arrays[TRAIN_IMAGES][7])
    assert isinstance(label, int) and label == arrays[TRAIN_LABELS][7]
    assert dataset.data.dtype == np.uint8 and dataset.targets.dtype == np.int64


def test_fashion_mnist_has_clothing_classes(tmp_path):
    write_dataset(tmp_path)
    dataset = datasets.FashionMNIST(root=tmp_path, train=False, download=False, as_tensors=False)
    assert len(dataset) == 20
    assert dataset.classes[9] == "Ankle boot"


def test_as_tensors_gives_float32_pixels_and_int64_targets(tmp_path):
    minitorch = pytest.importorskip("minitorch")
    if not hasattr(minitorch, "tensor"):
        pytest.skip("minitorch.tensor is not available yet")
    arrays = write_dataset(tmp_path)
    dataset = datasets.MNIST(root=tmp_path, train=True, download=False)
    assert tuple(dataset.data.shape) == (50, 28, 28)
    assert dataset.data.dtype.name == "float32"
    assert tuple(dataset.targets.shape) == (50,)
    assert dataset.targets.dtype.name == "int64"
    image, label = dataset[3]
    assert tuple(image.shape) == (28, 28)
    assert label == arrays[TRAIN_LABELS][3]


@pytest.mark.skipif(not DEBIAN_FASHION_MNIST.is_dir(),
                    reason=f"{DEBIAN_FASHION_MNIST} absent (Debian package dataset-fashion-mnist)")
def test_reads_debian_fashion_mnist(monkeypatch):
    monkeypatch.setattr(datasets, "FASHION_MNIST_SYSTEM_FOLDERS", (DEBIAN_FASHION_MNIST,))
    x_train, y_train, x_test, y_test = datasets.fashion_mnist(download=False)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert y_train.min() == 0 and y_train.max() == 9
    assert y_test.min() == 0 and y_test.max() == 9
    assert np.bincount(y_train).tolist() == [6000] * 10
