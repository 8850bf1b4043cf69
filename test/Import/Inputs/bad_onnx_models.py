"""Writes the bad ONNX inputs of onnx-errors.test into a folder: an op that
gru-import does not take (LSTM), GRU attributes it cannot honour (a negative
clip, an activation the gru dialect lacks), a W of the wrong shape, a truncated model,
a file that is no model at all, a node without a required attribute and one
that reads a value no node computes."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

folder = sys.argv[1]
os.makedirs(folder, exist_ok=True)
H, F = 3, 2


def model(node, weights):
    graph = helper.make_graph(
        [node], "bad", [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["T", "B", F])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(np.ones(s, np.float32), n) for n, s in weights.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])


def gru(name, w_rows=3 * H, **attributes):
    node = helper.make_node("GRU", ["X", "W", "R"], ["Y"], name="the_gru", hidden_size=H,
                            **attributes)
    save(model(node, {"W": (1, w_rows, F), "R": (1, 3 * H, H)}), os.path.join(folder, name))


lstm = helper.make_node("LSTM", ["X", "W", "R"], ["Y"], name="the_lstm", hidden_size=H)
save(model(lstm, {"W": (1, 4 * H, F), "R": (1, 4 * H, H)}), os.path.join(folder, "lstm.onnx"))
gru("clip.onnx", clip=-1.0)
gru("activation.onnx", activations=["ThresholdedRelu", "Tanh"])
gru("leaky.onnx", activations=["LeakyRelu", "Tanh"])
gru("shape.onnx", w_rows=4 * H)
good = os.path.join(folder, "good.onnx")
gru("good.onnx")
with open(good, "rb") as f:
    data = f.read()
with open(os.path.join(folder, "truncated.onnx"), "wb") as f:
    f.write(data[: len(data) // 2])
with open(os.path.join(folder, "text.onnx"), "w") as f:
    f.write("hello\n")

# A Concat without its required axis, and a node reading a value nothing computes.
concat = helper.make_node("Concat", ["X", "X"], ["Y"], name="the_concat")
save(model(concat, {}), os.path.join(folder, "no_axis.onnx"))
relu = helper.make_node("Relu", ["Z"], ["Y"], name="the_relu")
save(model(relu, {}), os.path.join(folder, "undefined.onnx"))
