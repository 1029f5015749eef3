#!/usr/bin/env python3
"""Write SpikeMesh's ONNX import test fixtures with onnxruntime reference outputs.

For every model NAME.onnx in Tests/SpikeMeshTests/Fixtures/onnx/ this writes
NAME.expected.json:

  {"model": "NAME.onnx", "producer": "...", "opset": 13,
   "inputShape": [N, C, H, W], "input": [...flat float32...],
   "outputShape": [N, K], "output": [...flat float32 from onnxruntime...]}

The models have seeded random weights (no training); BatchNorm layers get
random non-trivial running statistics and affine parameters and everything is
exported in eval mode. Inputs are N = 3 samples drawn from a seeded numpy
standard normal generator. Floats are written as Python repr(float(np.float32(v))).

Also (re)writes Tests/SpikeMeshTests/Fixtures/README.md.

Usage:  python3 Tools/make_fixtures.py
"""
import json
import os
import random
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "SpikeMeshTests", "Fixtures")
ONNX_DIR = os.path.join(FIXTURES, "onnx")
N_SAMPLES = 3
SEED = 1234


# --------------------------------------------------------------------------- torch models

def torch_models():
    import torch
    import torch.nn as nn

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from train_examples import QCFS

    class TinyCNN(nn.Module):
        def __init__(self, view_flatten=False):
            super().__init__()
            self.view_flatten = view_flatten
            self.conv1 = nn.Conv2d(1, 4, 3, padding=1, bias=True)
            self.bn1 = nn.BatchNorm2d(4)
            self.relu1 = nn.ReLU()
            self.pool = nn.AvgPool2d(2)
            self.conv2 = nn.Conv2d(4, 6, 3, stride=2, padding=1)
            self.relu2 = nn.ReLU()
            self.fc = nn.Linear(6 * 2 * 2, 5)

        def forward(self, x):
            x = self.pool(self.relu1(self.bn1(self.conv1(x))))
            x = self.relu2(self.conv2(x))
            if self.view_flatten:
                x = x.view(x.size(0), -1)
            else:
                x = torch.flatten(x, 1)
            return self.fc(x)

    class TinyResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv0 = nn.Conv2d(2, 4, 3, padding=1)
            self.bn0 = nn.BatchNorm2d(4)
            self.relu0 = nn.ReLU()
            self.conv1 = nn.Conv2d(4, 4, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(4)
            self.relu1 = nn.ReLU()
            self.conv2 = nn.Conv2d(4, 4, 3, padding=1)
            self.bn2 = nn.BatchNorm2d(4)
            self.relu_out = nn.ReLU()
            self.maxpool = nn.MaxPool2d(2)
            self.gap = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(4, 3)

        def forward(self, x):
            x = self.relu0(self.bn0(self.conv0(x)))
            y = self.relu1(self.bn1(self.conv1(x)))
            y = self.bn2(self.conv2(y))
            x = self.relu_out(y + x)
            x = self.gap(self.maxpool(x))
            return self.fc(torch.flatten(x, 1))

    class TinyQCFS(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 3, 3, padding=1)
            self.act1 = QCFS(levels=4, init_lambda=1.7)
            self.pool = nn.AvgPool2d(2)
            self.fc1 = nn.Linear(27, 8)
            self.act2 = QCFS(levels=4, init_lambda=2.3)
            self.fc2 = nn.Linear(8, 4)

        def forward(self, x):
            x = self.pool(self.act1(self.conv(x)))
            x = self.act2(self.fc1(torch.flatten(x, 1)))
            return self.fc2(x)

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(16, 12)
            self.relu = nn.ReLU()
            self.fc2 = nn.Linear(12, 3)

        def forward(self, x):
            return self.fc2(self.relu(self.fc1(torch.flatten(x, 1))))

    return torch, TinyCNN, TinyResNet, TinyQCFS, MLP


def randomize_batchnorm(torch, model, gen):
    import torch.nn as nn
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.5)
                m.running_var.copy_(torch.rand(c, generator=gen) * 1.5 + 0.3)
                m.weight.copy_(torch.rand(c, generator=gen) * 2.0 - 0.6)  # includes negative gammas
                m.bias.copy_(torch.randn(c, generator=gen) * 0.3)


