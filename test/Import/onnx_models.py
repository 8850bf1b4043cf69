"""ONNX models with GRU nodes, imported with gru-import, compiled with
gru-compile and compared with ONNX Runtime to 1e-5: the ONNX backend node
tests for GRU (also against their expected outputs), models built with
onnx.helper over every attribute of the GRU node and every opset that
defines it, and the models that torch.onnx.export wrote in Inputs/ (both of
its exporters: an embedding, a bidirectional GRU stack and a dense head).

    python onnx_models.py --gru-import gru-import --gru-compile gru-compile --workdir DIR
"""
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper
from onnx.backend.test.case.node import collect_testcases

import gru_model
import harness

B, T, F, H = 4, 6, 5, 3
rng = np.random.default_rng(11)


def uniform(*shape, low=-0.6, high=0.7):
    return rng.uniform(low, high, shape).astype(np.float32)


def info(name, shape, element=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, element, shape)


def gru_model_proto(attributes, *, directions=1, layout=0, opset=14, lengths=False,
                    initial=False, bias=True, outputs=("Y", "Y_h"), weights_as_inputs=False,
                    dynamic=True):
    """A graph of one GRU node; its inputs (arrays by name) beside it."""
    steps, batch = ("T", "B") if dynamic else (T, B)
    x_shape = [steps, batch, F] if layout == 0 else [batch, steps, F]
    arrays = {"W": uniform(directions, 3 * H, F), "R": uniform(directions, 3 * H, H, low=-0.7),
              "B": uniform(directions, 6 * H, low=-0.3)}
    names = ["X", "W", "R", "B" if bias else "", "sequence_lens" if lengths else "",
             "initial_h" if initial else ""]
    while names[-1] == "":
        names.pop()
    inputs = [info("X", x_shape)]
    feeds = {"X": uniform(*[{"T": T, "B": B}.get(s, s) for s in x_shape], low=-1, high=1)}
    if lengths:
        inputs.append(info("sequence_lens", [batch], TensorProto.INT32))
        feeds["sequence_lens"] = np.array([T, 0, 3, 1][:B], np.int32)
    if initial:
        shape = [directions, batch, H] if layout == 0 else [batch, directions, H]
        inputs.append(info("initial_h", shape))
        feeds["initial_h"] = uniform(*[B if s == batch else s for s in shape])
    initializers = []
    for name in ("W", "R") + (("B",) if bias else ()):
        if weights_as_inputs:
            inputs.append(info(name, list(arrays[name].shape)))
            feeds[name] = arrays[name]
        else:
            initializers.append(numpy_helper.from_array(arrays[name], name))
    node_outputs = [o if o in outputs else "" for o in ("Y", "Y_h")]
    while node_outputs[-1] == "":
        node_outputs.pop()
    if layout:
        attributes = dict(attributes, layout=layout)
    node = helper.make_node("GRU", names, node_outputs, hidden_size=H, **attributes)
    graph = helper.make_graph([node], "gru_node", inputs, [info(o, None) for o in outputs],
                              initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), feeds


def every_attribute():
    both = {"direction": "bidirectional"}
    yield "defaults", gru_model_proto({}, bias=False)
    yield "reverse_lbr", gru_model_proto({"direction": "reverse", "linear_before_reset": 1},
                                         lengths=True, initial=True)
    yield "bidirectional_lengths", gru_model_proto(both, directions=2, lengths=True,
                                                   initial=True)
    yield "bidirectional_lbr_layout1", gru_model_proto(
        dict(both, linear_before_reset=1), directions=2, layout=1, lengths=True, initial=True)
    yield "only_Y_h", gru_model_proto(both, directions=2, outputs=("Y_h",), lengths=True)
    yield "only_Y_static", gru_model_proto({"direction": "reverse"}, outputs=("Y",),
                                           dynamic=False, initial=True)
    yield "weights_as_inputs", gru_model_proto(dict(both, linear_before_reset=1), directions=2,
                                               weights_as_inputs=True, lengths=True)
    yield "weights_as_inputs_lbr0", gru_model_proto({}, weights_as_inputs=True, initial=True)
    yield "activations", gru_model_proto(
        {"direction": "bidirectional",
         "activations": ["HardSigmoid", "Softsign", "LeakyRelu", "Elu"],
         "activation_alpha": [1 / 6, 0.2, 1.0], "activation_beta": [0.5]},
        directions=2, lengths=True)
    yield "activations_defaults_of_alpha", gru_model_proto(
        {"activations": ["Sigmoid", "Softplus"]}, initial=True)
    yield "activations_affine_scaledtanh", gru_model_proto(
        {"direction": "reverse", "activations": ["Relu", "ScaledTanh"],
         "activation_alpha": [1.0], "activation_beta": [1.0]}, lengths=True)
    yield "opset7", gru_model_proto({"direction": "bidirectional"}, directions=2, opset=7,
                                    lengths=True, initial=True)
    yield "clip", gru_model_proto(dict(both, clip=0.4, linear_before_reset=1), directions=2,
                                  lengths=True, initial=True)
    yield "clip_lbr0", gru_model_proto({"clip": 0.25, "activations": ["Sigmoid", "Relu"]},
                                       initial=True)
    yield "opset22", gru_model_proto({"linear_before_reset": 1}, opset=22, lengths=True)
    for opset in (1, 3):
        model, feeds = gru_model_proto({"linear_before_reset": 0} if opset == 3 else
                                       {"output_sequence": 1}, opset=opset, initial=True)
        yield f"opset{opset}", (model, feeds)


