#!/usr/bin/env python3
"""Train and export SpikeMesh's bundled example models (Fashion-MNIST).

Writes, relative to the repository root:
  Examples/fmnist_cnn.onnx          CNN with biases + BatchNorm2d (legacy exporter, opset 13)
  Examples/fmnist_cnn_nobias.onnx   same topology, no bias, no BatchNorm (RMP-SNN style)
  Examples/fmnist_cnn_qcfs.onnx     topology of fmnist_cnn with QCFS activations (L=4, learned lambda)
  Examples/fmnist_cnn_dynamo.onnx   fmnist_cnn exported with the dynamo exporter (opset 18)
  Examples/fashion-mnist-test-1000.smds.gz   first 1,000 test images in SMDS format
  Examples/README.md                table of files and accuracies

Usage:  python3 Tools/train_examples.py [--epochs N] [--only cnn,nobias,qcfs] [--threads 2]

Requires torch, onnx, onnxruntime, onnxscript (for the dynamo export) and
the Fashion-MNIST IDX files (Debian package `dataset-fashion-mnist`).
Everything is seeded; with the same torch version and thread count the run
is deterministic.
"""
import argparse
import gzip
import io
import json
import os
import random
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist_data  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "Examples")
SEED = 20240611


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


# --------------------------------------------------------------------------- models

class QCFS(nn.Module):
    """Quantization-clip-floor-shift activation (Bu et al., ICLR 2022).

    h(x) = lambda * clip(floor(x * L / lambda + 1/2) / L, 0, 1), lambda learned.
    Training uses a straight-through estimator for floor; eval mode uses plain
    torch ops only so the ONNX export is Div/Mul/Add/Floor/Div/Clip/Mul.
    """

    def __init__(self, levels=4, init_lambda=4.0):
        super().__init__()
        self.levels = levels
        self.lam = nn.Parameter(torch.tensor([float(init_lambda)]))

    def forward(self, x):
        L = self.levels
        if self.training:
            z = torch.clamp(x / self.lam, 0, 1)
            y = z * L + 0.5
            y = y + (torch.floor(y) - y).detach()  # floor, straight-through gradient
            return y / L * self.lam
        return torch.clamp(torch.floor(x / self.lam * L + 0.5) / L, 0, 1) * self.lam

    def extra_repr(self):
        return f"L={self.levels}"


class FashionCNN(nn.Module):
    """conv(1->16) conv(16->32) avgpool conv(32->32) avgpool fc(1568->64) fc(64->10)."""

    def __init__(self, bias=True, batchnorm=True, activation="relu", dropout=0.2):
        super().__init__()

        def act():
            return QCFS(levels=4, init_lambda=4.0) if activation == "qcfs" else nn.ReLU()

        def conv(cin, cout):
            layers = [nn.Conv2d(cin, cout, 3, padding=1, bias=bias)]
            if batchnorm:
                layers.append(nn.BatchNorm2d(cout))
            layers.append(act())
            return layers

        self.features = nn.Sequential(
            *conv(1, 16),
            *conv(16, 32),
            nn.AvgPool2d(2),
            *conv(32, 32),
            nn.AvgPool2d(2),
        )
        self.fc1 = nn.Linear(32 * 7 * 7, 64, bias=bias)
        self.act_fc = act()
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(64, 10, bias=bias)

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(x, 1)
        x = self.drop(self.act_fc(self.fc1(x)))
        return self.fc2(x)


# --------------------------------------------------------------------------- training

