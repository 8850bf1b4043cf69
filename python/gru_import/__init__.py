"""gru-import: turns a saved model into a model that gru-compile takes.

    gru-import model.keras -o model.mlir      (python -m gru_import ...)
    gru-import model.onnx -o model.mlir
    gru-import model.pt --batch-first --head last-step -o model.mlir

Keras 3 `.keras` files are read directly (zip, JSON, HDF5 through h5py): no
Keras or other framework is needed; ONNX models with the onnx package;
PyTorch state_dicts with a restricted unpickler, without PyTorch. The
model becomes one public function named after it whose arguments are the
model's inputs and whose results are its outputs; the layers become
gru.layer, gru.activation and upstream ops, the weights MLIR resources
(dense_resource), so that large models import and compile in time and memory
proportional to their size (docs/IMPORTERS.md).
"""

from .errors import ImportFailure
from .keras_model import import_keras
from .onnx_model import import_onnx
from .torch_model import TorchOptions, import_torch

__all__ = ["ImportFailure", "TorchOptions", "import_keras", "import_model", "import_onnx",
           "import_pieces", "import_torch"]

TORCH_SUFFIXES = (".pt", ".pth")


def import_model(path, torch_options=None):
    """The MLIR text of the model saved at `path`; raises ImportFailure.
    `torch_options` (a TorchOptions) completes a PyTorch state_dict."""
    return "".join(import_pieces(path, torch_options))


def import_pieces(path, torch_options=None):
    """import_model's text in pieces, for writing a large model without
    holding all of it in one string; the model is read (and every error
    raised) before this returns."""
    name = str(path)
    if torch_options is not None and not name.endswith(TORCH_SUFFIXES):
        raise ImportFailure(f"{path}: --batch-first, --head and --initial-state are options "
                            f"of PyTorch state_dicts (.pt, .pth)")
    if name.endswith((".keras", ".h5")):
        return import_keras(path)
    if name.endswith(".onnx"):
        return import_onnx(path)
    if name.endswith(TORCH_SUFFIXES):
        return import_torch(path, torch_options)
    raise ImportFailure(f"{path}: unknown model format: gru-import reads Keras .keras and .h5 "
                        f"files, ONNX .onnx files and PyTorch state_dicts (.pt, .pth)")