def surrounding_ops():
    """Ops that exporters put around a GRU: an embedding (Gather), a transpose
    to time-major, Squeeze, the last step (Gather and Slice), MatMul + Add,
    Gemm, Concat, Softmax and the shape arithmetic of a zero initial state."""
    vocabulary, width = 11, F
    nodes = [
        helper.make_node("Gather", ["table", "tokens"], ["embedded"]),
        helper.make_node("Transpose", ["embedded"], ["time_major"], perm=[1, 0, 2]),
        helper.make_node("Shape", ["time_major"], ["shape"]),
        helper.make_node("Gather", ["shape", "one"], ["batch"], axis=0),
        helper.make_node("Unsqueeze", ["batch", "zero_axis"], ["batch1"]),
        helper.make_node("Concat", ["two", "batch1", "units"], ["state_shape"], axis=0),
        helper.make_node("ConstantOfShape", ["state_shape"], ["zeros"]),
        helper.make_node("GRU", ["time_major", "W", "R", "B", "", "zeros"], ["Y", "Y_h"],
                         hidden_size=H, direction="bidirectional", linear_before_reset=1),
        helper.make_node("Transpose", ["Y"], ["Y_t"], perm=[0, 2, 1, 3]),
        helper.make_node("Reshape", ["Y_t", "merge_shape"], ["merged"]),
        helper.make_node("Slice", ["merged", "minus_one", "big", "zero_axis"], ["last_sliced"]),
        helper.make_node("Squeeze", ["last_sliced", "zero_axis"], ["last"]),
        helper.make_node("Gather", ["merged", "minus_one"], ["last_gathered"], axis=0),
        helper.make_node("Add", ["last", "last_gathered"], ["last_twice"]),
        helper.make_node("MatMul", ["last_twice", "head"], ["logits_raw"]),
        helper.make_node("Add", ["logits_raw", "head_bias"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1),
        helper.make_node("Transpose", ["Y_h"], ["Y_h_b"], perm=[1, 0, 2]),
        helper.make_node("Flatten", ["Y_h_b"], ["states"], axis=1),
        helper.make_node("Gemm", ["states", "gemm"], ["scores_raw"], transB=1, alpha=0.5),
        helper.make_node("Tanh", ["scores_raw"], ["scores"]),
        helper.make_node("Concat", ["scores", "probabilities"], ["joined"], axis=1),
    ]
    constants = {
        "table": uniform(vocabulary, width), "W": uniform(2, 3 * H, width),
        "R": uniform(2, 3 * H, H), "B": uniform(2, 6 * H), "head": uniform(2 * H, 4),
        "head_bias": uniform(4), "gemm": uniform(2, 2 * H),
        "one": np.array(1, np.int64), "zero_axis": np.array([0], np.int64),
        "two": np.array([2], np.int64), "units": np.array([H], np.int64),
        "merge_shape": np.array([0, 0, -1], np.int64), "minus_one": np.array([-1], np.int64),
        "big": np.array([2 ** 62], np.int64),
    }
    constants["minus_one_scalar"] = np.array(-1, np.int64)
    nodes[12] = helper.make_node("Gather", ["merged", "minus_one_scalar"], ["last_gathered"],
                                 axis=0)
    graph = helper.make_graph(
        nodes, "surrounding", [info("tokens", ["B", "T"], TensorProto.INT64)],
        [info("joined", None), info("Y", None)],
        [numpy_helper.from_array(v, k) for k, v in constants.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    yield "surrounding_ops", (model, {"tokens": rng.integers(0, vocabulary, (B, T))})


def backend_node_tests():
    for case in collect_testcases("GRU"):
        if "gru" not in case.name:
            continue
        inputs, outputs = case.data_sets[0]
        feeds = {i.name: v for i, v in zip(case.model.graph.input, inputs)}
        yield case.name, (case.model, feeds, outputs)


def torch_exports(inputs):
    for path in sorted(inputs.glob("torch_*.onnx")):
        model = onnx.load(path)
        feeds = {"tokens": rng.integers(0, 20, (B, T)).astype(np.int64)}
        yield path.stem, (model, feeds)


def time_major(model):
    """A layout-1 GRU node (which ONNX Runtime does not run) as the layout-0
    node between transposes."""
    graph = onnx.GraphProto()
    graph.CopyFrom(model.graph)
    nodes = []
    for node in graph.node:
        layout = next((a for a in node.attribute if a.name == "layout"), None)
        if node.op_type != "GRU" or layout is None or layout.i == 0:
            nodes.append(node)
            continue
        node.attribute.remove(layout)
        inputs = list(node.input)
        for i, perm in ((0, [1, 0, 2]), (5, [1, 0, 2])):
            if len(inputs) > i and inputs[i]:
                nodes.append(helper.make_node("Transpose", [inputs[i]], [inputs[i] + "_tm"],
                                              perm=perm))
                inputs[i] += "_tm"
        outputs = list(node.output)
        renamed = [o + "_tm" if o else "" for o in outputs]
        nodes.append(helper.make_node("GRU", inputs, renamed, domain=node.domain,
                                      name=node.name))
        nodes[-1].attribute.extend(node.attribute)
        for name, perm in zip(outputs, ([2, 0, 1, 3], [1, 0, 2])):
            if name:
                nodes.append(helper.make_node("Transpose", [name + "_tm"], [name], perm=perm))
    del graph.node[:]
    graph.node.extend(nodes)
    converted = onnx.ModelProto()
    converted.CopyFrom(model)
    converted.graph.CopyFrom(graph)
    return converted


def opset7(model):
    """A model of GRU-1 or GRU-3 as GRU-7, which only drops output_sequence
    (ONNX's version converter has no adapter for GRU before 7)."""
    converted = onnx.ModelProto()
    converted.CopyFrom(model)
    for node in converted.graph.node:
        kept = [a for a in node.attribute if a.name != "output_sequence"]
        del node.attribute[:]
        node.attribute.extend(kept)
    converted.opset_import[0].version = 7
    return converted


def reference(model, feeds):
    """ONNX Runtime's outputs; models of opsets older than its GRU (7) are
    converted to opset 7 first, layout-1 GRUs to layout 0."""
    if model.opset_import[0].version < 7:
        model = opset7(model)
    model = time_major(model)
    session = onnxruntime.InferenceSession(model.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def check(args, name, model, feeds, expected_outputs=None):
    """Imports, compiles and runs `model`; compared with ONNX Runtime and,
    where given, the test's expected outputs. The number of failures."""
    path = args.workdir / f"{name}.onnx"
    onnx.save(model, path)
    library = harness.import_and_compile(args, path, name)
    oracles = [("onnxruntime", reference(model, feeds))]
    if expected_outputs is not None:
        oracles.append(("onnx expected", expected_outputs))
    initializers = {t.name for t in model.graph.initializer}
    argument_names = [i.name for i in model.graph.input if i.name not in initializers]
    with gru_model.load(library) as compiled:
        (function,) = compiled.functions.values()
        got = function(*[feeds[n] for n in argument_names])
    return sum(harness.check(f"{name} vs {oracle}", got, outputs)
               for oracle, outputs in oracles)


def main():
    args = harness.arguments(lambda parser: parser.add_argument(
        "--inputs", type=Path, default=Path(__file__).parent / "Inputs"))
    failures = 0
    for name, (model, feeds, outputs) in backend_node_tests():
        failures += check(args, name, model, feeds, outputs)
    cases = [*every_attribute(), *surrounding_ops(), *torch_exports(args.inputs)]
    for name, (model, feeds) in cases:
        failures += check(args, name, model, feeds)
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