def param_groups(model, weight_decay, decay_lambda=False):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        # conv / linear weights get weight decay; biases and BN affine don't; QCFS lambda does
        # when decay_lambda (it keeps λ tight, so the SNN's large-T limit clip(x, 0, λ) stays
        # near the quantized ANN)
        if p.ndim >= 2 or (decay_lambda and name.endswith("lam")):
            decay.append(p)
        else:
            no_decay.append(p)
    return [
        {"params": decay, "weight_decay": weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]


def train_model(model, train_x, train_y, epochs, lr, batch_size, seed, log, decay_lambda=False):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(param_groups(model, 1e-4, decay_lambda), lr=lr)
    steps_per_epoch = (train_x.shape[0] + batch_size - 1) // batch_size
    total = epochs * steps_per_epoch
    warmup = min(200, total // 10)

    def lr_at(step):  # linear warm-up then cosine to 2 % of the peak
        if step < warmup:
            return (step + 1) / warmup
        t = (step - warmup) / max(1, total - warmup)
        return 0.02 + 0.98 * 0.5 * (1 + np.cos(np.pi * t))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    n = train_x.shape[0]
    model.to(memory_format=torch.channels_last)
    for epoch in range(epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(n, generator=gen)
        running, correct, seen = 0.0, 0, 0
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            xb = train_x[idx]
            yb = train_y[idx]
            # random horizontal flip (seeded)
            flip = torch.rand(xb.shape[0], generator=gen) < 0.5
            xb = torch.where(flip.view(-1, 1, 1, 1), xb.flip(3), xb)
            xb = xb.contiguous(memory_format=torch.channels_last)  # faster oneDNN convolutions
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            running += loss.item() * xb.shape[0]
            correct += (out.argmax(1) == yb).sum().item()
            seen += xb.shape[0]
        extra = ""
        lams = [m.lam.item() for m in model.modules() if isinstance(m, QCFS)]
        if lams:
            extra = " lambda=[" + ", ".join(f"{v:.3f}" for v in lams) + "]"
        log(f"  epoch {epoch + 1}/{epochs}: loss {running / seen:.4f} "
            f"train acc {correct / seen:.4f} ({time.time() - t0:.0f} s){extra}")
    model.to(memory_format=torch.contiguous_format)


@torch.no_grad()
def torch_predict(model, x, batch_size=1000):
    model.eval()
    preds = []
    for i in range(0, x.shape[0], batch_size):
        preds.append(model(x[i:i + batch_size]).argmax(1))
    return torch.cat(preds).numpy()


def ort_predict(path, x_np, batch_size=1000):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    fixed_batch = inp.shape[0] if isinstance(inp.shape[0], int) else None
    bs = fixed_batch or batch_size
    preds = []
    for i in range(0, x_np.shape[0], bs):
        preds.append(sess.run(None, {inp.name: x_np[i:i + bs]})[0].argmax(1))
    return np.concatenate(preds), fixed_batch


# --------------------------------------------------------------------------- export

def export_legacy(model, path):
    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(
        model.eval(), dummy, path, dynamo=False, opset_version=13,
        input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
    )


def export_dynamo(model, path, log):
    """Dynamo export, opset 18; dynamic batch if possible, else batch 1."""
    dummy = torch.zeros(2, 1, 28, 28)
    data_path = path + ".data"
    if os.path.exists(data_path):
        os.remove(data_path)
    try:
        batch = torch.export.Dim("batch", min=1, max=4096)
        torch.onnx.export(
            model.eval(), (dummy,), path, dynamo=True, opset_version=18,
            input_names=["input"], output_names=["logits"],
            dynamic_shapes=({0: batch},),
        )
        return "dynamic"
    except Exception as exc:  # pragma: no cover - fallback path
        log(f"  dynamo export with dynamic batch failed ({type(exc).__name__}: {exc}); "
            "retrying with batch 1")
        torch.onnx.export(
            model.eval(), (torch.zeros(1, 1, 28, 28),), path, dynamo=True, opset_version=18,
            input_names=["input"], output_names=["logits"],
        )
        return "1"


def add_metadata(path, accuracy, trained_by="Tools/train_examples.py", extra=None):
    import onnx
    data_path = path + ".data"
    external = os.path.exists(data_path)
    m = onnx.load(path, load_external_data=True)
    meta = {
        "spikemesh.mean": f"{fmnist_data.MEAN:.4f}",
        "spikemesh.std": f"{fmnist_data.STD:.4f}",
        "spikemesh.dataset": "fashion-mnist",
        "spikemesh.classes": ",".join(fmnist_data.CLASSES),
        "spikemesh.pytorch_test_accuracy": f"{accuracy:.4f}",
        "spikemesh.trained_by": trained_by,
    }
    meta.update(extra or {})
    kept = [p for p in m.metadata_props if p.key not in meta]
    del m.metadata_props[:]
    m.metadata_props.extend(kept)
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(m)
    if external:
        os.remove(data_path)
        onnx.save(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                  location=os.path.basename(data_path), size_threshold=1024)
        if not os.path.exists(data_path):  # nothing was large enough to go external
            external = False
    else:
        onnx.save(m, path)
    onnx.checker.check_model(path)
    for f in (path, data_path):
        if os.path.exists(f):
            os.chmod(f, 0o644)  # onnx creates the external data file as 0600
    return external


def op_types(path):
    import onnx
    m = onnx.load(path, load_external_data=False)
    return sorted({n.op_type for n in m.graph.node})


# --------------------------------------------------------------------------- data set file

def write_smds_gz(path, images_u8, labels_u8):
    """SMDS v1: 'SMDS', version, N, C, H, W (uint32 LE), N labels uint8, N*C*H*W pixels uint8."""
    images = np.ascontiguousarray(images_u8, dtype=np.uint8)
    if images.ndim == 3:
        images = images[:, None, :, :]
    n, c, h, w = images.shape
    buf = io.BytesIO()
    buf.write(b"SMDS")
    buf.write(struct.pack("<5I", 1, n, c, h, w))
    buf.write(np.ascontiguousarray(labels_u8, dtype=np.uint8).tobytes())
    buf.write(images.tobytes())
    raw = buf.getvalue()
    assert len(raw) == 24 + n + n * c * h * w
    with open(path, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as gz:
            gz.write(raw)
    return len(raw)


# --------------------------------------------------------------------------- main

VARIANTS = {
    "cnn": dict(file="fmnist_cnn.onnx", bias=True, batchnorm=True, activation="relu",
                lr=2e-3, description="3×conv3x3 + BatchNorm2d + bias, ReLU, 2×AvgPool, FC 1568→64→10"),
    "nobias": dict(file="fmnist_cnn_nobias.onnx", bias=False, batchnorm=False, activation="relu",
                   lr=1e-3, description="same topology, no bias and no BatchNorm (RMP-SNN style)"),
    "qcfs": dict(file="fmnist_cnn_qcfs.onnx", bias=True, batchnorm=True, activation="qcfs",
                 lr=2e-3, epochs=12, decay_lambda=True,
                 description="topology of fmnist_cnn with QCFS activation (L=4, learned λ per layer, weight decay on λ)"),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=None,
                    help="epochs for every model (default: 6, and 12 for qcfs)")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--only", default="cnn,nobias,qcfs", help="comma-separated subset of " + ",".join(VARIANTS))
    ap.add_argument("--out", default=EXAMPLES)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.out, exist_ok=True)
    log = lambda s: print(s, flush=True)  # noqa: E731
    t_start = time.time()

    train_u8, train_lab = fmnist_data.load_split("train")
    test_u8, test_lab = fmnist_data.load_split("test")
    train_x = torch.from_numpy(fmnist_data.normalize(train_u8))
    train_y = torch.from_numpy(train_lab.astype(np.int64))
    test_np = fmnist_data.normalize(test_u8)
    test_x = torch.from_numpy(test_np)
    test_y = test_lab.astype(np.int64)

    smds_path = os.path.join(args.out, "fashion-mnist-test-1000.smds.gz")
    raw_len = write_smds_gz(smds_path, test_u8[:1000], test_lab[:1000])
    log(f"wrote {smds_path} ({raw_len} bytes uncompressed, {os.path.getsize(smds_path)} gz)")

    results = []
    keys_run = [k.strip() for k in args.only.split(",") if k.strip()]
    for key in keys_run:
        cfg = VARIANTS[key]
        seed_everything(SEED)
        model = FashionCNN(bias=cfg["bias"], batchnorm=cfg["batchnorm"], activation=cfg["activation"])
        n_params = sum(p.numel() for p in model.parameters())
        log(f"== {key}: {cfg['file']} ({n_params} parameters)")
        t0 = time.time()
        epochs = args.epochs or cfg.get("epochs", 6)
        train_model(model, train_x, train_y, epochs, cfg["lr"], args.batch_size, SEED + 1, log,
                    decay_lambda=cfg.get("decay_lambda", False))
        train_s = time.time() - t0
        model.eval()
        pred = torch_predict(model, test_x)
        acc = float((pred == test_y).mean())
        acc1000 = float((pred[:1000] == test_y[:1000]).mean())
        log(f"  PyTorch test accuracy {acc:.4f} (first 1000: {acc1000:.4f}), trained in {train_s:.0f} s")

        entries = [(cfg["file"], cfg["description"] + "; legacy exporter, opset 13, dynamic batch", "legacy")]
        if key == "cnn":
            entries.append(("fmnist_cnn_dynamo.onnx", "fmnist_cnn (same weights) exported with the dynamo exporter, opset 18",
                            "dynamo"))
        for fname, desc, exporter in entries:
            path = os.path.join(args.out, fname)
            batch_note = "dynamic"
            if exporter == "legacy":
                export_legacy(model, path)
            else:
                batch_note = export_dynamo(model, path, log)
            external = add_metadata(path, acc)
            ort_pred, fixed = ort_predict(path, test_np)
            ort_acc = float((ort_pred == test_y).mean())
            agree = float((ort_pred == pred).mean())
            ops = op_types(path)
            sizes = {os.path.basename(path): os.path.getsize(path)}
            if external:
                sizes[os.path.basename(path) + ".data"] = os.path.getsize(path + ".data")
            log(f"  {fname}: onnxruntime accuracy {ort_acc:.4f} (argmax agreement with PyTorch {agree:.4f}); "
                f"batch {batch_note}; external data: {external}; sizes {sizes}")
            log(f"  ops: {ops}")
            if exporter == "dynamo":
                desc += f", batch {batch_note}" + (", weights in external .onnx.data" if external else "")
            results.append(dict(file=fname, description=desc, params=n_params, acc=acc, ort_acc=ort_acc,
                                acc1000=acc1000, epochs=epochs, ops=ops, sizes=sizes,
                                external=external, train_seconds=round(train_s),
                                batch=batch_note))

    total_s = time.time() - t_start
    log(f"total time {total_s:.0f} s")
    if set(VARIANTS) <= set(keys_run):
        write_readme(args.out, results, total_s, args)
    else:
        log("(subset run: Examples/README.md not rewritten)")
    cache = os.path.join(ROOT, "Tools", ".cache")  # git-ignored
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(cache, "train_examples_last_run.json"), "w") as f:
        json.dump(dict(results=results, total_seconds=round(total_s)), f, indent=1)


def write_readme(out, results, total_s, args):
    lines = [
        "# Example models",
        "",
        "Small Fashion-MNIST networks to try SpikeMesh on. They are produced by",
        "`Tools/train_examples.py`; regenerate everything in this folder with",
        "",
        "```sh",
        "python3 Tools/train_examples.py",
        "```",
        "",
        f"(torch {torch.__version__}, onnx {__import__('onnx').__version__}, onnxruntime "
        f"{__import__('onnxruntime').__version__}; {args.threads} CPU threads; the run that wrote these files took "
        f"{total_s / 60:.0f} min wall-clock). The data come from Debian's `dataset-fashion-mnist` package.",
        "Training is seeded; results are reproducible for the same torch version and thread count.",
        "",
        "Input: 1×28×28, normalized as `x = (pixel/255 − 0.2860) / 0.3530`. Output: 10 logits.",
        "Accuracies are on the full 10,000-image Fashion-MNIST test split; the last column is",
        "the PyTorch accuracy on only the first 1,000 test images (the images in",
        "`fashion-mnist-test-1000.smds.gz`).",
        "",
        "| file | description | params | PyTorch test acc. | onnxruntime test acc. | epochs | first 1,000 (PyTorch) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(f"| `{r['file']}` | {r['description']} | {r['params']:,} | {r['acc']:.4f} | "
                     f"{r['ort_acc']:.4f} | {r['epochs']} | {r['acc1000']:.4f} |")
    lines += [
        "",
        "Architecture (all three): conv3x3(1→16, pad 1) [BN] act → conv3x3(16→32, pad 1) [BN] act →",
        "AvgPool2d(2) → conv3x3(32→32, pad 1) [BN] act → AvgPool2d(2) → Flatten → Linear(1568→64) act →",
        "Dropout(0.2) → Linear(64→10). Adam, batch 128, warm-up + cosine learning-rate schedule,",
        "weight decay 1e-4 on conv/linear weights (and on λ for the QCFS model), random horizontal flips;",
        "6 epochs (12 for the QCFS model).",
        "",
        "The QCFS activation (Bu et al., ICLR 2022) is exported in its inference form",
        "`clip(floor(x / λ · 4 + 0.5) / 4, 0, 1) · λ`, i.e. the ONNX chain",
        "Div → Mul → Add → Floor → Div → Clip → Mul, with λ as an initializer.",
        "",
        "Every `.onnx` file carries metadata properties: `spikemesh.mean`, `spikemesh.std`,",
        "`spikemesh.dataset`, `spikemesh.classes`, `spikemesh.pytorch_test_accuracy`,",
        "`spikemesh.trained_by`.",
        "",
        "ONNX operator types per file:",
        "",
    ]
    for r in results:
        lines.append(f"- `{r['file']}`: {', '.join(r['ops'])}")
    lines += [
        "",
        "## fashion-mnist-test-1000.smds.gz",
        "",
        "The first 1,000 images of the Fashion-MNIST test split, gzip-compressed. The",
        "uncompressed SMDS file is (all integers little-endian uint32):",
        "",
        "| offset | content |",
        "| ---: | --- |",
        "| 0 | magic bytes `SMDS` |",
        "| 4 | version = 1 |",
        "| 8 | count N (1000) |",
        "| 12 | channels C (1) |",
        "| 16 | height H (28) |",
        "| 20 | width W (28) |",
        "| 24 | N labels, uint8 |",
        "| 24 + N | N·C·H·W pixels, uint8 0–255, image-major, each image C×H×W row-major |",
        "",
        "Pixels are raw; apply the normalization above before feeding a model.",
        "Class names (label 0–9): " + ", ".join(fmnist_data.CLASSES) + ".",
        "",
    ]
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
