"""Fashion-MNIST loading shared by the SpikeMesh Python tools.

Reads the IDX files shipped by Debian's `dataset-fashion-mnist` package
(`apt-get install dataset-fashion-mnist`) with gzip + numpy only, so no
torchvision is needed. Set SPIKEMESH_FMNIST_DIR to use another directory
holding the four standard `*-ubyte.gz` files.
"""
import gzip
import os

import numpy as np

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"
MEAN = 0.2860
STD = 0.3530
CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]


def data_dir():
    return os.environ.get("SPIKEMESH_FMNIST_DIR", DEFAULT_DIR)


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    data = np.frombuffer(raw, dtype=np.uint8, offset=offset)
    expected = int(np.prod(dims))
    if data.size != expected:
        raise ValueError(f"{path}: expected {expected} bytes of data, found {data.size}")
    return data.reshape(dims)


def load_split(split):
    """Return (images uint8 [N,28,28], labels uint8 [N]) for 'train' or 'test'."""
    prefix = {"train": "train", "test": "t10k"}[split]
    d = data_dir()
    images = _read_idx(os.path.join(d, f"{prefix}-images-idx3-ubyte.gz"))
    labels = _read_idx(os.path.join(d, f"{prefix}-labels-idx1-ubyte.gz"))
    if images.shape[0] != labels.shape[0]:
        raise ValueError("image and label counts differ")
    return images, labels


def normalize(images_u8):
    """uint8 [N,28,28] -> float32 [N,1,28,28], x = (pixel/255 - MEAN) / STD."""
    x = images_u8.astype(np.float32) / np.float32(255.0)
    x = (x - np.float32(MEAN)) / np.float32(STD)
    return x.reshape(x.shape[0], 1, x.shape[1], x.shape[2]).astype(np.float32)
