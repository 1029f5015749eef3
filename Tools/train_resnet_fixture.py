#!/usr/bin/env python3
"""Train a small residual Fashion-MNIST network with BatchNorm, for conversion tests.

Writes Tests/SpikeMeshTests/Fixtures/models/fmnist_resnet_small.onnx
(legacy exporter, opset 13, dynamic batch) and refreshes
Tests/SpikeMeshTests/Fixtures/README.md (via Tools/make_fixtures.py's README writer).

Topology:
  conv3x3(1->16)+BN+ReLU -> AvgPool(2)
  -> [conv3x3(16->16)+BN+ReLU -> conv3x3(16->16)+BN] + identity -> ReLU -> AvgPool(2)
  -> [conv3x3(16->16)+BN+ReLU -> conv3x3(16->16)+BN] + identity -> ReLU
  -> Flatten -> Linear(16*7*7 -> 10)

Usage:  python3 Tools/train_resnet_fixture.py [--epochs 4]
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist_data  # noqa: E402
import train_examples as te  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "SpikeMeshTests", "Fixtures", "models", "fmnist_resnet_small.onnx")
SEED = 7031


class BasicBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(channels)
        self.relu_out = nn.ReLU()

    def forward(self, x):
        y = self.relu1(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu_out(y + x)


class SmallResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU())
        self.pool1 = nn.AvgPool2d(2)
        self.block1 = BasicBlock(16)
        self.pool2 = nn.AvgPool2d(2)
        self.block2 = BasicBlock(16)
        self.fc = nn.Linear(16 * 7 * 7, 10)

    def forward(self, x):
        x = self.pool1(self.stem(x))
        x = self.pool2(self.block1(x))
        x = self.block2(x)
        return self.fc(torch.flatten(x, 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    te.seed_everything(SEED)
    t0 = time.time()
    train_u8, train_lab = fmnist_data.load_split("train")
    test_u8, test_lab = fmnist_data.load_split("test")
    train_x = torch.from_numpy(fmnist_data.normalize(train_u8))
    train_y = torch.from_numpy(train_lab.astype(np.int64))
    test_np = fmnist_data.normalize(test_u8)
    test_y = test_lab.astype(np.int64)

    model = SmallResNet()
    n_params = sum(p.numel() for p in model.parameters())
    print(f"fmnist_resnet_small: {n_params} parameters", flush=True)
    te.train_model(model, train_x, train_y, args.epochs, 2e-3, 128, SEED + 1, print)
    pred = te.torch_predict(model, torch.from_numpy(test_np))
    acc = float((pred == test_y).mean())
    print(f"PyTorch test accuracy {acc:.4f}", flush=True)

    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    te.export_legacy(model, args.out)
    te.add_metadata(args.out, acc, trained_by="Tools/train_resnet_fixture.py",
                    extra={"spikemesh.epochs": str(args.epochs)})
    ort_pred, _ = te.ort_predict(args.out, test_np)
    ort_acc = float((ort_pred == test_y).mean())
    print(f"onnxruntime test accuracy {ort_acc:.4f}; ops {te.op_types(args.out)}; "
          f"{os.path.getsize(args.out)} bytes; {time.time() - t0:.0f} s total", flush=True)
    assert os.path.getsize(args.out) < 1_000_000

    import make_fixtures
    make_fixtures.write_readme()


if __name__ == "__main__":
    main()
