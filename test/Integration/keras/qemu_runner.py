"""Runs the functions of an aarch64 library (gru-compile
--mtriple=aarch64-linux-gnu) under qemu-user, for run_matrix.py --qemu-aarch64.

The host's Python cannot load the library, so a C driver, generated from the
library's manifest and linked against it by the cross compiler, replays a
sequence of calls and reset_states on one instance (stateful layers carry
their state from call to call). The driver first prints the manifest: built
without any call, it needs nothing from the manifest itself.

Calls file, little-endian int64s and raw arrays: per step, the function's
index in the manifest (then its sizes in the manifest's order and every input
in the C ABI's types) or -1 for reset_states. Results file: per step, the
return code; then the message of last_error if it is nonzero (the replay
stops there), else the outputs and the inputs updated in place.
"""

import json
import os
import subprocess

import numpy as np

import gru_model

QEMU = ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"]
RESET = -1
# A run of the driver, several calls of one config under emulation.
TIMEOUT_S = 600

C_TYPES = {"float32": "float", "float64": "double", "int32": "int32_t",
           "int64": "int64_t", "bool": "uint8_t"}


def c_dtype(name):
    """The NumPy type of a manifest dtype in the C ABI (bool is one byte)."""
    return np.dtype(np.uint8 if name == "bool" else name)


def _element_count(shape, size_index):
    """A C expression for the elements of `shape` (ints or size names)."""
    return " * ".join(["(size_t)1"] + [str(d) if isinstance(d, int) else
                                       f"(size_t)s[{size_index[d]}]" for d in shape])


def _call_function(prefix, index, spec):
    """The C function that reads the sizes and inputs of one call of `spec`,
    calls it and writes its results."""
    size_index = {name: i for i, name in enumerate(spec["sizes"])}
    lines = [f"static int call_{index}({prefix}_instance *instance) {{"]
    if spec["sizes"]:
        lines += [f"  int64_t s[{len(spec['sizes'])}];",
                  f"  for (int i = 0; i < {len(spec['sizes'])}; ++i)",
                  "    s[i] = read_i64();"]
    # Arrays are named by position: argument names could be C's or ours.
    arrays, names = [], {}
    for kind, specs in (("in", spec["inputs"]), ("out", spec["outputs"])):
        for k, array in enumerate(specs):
            var, ctype = f"{kind}{k}", C_TYPES[array["dtype"]]
            lines.append(f"  size_t {var}_bytes = sizeof({ctype}) * "
                         f"{_element_count(array['shape'], size_index)};")
            make = "read_array" if kind == "in" else "new_array"
            lines.append(f"  {ctype} *{var} = {make}({var}_bytes);")
            arrays.append(var)
            names.setdefault(array["name"], var)
    args = ", ".join(["instance", *arrays, *[f"s[{i}]" for i in range(len(spec["sizes"]))]])
    lines += [f"  int code = report({spec['symbol']}({args}), instance);",
              "  if (!code) {"]
    written = [f"out{k}" for k in range(len(spec["outputs"]))]
    written += [names[name] for name in spec.get("updated_in_place", [])]
    lines += [f"    write_bytes({var}, {var}_bytes);" for var in written]
    lines.append("  }")
    lines += [f"  free({var});" for var in arrays]
    lines += ["  return code;", "}", ""]
    return "\n".join(lines)


