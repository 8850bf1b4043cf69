"""The gru-import command line: exit status 0 with the model written, or 1
with one `gru-import: error: ...` line and nothing written."""

import argparse
import os
import sys
import tempfile

from . import ImportFailure, TorchOptions, import_pieces
from .torch_model import HEADS


def _write_atomically(path, pieces):
    """Writes the text `pieces` to `path` ("-": standard output) whole or not
    at all."""
    if path == "-":
        sys.stdout.writelines(pieces)
        return
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as f:
        temporary = f.name
        try:
            f.writelines(pieces)
        except BaseException:
            os.unlink(temporary)
            raise
    os.replace(temporary, path)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="gru-import",
        description="Import a saved model (Keras 3 .keras, ONNX .onnx, a PyTorch state_dict "
                    ".pt) as a model that gru-compile takes.")
    parser.add_argument("model", help="the saved model: model.keras, model.onnx or model.pt")
    parser.add_argument("-o", dest="output", required=True, metavar="model.mlir",
                        help="the MLIR model to write ('-': standard output)")
    torch = parser.add_argument_group(
        "PyTorch state_dicts", "what a state_dict of [nn.Embedding,] nn.GRU[, nn.Linear] does "
        "not record")
    torch.add_argument("--batch-first", action="store_true",
                       help="the nn.GRU was built with batch_first=True")
    torch.add_argument("--head", choices=HEADS,
                       help="what the nn.Linear reads: every step of the GRU's output, "
                            "output[:, -1], or the last layer's h_n of each direction")
    torch.add_argument("--initial-state", action="store_true",
                       help="the model takes h_0 (num_layers·directions, batch, hidden)")
    args = parser.parse_args(argv)
    torch_options = None
    if args.batch_first or args.head or args.initial_state:
        torch_options = TorchOptions(args.batch_first, args.head, args.initial_state)
    try:
        _write_atomically(args.output, import_pieces(args.model, torch_options))
    except ImportFailure as failure:
        print(f"gru-import: error: {failure}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"gru-import: error: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # a bug: still one line, never a traceback
        print(f"gru-import: error: internal error reading {args.model} (please report it): "
              f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0
