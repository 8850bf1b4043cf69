"""The PTX of the kernels in MLIR that gru-opt --gru-to-nvvm=format=isa wrote,
and ptxas's verdict on it.

    ptx.py MODULE.mlir                 prints each kernel's PTX
    ptx.py --ptxas sm_90 MODULE.mlir   assembles each kernel with ptxas -v and
                                       prints a line of its resources; fails
                                       where a kernel spills or exceeds the
                                       budget
    ptx.py --fatbin MODULE.mlir        prints what each kernel's fatbin holds
                                       (sass, ptx), for the default format
"""
import argparse
import re
import struct
import subprocess
import sys

# The budget of a kernel: no spills, registers that let a block of the
# kernels' threads (at most 1024) fit a multiprocessor's 64K, and the static
# shared memory of an sm_90 block.
MAX_REGISTERS = 64
MAX_SHARED_BYTES = 227 * 1024

_ASSEMBLY = re.compile(r'gpu\.binary @(\w+)\s+\[#gpu\.object<.*?assembly = "((?:[^"\\]|\\.)*)"')
_FATBIN = re.compile(r'gpu\.binary @(\w+)\s+\[#gpu\.object<#nvvm\.target<[^>]*>, '
                     r'(?:properties = \{[^}]*\}, )?"((?:[^"\\]|\\.)*)"')
# A fatbin's entries: a 16-byte header, then each entry's kind (u16), version
# (u16), header size (u32) and payload size (u64) before its payload.
_FATBIN_MAGIC = 0xBA55ED50
_ENTRY_KINDS = {1: "ptx", 2: "sass"}


def _unescape(text):
    """An MLIR string's bytes: hex escapes and escaped backslashes."""
    return re.sub(r'\\([0-9A-Fa-f]{2}|\\)',
                  lambda m: "\\" if m.group(1) == "\\" else chr(int(m.group(1), 16)), text)


def kernels(mlir):
    """{binary name: PTX} of every gpu.binary with an assembly."""
    return {m.group(1): _unescape(m.group(2)) for m in _ASSEMBLY.finditer(mlir)}


def fatbin_entries(mlir):
    """{binary name: [entry kinds]} of every gpu.binary holding a fatbin."""
    found = {}
    for m in _FATBIN.finditer(mlir):
        raw = _unescape(m.group(2)).encode("latin1")
        magic, = struct.unpack_from("<I", raw, 0)
        if magic != _FATBIN_MAGIC:
            continue
        entries, offset = [], struct.unpack_from("<H", raw, 6)[0]
        while offset + 16 <= len(raw):
            kind, _, header, size = struct.unpack_from("<HHIQ", raw, offset)
            entries.append(_ENTRY_KINDS.get(kind, f"kind {kind}"))
            offset += header + size
        found[m.group(1)] = entries
    return found


def resources(ptx, arch):
    """ptxas -v's registers, spill bytes and shared bytes of one kernel."""
    result = subprocess.run(["ptxas", f"-arch={arch}", "-v", "-o", "/dev/null", "-"],
                            input=ptx, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip())
    log = result.stderr
    registers = int(re.search(r"Used (\d+) registers", log).group(1))
    spills = sum(int(n) for n in re.findall(r"(\d+) bytes spill", log))
    shared = sum(int(n) for n in re.findall(r"(\d+) bytes smem", log))
    return registers, spills, shared


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module")
    parser.add_argument("--ptxas", metavar="ARCH", help="assemble for ARCH and check the budget")
    parser.add_argument("--fatbin", action="store_true", help="list the fatbins' entries")
    args = parser.parse_args()
    with open(args.module) as f:
        mlir = f.read()
    if args.fatbin:
        for name, entries in fatbin_entries(mlir).items():
            print(f"{name}: {', '.join(entries)}")
        return
    found = kernels(mlir)
    if not found:
        sys.exit(f"error: {args.module} holds no kernel assembly")
    if not args.ptxas:
        for name, ptx in found.items():
            print(f"// kernel {name}\n{ptx}")
        return
    over = 0
    for name, ptx in found.items():
        try:
            registers, spills, shared = resources(ptx, args.ptxas)
        except RuntimeError as error:
            print(f"{name}: ptxas failed: {error}")
            over += 1
            continue
        verdict = "ok"
        if spills or registers > MAX_REGISTERS or shared > MAX_SHARED_BYTES:
            verdict = "OVER BUDGET"
            over += 1
        print(f"{name}: {registers} registers, {spills} bytes spilled, "
              f"{shared} bytes shared: {verdict}")
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