def driver_source(prefix, functions):
    """The driver of library `prefix` for the manifest's `functions` (none:
    it only prints the manifest)."""
    calls = "".join(_call_function(prefix, i, spec) for i, spec in enumerate(functions))
    cases = "".join(f"    case {i}:\n      code = call_{i}(instance);\n      break;\n"
                    for i in range(len(functions)))
    return f"""/* Replays calls on one instance of {prefix} (qemu_runner.py). */
#include "{prefix}.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *in, *out;

static void fail(const char *what) {{
  fprintf(stderr, "driver: %s\\n", what);
  exit(2);
}}

static int64_t read_i64(void) {{
  int64_t value;
  if (fread(&value, sizeof value, 1, in) != 1)
    fail("the calls file ends inside a call");
  return value;
}}

static void *new_array(size_t bytes) {{
  void *data = malloc(bytes ? bytes : 1);
  if (!data)
    fail("out of memory");
  return data;
}}

static void *read_array(size_t bytes) {{
  void *data = new_array(bytes);
  if (fread(data, 1, bytes, in) != bytes)
    fail("the calls file ends inside an array");
  return data;
}}

static void write_bytes(const void *data, size_t bytes) {{
  if (fwrite(data, 1, bytes, out) != bytes)
    fail("cannot write the results file");
}}

/* The return code, and after a failure the instance's message; the log
 * gets how the call ran its layers that may use cuDNN. */
static int report(int code, {prefix}_instance *instance) {{
  int64_t value = code;
  write_bytes(&value, sizeof value);
  const char *dispatch = {prefix}_last_dispatch(instance);
  if (dispatch && *dispatch)
    fprintf(stderr, "%s", dispatch);
  if (code) {{
    const char *message = {prefix}_last_error(instance);
    int64_t length = (int64_t)strlen(message);
    write_bytes(&length, sizeof length);
    write_bytes(message, (size_t)length);
  }}
  return code;
}}

{calls}int main(int argc, char **argv) {{
  if (argc == 2 && strcmp(argv[1], "--manifest") == 0) {{
    fputs({prefix}_manifest(), stdout);
    return 0;
  }}
  if (argc != 3)
    fail("usage: driver CALLS RESULTS | driver --manifest");
  in = fopen(argv[1], "rb");
  out = fopen(argv[2], "wb");
  if (!in || !out)
    fail("cannot open the calls or results file");
  {prefix}_instance *instance = {prefix}_create();
  if (!instance)
    fail({prefix}_last_error(NULL));
  fprintf(stderr, "device: %s\\n", {prefix}_device(instance));
  int code = 0;
  int64_t step;
  while (!code && fread(&step, sizeof step, 1, in) == 1) {{
    switch (step) {{
    case {RESET}:
      code = report({prefix}_reset_states(instance), instance);
      break;
{cases}    default:
      fail("no such function");
    }}
  }}
  {prefix}_destroy(instance);
  if (fclose(out) != 0)
    fail("cannot write the results file");
  return 0;
}}
"""


def _run(command, what, **kwargs):
    """Runs `command`; its stdout, or RuntimeError with its last lines."""
    # A sanitized build preloads the host's sanitizer runtimes (lit.cfg.py),
    # which neither qemu nor the emulated program can use.
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    done = subprocess.run(command, capture_output=True, env=env, timeout=TIMEOUT_S,
                          **kwargs)
    if done.returncode != 0:
        lines = (done.stderr + done.stdout).decode(errors="replace").strip().splitlines()
        raise RuntimeError(f"{what} failed (status {done.returncode}): "
                           + " | ".join(lines[-3:]))
    return done.stdout


def _bind_sizes(spec, arrays):
    """{size name: value} from the shapes of `arrays`; the library itself
    checks that the sizes agree."""
    sizes = {}
    for array_spec, array in zip(spec["inputs"], arrays):
        if array.ndim != len(array_spec["shape"]):
            raise ValueError(f"{spec['name']}: input '{array_spec['name']}' must have rank "
                             f"{len(array_spec['shape'])}, got shape {array.shape}")
        for want, got in zip(array_spec["shape"], array.shape):
            if isinstance(want, int) and want != got:
                raise ValueError(f"{spec['name']}: input '{array_spec['name']}' must have "
                                 f"shape {array_spec['shape']}, got {array.shape}")
            sizes.setdefault(want, got)
    return sizes