def check_qcfs_levels(torch, model, x):
    """Every QCFS layer must see several quantization levels, values clipped at 0 and at λ,
    and no pre-floor value within 1e-4 of a rounding boundary (so float rounding order
    in another implementation cannot flip a level)."""
    from train_examples import QCFS
    seen = []

    def hook(mod, inp, out):
        v = (inp[0] / mod.lam * mod.levels + 0.5).detach().numpy()
        seen.append((mod, v))

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, QCFS)]
    with torch.no_grad():
        model(torch.from_numpy(x))
    for h in handles:
        h.remove()
    for mod, v in seen:
        fl = np.floor(v)
        frac = v - fl
        margin = float(np.min(np.minimum(frac, 1 - frac)))
        # -1 stands for "below 0" (clipped to 0), levels + 1 for "above the top level" (clipped to λ)
        levels = set(np.clip(fl, -1, mod.levels + 1).astype(int).ravel().tolist())
        assert margin > 1e-4, f"QCFS pre-floor value too close to a boundary ({margin})"
        assert set(range(mod.levels + 1)) <= levels, levels
        assert -1 in levels or mod.levels + 1 in levels, levels
        print(f"  QCFS λ={mod.lam.item():.2f}: floor levels {sorted(levels)}, min distance to a boundary {margin:.4f}")


def export_torch(torch, model, shape, path, exporter):
    """exporter: 'legacy' (opset 13, dynamic batch) or 'dynamo' (opset 18, external data)."""
    import onnx
    model.eval()
    if exporter == "legacy":
        torch.onnx.export(
            model, torch.zeros(1, *shape), path, dynamo=False, opset_version=13,
            input_names=["input"], output_names=["output"],
            dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
        )
        return f"pytorch {torch.__version__} torch.onnx.export(dynamo=False)", "dynamic"

    data_name = os.path.basename(path) + ".data"
    data_path = os.path.join(os.path.dirname(path), data_name)
    batch = "dynamic"
    try:
        torch.onnx.export(
            model, (torch.zeros(2, *shape),), path, dynamo=True, opset_version=18,
            input_names=["input"], output_names=["output"],
            dynamic_shapes=({0: torch.export.Dim("batch", min=1, max=1024)},),
        )
    except Exception as exc:  # pragma: no cover - fallback
        print(f"  dynamic batch failed for {path}: {exc}; exporting batch {N_SAMPLES}")
        batch = str(N_SAMPLES)
        torch.onnx.export(
            model, (torch.zeros(N_SAMPLES, *shape),), path, dynamo=True, opset_version=18,
            input_names=["input"], output_names=["output"],
        )
    m = onnx.load(path, load_external_data=True)
    if os.path.exists(data_path):
        os.remove(data_path)
    # Every float initializer goes to the external file, however small (the equivalent of
    # save_as_external_data=True, size_threshold=0). Integer initializers (Reshape shapes)
    # stay inline: onnxruntime's shape inference cannot read shape tensors from external data.
    from onnx import TensorProto, external_data_helper, numpy_helper
    moved = 0
    for t in m.graph.initializer:
        if t.data_type == TensorProto.FLOAT:
            if not t.HasField("raw_data"):
                t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t), t.name))
            external_data_helper.set_external_data(t, location=data_name)
            moved += 1
    onnx.save(m, path)
    assert moved and os.path.exists(data_path), "external data file was not written"
    os.chmod(data_path, 0o644)  # onnx creates it as 0600
    return f"pytorch {torch.__version__} torch.onnx.export(dynamo=True)", batch


