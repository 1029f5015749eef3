#!/usr/bin/env python3
"""SpikeMesh's ReLU conversion against SpikingJelly's ann2snn, side by side, in one run.

    swift build -c release
    pip install spikingjelly               # then re-pin the CPU torch: pip install "torch==2.13.0+cpu"
    apt-get install -y dataset-fashion-mnist
    python3 Tools/compare_conversion.py [--models Examples/fmnist_cnn.onnx,…] [--images 2000]
        [--timesteps 4,8,16,32,64,128,256] [--calibration-images 1000]
        [--spikemesh "default;--v0 zero --thresholds layer --pooling spiking"] [--mean M --std S]

For every ONNX model it converts the same network twice:
  * SpikingJelly: the ONNX graph is rebuilt as a torch module (Conv, Gemm, Relu, Add, pooling,
    Flatten, with the file's weights), then `ann2snn.FXConverter(RateCodingRecipe(loader,
    mode=…))` converts it, for mode `max` and `99.9%` (SpikingJelly's layer-wise defaults) and,
    for reference, `99.9%` with `channel_wise=True, half_threshold=True`. The SNN is run T
    single steps on the analog image (direct input) and the summed output is read at every T.
  * SpikeMesh: `spikemesh simulate MODEL --timesteps … --json` for each option set given with
    --spikemesh (`default` = no options, SpikeMesh's defaults).
Both calibrate on the first N training images and are scored on the first M test images of
Fashion-MNIST (the IDX files of Debian's dataset-fashion-mnist), normalized with the same mean
and std: --mean/--std if given, else the model's spikemesh.mean/std metadata, else 0 and 1.
It prints one Markdown table per model (accuracy in % per T, the ANN first) and one JSON line
per system and model.
"""
import argparse, importlib.metadata, json, os, subprocess, sys, time

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist_data  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--models", default="Examples/fmnist_cnn.onnx,Examples/fmnist_mlp.onnx,Examples/fmnist_resnet.onnx")
p.add_argument("--images", type=int, default=2000, help="test images scored")
p.add_argument("--calibration-images", type=int, default=1000, help="training images both systems calibrate on")
p.add_argument("--timesteps", default="4,8,16,32,64,128,256")
p.add_argument("--spikemesh", default="default", help="';'-separated SpikeMesh option sets ('default' = none)")
p.add_argument("--mean", type=float, default=None)
p.add_argument("--std", type=float, default=None)
p.add_argument("--batch", type=int, default=250)
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()
timesteps = [int(t) for t in a.timesteps.split(",")]
torch.set_num_threads(a.threads)
BINARY = os.path.join(ROOT, ".build/release/spikemesh")
if not os.path.exists(BINARY):
    sys.exit(f"error: {BINARY} not found; run `swift build -c release` first")


def normalization(model):
    meta = {q.key: q.value for q in model.metadata_props}
    mean = a.mean if a.mean is not None else float(meta.get("spikemesh.mean", 0))
    std = a.std if a.std is not None else float(meta.get("spikemesh.std", 1))
    return mean, std


class OnnxNet(nn.Module):
    """An ONNX graph of the ops the bundled models use, as torch modules (fx-traceable)."""

    def __init__(self, model):
        super().__init__()
        g = model.graph
        init = {t.name: torch.tensor(numpy_helper.to_array(t).copy()) for t in g.initializer}
        self.input_name = g.input[0].name
        self.output_name = g.output[0].name
        self.steps = []  # (kind, module name or None, input names, output name)
        self.layers = nn.ModuleDict()
        for k, n in enumerate(g.node):
            at = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
            name = f"n{k}_{n.op_type}"
            if n.op_type == "Conv":
                w = init[n.input[1]]
                pads = list(at.get("pads", [0, 0, 0, 0]))
                if pads[0] != pads[2] or pads[1] != pads[3] or at.get("group", 1) != 1:
                    sys.exit(f"error: node {n.name}: asymmetric padding or groups are not handled")
                m = nn.Conv2d(w.shape[1], w.shape[0], tuple(w.shape[2:]), stride=tuple(at.get("strides", [1, 1])),
                              padding=tuple(pads[:2]), bias=len(n.input) > 2)
                m.weight.data = w
                if len(n.input) > 2:
                    m.bias.data = init[n.input[2]]
            elif n.op_type == "Gemm":
                w = init[n.input[1]]
                if not at.get("transB", 0) or at.get("transA", 0) or at.get("alpha", 1) != 1 or at.get("beta", 1) != 1:
                    sys.exit(f"error: node {n.name}: only Gemm with transB=1 is handled")
                m = nn.Linear(w.shape[1], w.shape[0], bias=len(n.input) > 2)
                m.weight.data = w
                if len(n.input) > 2:
                    m.bias.data = init[n.input[2]]
            elif n.op_type == "Relu":
                m = nn.ReLU()
            elif n.op_type == "AveragePool":
                m = nn.AvgPool2d(tuple(at["kernel_shape"]), stride=tuple(at.get("strides", at["kernel_shape"])),
                                 padding=tuple(at.get("pads", [0, 0, 0, 0])[:2]),
                                 count_include_pad=bool(at.get("count_include_pad", 0)))
            elif n.op_type == "GlobalAveragePool":
                m = nn.AdaptiveAvgPool2d(1)
            elif n.op_type == "Flatten":
                m = nn.Flatten(at.get("axis", 1))
            elif n.op_type == "Add":
                m = None
            else:
                sys.exit(f"error: node {n.name}: op {n.op_type} is not handled by this script")
            if m is not None:
                self.layers[name] = m
            self.steps.append((n.op_type, name if m is not None else None, list(n.input), n.output[0]))

    def forward(self, x):
        values = {self.input_name: x}
        for kind, name, inputs, output in self.steps:
            if kind == "Add":
                values[output] = values[inputs[0]] + values[inputs[1]]
            else:
                values[output] = self.layers[name](values[inputs[0]])
        return values[self.output_name]


