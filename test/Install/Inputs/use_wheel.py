"""Uses the gru-compiler wheel installed in a fresh virtual environment:
gru_model and its gru-compile come from that environment, compile() builds
and loads the text classifier for two x86-64 levels, and its logits equal
those of the build tree's library (loaded by the same loader) to 1e-6.

    python use_wheel.py text_classifier.mlir reference/libtext_classifier.so
"""
import sys
import sysconfig
from pathlib import Path

import numpy as np

import gru_model


def main(model_path, reference_path):
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    package = Path(gru_model.__file__).resolve()
    tool = Path(gru_model.gru_compile_path()).resolve()
    print(f"package in the environment: {site in package.parents}")
    print(f"gru-compile in the package: {package.parent in tool.parents}")
    tokens = np.array([[5, 17, 900, 3, 0, 0], [42, 0, 0, 0, 0, 0]], dtype=np.int32)
    model = gru_model.compile(model_path, mcpu=["x86-64-v3", "x86-64-v4"])
    logits = model.classify(tokens)
    with gru_model.load(reference_path) as reference:
        diff = float(np.abs(logits - reference.classify(tokens)).max())
    print(f"target {model.target}, max abs diff {diff:.1e}")
    try:
        gru_model.compile(Path(model_path).with_name("missing.mlir"))
    except gru_model.CompileError as error:
        print(f"CompileError: {error}")
    return 0 if diff <= 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
