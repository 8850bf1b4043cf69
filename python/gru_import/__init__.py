"""gru-import: turns a saved model into a model that gru-compile takes.

    gru-import model.keras -o model.mlir      (python -m gru_import ...)
    gru-import model.onnx -o model.mlir

Keras 3 `.keras` files are read directly (zip, JSON, HDF5 through h5py): no
Keras or other framework is needed; ONNX models with the onnx package. The
model becomes one public function
named after it whose arguments are the model's inputs and whose results are
its outputs; the layers become gru.layer, gru.activation and upstream ops,
the weights MLIR resources (dense_resource), so that large models import
and compile in time and memory proportional to their size.
"""

from .errors import ImportFailure
from .keras_model import import_keras
from .onnx_model import import_onnx

__all__ = ["ImportFailure", "import_keras", "import_model", "import_onnx"]


def import_model(path):
    """The MLIR text of the model saved at `path`; raises ImportFailure."""
    if str(path).endswith(".keras"):
        return import_keras(path)
    if str(path).endswith(".onnx"):
        return import_onnx(path)
    raise ImportFailure(f"{path}: unknown model format: gru-import reads Keras 3 "
                        f".keras files and ONNX .onnx files")
