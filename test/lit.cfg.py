# -*- Python -*-
import os

import lit.formats
import lit.util
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "GRU"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.gru_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%unit_test_dir", config.gru_unit_test_dir))
config.substitutions.append(("%runtime_test_dir", config.gru_runtime_test_dir))
config.substitutions.append(("%gru_src_root", config.gru_src_root))
config.substitutions.append(("%gru_obj_root", config.gru_obj_root))
llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.gru_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["gru-opt", "gru-compile", "gru-import"], tool_dirs)

# Integration tests run Python (NumPy, Keras) from the project's environment
# with the model loader on the path, and build C programs against compiled
# models and the runtime headers.
config.environment["PYTHONPATH"] = os.path.join(config.gru_src_root, "python")
config.environment["KERAS_BACKEND"] = "jax"
config.environment["JAX_PLATFORMS"] = "cpu"
# Ahead of lit's own %python (first match wins), which lacks the packages.
config.substitutions.insert(0, ("%python", config.gru_python))
config.substitutions.append(("%runtime_include",
                             os.path.join(config.gru_src_root, "runtime", "include")))

# Libraries for aarch64 (gru-compile --mtriple=aarch64-linux-gnu) are
# linked and run under qemu-user where the build found the cross toolchain
# (scripts/setup-cross.sh). The emulated programs cannot use the host's
# sanitizer runtimes, which a sanitized build preloads.
if (config.gru_aarch64_runtime and os.path.exists(config.gru_aarch64_runtime)
        and lit.util.which("qemu-aarch64", config.environment["PATH"])):
    config.available_features.add("aarch64-cross")
    config.substitutions.append(("%aarch64_cc", config.gru_aarch64_cc))
    config.substitutions.append(
        ("%qemu_aarch64", "env -u LD_PRELOAD qemu-aarch64 -L /usr/aarch64-linux-gnu"))

# A build with sanitizers (scripts/test-sanitized.sh): compiled libraries
# carry instrumented wrappers and runtime, so every program that loads one
# (Python, the C test programs) gets the sanitizer runtimes preloaded.
# Leaks are not reported: Python and JAX keep memory until exit by design.
if config.gru_sanitize:
    import subprocess
    runtimes = [subprocess.run([config.c_compiler, f"-print-file-name=lib{name}.so"],
                               capture_output=True, text=True, check=True).stdout.strip()
                for name in ("asan", "ubsan")]
    config.environment["LD_PRELOAD"] = ":".join(runtimes)
    # LLVM's headers poison memory that its uninstrumented libraries use.
    config.environment["ASAN_OPTIONS"] = \
        "detect_leaks=0:abort_on_error=1:allow_user_poisoning=0:" \
        "allocator_may_return_null=1:handle_segv=0"
    # The tools themselves turn a crash into an internal error (status 1).
    config.environment["UBSAN_OPTIONS"] = \
        "print_stacktrace=1:halt_on_error=1:handle_segv=0"
    config.available_features.add("sanitizers")

# The GPU kernels' PTX is assembled with the CUDA toolkit's ptxas (and put in
# fatbins with its fatbinary) where the machine has the toolkit; without it
# those tests report themselves unsupported.
cuda_root = os.environ.get("CUDA_HOME", "/usr/local/cuda")
if os.access(os.path.join(cuda_root, "bin", "ptxas"), os.X_OK):
    config.available_features.add("ptxas")
    config.environment["CUDA_HOME"] = cuda_root
    llvm_config.with_environment("PATH", os.path.join(cuda_root, "bin"), append_path=True)

# Tests on a GPU run where the CUDA driver has a device; elsewhere they report
# themselves unsupported (REQUIRES: cuda-device).
def _cuda_device_count():
    import ctypes
    try:
        driver = ctypes.CDLL("libcuda.so.1")
        count = ctypes.c_int(0)
        if driver.cuInit(0) != 0 or driver.cuDeviceGetCount(ctypes.byref(count)) != 0:
            return 0
        return count.value
    except OSError:
        return 0


if _cuda_device_count() > 0:
    config.available_features.add("cuda-device")

# The cuDNN stand-in of test/Runtime is built where cuDNN's headers are
# installed; without them, the tests through it report themselves
# unsupported. A real cuDNN (libcudnn.so.9) is only a feature.
if os.path.exists(os.path.join(config.gru_runtime_test_dir, "libcudnn.so.9")):
    config.available_features.add("cudnn-stand-in")

# The host's caches as Linux's sysfs lists them, read here independently of
# the compiler: gru-attach-target must record these for the host's CPU.
def _host_cache_bytes(level):
    root = "/sys/devices/system/cpu/cpu0/cache"
    if not os.path.isdir(root):
        return None
    def read(entry, name):
        with open(os.path.join(root, entry, name)) as f:
            return f.read().strip()
    for entry in sorted(os.listdir(root)):
        if not entry.startswith("index"):
            continue
        if read(entry, "level") != str(level) or read(entry, "type") == "Instruction":
            continue
        size = read(entry, "size")
        scale = {"K": 1 << 10, "M": 1 << 20}.get(size[-1:], 1)
        return int(size.rstrip("KM")) * scale
    return None


_host_l1, _host_l2 = _host_cache_bytes(1), _host_cache_bytes(2)
if _host_l1 and _host_l2:
    config.available_features.add("host-cache-sysfs")
    config.substitutions.append(("%host_l1_bytes", str(_host_l1)))
    config.substitutions.append(("%host_l2_bytes", str(_host_l2)))
