"""Runners of bench/bench.py in the project venv: `python peers.py SPEC.json`
runs spec["peer"], one of

* ours: the library gru-compile wrote, through python/gru_model, with the
  weights as arguments or as constants of the model (spec["weights"]); its
  thread count is GRU_NUM_THREADS (set by bench.py);
* openvino: OpenVINO's GRUSequence on its CPU plugin, on
  INFERENCE_NUM_THREADS, the weights as Constants;
* onnxruntime: ONNX Runtime's CPU GRU operator, on intra_op_num_threads, the
  weights as initializers;
* keras: Keras 3's GRU layer on JAX (CPU), jitted, the weights as arguments
  of the jitted function or closed over (constants of the XLA program);
  bench.py limits its threads with taskset and XLA_FLAGS.

See harness.py for the spec and the files.
"""

import json
import os

import numpy as np

import harness


def ours(case, arrays, spec):
    import gru_model

    model = gru_model.load(case["library"])
    function = model.functions[case["function"]]
    inputs = [arrays["x"]]
    if spec["weights"] == "arguments":
        inputs += [arrays["kernel"], arrays["recurrent_kernel"], arrays["bias"]]
    if case["mask"]:
        inputs.append(harness.right_padded_mask(arrays["lengths"], case["T"]))
    # The target whose code runs here, among those the manifest lists.
    isa = {t["cpu"]: t["isa"] for t in model.manifest.get("targets", [])}.get(model.target)
    info = {"isa": f"{isa} (mcpu={spec['mcpu']}, runs {model.target})",
            "target": str(model.target)}
    return (lambda: function(*inputs)), info