class Library:
    """A library and its driver, built by `cc` into the library's folder
    (where gru-compile wrote the header), run under `emulator` (a command
    prefix; none for the host's own libraries)."""

    def __init__(self, path, cc, emulator=QEMU):
        self.path = os.path.abspath(path)
        self.dir, name = os.path.split(self.path)
        self.prefix = name.removeprefix("lib").removesuffix(".so")
        self.cc = cc
        self.emulator = emulator
        manifest = _run(emulator + [self._build_driver([], "manifest"), "--manifest"],
                        "the manifest driver")
        self.manifest = json.loads(manifest)
        self.functions = {spec["name"]: (i, spec)
                          for i, spec in enumerate(self.manifest["functions"])}
        self.driver = self._build_driver(self.manifest["functions"], "driver")

    def _build_driver(self, functions, suffix):
        source = os.path.join(self.dir, f"{self.prefix}_{suffix}.c")
        program = source.removesuffix(".c")
        with open(source, "w") as f:
            f.write(driver_source(self.prefix, functions))
        # The manifest's driver leaves the readers unused.
        _run([self.cc, "-std=c11", "-O1", "-Wall", "-Werror", "-Wno-unused-function",
              "-I", self.dir, source,
              "-o", program, "-L", self.dir, f"-l:{os.path.basename(self.path)}",
              f"-Wl,-rpath,{self.dir}"], f"compiling {os.path.basename(source)}")
        return program

    def replay(self, function, steps, reset):
        """Replays `steps` (input lists, or `reset`) on one new instance;
        returns the results of every call, as the Python loader does."""
        calls, shapes = self.write_calls(function, steps, reset)
        results = os.path.join(self.dir, f"{function}.results")
        _run(self.emulator + [self.driver, calls, results], f"the driver of {function}")
        return self.read_results(results, function, shapes)

    def write_calls(self, function, steps, reset):
        """Writes the calls file of `steps` for the driver; returns its path
        and the shapes of the results, for read_results()."""
        index, spec = self.functions[function]
        calls = os.path.join(self.dir, f"{function}.calls")
        shapes = []
        with open(calls, "wb") as f:
            for step in steps:
                if step is reset:
                    f.write(np.int64(RESET).tobytes())
                    shapes.append(None)
                    continue
                arrays = [np.ascontiguousarray(np.asarray(value) != 0 if s["dtype"] == "bool"
                                               else value, dtype=c_dtype(s["dtype"]))
                          for s, value in zip(spec["inputs"], step)]
                sizes = _bind_sizes(spec, arrays)
                f.write(np.array([index] + [sizes[n] for n in spec["sizes"]],
                                 dtype="<i8").tobytes())
                for array in arrays:
                    f.write(array.tobytes())
                shapes.append([(s["dtype"], [d if isinstance(d, int) else sizes[d]
                                             for d in s["shape"]])
                               for s in spec["outputs"]]
                              + [(s["dtype"], arrays[k].shape)
                                 for k, s in enumerate(spec["inputs"])
                                 if s["name"] in spec.get("updated_in_place", [])])
        return calls, shapes

    @classmethod
    def read_results(cls, path, function, shapes):
        """The results of every call from a results file of the driver."""
        with open(path, "rb") as f:
            return cls._read_results(f, function, shapes)

    @staticmethod
    def _read_results(f, function, shapes):
        def read(dtype, count):
            data = np.frombuffer(f.read(dtype.itemsize * count), dtype=dtype)
            if data.size != count:
                raise RuntimeError(f"{function}: the results file ends early")
            return data

        results = []
        for step in shapes:
            code = int(read(np.dtype("<i8"), 1)[0])
            if code != 0:
                length = int(read(np.dtype("<i8"), 1)[0])
                message = f.read(length).decode(errors="replace")
                raise gru_model.ModelError(
                    function if step is not None else "reset_states", code, message)
            if step is None:
                continue
            outputs = []
            for dtype, shape in step:
                array = read(c_dtype(dtype), int(np.prod(shape))).reshape(shape)
                outputs.append(array != 0 if dtype == "bool" else array)
            results.append(outputs)
        return results


class Runner:
    """run_library() for aarch64 libraries: one Library per path."""

    def __init__(self, cc):
        self.cc = cc
        self.libraries = {}

    def __call__(self, lib, function, steps, reset):
        if lib not in self.libraries:
            self.libraries[lib] = Library(lib, self.cc)
        return self.libraries[lib].replay(function, steps, reset)
