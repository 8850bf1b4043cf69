"""Runners of bench/bench.py in the project venv: `python peers.py SPEC.json`
runs spec["peer"], one of

* ours: the library gru-compile wrote, through python/gru_model; its thread
  count is GRU_NUM_THREADS (set by bench.py);
* onnxruntime: ONNX Runtime's CPU GRU operator, on intra_op_num_threads;
* keras: Keras 3's GRU layer on JAX (CPU), jitted; bench.py limits its
  threads with taskset and XLA_FLAGS.

See harness.py for the spec and the files.
"""

import os

import numpy as np

import harness


def ours(case, arrays, threads):
    import gru_model

    model = gru_model.load(case["library"])
    function = model.functions[case["function"]]
    inputs = [arrays["x"], arrays["kernel"], arrays["recurrent_kernel"], arrays["bias"]]
    if case["mask"]:
        inputs.append(harness.right_padded_mask(arrays["lengths"], case["T"]))
    return lambda: function(*inputs)


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


def onnxruntime(case, arrays, threads):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    session = ort.InferenceSession(onnx_gru_model(case, arrays), options,
                                   providers=["CPUExecutionProvider"])
    # ONNX's default layout is time-major; the transpose is done once, untimed.
    feeds = {"X": np.ascontiguousarray(arrays["x"].transpose(1, 0, 2))}
    if case["mask"]:
        feeds["sequence_lens"] = arrays["lengths"]
    return lambda: session.run(["Y_h"], feeds)[0]


def keras(case, arrays, threads):
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
    forward = jax.jit(lambda variables, x, kwargs: layer.stateless_call(*variables, x, **kwargs)[0])
    x = jax.numpy.asarray(arrays["x"])
    return lambda: forward(variables, x, kwargs).block_until_ready()


def version(peer):
    if peer == "ours":
        import subprocess
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                                text=True, cwd=os.path.dirname(os.path.abspath(__file__)))
        return f"gru-compile at {commit.stdout.strip() or 'an unknown commit'}"
    if peer == "onnxruntime":
        import onnxruntime as ort
        return f"onnxruntime {ort.__version__}"
    import jax
    import keras as keras_module
    return f"keras {keras_module.__version__}, jax {jax.__version__}"


if __name__ == "__main__":
    harness.main({"ours": ours, "onnxruntime": onnxruntime, "keras": keras}, version)