# --------------------------------------------------------------------------- hand-made models

def handmade_models(rng):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    def f32(a):
        return np.asarray(a, dtype=np.float32)

    def model(graph, opset):
        ir = {11: 6, 13: 7, 21: 10}[opset]
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="onnx.helper", producer_version=onnx.__version__)
        m.ir_version = ir
        return m

    out = {}

    # ---- handmade_ops.onnx (opset 13): input [N,2,6,7]
    w = f32(rng.standard_normal((3, 2, 3, 2)) * 0.5)
    b = f32(rng.standard_normal(3) * 0.2)
    gemm_b = f32(rng.standard_normal((45, 6)) * 0.3)
    gemm_c = f32(rng.standard_normal((1, 6)) * 0.2)
    mm = f32(rng.standard_normal((6, 4)) * 0.5)
    add = f32(rng.standard_normal(4) * 0.2)
    inits = [
        # conv weight and bias deliberately in float_data, not raw_data
        helper.make_tensor("conv.weight", TensorProto.FLOAT, w.shape, w.flatten().tolist(), raw=False),
        helper.make_tensor("conv.bias", TensorProto.FLOAT, b.shape, b.tolist(), raw=False),
        numpy_helper.from_array(gemm_b, "gemm.B"),
        numpy_helper.from_array(gemm_c, "gemm.C"),
        numpy_helper.from_array(mm, "matmul.W"),
        numpy_helper.from_array(add, "add.B"),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["conv_out"], name="conv",
                         kernel_shape=[3, 2], strides=[1, 1], pads=[0, 1, 1, 2]),
        helper.make_node("Constant", [], ["clip_min"], name="clip_min_const",
                         value=helper.make_tensor("clip_min_value", TensorProto.FLOAT, [], [0.0])),
        helper.make_node("Constant", [], ["clip_max"], name="clip_max_const",
                         value=helper.make_tensor("clip_max_value", TensorProto.FLOAT, [], [1.5])),
        helper.make_node("Clip", ["conv_out", "clip_min", "clip_max"], ["clip_out"], name="clip"),
        helper.make_node("AveragePool", ["clip_out"], ["pool_out"], name="avgpool",
                         kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 1, 1], count_include_pad=1),
        helper.make_node("Identity", ["pool_out"], ["id_out"], name="identity"),
        helper.make_node("Dropout", ["id_out"], ["drop_out"], name="dropout"),
        helper.make_node("Flatten", ["drop_out"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "gemm.B", "gemm.C"], ["gemm_out"], name="gemm",
                         alpha=0.5, beta=2.0, transB=0),
        helper.make_node("Relu", ["gemm_out"], ["relu_out"], name="relu"),
        helper.make_node("MatMul", ["relu_out", "matmul.W"], ["mm_out"], name="matmul"),
        helper.make_node("Add", ["mm_out", "add.B"], ["output"], name="add"),
    ]
    g = helper.make_graph(
        nodes, "handmade_ops",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 2, 6, 7])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 4])],
        initializer=inits)
    out["handmade_ops"] = (model(g, 13), (2, 6, 7))

    # ---- handmade_opset11.onnx (opset 11): input [N,1,5,5]
    w = f32(rng.standard_normal((2, 1, 3, 3)) * 0.5)
    b = f32(rng.standard_normal(2) * 0.2)
    gemm_b = f32(rng.standard_normal((3, 18)) * 0.4)
    gemm_c = f32(rng.standard_normal(3) * 0.2)
    shape = helper.make_tensor("reshape.shape", TensorProto.INT64, [2], [0, -1], raw=False)
    assert len(shape.int64_data) == 2 and not shape.raw_data
    inits = [
        numpy_helper.from_array(w, "conv.weight"),
        numpy_helper.from_array(b, "conv.bias"),
        numpy_helper.from_array(np.array(0.0, dtype=np.float32), "clip.min"),
        shape,
        numpy_helper.from_array(gemm_b, "gemm.B"),
        numpy_helper.from_array(gemm_c, "gemm.C"),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["conv_out"], name="conv",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Clip", ["conv_out", "clip.min", ""], ["clip_out"], name="clip"),
        helper.make_node("MaxPool", ["clip_out"], ["maxpool_out"], name="maxpool",
                         kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 1, 1]),
        helper.make_node("AveragePool", ["maxpool_out"], ["avgpool_out"], name="avgpool",
                         kernel_shape=[2, 2], strides=[1, 1], pads=[1, 1, 0, 0], count_include_pad=0),
        helper.make_node("Reshape", ["avgpool_out", "reshape.shape"], ["flat"], name="reshape"),
        helper.make_node("Gemm", ["flat", "gemm.B", "gemm.C"], ["output"], name="gemm", transB=1),
    ]
    g = helper.make_graph(
        nodes, "handmade_opset11",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, 5, 5])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 3])],
        initializer=inits)
    out["handmade_opset11"] = (model(g, 11), (1, 5, 5))

    # ---- handmade_opset21.onnx (opset 21): input [N,3,4,4]
    scale = f32(rng.uniform(-0.8, 1.6, 3))
    bias = f32(rng.standard_normal(3) * 0.3)
    mean = f32(rng.standard_normal(3) * 0.5)
    var = f32(rng.uniform(0.2, 2.0, 3))
    gemm_b = f32(rng.standard_normal((5, 3)) * 0.6)
    gemm_c = f32(rng.standard_normal(5) * 0.2)
    inits = [
        numpy_helper.from_array(scale, "bn.scale"),
        numpy_helper.from_array(bias, "bn.bias"),
        numpy_helper.from_array(mean, "bn.mean"),
        numpy_helper.from_array(var, "bn.var"),
        numpy_helper.from_array(gemm_b, "gemm.B"),
        numpy_helper.from_array(gemm_c, "gemm.C"),
    ]
    nodes = [
        helper.make_node("BatchNormalization", ["input", "bn.scale", "bn.bias", "bn.mean", "bn.var"],
                         ["bn_out"], name="bn", epsilon=1e-3),
        helper.make_node("Relu", ["bn_out"], ["relu_out"], name="relu"),
        helper.make_node("GlobalAveragePool", ["relu_out"], ["gap_out"], name="gap"),
        helper.make_node("Flatten", ["gap_out"], ["flat"], name="flatten"),
        helper.make_node("Gemm", ["flat", "gemm.B", "gemm.C"], ["output"], name="gemm",
                         alpha=1.0, beta=1.0, transB=1),
    ]
    g = helper.make_graph(
        nodes, "handmade_opset21",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 4, 4])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 5])],
        initializer=inits)
    out["handmade_opset21"] = (model(g, 21), (3, 4, 4))
    return out