@torch.no_grad()
def spikingjelly_curve(ann, recipe_args, calibration, test_x, test_y):
    from spikingjelly.activation_based import ann2snn, functional
    loader = [(calibration[i:i + a.batch], None) for i in range(0, len(calibration), a.batch)]
    loader = [b[0] for b in loader]
    recipe = ann2snn.RateCodingRecipe(dataloader=loader, **recipe_args)
    snn = ann2snn.FXConverter(recipe=recipe, device="cpu").convert(ann)
    snn.eval()
    correct = np.zeros(len(timesteps))
    for b in range(0, len(test_x), a.batch):
        xb, yb = test_x[b:b + a.batch], test_y[b:b + a.batch]
        functional.reset_net(snn)
        out = None
        for t in range(1, max(timesteps) + 1):
            step = snn(xb)
            out = step if out is None else out + step
            if t in timesteps:
                correct[timesteps.index(t)] += int((out.argmax(1) == yb).sum())
    return list(correct / len(test_x))


def spikemesh_curve(model_path, options, mean, std):
    cmd = [BINARY, "simulate", model_path, "--data", fmnist_data.data_dir(), "--limit", str(a.images),
           "--calibration-data", fmnist_data.data_dir(), "--calibration-images", str(a.calibration_images),
           "--mean", str(mean), "--std", str(std), "--timesteps", a.timesteps, "--json", "--quiet",
           "--threads", str(a.threads), *options.split()]
    print("$", " ".join(cmd), file=sys.stderr)
    out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
    by_t = {c["timesteps"]: c["accuracy"] for c in out["curve"]}
    return [by_t[t] for t in timesteps], out["annAccuracy"]


test_u8, test_lab = fmnist_data.load_split("test")
train_u8, _ = fmnist_data.load_split("train")
SJ_MODES = [("SpikingJelly max", dict(mode="max")), ("SpikingJelly 99.9%", dict(mode="99.9%")),
            ("SpikingJelly 99.9%, channel-wise, half threshold",
             dict(mode="99.9%", channel_wise=True, half_threshold=True))]
versions = f"spikingjelly {importlib.metadata.version('spikingjelly')}, torch {torch.__version__}"
for path in a.models.split(","):
    model = onnx.load(path)
    mean, std = normalization(model)
    norm = lambda u8: torch.tensor((u8.astype(np.float32) / 255 - mean) / std).unsqueeze(1)  # noqa: E731
    test_x, test_y = norm(test_u8[:a.images]), torch.tensor(test_lab[:a.images].astype(np.int64))
    calibration = norm(train_u8[:a.calibration_images])
    ann = OnnxNet(model).eval()
    with torch.no_grad():
        ann_acc = float((ann(test_x).argmax(1) == test_y).float().mean())
    rows = []
    for label, args in SJ_MODES:
        t0 = time.time()
        curve = spikingjelly_curve(OnnxNet(model).eval(), args, calibration, test_x, test_y)
        rows.append((label, curve))
        print(json.dumps(dict(model=path, system=label, versions=versions, curve=dict(zip(timesteps, curve)),
                              seconds=round(time.time() - t0, 1))), flush=True)
    for options in a.spikemesh.split(";"):
        options = "" if options.strip() == "default" else options.strip()
        t0 = time.time()
        curve, sm_ann = spikemesh_curve(path, options, mean, std)
        label = "SpikeMesh " + (options if options else "default")
        rows.append((label, curve))
        print(json.dumps(dict(model=path, system=label, annAccuracy=sm_ann, curve=dict(zip(timesteps, curve)),
                              seconds=round(time.time() - t0, 1))), flush=True)
    print(f"\n{path}: first {a.images} Fashion-MNIST test images, calibration on the first "
          f"{a.calibration_images} training images, mean {mean}, std {std}; ANN (torch) {100 * ann_acc:.2f} %; {versions}\n")
    print("| system | " + " | ".join(f"T = {t}" for t in timesteps) + " |")
    print("|---|" + "---|" * len(timesteps))
    for label, curve in rows:
        print(f"| {label} | " + " | ".join(f"{100 * c:.2f}" for c in curve) + " |")
    print(flush=True)
