"""Tiny hand-written TFLite flatbuffer writer for oracle tests.

Writes single-subgraph models with a handful of builtin ops so the TFLite
oracle can be tested on models whose exact maths is known. It uses only the
flatbuffers runtime (Debian's python3-flatbuffers) and the field numbering of
the public TFLite schema (tables only ever grow at the end, so these slot
numbers are stable across schema versions). It is NOT a converter: octet's
own converter must not depend on it.

    b = TFLiteBuilder()
    x = b.tensor("x", [1, 4], "float32")
    w = b.tensor("w", [3, 4], "float32", data=np.ones((3, 4), np.float32))
    y = b.tensor("y", [1, 3], "float32")
    b.op("FULLY_CONNECTED", [x, w, -1], [y])
    open("m.tflite", "wb").write(b.finish(inputs=[x], outputs=[y]))
"""

import flatbuffers
import numpy as np

# TensorType enum values.
TENSOR_TYPES = {
    "float32": 0, "float16": 1, "int32": 2, "uint8": 3, "int64": 4,
    "bool": 6, "int16": 7, "int8": 9,
}

# BuiltinOperator codes and the BuiltinOptions union member each op uses
# (0 = no options table).
OPS = {
    #  name                code  options-union-type
    "ADD":               (0, 11),
    "CONV_2D":           (3, 1),
    "DEQUANTIZE":        (6, 38),
    "FULLY_CONNECTED":   (9, 8),
    "RESHAPE":           (22, 17),
    "SOFTMAX":           (25, 9),
    "MEAN":              (40, 27),
    "QUANTIZE":          (114, 89),
    # int8 conv/pool kernels (tests/e2e_int8/test_int8_conv_pool.py).
    "AVERAGE_POOL_2D":   (1, 5),
    "DEPTHWISE_CONV_2D": (4, 2),
    "MAX_POOL_2D":       (17, 5),
    "TRANSPOSE_CONV":    (67, 49),
    # Ops without an options table.
    "LOGISTIC":          (14, 0),
    "RELU":              (19, 0),
    "RELU6":             (21, 0),
    "TANH":              (28, 0),
    "HARD_SWISH":        (117, 0),
    "LOGICAL_NOT":       (87, 0),
    "GELU":              (150, 116),  # GeluOptions (approximate, default false)
    # -- int8 element-wise, activation and data-movement kernels
    #    (tests/e2e_int8/test_int8_elementwise.py)
    "CONCATENATION":     (2, 10),
    "MUL":               (18, 21),
    "RELU_N1_TO_1":      (20, 0),
    "RESIZE_BILINEAR":   (23, 15),
    "PAD":               (34, 22),
    "GATHER":            (36, 23),
    "TRANSPOSE":         (39, 26),
    "SUB":               (41, 28),
    "SQUEEZE":           (43, 30),
    "STRIDED_SLICE":     (45, 32),
    "SPLIT":             (49, 35),
    "PRELU":             (54, 0),
    "MAXIMUM":           (55, 39),
    "ARG_MAX":           (56, 40),
    "MINIMUM":           (57, 39),
    "PADV2":             (60, 43),
    "SLICE":             (65, 48),
    "TILE":              (69, 51),
    "EXPAND_DIMS":       (70, 52),
    "ARG_MIN":           (79, 57),
    "REDUCE_MAX":        (82, 27),
    "PACK":              (83, 59),
    "RESIZE_NEAREST_NEIGHBOR": (97, 74),
    "LEAKY_RELU":        (98, 75),
    "SPLIT_V":           (102, 79),
    "LOG_SOFTMAX":       (50, 36),
    "BATCH_MATMUL":      (126, 101),
}

ACTIVATIONS = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3}
PADDING = {"SAME": 0, "VALID": 1}


def _np_dtype(name):
    return {"float32": np.float32, "float16": np.float16, "int32": np.int32, "uint8": np.uint8,
            "int64": np.int64, "bool": np.bool_, "int16": np.int16, "int8": np.int8}[name]