# --------------------------------------------------------------------------- checking and JSON

def fmt_floats(values):
    parts = []
    for v in np.asarray(values, dtype=np.float32).ravel():
        f = float(np.float32(v))
        if not np.isfinite(f):
            raise ValueError("non-finite value")
        parts.append(repr(f))
    return "[" + ", ".join(parts) + "]"


def run_ort(path, x):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    assert inp.name == "input", inp.name
    return sess.run(None, {inp.name: x})[0]


def write_expected(path, producer, x, y):
    import onnx
    onnx.checker.check_model(path, full_check=True)
    m = onnx.load(path, load_external_data=False)
    opset = next(o.version for o in m.opset_import if o.domain in ("", "ai.onnx"))
    name = os.path.basename(path)
    doc = [
        "{",
        f'  "model": {json.dumps(name)},',
        f'  "producer": {json.dumps(producer)},',
        f'  "opset": {opset},',
        f'  "inputShape": {json.dumps(list(x.shape))},',
        f'  "input": {fmt_floats(x)},',
        f'  "outputShape": {json.dumps(list(y.shape))},',
        f'  "output": {fmt_floats(y)}',
        "}",
    ]
    jpath = path[:-len(".onnx")] + ".expected.json"
    with open(jpath, "w") as f:
        f.write("\n".join(doc) + "\n")
    parsed = json.load(open(jpath))  # round-trip check
    assert np.array_equal(np.array(parsed["output"], dtype=np.float32), y.astype(np.float32).ravel())
    assert os.path.getsize(jpath) < 50_000
    return jpath, opset, sorted({n.op_type for n in m.graph.node})


