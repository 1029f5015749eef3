"""Writes the NumPy dataset fixtures of Tests/SpikeMeshTests/Fixtures/numpy (NumPyTests).

Three 3 x 5 x 6 RGB images with pixel (n, c, y, x) = (n*97 + c*31 + y*7 + x*3) % 256 and
labels 7, 0, 255, saved four ways: uint8 NCHW (numpy.savez, stored), float32 NHWC in 0..1
(numpy.savez_compressed, deflated), uint8 N x H x W with int64 labels (one channel), and a
lone .npy. Run: python3 Tools/make_numpy_fixtures.py
"""
import numpy as np

out = "Tests/SpikeMeshTests/Fixtures/numpy/"
n, c, h, w = np.meshgrid(np.arange(3), np.arange(3), np.arange(5), np.arange(6), indexing="ij")
x = ((n * 97 + c * 31 + h * 7 + w * 3) % 256).astype(np.uint8)
y = np.array([7, 0, 255], dtype=np.uint8)
np.savez(out + "rgb-nchw-uint8.npz", x=x, y=y)
np.savez_compressed(out + "rgb-nhwc-float32.npz", x=(x.transpose(0, 2, 3, 1).astype(np.float32) / 255), y=y.astype(np.int64))
np.savez(out + "gray-nhw-uint8.npz", x=x[:, 0], y=y.astype(np.int64))
np.save(out + "images-only.npy", x)

# The first 20 Fashion-MNIST test images (Debian's dataset-fashion-mnist), as the bundled
# Examples/fashion-mnist-test-1000.smds.gz starts: uint8 N x 28 x 28, int64 labels.
import gzip
with gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz") as f:
    images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28)[:20]
with gzip.open("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz") as f:
    labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)[:20].astype(np.int64)
np.savez_compressed(out + "fashion-mnist-test-20.npz", x=images, y=labels)
