#!/usr/bin/env python3
"""SpikeMesh's emulator and reference simulator against SpikingJelly, same network, inputs, T.

    swift build -c release
    pip install --no-deps spikingjelly loguru      # with the CPU torch already installed
    python3 Benchmarks/spikingjelly_compare.py [--model Examples/fmnist_cnn.onnx | wide-random]
        [--images 200] [--timesteps 64] [--threads 1,2] [--batch 50]

For each thread count it runs, in this one script run:
  1. `spikemesh-bench emulator` (the event-driven chip emulator on loihi, every counter on),
     which also writes the converted float network (`--save-network`);
  2. `spikemesh-bench reference` (the float, dense, time-stepped reference simulator);
  3. SpikingJelly (`spikingjelly.activation_based`, multi-step mode) running that same network
     file: each projection as a torch layer with the file's weights (scaled by the source's θ,
     as spikes carry θ), the population's bias, and `neuron.IFNode(v_threshold=θ,
     v_reset=None)` — SpikingJelly's soft-reset IF neuron. The first layer's current (direct
     input) is computed once and repeated over T, as SpikeMesh does; the output layer
     accumulates its membrane (no firing) and the class is the argmax.
and prints one JSON line per system plus a Markdown table. The images are the first N of the
bundled test sample; the network is the one spikemesh-bench converts (`max` thresholds on
200 bundled training images). SpikingJelly's accuracy is printed beside the reference
simulator's: the two simulate the same float network and must agree to within float
rounding.
"""
import argparse, gzip, importlib.metadata, json, os, subprocess, sys, tempfile, time

import numpy as np
import torch
import torch.nn as nn
from spikingjelly.activation_based import functional, layer, neuron

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--model", default="Examples/fmnist_cnn.onnx")
p.add_argument("--images", type=int, default=200)
p.add_argument("--timesteps", type=int, default=64)
p.add_argument("--threads", default="1,2", help="comma-separated thread counts to run")
p.add_argument("--batch", type=int, default=50, help="SpikingJelly batch size")
p.add_argument("--data", default="Examples/fashion-mnist-test-1000.smds.gz")
a = p.parse_args()

BENCH = ".build/release/spikemesh-bench"
if not os.path.exists(BENCH):
    sys.exit(f"error: {BENCH} not found; run `swift build -c release` first")


def bench(which, threads, extra=()):
    cmd = [BENCH, which, "--model", a.model, "--images", str(a.images), "--timesteps", str(a.timesteps),
           "--threads", str(threads), "--repeats", "1", "--data", a.data, *extra]
    print("$", " ".join(cmd), file=sys.stderr)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def load_smds(path, count):
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    if raw[:4] != b"SMDS":
        sys.exit(f"error: {path}: not an SMDS file")
    c, h, w = (int.from_bytes(raw[o:o + 4], "little") for o in (12, 16, 20))
    n = int.from_bytes(raw[8:12], "little")
    labels = np.frombuffer(raw, np.uint8, n, 24).astype(np.int64)
    pixels = np.frombuffer(raw, np.uint8, n * c * h * w, 24 + n).reshape(n, c, h, w)
    return pixels[:count], labels[:count]


class Scale(nn.Module):
    """Spikes of amplitude θ: SpikingJelly's IFNode emits 0/1."""
    def __init__(self, s):
        super().__init__()
        self.s = s

    def forward(self, x):
        return x * self.s


def torch_layer(kind, src_shape, theta_src, bias):
    """One projection as a multi-step SpikingJelly layer; the source's θ is folded into it."""
    name, body = next(iter(kind.items()))
    body = body.get("_0", body)
    if name == "conv":
        pad = body["padding"]
        if pad["top"] != pad["bottom"] or pad["left"] != pad["right"]:
            sys.exit("error: asymmetric padding is not handled by this script")
        m = layer.Conv2d(body["inChannels"], body["outChannels"], (body["kernelHeight"], body["kernelWidth"]),
                         stride=(body["strideHeight"], body["strideWidth"]), padding=(pad["top"], pad["left"]),
                         bias=bias is not None, step_mode="m")
        m.weight.data = torch.tensor(body["weights"], dtype=torch.float32).reshape(m.weight.shape) * theta_src
        if bias is not None:
            m.bias.data = torch.tensor(bias, dtype=torch.float32)
        return m
    if name == "dense":
        fan_in = int(np.prod(src_shape))
        w = torch.tensor(body["weights"], dtype=torch.float32).reshape(-1, fan_in) * theta_src
        m = layer.Linear(fan_in, w.shape[0], bias=bias is not None, step_mode="m")
        m.weight.data = w
        if bias is not None:
            m.bias.data = torch.tensor(bias, dtype=torch.float32)
        return nn.Sequential(layer.Flatten(step_mode="m"), m) if len(src_shape) == 3 else m
    if name == "avgPool":
        if bias is not None:
            sys.exit("error: a pooling population with a bias is not handled by this script")
        pad = body["padding"]
        return nn.Sequential(Scale(theta_src), layer.AvgPool2d((body["kernelHeight"], body["kernelWidth"]),
                             stride=(body["strideHeight"], body["strideWidth"]), padding=(pad["top"], pad["left"]),
                             count_include_pad=body["countIncludePad"], step_mode="m"))
    sys.exit(f"error: projection kind {name} is not handled by this script (feed-forward chains only)")


