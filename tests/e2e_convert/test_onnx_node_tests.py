"""The ONNX backend node tests (Debian's libonnx-testdata) through octet.

For every test under /usr/share/libonnx-testdata/data/node whose op types are
all in SUPPORTED_OPS: convert with --keep-input-layout (inputs keep their ONNX
shapes), run test_data_set_0's inputs in the real TFLite interpreter and
compare with its expected outputs: max |error| <= 1e-4 * max(1, range).

The node tests feed weights, shapes, axes, pads... as graph inputs. When octet
refuses such a model, it is converted again with those "parameter" inputs
(PARAMETER_SLOTS) frozen into initializers, as exporters write them; a pass
that way is reported as "pass (parameters frozen)".

Outcomes: pass; fail (octet's output is wrong, or it failed without a clear
reason); unsupported (octet refused with an "unsupported"/"not supported"
message: xfail); oracle-limited (the TFLite wasm API cannot set or read an
int64/float16/string tensor: skip). NODE_TEST_COVERAGE.md beside this file is
rewritten at the end of a run that went through every candidate (unless
OCTET_E2E_NO_COVERAGE is set), with every node test and its outcome (or why it
was not attempted).
"""
import os
import re

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

import ec_helpers as H
from ec_helpers import describe

NODE_ROOT = os.environ.get("OCTET_ONNX_NODE_TESTS", "/usr/share/libonnx-testdata/data/node")
COVERAGE_MD = os.path.join(H.HERE, "NODE_TEST_COVERAGE.md")
REL_TOL = 1e-4

# The op list of the brief for octet's converter (tests/e2e_convert/make_models.py covers
# each with tiny models); Constant/Shape are what exporters wrap around them.
BRIEF_OPS = set("""
Conv ConvTranspose BatchNormalization Relu LeakyRelu PRelu Clip Sigmoid HardSigmoid HardSwish Tanh
Softmax LogSoftmax Add Sub Mul Div Pow Sqrt Exp Max Min MatMul Gemm Flatten Reshape Transpose Squeeze
Unsqueeze Concat Split Slice Gather Pad MaxPool AveragePool GlobalAveragePool ReduceMean ReduceMax
ReduceSum Resize Upsample ArgMax Cast Identity Dropout LayerNormalization Shape Constant
""".split())


def registered_ops():
    """Op types octet registers a converter for (src/onnx/converters.cpp), if the file is there."""
    path = os.path.join(H.REPO, "src", "onnx", "converters.cpp")
    try:
        with open(path) as f:
            return set(re.findall(r'Converter\{"([A-Za-z]+)"', f.read()))
    except OSError:
        return set()


REGISTERED = registered_ops()
SUPPORTED_OPS = BRIEF_OPS | REGISTERED

# op type -> input positions that real models hold as constants
PARAMETER_SLOTS = {
    "Conv": (1, 2), "ConvTranspose": (1, 2), "BatchNormalization": (1, 2, 3, 4), "LayerNormalization": (1, 2),
    "PRelu": (1,), "Gemm": (1, 2), "Reshape": (1,), "Slice": (1, 2, 3, 4), "Pad": (1, 2, 3), "Clip": (1, 2),
    "Split": (1,), "Squeeze": (1,), "Unsqueeze": (1,), "ReduceMean": (1,), "ReduceMax": (1,), "ReduceMin": (1,),
    "ReduceSum": (1,), "Resize": (1, 2, 3), "Upsample": (1,), "Gather": (1,), "Dropout": (1, 2),
    "ConstantOfShape": (0,),
}


