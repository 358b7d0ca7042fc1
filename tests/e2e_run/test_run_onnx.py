"""`octet run MODEL.onnx`: octet's interpreter on its IR of an ONNX model (imported as convert does, after the
float pass pipeline), against ONNX Runtime (tests/oracles/onnx_run.mjs) on the same values."""
import json
import os
import subprocess

import numpy as np
import pytest

import ec_helpers as H

ONNX_ORACLE = os.path.join(H.ORACLES, "onnx_run.mjs")
REL_TOL = 1e-4


def ort_run(model, inputs, out):
    p = subprocess.run(["node", ONNX_ORACLE, model, *inputs, "--out", out, "--json"], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    return [(o["name"], np.load(o["file"])) for o in json.loads(p.stdout)["outputs"]]


def small_cnn(path, height=8, width=8, dynamic=False, extra_node=None):
    """image [1,3,H,W] -> Conv 3x3 -> x * HardSigmoid(x, 1/6, 0.5) -> {feature map 'features' [1,4,H,W],
    GlobalAveragePool -> Flatten -> 'scores' [1,4]}."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(3)
    w = numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "w")
    b = numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), "b")
    nodes = [
        helper.make_node("Conv", ["image", "w", "b"], ["conv"], pads=[1, 1, 1, 1], name="conv"),
        helper.make_node("HardSigmoid", ["conv"], ["gate"], alpha=1.0 / 6.0, beta=0.5, name="gate"),
        helper.make_node("Mul", ["conv", "gate"], ["features"], name="hswish"),
        helper.make_node("GlobalAveragePool", ["features"], ["pooled"], name="pool"),
        helper.make_node("Flatten", ["pooled"], ["scores"], name="flatten"),
    ]
    outputs = [helper.make_tensor_value_info("features", TensorProto.FLOAT, None),
               helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 4])]
    if extra_node is not None:
        nodes.append(extra_node)
        outputs += [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in extra_node.output]
    dims = [1, 3, "h" if dynamic else height, width]
    graph = helper.make_graph(
        nodes, "small_cnn", [helper.make_tensor_value_info("image", TensorProto.FLOAT, dims)], outputs, [w, b])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="test_run_onnx")
    onnx.save(model, path)
    return path


def check_close(refs, outputs):
    failures = H.compare_outputs(refs, outputs, REL_TOL)
    assert not failures, "octet run MODEL.onnx differs from ONNX Runtime:\n  " + "\n  ".join(failures)


@pytest.fixture
def model(tmp_path):
    return small_cnn(str(tmp_path / "small_cnn.onnx"))


def image(height=8, width=8):
    # values across HardSwish's corners at -3 and 3 after the convolution
    return (np.random.default_rng(5).standard_normal((1, 3, height, width)) * 2).astype(np.float32)


def test_run_onnx_nhwc_by_default_matches_onnx_runtime(octet, model, tmp_path):
    x = image()
    np.save(tmp_path / "x_nchw.npy", x)
    np.save(tmp_path / "x_nhwc.npy", H.nchw_to_nhwc(x))
    refs = ort_run(model, [str(tmp_path / "x_nchw.npy")], str(tmp_path / "ort"))
    proc, outputs = H.octet_run_outputs(octet, model, [tmp_path / "x_nhwc.npy"], tmp_path / "octet")
    assert outputs is not None, H.describe(proc)
    check_close(refs, outputs)
    report = json.loads(proc.stdout)
    assert report["model"] == model
    ir = report["ir"]
    assert ir["format"] == "onnx" and ir["opset"] == 13 and ir["keep_input_layout"] is False
    assert any("input 'image' is NHWC" in n for n in ir["notes"]), ir["notes"]
    assert [p["pass"] for p in ir["passes"]].count("fuse_hard_swish") == 1
    fused = next(p for p in ir["passes"] if p["pass"] == "fuse_hard_swish")
    assert fused["ops_before"] - fused["ops_after"] == 4, f"MUL ADD MAXIMUM MINIMUM MUL -> HARD_SWISH: {fused}"
    inp = report["runs"][0]["inputs"][0]
    assert (inp["name"], inp["layout"], inp["layout_source"], inp["fed"]) == ("image", "nhwc", "octet metadata", "as is")
    outs = report["runs"][0]["outputs"]
    assert [(o["name"], o["shape"], o["dtype"]) for o in outs] == [("features", [1, 4, 8, 8], "float32"),
                                                                    ("scores", [1, 4], "float32")]
    # the text summary names the model and both outputs
    text = octet("run", model, tmp_path / "x_nhwc.npy")
    H.assert_ok(text)
    assert "features" in text.stdout and "scores" in text.stdout
    assert "note: input 'image' is NHWC" in text.stdout, text.stdout


def test_run_onnx_keep_input_layout_takes_nchw(octet, model, tmp_path):
    x = image()
    np.save(tmp_path / "x.npy", x)
    refs = ort_run(model, [str(tmp_path / "x.npy")], str(tmp_path / "ort"))
    proc, outputs = H.octet_run_outputs(octet, model, [tmp_path / "x.npy"], tmp_path / "octet", "--keep-input-layout")
    assert outputs is not None, H.describe(proc)
    check_close(refs, outputs)
    report = json.loads(proc.stdout)
    assert report["ir"]["keep_input_layout"] is True
    assert report["runs"][0]["inputs"][0]["layout"] == "nchw"


def test_run_onnx_input_shape_fixes_dynamic_dims(octet, tmp_path):
    model = small_cnn(str(tmp_path / "dynamic.onnx"), height=6, width=8, dynamic=True)
    x = image(6, 8)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "x_nhwc.npy", H.nchw_to_nhwc(x))
    refs = ort_run(model, [str(tmp_path / "x.npy")], str(tmp_path / "ort"))
    H.assert_error(octet("run", model, tmp_path / "x_nhwc.npy"), 1, "--input-shape")
    proc, outputs = H.octet_run_outputs(octet, model, [tmp_path / "x_nhwc.npy"], tmp_path / "octet",
                                        "--input-shape", "image:1x3x6x8")
    assert outputs is not None, H.describe(proc)
    check_close(refs, outputs)


def test_run_onnx_errors(octet, model, tmp_path):
    x = image()
    np.save(tmp_path / "x_nchw.npy", x)
    out = tmp_path / "out"
    # the default NHWC input refuses an NCHW array, naming both shapes
    H.assert_error(octet("run", model, tmp_path / "x_nchw.npy", "--out", out), 1, "x_nchw.npy", "[1, 3, 8, 8]",
                   "[1, 8, 8, 3]")
    assert not out.exists() or os.listdir(out) == []
    # ONNX-only flags on a .tflite; a bad --input-shape
    H.assert_error(octet("run", tmp_path / "m.tflite", tmp_path / "x_nchw.npy", "--keep-input-layout"), 2,
                   "--keep-input-layout", "onnx")
    H.assert_error(octet("run", model, tmp_path / "x_nchw.npy", "--input-shape", "image:1x3xAx8"), 2, "--input-shape")
    # missing and broken models
    H.assert_error(octet("run", tmp_path / "missing.onnx", tmp_path / "x_nchw.npy"), 1, "missing.onnx")
    (tmp_path / "junk.onnx").write_bytes(b"this is not an ONNX model")
    H.assert_error(octet("run", tmp_path / "junk.onnx", tmp_path / "x_nchw.npy"), 1, "junk.onnx")
    # unsupported nodes are named, as by convert
    from onnx import helper
    bad = small_cnn(str(tmp_path / "einsum.onnx"),
                    extra_node=helper.make_node("Einsum", ["scores", "scores"], ["e"], equation="ij,ij->i",
                                                name="einsum_node"))
    H.assert_error(octet("run", bad, tmp_path / "x_nchw.npy"), 1, "einsum_node")
