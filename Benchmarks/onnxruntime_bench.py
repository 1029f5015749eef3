#!/usr/bin/env python3
"""onnxruntime throughput baseline for SpikeMesh's example models.

Runs a model on the first N Fashion-MNIST test images (normalized as
(pixel/255 - 0.2860) / 0.3530) in batches, with intra_op_num_threads=2.
One warm-up pass, then the best of 3 timed passes. Prints one JSON line:

  {"model": ..., "images": ..., "batch": ..., "threads": 2,
   "imagesPerSecond": ..., "onnxruntime": "<version>"}

Usage:  python3 Benchmarks/onnxruntime_bench.py [--model Examples/fmnist_cnn.onnx]
                                                [--images 2000] [--batch 256]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tools"))
import fmnist_data  # noqa: E402

THREADS = 2


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join("Examples", "fmnist_cnn.onnx"))
    ap.add_argument("--images", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    model = args.model if os.path.isabs(args.model) or os.path.exists(args.model) \
        else os.path.join(ROOT, args.model)
    images, _ = fmnist_data.load_split("test")
    if not 0 < args.images <= images.shape[0]:
        sys.exit(f"--images must be in 1...{images.shape[0]}")
    x = fmnist_data.normalize(images[:args.images])

    so = ort.SessionOptions()
    so.intra_op_num_threads = THREADS
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    batch = args.batch
    if isinstance(inp.shape[0], int):  # model with a fixed batch size
        batch = inp.shape[0]
    batches = [x[i:i + batch] for i in range(0, x.shape[0], batch)]
    if isinstance(inp.shape[0], int) and batches[-1].shape[0] != batch:
        batches = batches[:-1]  # a fixed-batch model cannot take the ragged tail
    n = sum(b.shape[0] for b in batches)

    def run_all():
        for b in batches:
            sess.run(None, {inp.name: b})

    run_all()  # warm-up
    best = float("inf")
    for _ in range(args.runs):
        t0 = time.perf_counter()
        run_all()
        best = min(best, time.perf_counter() - t0)

    print(json.dumps({
        "model": os.path.relpath(model, ROOT) if model.startswith(ROOT) else args.model,
        "images": n,
        "batch": batch,
        "threads": THREADS,
        "imagesPerSecond": round(n / best, 1),
        "onnxruntime": ort.__version__,
    }))


if __name__ == "__main__":
    main()
