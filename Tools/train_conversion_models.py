#!/usr/bin/env python3
"""Train the two extra Fashion-MNIST models the low-latency conversion study uses.

Writes, relative to the repository root:
  Examples/fmnist_mlp.onnx      784-256-128-10 ReLU MLP with biases
  Examples/fmnist_resnet.onnx   3-stage ResNet with BatchNorm and residual joins:
                                conv3x3(1->16)+BN+ReLU
                                -> stage 1: basic block 16 (identity skip)
                                -> stage 2: basic block 16->32, stride 2 (1x1 conv+BN skip)
                                -> stage 3: basic block 32->64, stride 2 (1x1 conv+BN skip)
                                -> global average pooling -> Linear(64->10)

Both use the legacy exporter at opset 13 with a dynamic batch, carry the same
spikemesh.* metadata as the bundled CNN (Tools/train_examples.py), and are checked
against onnxruntime after export.

Usage:  python3 Tools/train_conversion_models.py [--only mlp,resnet] [--epochs N] [--threads 2]

Requires torch (CPU), onnx and onnxruntime, and the Fashion-MNIST IDX files (Debian
package `dataset-fashion-mnist`). Seeded: with the same torch version and thread count
the run is deterministic.
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

SEED = 20261202


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.act1 = nn.ReLU()
        self.fc2 = nn.Linear(256, 128)
        self.act2 = nn.ReLU()
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x):
        x = torch.flatten(x, 1)
        return self.fc3(self.act2(self.fc2(self.act1(self.fc1(x)))))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.skip = None
        if stride != 1 or cin != cout:
            self.skip = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))
        self.relu_out = nn.ReLU()

    def forward(self, x):
        y = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        return self.relu_out(y + (x if self.skip is None else self.skip(x)))


class ResNet3(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.stage1 = BasicBlock(16, 16, 1)
        self.stage2 = BasicBlock(16, 32, 2)
        self.stage3 = BasicBlock(32, 64, 2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.stage3(self.stage2(self.stage1(self.stem(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


MODELS = {
    "mlp": dict(file="fmnist_mlp.onnx", make=MLP, epochs=8, lr=1e-3),
    "resnet": dict(file="fmnist_resnet.onnx", make=ResNet3, epochs=8, lr=2e-3),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="mlp,resnet")
    ap.add_argument("--epochs", type=int, default=None, help="epochs for every model (default: 8)")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=te.EXAMPLES)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    log = lambda s: print(s, flush=True)  # noqa: E731

    train_u8, train_lab = fmnist_data.load_split("train")
    test_u8, test_lab = fmnist_data.load_split("test")
    train_x = torch.from_numpy(fmnist_data.normalize(train_u8))
    train_y = torch.from_numpy(train_lab.astype(np.int64))
    test_np = fmnist_data.normalize(test_u8)
    test_y = test_lab.astype(np.int64)

    for key in [k.strip() for k in args.only.split(",") if k.strip()]:
        cfg = MODELS[key]
        te.seed_everything(SEED)
        model = cfg["make"]()
        params = sum(p.numel() for p in model.parameters())
        epochs = args.epochs or cfg["epochs"]
        log(f"== {key}: {cfg['file']} ({params} parameters, {epochs} epochs)")
        t0 = time.time()
        te.train_model(model, train_x, train_y, epochs, cfg["lr"], args.batch_size, SEED + 1, log)
        model.eval()
        pred = te.torch_predict(model, torch.from_numpy(test_np))
        acc = float((pred == test_y).mean())
        log(f"  PyTorch test accuracy {acc:.4f}, trained in {time.time() - t0:.0f} s")
        path = os.path.join(args.out, cfg["file"])
        te.export_legacy(model, path)
        te.add_metadata(path, acc, trained_by="Tools/train_conversion_models.py")
        ort_pred, _ = te.ort_predict(path, test_np)
        log(f"  {cfg['file']}: onnxruntime accuracy {float((ort_pred == test_y).mean()):.4f}, "
            f"argmax agreement with PyTorch {float((ort_pred == pred).mean()):.4f}; ops {te.op_types(path)}; "
            f"{os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
