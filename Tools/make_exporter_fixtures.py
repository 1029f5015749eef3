#!/usr/bin/env python3
"""Exporter-variant fixtures for the reliability issue, beside those of make_fixtures.py.

    pip install "torch==2.13.0+cpu" onnx onnxruntime onnxscript
    python3 Tools/make_exporter_fixtures.py

Writes to Tests/SpikeMeshTests/Fixtures/onnx, each with its onnxruntime output
(NAME.expected.json, read by ONNXFixtureTests):

- tiny_resnet_dynamo_noopt: the tiny ResNet of make_fixtures.py (BatchNormalization, residual
  joins) exported with torch.onnx.export(dynamo=True, optimize=False): BatchNormalization
  stays, and the Shape/Expand/CastLike/Concat plumbing around initializers stays too;
- tiny_cnn_opset11: the tiny CNN through the legacy exporter at opset_version=11;
- handmade_same_upper: Conv with auto_pad SAME_UPPER (stride 2, odd input) and SAME_LOWER.

(Weights in an external .onnx.data file are covered by the *_dynamo fixtures of
make_fixtures.py.) The existing fixtures are not touched.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixtures as mf  # noqa: E402


def ops(path):
    import onnx
    m = onnx.load(path, load_external_data=False)
    return sorted({n.op_type for n in m.graph.node})


def main():
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    torch, TinyCNN, TinyResNet, _, _ = mf.torch_models()
    torch.set_num_threads(2)
    rng = np.random.default_rng(mf.SEED + 500)

    def make(cls, seed):
        torch.manual_seed(seed)
        m = cls()
        mf.randomize_batchnorm(torch, m, torch.Generator().manual_seed(seed + 1))
        return m.eval()

    def finish(name, path, producer, shape, module=None):
        x = rng.standard_normal((mf.N_SAMPLES, *shape)).astype(np.float32)
        y = mf.run_ort(path, x)
        if module is not None:
            with torch.no_grad():
                ref = module(torch.from_numpy(x)).numpy()
            err = float(np.max(np.abs(ref - y)))
            assert err < 1e-4, f"{name}: onnxruntime differs from PyTorch by {err}"
        mf.write_expected(path, producer, x, y)
        size = os.path.getsize(path)
        assert size < 50_000, f"{name} is {size} bytes"
        print(f"{name}.onnx  {size} bytes  ops {ops(path)}")

    res = make(TinyResNet, 23)
    path = os.path.join(mf.ONNX_DIR, "tiny_resnet_dynamo_noopt.onnx")
    torch.onnx.export(res, (torch.zeros(2, 2, 8, 8),), path, dynamo=True, optimize=False, opset_version=18,
                      input_names=["input"], output_names=["output"], external_data=False,
                      dynamic_shapes=({0: torch.export.Dim("batch", min=1, max=1024)},))
    found = ops(path)
    assert "BatchNormalization" in found, f"BatchNormalization was folded: {found}"
    finish("tiny_resnet_dynamo_noopt", path, f"pytorch {torch.__version__} torch.onnx.export(dynamo=True, optimize=False)",
           (2, 8, 8), res)

    cnn = make(TinyCNN, 11)
    path = os.path.join(mf.ONNX_DIR, "tiny_cnn_opset11.onnx")
    torch.onnx.export(cnn, torch.zeros(1, 1, 8, 8), path, dynamo=False, opset_version=11,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    finish("tiny_cnn_opset11", path, f"pytorch {torch.__version__} torch.onnx.export(dynamo=False, opset_version=11)",
           (1, 8, 8), cnn)

    def f32(a):
        return np.asarray(a, dtype=np.float32)
    w1 = f32(rng.standard_normal((3, 1, 3, 3)) * 0.5)
    w2 = f32(rng.standard_normal((2, 3, 2, 2)) * 0.5)
    fc = f32(rng.standard_normal((4, 2 * 4 * 4)) * 0.3)
    nodes = [
        helper.make_node("Conv", ["input", "w1"], ["c1"], name="conv_same_upper", auto_pad="SAME_UPPER", strides=[2, 2]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu"),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], name="conv_same_lower", auto_pad="SAME_LOWER"),
        helper.make_node("Flatten", ["c2"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc"], ["output"], name="fc", transB=1),
    ]
    g = helper.make_graph(
        nodes, "handmade_same_upper",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, 7, 7])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 4])],
        initializer=[numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2"), numpy_helper.from_array(fc, "fc")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="onnx.helper")
    m.ir_version = 8
    onnx.checker.check_model(m, full_check=True)
    path = os.path.join(mf.ONNX_DIR, "handmade_same_upper.onnx")
    onnx.save(m, path)
    finish("handmade_same_upper", path, f"onnx.helper (onnx {onnx.__version__})", (1, 7, 7))


if __name__ == "__main__":
    main()