def main():
    random.seed(SEED)
    np.random.seed(SEED)
    os.makedirs(ONNX_DIR, exist_ok=True)
    torch, TinyCNN, TinyResNet, TinyQCFS, MLP = torch_models()
    torch.set_num_threads(2)
    torch.manual_seed(SEED)

    def make(cls, seed, **kw):
        torch.manual_seed(seed)
        m = cls(**kw)
        randomize_batchnorm(torch, m, torch.Generator().manual_seed(seed + 1))
        return m.eval()

    cnn = make(TinyCNN, 11)
    view = make(TinyCNN, 11, view_flatten=True)
    res = make(TinyResNet, 23)
    qcfs = make(TinyQCFS, 37)
    with torch.no_grad():  # spread pre-activations over every quantization level, including clipped ones
        qcfs.conv.weight.mul_(1.5)
        qcfs.fc1.weight.mul_(10.0)
        qcfs.fc1.bias.add_(2.0)
    mlp = make(MLP, 41)

    cases = [
        ("tiny_cnn_legacy", cnn, (1, 8, 8), "legacy"),
        ("tiny_cnn_dynamo", cnn, (1, 8, 8), "dynamo"),
        ("tiny_view_legacy", view, (1, 8, 8), "legacy"),
        ("tiny_resnet_legacy", res, (2, 8, 8), "legacy"),
        ("tiny_resnet_dynamo", res, (2, 8, 8), "dynamo"),
        ("tiny_qcfs_legacy", qcfs, (1, 6, 6), "legacy"),
        ("tiny_qcfs_dynamo", qcfs, (1, 6, 6), "dynamo"),
        ("mlp_dynamo", mlp, (1, 4, 4), "dynamo"),
    ]
    rng = np.random.default_rng(SEED)
    inputs = {}
    for name, module, shape, exporter in cases:
        path = os.path.join(ONNX_DIR, name + ".onnx")
        producer, batch = export_torch(torch, module, shape, path, exporter)
        # the exports of one module (legacy, dynamo, view) share one input, so their outputs agree
        if shape not in inputs:
            inputs[shape] = rng.standard_normal((N_SAMPLES, *shape)).astype(np.float32)
        x = inputs[shape]
        y = run_ort(path, x)
        with torch.no_grad():
            ref = module(torch.from_numpy(x)).numpy()
        err = float(np.max(np.abs(ref - y)))
        assert err < 1e-4, f"{name}: onnxruntime differs from PyTorch by {err}"
        if isinstance(module, TinyQCFS):
            check_qcfs_levels(torch, module, x)
        jpath, opset, ops = write_expected(path, producer, x, y)
        print(f"{name}.onnx  opset {opset}  batch {batch}  max|ort-torch| {err:.2e}  ops {ops}")

    for name, (m, shape) in handmade_models(np.random.default_rng(SEED + 100)).items():
        import onnx
        path = os.path.join(ONNX_DIR, name + ".onnx")
        onnx.checker.check_model(m, full_check=True)
        onnx.save(m, path)
        x = rng.standard_normal((N_SAMPLES, *shape)).astype(np.float32)
        y = run_ort(path, x)
        producer = f"onnx.helper (onnx {onnx.__version__})"
        jpath, opset, ops = write_expected(path, producer, x, y)
        print(f"{name}.onnx  opset {opset}  ops {ops}")

    for fn in sorted(os.listdir(ONNX_DIR)):
        size = os.path.getsize(os.path.join(ONNX_DIR, fn))
        assert size < 50_000, f"{fn} is {size} bytes"
    write_readme()


