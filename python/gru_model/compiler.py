"""Compile a model with gru-compile from Python:

    model = gru_model.compile("model.mlir", mcpu=["x86-64-v3", "x86-64-v4"])
    logits = model.classify(tokens)

gru-compile is found, in this order, at $GRU_COMPILE, beside the package (a
wheel's gru_model/bin, an installation's bin/, a source tree's build/bin)
and on PATH.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["compile", "CompileError", "gru_compile_path"]

_PACKAGE = Path(__file__).resolve().parent
# Where the tool is relative to the package: in a wheel (gru_model/bin), an
# installation (<prefix>/lib/python/gru_model: <prefix>/bin) and a source
# tree (python/gru_model: build/bin).
_BESIDE = [_PACKAGE / "bin"]
if len(_PACKAGE.parents) > 2:
    _BESIDE.append(_PACKAGE.parents[2] / "bin")
if len(_PACKAGE.parents) > 1:
    _BESIDE.append(_PACKAGE.parents[1] / "build" / "bin")


class CompileError(RuntimeError):
    """gru-compile rejected the model; the message holds its diagnostics."""


def _beside(tool):
    """`tool` beside the package, or None."""
    for folder in _BESIDE:
        candidate = folder / tool
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def gru_compile_path():
    """The gru-compile that compile() runs."""
    found = os.environ.get("GRU_COMPILE") or _beside("gru-compile") or shutil.which("gru-compile")
    if found is None:
        raise CompileError("gru-compile not found: set GRU_COMPILE or put it on PATH")
    return found


def _run_bundled(tool):
    """Runs the package's own `tool` with this process's arguments (the
    wheel's console scripts; PATH would find the script itself)."""
    path = _beside(tool)
    if path is None:
        sys.exit(f"{tool}: not found beside {_PACKAGE}")
    os.execv(path, [path] + sys.argv[1:])


def gru_compile_main():
    _run_bundled("gru-compile")


def gru_opt_main():
    _run_bundled("gru-opt")


def _as_list(value):
    return [value] if isinstance(value, str) else list(value)


def compile(model, output=None, *, prefix=None, mcpu=None, mtriple=None, mattr=None,
            options=(), load=True):
    """Compiles `model` (a .mlir or .mlirbc file) into the shared library
    `output` (default: a temporary folder that lives as long as the returned
    model) and returns it loaded (a gru_model.Model), or its path with
    load=False. mcpu takes one CPU or several; options are more gru-compile
    arguments. Raises CompileError with gru-compile's diagnostics."""
    from . import Model

    temporary = None
    if output is None:
        if not load:
            raise ValueError("compile(load=False) needs an output path")
        temporary = tempfile.TemporaryDirectory(prefix="gru-compile-")
        name = prefix or Path(model).stem.replace("-", "_").replace(".", "_")
        output = os.path.join(temporary.name, f"lib{name}.so")
    command = [gru_compile_path(), os.fspath(model), "-o", os.fspath(output)]
    if prefix:
        command.append(f"--prefix={prefix}")
    if mcpu:
        command.append("--mcpu=" + ",".join(_as_list(mcpu)))
    if mtriple:
        command.append(f"--mtriple={mtriple}")
    if mattr:
        command.append("--mattr=" + ",".join(_as_list(mattr)))
    command += list(options)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        if temporary is not None:
            temporary.cleanup()
        raise CompileError(done.stderr.strip() or f"gru-compile exit status {done.returncode}")
    if not load:
        return output
    loaded = Model(output, prefix)
    loaded._compiled_in = temporary  # removed with the model
    return loaded
