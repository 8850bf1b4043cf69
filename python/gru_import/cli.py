"""The gru-import command line: exit status 0 with the model written, or 1
with one `gru-import: error: ...` line and nothing written."""

import argparse
import os
import sys
import tempfile

from . import ImportFailure, import_model


def _write_atomically(path, text):
    """Writes `text` to `path` ("-": standard output) whole or not at all."""
    if path == "-":
        sys.stdout.write(text)
        return
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as f:
        temporary = f.name
        try:
            f.write(text)
        except BaseException:
            os.unlink(temporary)
            raise
    os.replace(temporary, path)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="gru-import",
        description="Import a saved model (Keras 3 .keras, ONNX .onnx) as a model that gru-compile "
                    "takes.")
    parser.add_argument("model", help="the saved model: model.keras or model.onnx")
    parser.add_argument("-o", dest="output", required=True, metavar="model.mlir",
                        help="the MLIR model to write ('-': standard output)")
    args = parser.parse_args(argv)
    try:
        text = import_model(args.model)
        _write_atomically(args.output, text)
    except ImportFailure as failure:
        print(f"gru-import: error: {failure}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"gru-import: error: {error}", file=sys.stderr)
        return 1
    return 0