# --------------------------------------------------------------------------- README

def _onnx_ops(path):
    import onnx
    m = onnx.load(path, load_external_data=False)
    opset = next(o.version for o in m.opset_import if o.domain in ("", "ai.onnx"))
    meta = {p.key: p.value for p in m.metadata_props}
    return opset, sorted({n.op_type for n in m.graph.node}), meta


def write_readme():
    """Describe every fixture file; reads the files themselves so it can run from either script."""
    lines = [
        "# Test fixtures",
        "",
        "Copied into the test bundle as resources (`resources: [.copy(\"Fixtures\")]` in Package.swift).",
        "Everything here is generated by Python scripts in `Tools/`; do not edit by hand.",
        "",
        "## onnx/ — ONNX import fixtures with onnxruntime reference outputs",
        "",
        "Regenerate with `python3 Tools/make_fixtures.py` (needs torch, onnx, onnxruntime, onnxscript).",
        "Models have seeded random weights (no training); BatchNorm layers have random non-trivial",
        "running statistics and affine parameters (some γ negative) and are exported in eval mode.",
        "",
        "Each `NAME.onnx` has a `NAME.expected.json`:",
        "",
        "```json",
        '{"model": "NAME.onnx", "producer": "...", "opset": 13,',
        ' "inputShape": [N, C, H, W], "input": [flat float32 values],',
        ' "outputShape": [N, K], "output": [flat float32 values from onnxruntime]}',
        "```",
        "",
        "N = 3 inputs drawn from a seeded numpy standard-normal generator; values are written as",
        "`repr(float(np.float32(v)))`, so parsing them as Float gives the exact float32 values.",
        "The graph input is named `input` in every model. All models accept any batch size",
        "(dynamic/symbolic first dimension). Outputs were checked against PyTorch (max abs.",
        "difference < 1e-4) for the PyTorch-made models.",
        "",
        "PyTorch exports: `*_legacy.onnx` use `torch.onnx.export(dynamo=False, opset_version=13)` with a",
        "dynamic batch axis; `*_dynamo.onnx` use `torch.onnx.export(dynamo=True, opset_version=18)` with a",
        "dynamic batch dimension (`batch`) and are re-saved with every float initializer, however",
        "small (even λ and the scalar constants), in external data `NAME.onnx.data`, which must stay",
        "beside the model. Integer initializers (Reshape/ReduceMean shape and axes tensors) stay inline",
        "because onnxruntime cannot read shape tensors from external data. Dynamo exports also carry",
        "per-node `metadata_props` (stack traces, scopes) that an importer must skip.",
        "Note that both exporters fold eval-mode BatchNorm that follows a Conv into the Conv weights,",
        "so only `handmade_opset21.onnx` contains a `BatchNormalization` node.",
        "",
        "| file | opset | what it is | op types |",
        "| --- | ---: | --- | --- |",
    ]
    for fn in sorted(os.listdir(ONNX_DIR)) if os.path.isdir(ONNX_DIR) else []:
        if not fn.endswith(".onnx"):
            continue
        name = fn[:-5]
        opset, ops, _ = _onnx_ops(os.path.join(ONNX_DIR, fn))
        desc = DESCRIPTIONS.get(name, "")
        extra = " Weights in `" + fn + ".data`." if os.path.exists(os.path.join(ONNX_DIR, fn + ".data")) else ""
        lines.append(f"| `onnx/{fn}` | {opset} | {desc}.{extra} | {', '.join(ops)} |")
    lines += [
        "",
        "## models/ — trained models for conversion tests",
        "",
    ]
    resnet = os.path.join(FIXTURES, "models", "fmnist_resnet_small.onnx")
    if os.path.exists(resnet):
        opset, ops, meta = _onnx_ops(resnet)
        lines += [
            "`models/fmnist_resnet_small.onnx`: a small residual network with BatchNorm trained on",
            "Fashion-MNIST. Regenerate with `python3 Tools/train_resnet_fixture.py`.",
            "",
            "conv3x3(1→16)+BN+ReLU → AvgPool(2) → [conv3x3(16→16)+BN+ReLU → conv3x3(16→16)+BN] + identity",
            "→ ReLU → AvgPool(2) → [same block] + identity → ReLU → Flatten → Linear(16·7·7→10).",
            "Input 1×28×28 normalized as `(pixel/255 − 0.2860) / 0.3530`; legacy exporter, opset "
            f"{opset}, dynamic batch; {os.path.getsize(resnet):,} bytes.",
            "",
            f"- PyTorch test accuracy (full 10,000-image test split): **{meta.get('spikemesh.pytorch_test_accuracy', '?')}**"
            f" after {meta.get('spikemesh.epochs', '?')} epochs",
            f"- op types: {', '.join(ops)}",
            "- metadata: " + ", ".join(f"`{k}`" for k in meta),
            "",
        ]
    with open(os.path.join(FIXTURES, "README.md"), "w") as f:
        f.write("\n".join(lines))