def onnx_gru_model(case, arrays):
    """An ONNX model of one GRU op: Y_h = GRU(X (T,B,F), W, R, B[, sequence_lens]).
    ONNX's gate order is Keras's (z, r, h), its weights are transposed and its
    bias is [Wb, Rb] (6U); Keras's reset_after=True is linear_before_reset=1,
    and reset_after=False has no recurrent bias (Rb = 0)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    B, F, U = case["B"], case["F"], case["U"]
    bias = arrays["bias"].reshape(-1, 3 * U)
    if bias.shape[0] == 1:
        bias = np.concatenate([bias, np.zeros_like(bias)])
    initializers = [numpy_helper.from_array(arrays["kernel"].T[None].copy(), "W"),
                    numpy_helper.from_array(arrays["recurrent_kernel"].T[None].copy(), "R"),
                    numpy_helper.from_array(bias.reshape(1, 6 * U), "B")]
    inputs = [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["T", B, F])]
    gru_inputs = ["X", "W", "R", "B"]
    if case["mask"]:
        inputs.append(helper.make_tensor_value_info("sequence_lens", TensorProto.INT32, [B]))
        gru_inputs.append("sequence_lens")
    node = helper.make_node("GRU", gru_inputs, ["", "Y_h"], hidden_size=U,
                            linear_before_reset=int(case["reset_after"]))
    graph = helper.make_graph(
        [node], "gru", inputs, [helper.make_tensor_value_info("Y_h", TensorProto.FLOAT, [1, B, U])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8  # onnx 1.23 writes IR 14, newer than ONNX Runtime 1.31 reads
    onnx.checker.check_model(model)
    return model.SerializeToString()


def onnxruntime(case, arrays, spec):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = spec["threads"]
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    session = ort.InferenceSession(onnx_gru_model(case, arrays), options,
                                   providers=["CPUExecutionProvider"])
    # ONNX's default layout is time-major; the transpose is done once, untimed.
    feeds = {"X": np.ascontiguousarray(arrays["x"].transpose(1, 0, 2))}
    if case["mask"]:
        feeds["sequence_lens"] = arrays["lengths"]
    # MLAS picks its kernels by CPUID and does not say which; nothing caps it.
    info = {"isa": "not capped" if spec["isa"] == "avx2" else ""}
    return (lambda: session.run(["Y_h"], feeds)[0]), info


def openvino_gru_model(case, arrays):
    """An OpenVINO model of one GRUSequence (opset 15), static shapes: Ho =
    GRUSequence(X (B,T,F), H0 = 0, sequence_lengths, W, R, B). Gate order z,
    r, h as Keras (OpenVINO's GRUCell spec: "gate order: zrh"), W (1,3U,F)
    and R (1,3U,U) transposed; the bias is Keras's input bias (1,3U) for
    reset_after=False (no recurrent bias), and with reset_after=True
    (linear_before_reset) (1,4U) = [b_z and b_r of both rows added, b_h of
    the input, b_h of the recurrent row]. sequence_lengths is an input with a
    mask (right-padded, so Ho is Keras's last output), else a constant T."""
    import openvino as ov
    import openvino.opset15 as ops

    B, T, F, U = case["B"], case["T"], case["F"], case["U"]
    bias = arrays["bias"]
    if case["reset_after"]:
        bias = np.concatenate([bias[0, :2 * U] + bias[1, :2 * U], bias[0, 2 * U:],
                               bias[1, 2 * U:]])
    x = ops.parameter([B, T, F], np.float32, name="x")
    parameters = [x]
    if case["mask"]:
        lengths = ops.parameter([B], np.int32, name="lengths")
        parameters.append(lengths)
    else:
        lengths = ops.constant(np.full(B, T, np.int32))
    gru = ops.gru_sequence(
        x, ops.constant(np.zeros((B, 1, U), np.float32)), lengths,
        ops.constant(np.ascontiguousarray(arrays["kernel"].T[None])),
        ops.constant(np.ascontiguousarray(arrays["recurrent_kernel"].T[None])),
        ops.constant(np.ascontiguousarray(bias[None], dtype=np.float32)), U, "forward",
        linear_before_reset=case["reset_after"])
    return ov.Model([gru.output(1)], parameters, "gru")


def openvino(case, arrays, spec):
    import openvino as ov

    core = ov.Core()
    compiled = core.compile_model(openvino_gru_model(case, arrays), "CPU", {
        "INFERENCE_NUM_THREADS": spec["threads"], "NUM_STREAMS": 1,
        "PERFORMANCE_HINT": "LATENCY",
        # Not bf16 on CPUs that have it: the same f32 arithmetic as the others.
        "INFERENCE_PRECISION_HINT": "f32"})
    request = compiled.create_infer_request()
    # The inputs are set once (shared, not copied: the call keeps the arrays);
    # the call is the inference.
    inputs = [arrays["x"]] + ([arrays["lengths"]] if case["mask"] else [])
    for i, array in enumerate(inputs):
        request.set_input_tensor(i, ov.Tensor(array, shared_memory=True))

    def call():
        assert inputs
        request.infer()
        return request.get_output_tensor(0).data

    # The executed graph names each node's implementation: the GRUSequence
    # becomes an RNNSeq node, oneDNN's RNN (e.g. ref_any_f32, which calls the
    # JIT GEMMs of the ISA that ONEDNN_MAX_CPU_ISA allows), or with lengths
    # given at run time a TensorIterator of GRU cells.
    node = next((" ".join(t for t in (info["layerType"].astype(str),
                                      info["primitiveType"].astype(str))
                          if not t.startswith("unknown"))
                 for info in (op.get_rt_info()
                              for op in compiled.get_runtime_model().get_ordered_ops())
                 if info["layerType"].astype(str) in ("RNNSeq", "RNNCell", "TensorIterator")),
                "")
    capped = "AVX2 cap, " if spec["isa"] == "avx2" else ""
    return call, {"isa": f"{capped}{node}"}


def keras(case, arrays, spec):
    import jax
    import keras as keras_module

    layer = keras_module.layers.GRU(case["U"], reset_after=case["reset_after"])
    layer.build((None, None, case["F"]))
    layer.set_weights([arrays["kernel"], arrays["recurrent_kernel"], arrays["bias"]])
    variables = ([v.value for v in layer.trainable_variables],
                 [v.value for v in layer.non_trainable_variables])  # its dropout seed
    kwargs = {}
    if case["mask"]:
        kwargs["mask"] = jax.numpy.asarray(harness.right_padded_mask(arrays["lengths"], case["T"]))
    x = jax.numpy.asarray(arrays["x"])
    if spec["weights"] == "arguments":
        forward = jax.jit(lambda variables, x, kwargs:
                          layer.stateless_call(*variables, x, **kwargs)[0])
        call = lambda: forward(variables, x, kwargs).block_until_ready()  # noqa: E731
    else:  # closed over: constants of the XLA program
        forward = jax.jit(lambda x, kwargs: layer.stateless_call(*variables, x, **kwargs)[0])
        call = lambda: forward(x, kwargs).block_until_ready()  # noqa: E731
    # XLA_FLAGS=--xla_cpu_max_isa=AVX2 is set but leaves its times as they
    # are uncapped (bench/README.md, "ISA"): its products run AVX-512 code.
    return call, {"isa": "not capped (XLA cap set)" if spec["isa"] == "avx2" else "host"}


def version(peer):
    if peer == "ours":
        import subprocess
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                                text=True, cwd=os.path.dirname(os.path.abspath(__file__)))
        return f"gru-compile at {commit.stdout.strip() or 'an unknown commit'}"
    if peer == "onnxruntime":
        import onnxruntime as ort
        return f"onnxruntime {ort.__version__}"
    if peer == "openvino":
        import openvino as ov
        return f"openvino {ov.__version__.split('-releases')[0]}"
    import jax
    import keras as keras_module
    return f"keras {keras_module.__version__}, jax {jax.__version__}"


if __name__ == "__main__":
    harness.main({"ours": ours, "openvino": openvino, "onnxruntime": onnxruntime,
                  "keras": keras}, version)