class TFLiteBuilder:
    def __init__(self):
        self.tensors = []   # dicts
        self.buffers = [b""]  # buffer 0 is the empty sentinel
        self.ops = []       # (name, inputs, outputs, options dict)

    def tensor(self, name, shape, dtype, data=None, scale=None, zero_point=None, quantized_dimension=0):
        """Add a tensor; returns its index. `data` makes it a constant."""
        if dtype not in TENSOR_TYPES:
            raise ValueError(f"unsupported tensor type {dtype}")
        buf = 0
        if data is not None:
            arr = np.ascontiguousarray(np.asarray(data, dtype=_np_dtype(dtype)))
            if list(arr.shape) != list(shape):
                raise ValueError(f"{name}: data shape {arr.shape} != {shape}")
            self.buffers.append(arr.astype(arr.dtype.newbyteorder("<")).tobytes())
            buf = len(self.buffers) - 1
        q = None
        if scale is not None:
            s = np.atleast_1d(np.asarray(scale, np.float32))
            z = np.atleast_1d(np.asarray(zero_point if zero_point is not None else 0, np.int64))
            if z.size == 1 and s.size > 1:
                z = np.repeat(z, s.size)
            q = (s, z, int(quantized_dimension))
        self.tensors.append(dict(name=name, shape=list(shape), type=TENSOR_TYPES[dtype], buffer=buf, quant=q))
        return len(self.tensors) - 1

    def op(self, name, inputs, outputs, **options):
        if name not in OPS:
            raise ValueError(f"op {name} not supported by this builder")
        self.ops.append((name, list(inputs), list(outputs), options))

    # -- serialisation -------------------------------------------------------
    @staticmethod
    def _int_vector(b, values, prepend="PrependInt32", size=4):
        b.StartVector(size, len(values), size)
        for v in reversed(values):
            getattr(b, prepend)(int(v))
        return b.EndVector()

    @staticmethod
    def _float_vector(b, values):
        b.StartVector(4, len(values), 4)
        for v in reversed(values):
            b.PrependFloat32(float(v))
        return b.EndVector()

    @staticmethod
    def _offset_vector(b, offsets):
        b.StartVector(4, len(offsets), 4)
        for o in reversed(offsets):
            b.PrependUOffsetTRelative(o)
        return b.EndVector()

    @staticmethod
    def _bytes_vector(b, data, align=16):
        b.StartVector(1, len(data), align)
        b.head = b.head - len(data)
        b.Bytes[b.head:b.head + len(data)] = data
        return b.EndVector()

    def _options(self, b, name, o):
        union = OPS[name][1]
        if union == 0:
            return 0, None
        act = ACTIVATIONS[o.get("activation", "NONE")]
        if name == "CONV_2D":
            b.StartObject(6)
            b.PrependInt8Slot(0, PADDING[o.get("padding", "SAME")], 0)
            b.PrependInt32Slot(1, o.get("stride_w", 1), 0)
            b.PrependInt32Slot(2, o.get("stride_h", 1), 0)
            b.PrependInt8Slot(3, act, 0)
            b.PrependInt32Slot(4, o.get("dilation_w", 1), 1)
            b.PrependInt32Slot(5, o.get("dilation_h", 1), 1)
        # -- int8 conv/pool kernels (tests/e2e_int8/test_int8_conv_pool.py).
        elif name == "DEPTHWISE_CONV_2D":
            b.StartObject(7)
            b.PrependInt8Slot(0, PADDING[o.get("padding", "SAME")], 0)
            b.PrependInt32Slot(1, o.get("stride_w", 1), 0)
            b.PrependInt32Slot(2, o.get("stride_h", 1), 0)
            b.PrependInt32Slot(3, o.get("depth_multiplier", 1), 0)
            b.PrependInt8Slot(4, act, 0)
            b.PrependInt32Slot(5, o.get("dilation_w", 1), 1)
            b.PrependInt32Slot(6, o.get("dilation_h", 1), 1)
        elif name == "TRANSPOSE_CONV":  # no fused activation: TFLite 2.12 has none here
            b.StartObject(3)
            b.PrependInt8Slot(0, PADDING[o.get("padding", "SAME")], 0)
            b.PrependInt32Slot(1, o.get("stride_w", 1), 0)
            b.PrependInt32Slot(2, o.get("stride_h", 1), 0)
        elif name in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            b.StartObject(6)
            b.PrependInt8Slot(0, PADDING[o.get("padding", "SAME")], 0)
            b.PrependInt32Slot(1, o.get("stride_w", 1), 0)
            b.PrependInt32Slot(2, o.get("stride_h", 1), 0)
            b.PrependInt32Slot(3, o["filter_w"], 0)
            b.PrependInt32Slot(4, o["filter_h"], 0)
            b.PrependInt8Slot(5, act, 0)
        elif name == "FULLY_CONNECTED":
            b.StartObject(4)
            b.PrependInt8Slot(0, act, 0)
            b.PrependBoolSlot(2, bool(o.get("keep_num_dims", False)), False)
        elif name == "SOFTMAX":
            b.StartObject(1)
            b.PrependFloat32Slot(0, float(o.get("beta", 1.0)), 0.0)
        elif name == "ADD":
            b.StartObject(2)
            b.PrependInt8Slot(0, act, 0)
        elif name == "MEAN":
            b.StartObject(1)
            b.PrependBoolSlot(0, bool(o.get("keep_dims", False)), False)
        # -- int8 element-wise, activation and data-movement kernels
        elif name in ("SUB", "MUL"):
            b.StartObject(1)
            b.PrependInt8Slot(0, act, 0)
        elif name == "REDUCE_MAX":
            b.StartObject(1)
            b.PrependBoolSlot(0, bool(o.get("keep_dims", False)), False)
        elif name == "GELU":
            b.StartObject(1)
            b.PrependBoolSlot(0, bool(o.get("approximate", False)), False)
        elif name == "LEAKY_RELU":
            b.StartObject(1)
            b.PrependFloat32Slot(0, float(o.get("alpha", 0.2)), 0.0)
        elif name == "CONCATENATION":
            b.StartObject(2)
            b.PrependInt32Slot(0, int(o["axis"]), 0)
            b.PrependInt8Slot(1, act, 0)
        elif name == "PACK":
            b.StartObject(2)
            b.PrependInt32Slot(0, int(o["values_count"]), 0)
            b.PrependInt32Slot(1, int(o.get("axis", 0)), 0)
        elif name in ("SPLIT", "SPLIT_V"):
            b.StartObject(1)
            b.PrependInt32Slot(0, int(o["num_splits"]), 0)
        elif name == "STRIDED_SLICE":
            b.StartObject(5)
            for slot, key in enumerate(("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")):
                b.PrependInt32Slot(slot, int(o.get(key, 0)), 0)
        elif name == "GATHER":
            b.StartObject(2)
            b.PrependInt32Slot(0, int(o.get("axis", 0)), 0)
            b.PrependInt32Slot(1, int(o.get("batch_dims", 0)), 0)
        elif name == "SQUEEZE":
            dims = self._int_vector(b, o.get("squeeze_dims", []))
            b.StartObject(1)
            b.PrependUOffsetTRelativeSlot(0, dims, 0)
        elif name == "RESIZE_BILINEAR":
            b.StartObject(4)
            b.PrependBoolSlot(2, bool(o.get("align_corners", False)), False)
            b.PrependBoolSlot(3, bool(o.get("half_pixel_centers", False)), False)
        elif name == "RESIZE_NEAREST_NEIGHBOR":
            b.StartObject(2)
            b.PrependBoolSlot(0, bool(o.get("align_corners", False)), False)
            b.PrependBoolSlot(1, bool(o.get("half_pixel_centers", False)), False)
        elif name in ("ARG_MAX", "ARG_MIN"):
            b.StartObject(1)
            b.PrependInt8Slot(0, TENSOR_TYPES[o.get("output_type", "int32")], 0)
        elif name == "RESHAPE":
            ns = self._int_vector(b, o["new_shape"])
            b.StartObject(1)
            b.PrependUOffsetTRelativeSlot(0, ns, 0)
        elif name == "BATCH_MATMUL":
            b.StartObject(3)
            b.PrependBoolSlot(0, bool(o.get("adj_x", False)), False)
            b.PrependBoolSlot(1, bool(o.get("adj_y", False)), False)
        else:  # QUANTIZE, DEQUANTIZE, MAXIMUM, PAD, LOG_SOFTMAX, ...: empty options tables
            b.StartObject(0)
        return union, b.EndObject()

    def finish(self, inputs, outputs, description="octet oracle test model"):
        b = flatbuffers.Builder(4096)
        # Buffers.
        buf_offs = []
        for data in self.buffers:
            d = self._bytes_vector(b, data) if data else None
            b.StartObject(3)
            if d is not None:
                b.PrependUOffsetTRelativeSlot(0, d, 0)
            buf_offs.append(b.EndObject())
        # Tensors.
        t_offs = []
        for t in self.tensors:
            name = b.CreateString(t["name"])
            shape = self._int_vector(b, t["shape"])
            q_off = None
            if t["quant"] is not None:
                s, z, qd = t["quant"]
                sv = self._float_vector(b, s)
                zv = self._int_vector(b, z, "PrependInt64", 8)
                b.StartObject(7)
                b.PrependUOffsetTRelativeSlot(2, sv, 0)
                b.PrependUOffsetTRelativeSlot(3, zv, 0)
                b.PrependInt32Slot(6, qd, 0)
                q_off = b.EndObject()
            b.StartObject(8)
            b.PrependUOffsetTRelativeSlot(0, shape, 0)
            b.PrependInt8Slot(1, t["type"], 0)
            b.PrependUint32Slot(2, t["buffer"], 0)
            b.PrependUOffsetTRelativeSlot(3, name, 0)
            if q_off is not None:
                b.PrependUOffsetTRelativeSlot(4, q_off, 0)
            t_offs.append(b.EndObject())
        # Operator codes (one per distinct op, in first-use order).
        op_names = []
        for name, *_ in self.ops:
            if name not in op_names:
                op_names.append(name)
        code_offs = []
        for name in op_names:
            code = OPS[name][0]
            b.StartObject(4)
            b.PrependInt8Slot(0, min(code, 127), 0)   # deprecated_builtin_code
            b.PrependInt32Slot(2, 1, 1)               # version
            b.PrependInt32Slot(3, code, 0)            # builtin_code
            code_offs.append(b.EndObject())
        # Operators.
        op_offs = []
        for name, ins, outs, o in self.ops:
            union, opt = self._options(b, name, o)
            iv = self._int_vector(b, ins)
            ov = self._int_vector(b, outs)
            b.StartObject(9)
            b.PrependUint32Slot(0, op_names.index(name), 0)
            b.PrependUOffsetTRelativeSlot(1, iv, 0)
            b.PrependUOffsetTRelativeSlot(2, ov, 0)
            if opt is not None:
                b.PrependUint8Slot(3, union, 0)
                b.PrependUOffsetTRelativeSlot(4, opt, 0)
            op_offs.append(b.EndObject())
        tv = self._offset_vector(b, t_offs)
        iv = self._int_vector(b, inputs)
        ov = self._int_vector(b, outputs)
        opv = self._offset_vector(b, op_offs)
        sg_name = b.CreateString("main")
        b.StartObject(5)
        b.PrependUOffsetTRelativeSlot(0, tv, 0)
        b.PrependUOffsetTRelativeSlot(1, iv, 0)
        b.PrependUOffsetTRelativeSlot(2, ov, 0)
        b.PrependUOffsetTRelativeSlot(3, opv, 0)
        b.PrependUOffsetTRelativeSlot(4, sg_name, 0)
        sg = b.EndObject()
        codes = self._offset_vector(b, code_offs)
        sgs = self._offset_vector(b, [sg])
        desc = b.CreateString(description)
        bufs = self._offset_vector(b, buf_offs)
        b.StartObject(8)
        b.PrependUint32Slot(0, 3, 0)
        b.PrependUOffsetTRelativeSlot(1, codes, 0)
        b.PrependUOffsetTRelativeSlot(2, sgs, 0)
        b.PrependUOffsetTRelativeSlot(3, desc, 0)
        b.PrependUOffsetTRelativeSlot(4, bufs, 0)
        model = b.EndObject()
        b.Finish(model, file_identifier=b"TFL3")
        return bytes(b.Output())