DESCRIPTIONS = {
    "tiny_cnn_legacy": "Conv(1→4,3,pad 1)+bias → BatchNorm → ReLU → AvgPool(2) → Conv(4→6,3,stride 2,pad 1) → "
                       "ReLU → torch.flatten → Linear(24→5); input 1×8×8",
    "tiny_cnn_dynamo": "the same module as tiny_cnn_legacy (same weights)",
    "tiny_view_legacy": "tiny_cnn (same weights) flattened with x.view(x.size(0), -1): "
                        "Shape/Gather/Unsqueeze/Concat/Reshape",
    "tiny_resnet_legacy": "Conv(2→4)+BN+ReLU → [Conv+BN+ReLU → Conv+BN] + skip → Add → ReLU → MaxPool(2) → "
                          "AdaptiveAvgPool(1) → flatten → Linear(4→3); input 2×8×8",
    "tiny_resnet_dynamo": "the same module as tiny_resnet_legacy",
    "tiny_qcfs_legacy": "Conv(1→3,3,pad 1) → QCFS(λ=1.7, L=4) → AvgPool(2) → flatten → Linear(27→8) → "
                        "QCFS(λ=2.3, L=4) → Linear(8→4); input 1×6×6",
    "tiny_qcfs_dynamo": "the same module as tiny_qcfs_legacy",
    "mlp_dynamo": "flatten → Linear(16→12) → ReLU → Linear(12→3); input 1×4×4",
    "handmade_ops": "onnx.helper, input [N,2,6,7]: Conv 3×2 with asymmetric pads [0,1,1,2] (weights in "
                    "float_data) → Clip(min/max from Constant nodes, 0…1.5) → AveragePool 2×2/2 pads [0,0,1,1] "
                    "count_include_pad=1 → Identity → Dropout → Flatten → Gemm(transB=0, α=0.5, β=2, C [1,6]) → "
                    "Relu → MatMul [6,4] → Add [4]",
    "handmade_opset11": "onnx.helper, input [N,1,5,5]: Conv 3×3 pads 1 → Clip(min initializer 0, max omitted "
                        "as \"\") → MaxPool 2/2 pads [0,0,1,1] → AveragePool 2 stride 1 pads [1,1,0,0] "
                        "count_include_pad=0 → Reshape [0,-1] (shape in int64_data) → Gemm(transB=1)",
    "handmade_opset21": "onnx.helper, input [N,3,4,4]: BatchNormalization (ε=1e-3) directly on the input → "
                        "Relu → GlobalAveragePool → Flatten → Gemm(transB=1)",
}


if __name__ == "__main__":
    main()