def spikingjelly_network(path):
    net = json.load(open(path))["network"]
    pops, projs = net["populations"], net["projections"]
    if any(q["source"] != q["target"] - 1 for q in projs) or len(projs) != len(pops) - 1:
        sys.exit("error: this script runs feed-forward chains only")
    first, rest = None, []
    for q in projs:
        src, dst = pops[q["source"]], pops[q["target"]]
        if dst.get("initialPotential", 0) != 0 and q["target"] != net["output"]:
            sys.exit("error: V(0) ≠ 0 is not handled by this script (SpikingJelly's IFNode starts at 0)")
        theta_src = 1.0 if q["source"] == 0 else src["threshold"]
        bias = dst.get("bias")
        m = torch_layer(q["kind"], src["shape"], theta_src, bias)
        if q["source"] == 0:
            first = m
        else:
            rest.append(m)
        if q["target"] != net["output"]:
            rest.append(neuron.IFNode(v_threshold=dst["threshold"], v_reset=None, step_mode="m"))
    return first, nn.Sequential(*rest)


def normalization():
    """The mean and std spikemesh-bench uses: the model's spikemesh.mean/std metadata, else 0
    and 1 (Normalization.resolve); the generated wide-random model carries Fashion-MNIST's."""
    if a.model == "wide-random":
        return 0.2860, 0.3530
    import onnx
    meta = {q.key: q.value for q in onnx.load(a.model, load_external_data=False).metadata_props}
    return float(meta.get("spikemesh.mean", 0)), float(meta.get("spikemesh.std", 1))


@torch.no_grad()
def run_spikingjelly(path, pixels, labels, threads):
    torch.set_num_threads(threads)
    first, rest = spikingjelly_network(path)
    first.eval(); rest.eval()
    mean, std = normalization()
    x = (torch.tensor(pixels, dtype=torch.float32) / 255 - mean) / std
    correct = 0
    start = time.perf_counter()
    for b in range(0, len(x), a.batch):
        xb = x[b:b + a.batch]
        current = first(xb.unsqueeze(0))                      # [1, N, …]: the input current, once
        seq = current.expand(a.timesteps, *current.shape[1:])  # the same current every tick
        out = rest(seq)                                        # [T, N, classes]: output currents
        correct += int((out.sum(0).argmax(1) == torch.tensor(labels[b:b + a.batch])).sum())
        functional.reset_net(rest)
    seconds = time.perf_counter() - start
    return {"system": "spikingjelly", "version": importlib.metadata.version("spikingjelly"),
            "torch": torch.__version__, "threads": threads, "images": len(x), "timesteps": a.timesteps,
            "imagesPerSecond": round(len(x) / seconds, 1), "accuracy": correct / len(x)}


pixels, labels = load_smds(a.data, a.images)
rows = []
with tempfile.TemporaryDirectory() as tmp:
    net = os.path.join(tmp, "net.smnet")
    for threads in [int(t) for t in a.threads.split(",")]:
        emu = bench("emulator", threads, ["--save-network", net])
        ref = bench("reference", threads)
        sj = run_spikingjelly(net, pixels, labels, threads)
        for r in (emu, ref, sj):
            print(json.dumps(r))
        rows.append((threads, emu, ref, sj))

print(f"\n| threads | SpikeMesh emulator (loihi, all counters) | reference simulator | SpikingJelly {rows[0][3]['version']} (torch {rows[0][3]['torch']}) | emulator SOPs/s | accuracy emulator / reference / SpikingJelly |")
print("|---|---|---|---|---|---|")
for threads, emu, ref, sj in rows:
    print(f"| {threads} | {emu['imagesPerSecond']} img/s | {ref['imagesPerSecond']} img/s | {sj['imagesPerSecond']} img/s | "
          f"{emu['synapticOpsPerSecond'] / 1e6:.0f} M | {100 * emu['accuracy']:.1f} / {100 * ref['accuracy']:.1f} / {100 * sj['accuracy']:.1f} % |")
print(f"\nmodel {a.model}, first {a.images} images of {a.data}, T = {a.timesteps}")
