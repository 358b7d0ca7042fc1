#!/usr/bin/env bash
# Compare octet's TFLite schema subset (src/tflite/schema/tflite.fbs) with an
# official TensorFlow Lite schema.fbs. For maintainers; not run in CI.
#
#   tests/unit/check_schema_against_official.sh OFFICIAL_SCHEMA_FBS [MODEL.tflite ...]
#
# OFFICIAL_SCHEMA_FBS: a copy of tensorflow/compiler/mlir/lite/schema/schema.fbs
# (older trees: tensorflow/lite/schema/schema.fbs) kept OUTSIDE this repository,
# e.g. in /tmp. Nothing is written into the repository.
#
# MODEL.tflite: optional models to dump with both schemas. The unit test writes
# the model it builds when asked to:
#   OCTET_TFLITE_SCHEMA_TEST_OUT=/tmp/octet_schema_test.tflite \
#     build/tests/octet_unit_tests --gtest_filter='TfliteSchema.*'
#
# Checks (all with the flatc found as $FLATC, default `flatc`; python3 as $PYTHON;
# set OCTET_TFLITE_SCHEMA to check another copy of ours, e.g. an edited one):
#   1. structure: flatc generates C++ from both schemas; for every enum, union
#      and table of ours, every value / member number / field (vtable slot,
#      accessor type, default, verifier alignment) must equal the official one,
#      and every official field of a table we declare, up to the last field we
#      declare, must be declared by us.
#   2. JSON -> binary: a model written as JSON (below) is compiled by flatc with
#      each schema; the two binaries must be byte-identical, and dumping the
#      binary back to JSON with each schema must give identical text.
#   3. each MODEL.tflite given is dumped to JSON with both schemas; the dumps
#      must be identical.
# A newer official schema may have fields appended after the last of a table's
# fields we declare: check 1 lists them as notes (their ids cannot move ours).
#
# Debian's flatc 2.0.8 rejects attributes on enum values, which recent official
# schemas use (`REDUCE_WINDOW = 205 (deprecated)`, `ReduceWindowOptions
# (deprecated),` in a union). The script strips exactly those attributes from
# its temporary copy of the official file and prints the lines it changed; they
# do not affect values, numbering or the binary format.
set -euo pipefail

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
official_in=$1; shift
[[ -f $official_in ]] || { echo "no such file: $official_in" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ours=${OCTET_TFLITE_SCHEMA:-$(cd "$here/../.." && pwd)/src/tflite/schema/tflite.fbs}
FLATC=${FLATC:-flatc}
PYTHON=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/octet-schema-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "flatc:    $("$FLATC" --version)"
echo "ours:     $ours"
echo "official: $official_in"
fail=0

# --- the official schema, made acceptable to this flatc (enum-value attributes only)
mkdir -p "$work/official" "$work/ours"
sed -E 's/^([[:space:]]*[A-Za-z_][A-Za-z0-9_]*([[:space:]]*=[[:space:]]*-?[0-9]+)?)[[:space:]]*\(deprecated\)[[:space:]]*,/\1,/' \
  "$official_in" > "$work/official/schema.fbs"
if ! diff -q "$official_in" "$work/official/schema.fbs" > /dev/null; then
  echo "attributes stripped from the temporary official copy:"
  { diff "$official_in" "$work/official/schema.fbs" || true; } | sed -n 's/^< /    /p'
fi
cp "$ours" "$work/ours/schema.fbs"

# --- 1. structure, via the C++ flatc generates from each schema
for side in official ours; do
  "$FLATC" --cpp -o "$work/$side/cpp" "$work/$side/schema.fbs"
done
echo "== 1. structure"
if ! "$PYTHON" - "$work/ours/cpp/schema_generated.h" "$work/official/cpp/schema_generated.h" <<'PY'
import re, sys

def parse(path):
    text = open(path).read()
    enums = {}
    for m in re.finditer(r'^enum (\w+) : \w+ \{\n(.*?)\n\};', text, re.S | re.M):
        name, body = m.group(1), m.group(2)
        vals = {}
        for v in re.finditer(r'^  (\w+) = (-?\d+)', body, re.M):
            key = v.group(1)[len(name) + 1:]
            if key not in ('MIN', 'MAX'):
                vals[key] = int(v.group(2))
        enums[name] = vals
    tables = {}
    for m in re.finditer(r'^struct (\w+) FLATBUFFERS_FINAL_CLASS : private flatbuffers::Table \{\n(.*?)^\};',
                         text, re.S | re.M):
        name, body = m.group(1), m.group(2)
        slots = {v.group(1): int(v.group(2)) for v in re.finditer(r'^    VT_(\w+) = (\d+)', body, re.M)}
        acc = {}
        for a in re.finditer(r'^  (\S.*?[ *&])(\w+)\(\) const \{\n    return (.+?);\n  \}', body, re.M):
            if a.group(2).upper() in slots:
                acc[a.group(2).upper()] = a.group(1).strip() + ' -> ' + a.group(3)
        verify = {}
        for v in re.finditer(r'^\s+(?:&& )?(Verify\w*(?:<[^>]*>)?\(verifier, VT_(\w+)[^)]*\))', body, re.M):
            verify[v.group(2)] = v.group(1)
        fields = {}
        for f, slot in slots.items():
            fields[f] = (slot, acc.get(f), verify.get(f))
        tables[name] = fields
    aligns = {}
    for m in re.finditer(r'^inline flatbuffers::Offset<(\w+)> Create\w+Direct\(.*?^\}', text, re.S | re.M):
        aligns[m.group(1)] = sorted(re.findall(r'ForceVectorAlignment\([^;]*\);', m.group(0)))
    ident = re.search(r'(\w+)Identifier\(\) \{\n  return "([^"]*)";', text)
    ext = re.search(r'(\w+)Extension\(\) \{\n  return "([^"]*)";', text)
    return enums, tables, aligns, (ident and ident.groups(), ext and ext.groups())

oe, ot, oa, oid = parse(sys.argv[1])
fe, ft, fa, fid = parse(sys.argv[2])
errors, notes = [], []
if oid != fid:
    errors.append(f'root/identifier/extension: ours {oid}, official {fid}')
for en, vals in oe.items():
    if en not in fe:
        errors.append(f'enum/union {en}: not in the official schema'); continue
    for k, v in vals.items():
        if k not in fe[en]:
            errors.append(f'{en}.{k}: not in the official schema')
        elif fe[en][k] != v:
            errors.append(f'{en}.{k}: ours {v}, official {fe[en][k]}')
    missing = [k for k in fe[en] if k not in vals]
    if missing:
        notes.append(f'{en}: {len(missing)} official value(s)/member(s) not declared by us')
for tn, fields in ot.items():
    if tn not in ft:
        errors.append(f'table {tn}: not in the official schema'); continue
    for f, sig in fields.items():
        if sig[1] is None or sig[2] is None:
            errors.append(f'{tn}.{f.lower()}: this script did not understand the generated code')
        if f not in ft[tn]:
            errors.append(f'{tn}.{f.lower()}: not in the official schema')
        elif ft[tn][f] != sig:
            errors.append(f'{tn}.{f.lower()}: ours {sig}, official {ft[tn][f]}')
    last = max((sig[0] for sig in fields.values()), default=2)
    for f, sig in ft[tn].items():
        if f in fields:
            continue
        if sig[0] < last:
            errors.append(f'{tn}.{f.lower()}: official field not declared by us')
        else:
            notes.append(f'{tn}.{f.lower()}: official field appended after all of ours (newer upstream?)')
    if oa.get(tn, []) != fa.get(tn, []):
        errors.append(f'{tn}: vector alignment differs: ours {oa.get(tn)}, official {fa.get(tn)}')
left_out = sorted(t for t in ft if t not in ot)
print(f'  ours: {len(oe)} enums/unions, {len(ot)} tables; official: {len(fe)}, {len(ft)}')
print(f'  fields compared: {sum(len(f) for f in ot.values())}; '
      f'enum values/union members compared: {sum(len(v) for v in oe.values())}')
for n in notes:
    print('  note: ' + n)
print(f'  official tables we leave out: {len(left_out)}')
for e in errors:
    print('  MISMATCH: ' + e)
sys.exit(1 if errors else 0)
PY
then fail=1; fi

dump() {  # dump SCHEMA BINARY OUTDIR -> OUTDIR/<binary basename>.json
  mkdir -p "$3"
  if ! "$FLATC" --json --strict-json --raw-binary -o "$3" "$1" -- "$2" > "$3.log" 2>&1; then
    echo "  flatc could not dump $2 with $1:"; sed -n '1,3s/^/    /p' "$3.log"
    echo "(no dump)" > "$3/$(basename "${2%.*}").json"
  fi
}

# --- 2. one JSON model through both schemas
echo "== 2. JSON -> binary -> JSON"
cat > "$work/model.json" <<'JSON'
{
  "version": 3,
  "description": "octet schema check",
  "operator_codes": [
    { "deprecated_builtin_code": 3, "version": 3, "builtin_code": "CONV_2D" },
    { "deprecated_builtin_code": 9, "version": 5, "builtin_code": "FULLY_CONNECTED" },
    { "deprecated_builtin_code": 127, "version": 1, "builtin_code": "GELU" },
    { "deprecated_builtin_code": 0, "version": 2, "builtin_code": "ADD" }
  ],
  "subgraphs": [ {
    "name": "main",
    "tensors": [
      { "shape": [1, 8, 8, 3], "shape_signature": [-1, 8, 8, 3], "type": "INT8", "buffer": 0, "name": "input",
        "quantization": { "scale": [0.5], "zero_point": [-3] }, "has_rank": true },
      { "shape": [2, 1, 1, 3], "type": "INT8", "buffer": 1, "name": "w",
        "quantization": { "scale": [0.25, 0.125], "zero_point": [0, 0], "quantized_dimension": 0 } },
      { "shape": [2], "type": "INT32", "buffer": 2, "name": "b" },
      { "shape": [1, 8, 8, 2], "type": "INT8", "buffer": 0, "name": "conv" },
      { "shape": [1, 8, 8, 2], "type": "INT8", "buffer": 0, "name": "gelu" },
      { "shape": [1, 8, 8, 2], "type": "INT8", "buffer": 0, "name": "output" }
    ],
    "inputs": [0], "outputs": [5],
    "operators": [
      { "opcode_index": 0, "inputs": [0, 1, 2], "outputs": [3],
        "builtin_options_type": "Conv2DOptions",
        "builtin_options": { "padding": "SAME", "stride_w": 1, "stride_h": 1,
                             "fused_activation_function": "RELU6", "dilation_w_factor": 1,
                             "dilation_h_factor": 1, "quantized_bias_type": "INT32" } },
      { "opcode_index": 2, "inputs": [3], "outputs": [4],
        "builtin_options_type": "GeluOptions", "builtin_options": { "approximate": true } },
      { "opcode_index": 3, "inputs": [4, 3], "outputs": [5],
        "builtin_options_type": "AddOptions",
        "builtin_options": { "fused_activation_function": "NONE", "pot_scale_int16": false } }
    ]
  } ],
  "buffers": [ {}, { "data": [1, 2, 3, 4, 5, 6] }, { "data": [0, 1, 0, 0, 255, 255, 255, 255] },
               { "data": [49, 46, 49, 52, 46, 48, 0] } ],
  "metadata": [ { "name": "min_runtime_version", "buffer": 3 } ],
  "signature_defs": [ {
    "inputs": [ { "name": "input", "tensor_index": 0 } ],
    "outputs": [ { "name": "output", "tensor_index": 5 } ],
    "signature_key": "serving_default", "subgraph_index": 0 } ]
}
JSON
for side in official ours; do
  if ! "$FLATC" --binary -o "$work/$side/bin" "$work/$side/schema.fbs" "$work/model.json" > "$work/$side/bin.log" 2>&1; then
    echo "  MISMATCH: the $side schema does not accept the JSON model:"; sed -n '1,3s/^/    /p' "$work/$side/bin.log"
    echo "FAILED"; exit 1
  fi
done
if cmp -s "$work/official/bin/model.tflite" "$work/ours/bin/model.tflite"; then
  echo "  binaries from the two schemas are identical ($(wc -c < "$work/ours/bin/model.tflite") bytes)"
else
  echo "  MISMATCH: the two schemas compile the JSON model to different bytes"; fail=1
fi
for side in official ours; do dump "$work/$side/schema.fbs" "$work/official/bin/model.tflite" "$work/$side/json2"; done
if diff -u "$work/official/json2/model.json" "$work/ours/json2/model.json"; then
  echo "  JSON dumps with the two schemas are identical"
else
  echo "  MISMATCH: JSON dumps differ (diff above: official, then ours)"; fail=1
fi

# --- 3. given models
if [[ $# -gt 0 ]]; then echo "== 3. given models"; fi
for model in "$@"; do
  name=$(basename "$model")
  for side in official ours; do dump "$work/$side/schema.fbs" "$model" "$work/$side/json3"; done
  base=${name%.*}.json
  if diff -u "$work/official/json3/$base" "$work/ours/json3/$base"; then
    echo "  $model: JSON dumps identical ($(wc -c < "$work/ours/json3/$base") bytes of JSON)"
  else
    echo "  $model: MISMATCH (diff above: official, then ours)"; fail=1
  fi
done

if [[ $fail -eq 0 ]]; then echo "OK: ours agrees with the official schema"; else echo "FAILED"; fi
exit $fail