def node_tests():
    """-> (candidates [(test, ops)], others {test: reason})"""
    cands, others = [], {}
    if not os.path.isdir(NODE_ROOT):
        return cands, others
    for t in sorted(os.listdir(NODE_ROOT)):
        path = os.path.join(NODE_ROOT, t, "model.onnx")
        if not os.path.isfile(path):
            continue
        try:
            m = onnx.load(path, load_external_data=False)
        except Exception as e:   # noqa: BLE001
            others[t] = f"model does not load in onnx {onnx.__version__}: {e}"
            continue
        ops = sorted({n.op_type for n in m.graph.node})
        foreign = sorted({n.domain for n in m.graph.node if n.domain not in ("", "ai.onnx")})
        missing = [o for o in ops if o not in SUPPORTED_OPS]
        if foreign:
            others[t] = f"ops of domain(s) {', '.join(foreign)}"
        elif missing:
            others[t] = f"ops not in the supported list: {', '.join(missing)}"
        else:
            cands.append((t, ops))
    return cands, others


CANDIDATES, NOT_ATTEMPTED = node_tests()
RESULTS = {}   # test -> (outcome, detail)


def load_tensor(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def graph_inputs(model):
    inits = {i.name for i in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in inits]


def frozen_model(model, data):
    """Copy of `model` with the inputs used only in PARAMETER_SLOTS turned into initializers.
    -> (model, [frozen names]) or (None, [])"""
    uses = {}
    for n in model.graph.node:
        for pos, name in enumerate(n.input):
            if name:
                uses.setdefault(name, []).append(pos in PARAMETER_SLOTS.get(n.op_type, ()))
    names = [i.name for i in graph_inputs(model) if uses.get(i.name) and all(uses[i.name])]
    if not names:
        return None, []
    m = onnx.ModelProto()
    m.CopyFrom(model)
    keep = [i for i in m.graph.input if i.name not in names]
    del m.graph.input[:]
    m.graph.input.extend(keep)
    for name in names:
        m.graph.initializer.append(numpy_helper.from_array(data[name], name))
    return m, names


UNSUPPORTED_RE = re.compile(r"unsupported|not supported", re.I)


def refusal(proc):
    """'unsupported' message when octet refused cleanly, else None."""
    lines = proc.stderr.rstrip("\n").split("\n")
    if proc.returncode == 1 and len(lines) == 1 and lines[0].startswith(H.ERROR_PREFIX) \
            and UNSUPPORTED_RE.search(lines[0]):
        return lines[0][len(H.ERROR_PREFIX):]
    return None


def record(test, outcome, detail=""):
    RESULTS[test] = (outcome, detail)


def convert_node_test(test, octet, work):
    """Loads the test's data and converts it (in a prefetch thread).
    -> dict(outcome=..., detail=...) when decided already, else what check_node_test needs."""
    d = os.path.join(NODE_ROOT, test)
    model = onnx.load(os.path.join(d, "model.onnx"))
    ds = os.path.join(d, "test_data_set_0")
    ins = graph_inputs(model)
    data = {}
    for i, vi in enumerate(ins):
        p = os.path.join(ds, f"input_{i}.pb")
        try:
            data[vi.name] = load_tensor(p)
        except Exception as e:   # noqa: BLE001  (sequences / optionals)
            return {"outcome": "oracle-limited", "detail": f"input {vi.name} is not a plain tensor ({e})"}
    expected = []
    for i, vo in enumerate(model.graph.output):
        try:
            expected.append((vo.name, load_tensor(os.path.join(ds, f"output_{i}.pb"))))
        except Exception as e:   # noqa: BLE001
            return {"outcome": "oracle-limited", "detail": f"output {vo.name} is not a plain tensor ({e})"}

    work = work / test
    work.mkdir(parents=True, exist_ok=True)
    src = os.path.join(d, "model.onnx")
    out = work / "m.tflite"
    proc = octet.convert(src, out, "--keep-input-layout", timeout=120)
    frozen = []
    also = ""
    if proc.returncode != 0:
        fm, frozen = frozen_model(model, data)
        if fm is not None:
            src = str(work / "frozen.onnx")
            onnx.save(fm, src)
            retry = octet.convert(src, out, "--keep-input-layout", timeout=120)
            if retry.returncode == 0:
                proc = retry
            elif refusal(retry) and not refusal(proc):
                # the test as given only hit "must be constant"; frozen, octet names what it lacks
                also = f" (as given: {proc.stderr.strip()[:300]})"
                proc = retry
                frozen = []
            else:   # judge the test as given; say what the frozen variant got
                also = f" (with {', '.join(frozen)} frozen: {retry.stderr.strip()[:300]})"
                frozen = []
    if proc.returncode != 0:
        why = refusal(proc)
        if why:
            return {"outcome": "unsupported", "detail": why + also}
        return {"outcome": "fail", "detail": (f"octet failed (exit {proc.returncode}) without a clear 'unsupported' "
                                              f"reason: {proc.stderr.strip()[:600]}{also}"), "extra": describe(proc)}
    if not out.is_file():
        return {"outcome": "fail", "detail": "octet exited 0 but wrote no file", "extra": describe(proc)}
    return {"proc": proc, "out": out, "ins": ins, "data": data, "expected": expected, "frozen": frozen}


def check_node_test(c, oracle, tmp_path):
    """-> (outcome, detail, extra text for the assertion)"""
    if "outcome" in c:
        return c["outcome"], c["detail"], c.get("extra", "")
    proc, out, ins, data, expected, frozen = (c[k] for k in ("proc", "out", "ins", "data", "expected", "frozen"))
    info = H.read_tflite(str(out))
    t = info["tensors"]
    feeds = []
    names_in = [t[i]["name"] for i in info["inputs"]]
    want_in = [vi.name for vi in ins if vi.name not in frozen]
    if names_in != want_in:
        return "fail", f"TFLite inputs {names_in}, ONNX inputs {want_in}", describe(proc)
    for k, i in enumerate(info["inputs"]):
        name, shape, dtype = t[i]["name"], t[i]["shape"], t[i]["dtype"]
        a = data[name]
        if list(shape) != list(a.shape):
            return "fail", f"input {name}: TFLite shape {shape}, ONNX data {list(a.shape)} (--keep-input-layout)", describe(proc)
        if dtype not in ("float32", "int32", "int8", "uint8", "bool"):
            return "oracle-limited", f"input {name} is {dtype} in the .tflite: the tfjs-tflite API cannot set it", describe(proc)
        if a.dtype != np.dtype(dtype):
            cast = a.astype(dtype)
            if not np.array_equal(cast.astype(a.dtype), a, equal_nan=a.dtype.kind == "f"):
                return "fail", f"input {name}: ONNX {a.dtype} data does not fit the .tflite's {dtype}", describe(proc)
            a = cast
        p = tmp_path / f"in{k}.npy"
        np.save(p, a)
        feeds.append((name, p))
    names_out = [t[i]["name"] for i in info["outputs"]]
    if names_out != [n for n, _ in expected]:
        return "fail", f"TFLite outputs {names_out}, ONNX outputs {[n for n, _ in expected]}", describe(proc)
    for i in info["outputs"]:
        if t[i]["dtype"] not in ("float32", "int32", "int8", "uint8", "bool"):
            return "oracle-limited", f"output {t[i]['name']} is {t[i]['dtype']} in the .tflite: the tfjs-tflite API cannot read it", describe(proc)
    try:
        ans = oracle.tflite(out, feeds, tmp_path / "out", timeout=120)
    except H.OracleError as e:
        return "fail", f"TFLite could not run octet's output: {e}", describe(proc)
    problems = []
    for (name, ref), o in zip(expected, ans["outputs"]):
        got = np.load(o["file"])
        if list(got.shape) != list(ref.shape):
            problems.append(f"{name}: shape {list(got.shape)} != {list(ref.shape)}")
            continue
        if ref.dtype == np.bool_ or got.dtype == np.bool_:
            if not np.array_equal(ref.astype(bool), got.astype(bool)):
                problems.append(f"{name}: {int(np.sum(ref.astype(bool) != got.astype(bool)))} booleans differ")
            continue
        ok, err, tol, rng = H.compare(ref, got, REL_TOL)
        if not ok:
            problems.append(f"{name}: max abs error {err:.3g} > {tol:.3g} (range {rng:.3g})")
    if problems:
        return ("fail", "; ".join(problems) + f" [ops {H.op_counts(info)}]" + (f" [frozen {frozen}]" if frozen else ""),
                describe(proc))
    return ("pass (parameters frozen)", ", ".join(frozen), "") if frozen else ("pass", "", "")


@pytest.fixture(scope="module", autouse=True)
def coverage_report():
    yield
    if CANDIDATES and len(RESULTS) == len(CANDIDATES) and not os.environ.get("OCTET_E2E_NO_COVERAGE"):
        write_coverage()


@pytest.fixture(scope="module")
def node_conversions(request, octet, tmp_path_factory):
    work = tmp_path_factory.mktemp("node_tests")
    pre = H.Prefetcher(lambda t: convert_node_test(t, octet, work))
    for p in H.selected_params(request, __file__, "test_node"):
        pre.submit(p["test"], p["test"])
    yield pre
    pre.close()


@pytest.mark.skipif(not CANDIDATES, reason=f"no ONNX node tests at {NODE_ROOT} (Debian package libonnx-testdata)")
@pytest.mark.parametrize("test", [c[0] for c in CANDIDATES] or ["none"])
def test_node(test, node_conversions, oracle, tmp_path):
    outcome, detail, extra = check_node_test(node_conversions.get(test, test), oracle, tmp_path)
    record(test, outcome, detail)
    if outcome == "unsupported":
        pytest.xfail(f"octet: {detail}")
    if outcome == "oracle-limited":
        pytest.skip(detail)
    assert outcome.startswith("pass"), f"{test}: {detail}{extra}"


def write_coverage():
    ops_of = dict(CANDIDATES)
    counts = {}
    for o, _ in RESULTS.values():
        counts[o] = counts.get(o, 0) + 1
    lines = [
        "# ONNX backend node tests through `octet convert`",
        "",
        "Generated by `tests/e2e_convert/test_onnx_node_tests.py` "
        f"from `{NODE_ROOT}` (libonnx-testdata, onnx {onnx.__version__}). Each candidate is converted with "
        "`--keep-input-layout`, run in the real TFLite interpreter (tests/oracles, wasm) and compared with "
        "the test's expected outputs: max |error| <= 1e-4 * max(1, range).",
        "",
        "Candidates are the tests whose op types are all in the brief's op list "
        f"plus the op types octet registers in src/onnx/converters.cpp ({len(SUPPORTED_OPS)} op types). "
        "*pass (parameters frozen)*: octet refused the test as given (weights, shapes, axes... fed as graph "
        "inputs), and converted it once those inputs were made initializers, as exporters write them. "
        "*unsupported* tests are xfail; the *fail* ones are octet's known gaps, listed in known_failures.txt.",
        "",
        "| outcome | tests |",
        "| --- | --- |",
    ]
    for o in ("pass", "pass (parameters frozen)", "fail", "unsupported", "oracle-limited"):
        lines.append(f"| {o} | {counts.get(o, 0)} |")
    lines.append(f"| not attempted | {len(NOT_ATTEMPTED)} |")
    lines += ["", f"{len(CANDIDATES)} candidates, {len(CANDIDATES) + len(NOT_ATTEMPTED)} node tests in all.", "",
              "## Candidates", "", "| test | ops | outcome | detail |", "| --- | --- | --- | --- |"]

    def cell(s):
        s = re.sub(r"/tmp/\S+", "<tmp>", s)
        s = " ".join(s.split())
        s = s if len(s) <= 400 else s[:400] + "..."
        return s.replace("|", "\\|")
    for test, (o, detail) in sorted(RESULTS.items()):
        lines.append(f"| {test} | {' '.join(ops_of.get(test, []))} | {o} | {cell(detail)} |")
    lines += ["", "## Not attempted", "", "| test | why |", "| --- | --- |"]
    for test, why in sorted(NOT_ATTEMPTED.items()):
        lines.append(f"| {test} | {cell(why)} |")
    tmp = COVERAGE_MD + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, COVERAGE_MD)
