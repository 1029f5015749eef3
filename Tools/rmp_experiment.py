#!/usr/bin/env python3
"""The RMP-SNN and QCFS/SRP experiments of Docs/Experiments.md, run through the spikemesh CLI.

Usage (from the package root, after `swift build -c release`):
    python3 Tools/rmp_experiment.py [--images N] [--data PATH] > Docs/Experiments-results.md

Writes Docs/figures/rmp_reset.svg and Docs/figures/rmp_alpha.svg and prints Markdown tables.
Every run is seeded (spikemesh's default seed 0); the numbers are reproducible.
"""
import argparse, json, subprocess, sys

p = argparse.ArgumentParser()
p.add_argument("--images", type=int, default=None, help="first N images (default: all)")
p.add_argument("--data", default="Examples/fashion-mnist-test-1000.smds.gz")
p.add_argument("--calibration-images", type=int, default=200)
p.add_argument("--parts", default="reset,alpha,qcfs", help="which experiments to run (comma-separated)")
a = p.parse_args()

BIN = ".build/release/spikemesh"

def simulate(model, *extra):
    limit = ["--limit", str(a.images)] if a.images else []
    cmd = [BIN, "simulate", model, "--data", a.data, *limit, "--json",
           "--calibration-images", str(a.calibration_images),
           "--calibration-data", "Examples/fashion-mnist-train-1000.smds.gz", *extra]
    print("$", " ".join(cmd), file=sys.stderr)
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)

def svg(path, title, series, xs):
    W, H, L, B = 640, 400, 60, 50
    x0, x1 = 0, len(xs) - 1
    def X(i): return L + (W - L - 20) * (i - x0) / max(1, x1 - x0)
    def Y(v): return H - B - (H - B - 30) * v
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="Helvetica, Arial, sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>', f'<text x="{L}" y="18" font-size="14" font-weight="bold">{title}</text>']
    for v in [0, .2, .4, .6, .8, 1]:
        out.append(f'<line x1="{L}" x2="{W-20}" y1="{Y(v):.1f}" y2="{Y(v):.1f}" stroke="#ddd"/><text x="{L-8}" y="{Y(v)+4:.1f}" text-anchor="end">{int(v*100)}%</text>')
    for i, t in enumerate(xs):
        out.append(f'<text x="{X(i):.1f}" y="{H-B+18}" text-anchor="middle">{t}</text>')
    out.append(f'<text x="{(L+W)/2}" y="{H-12}" text-anchor="middle">time steps T (log scale)</text>')
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#7f7f7f"]
    for k, (name, ys) in enumerate(series):
        c = colours[k % len(colours)]
        pts = " ".join(f"{X(i):.1f},{Y(v):.1f}" for i, v in enumerate(ys))
        out.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="{pts}"/>')
        out.append(f'<rect x="{W-200}" y="{H-B-20-18*len(series)+18*k}" width="12" height="12" fill="{c}"/><text x="{W-182}" y="{H-B-10-18*len(series)+18*k}">{name}</text>')
    out.append("</svg>")
    open(path, "w").write("\n".join(out) + "\n")

T = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
ts = ",".join(map(str, T))
nobias = "Examples/fmnist_cnn_nobias.onnx"
print(f"Runs on {'the first %d' % a.images if a.images else 'all'} images of {a.data}; thresholds from {a.calibration_images} calibration images.\n")

parts = set(a.parts.split(","))

# 1. Soft (subtract) vs hard (zero) reset, RMP thresholds, α = 1.
if "reset" in parts or "alpha" in parts:
    runs = {r: simulate(nobias, "--method", "rmp", "--v0", "zero", "--reset", r, "--timesteps", ts) for r in ["subtract", "zero"]}
    ann = runs["subtract"]["annAccuracy"]
    print(f"## Soft vs hard reset (RMP thresholds, α = 1), {nobias}; ANN accuracy {100*ann:.2f} %\n")
    print("| T | " + " | ".join(map(str, T)) + " |")
    print("|---|" + "---|" * len(T))
    for r, d in runs.items():
        print(f"| {r} | " + " | ".join(f"{100*c['accuracy']:.1f}" for c in d["curve"]) + " |")
    print("\nspike rate R (eq. 8) at T = 1024: " + ", ".join(f"{r} {d['spikeRate']:.4f}" for r, d in runs.items()) + "\n")
    svg("Docs/figures/rmp_reset.svg", f"Soft vs hard reset, {nobias.split('/')[-1]} (ANN {100*ann:.1f} %)",
        [(f"ANN", [ann] * len(T))] + [(r, [c["accuracy"] for c in d["curve"]]) for r, d in runs.items()], T)

# 2. Threshold scaling α (subtract reset).
if "alpha" in parts:
    T2 = [1, 2, 4, 8, 16, 32, 64, 128, 256]
    alphas = [1.0, 0.8, 0.6, 0.4, 0.2]
    # α = 1 is the subtract run above, read at the same T.
    runs2 = {al: simulate(nobias, "--method", "rmp", "--v0", "zero", "--alpha", str(al), "--timesteps", ",".join(map(str, T2))) for al in alphas if al != 1.0}
    runs2 = {1.0: dict(runs["subtract"], curve=runs["subtract"]["curve"][:len(T2)], spikeRate=None), **runs2}
    print("## Threshold scaling α (RMP thresholds × α, subtract reset)\n")
    print("| α | " + " | ".join(map(str, T2)) + " | R at T=256 |")
    print("|---|" + "---|" * (len(T2) + 1))
    for al, d in runs2.items():
        rate = "(see above)" if d["spikeRate"] is None else f"{d['spikeRate']:.4f}"
        print(f"| {al} | " + " | ".join(f"{100*c['accuracy']:.1f}" for c in d["curve"]) + f" | {rate} |")
    svg("Docs/figures/rmp_alpha.svg", "Threshold scale α (RMP, subtract reset)",
        [(f"α = {al}", [c["accuracy"] for c in d["curve"]]) for al, d in runs2.items()], T2)

# 3. QCFS with and without SRP.
if "qcfs" in parts:
    T3 = [1, 2, 4, 8, 16]
    q = simulate("Examples/fmnist_cnn_qcfs.onnx", "--method", "qcfs", "--timesteps", ",".join(map(str, T3)))
    print(f"\n## QCFS (θ = λ, V(0) = θ/2), Examples/fmnist_cnn_qcfs.onnx; ANN accuracy {100*q['annAccuracy']:.2f} %\n")
    print("| | " + " | ".join(f"T={t}" for t in T3) + " |")
    print("|---|" + "---|" * len(T3))
    print("| QCFS, linear pooling (default) | " + " | ".join(f"{100*c['accuracy']:.1f}" for c in q["curve"]) + " |")
    qs = simulate("Examples/fmnist_cnn_qcfs.onnx", "--method", "qcfs", "--pooling", "spiking", "--timesteps", ",".join(map(str, T3)))
    print("| QCFS, spiking pooling | " + " | ".join(f"{100*c['accuracy']:.1f}" for c in qs["curve"]) + " |")
    for tau in [2, 4, 8]:
        s = simulate("Examples/fmnist_cnn_qcfs.onnx", "--method", "qcfs", "--srp-tau", str(tau), "--timesteps", ",".join(map(str, T3)))
        print(f"| QCFS + SRP τ={tau} (latency τ+T) | " + " | ".join(f"{100*c['accuracy']:.1f}" for c in s["curve"]) + " |")
