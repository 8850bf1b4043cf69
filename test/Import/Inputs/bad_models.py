"""Writes the bad inputs of errors.test into a folder: a model with a layer
gru-import does not take, a Bidirectional LSTM, a model nested in
a functional one, a concatenation along the dynamic steps, a GRU with an
activation no GRU has, an archive without weights, a truncated archive, weights that are
not HDF5, a file that is no archive at all, a
weights-only .h5 file and an .h5 file that is not HDF5."""
import os
import sys
import zipfile

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402

L = keras.layers
folder = sys.argv[1]
os.makedirs(folder, exist_ok=True)


def path(name):
    return os.path.join(folder, name)


keras.Sequential([keras.Input((None, 3)), L.LSTM(4)]).save(path("lstm.keras"))
inputs = keras.Input((None, 3))
inner = keras.Sequential([keras.Input((None, 3)), L.GRU(4)])
keras.Model(inputs, L.Dense(2)(inner(inputs))).save(path("nested.keras"))
keras.Model(inputs, L.Concatenate(axis=1)([inputs, inputs])).save(path("concat_steps.keras"))
keras.Sequential([keras.Input((None, 3)), L.GRU(4, activation="softmax")]).save(
    path("gru_softmax.keras"))
keras.Sequential([keras.Input((None, 3)), L.Bidirectional(L.LSTM(4))]).save(
    path("bidirectional_lstm.keras"))
good = path("good.keras")
keras.Sequential([keras.Input((None, 3)), L.GRU(4)]).save(good)
keras.Sequential([keras.Input((None, 3)), L.GRU(4)]).save_weights(path("weights_only.weights.h5"))
with open(path("text.h5"), "w") as f:
    f.write("hello\n")

with zipfile.ZipFile(good) as archive:
    config = archive.read("config.json")
with zipfile.ZipFile(path("no_weights.keras"), "w") as archive:
    archive.writestr("config.json", config)
with zipfile.ZipFile(path("not_hdf5.keras"), "w") as archive:
    archive.writestr("config.json", config)
    archive.writestr("model.weights.h5", b"not an HDF5 file")
with open(good, "rb") as f:
    data = f.read()
with open(path("truncated.keras"), "wb") as f:
    f.write(data[: len(data) // 2])
with open(path("text.keras"), "w") as f:
    f.write("hello\n")
