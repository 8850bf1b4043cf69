// RUN: gru-opt %s -gru-attach-target="cpu=znver3" | FileCheck %s --check-prefix=ZEN3
// RUN: gru-opt %s -gru-attach-target="cpu=x86-64-v4" | FileCheck %s --check-prefix=V4
// RUN: gru-opt %s -gru-attach-target="cpu=x86-64-v4 features=-avx512f" | FileCheck %s --check-prefix=NO512
// RUN: gru-opt %s -gru-attach-target="triple=aarch64-linux-gnu cpu=generic" | FileCheck %s --check-prefix=ARM
// RUN: gru-opt %s -gru-attach-target | FileCheck %s --check-prefix=HOST
// RUN: not gru-opt %s -gru-attach-target="cpu=znver9" 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not gru-opt %s -gru-attach-target="cpu=znver3 features=+no-such" 2>&1 | FileCheck %s --check-prefix=FEATURE
// RUN: not gru-opt %s -gru-attach-target="cpu=znver3 features=avx2" 2>&1 | FileCheck %s --check-prefix=SIGN
// RUN: not gru-opt %s -gru-attach-target="triple=riscv64-linux-gnu cpu=generic" 2>&1 | FileCheck %s --check-prefix=ARCH
// RUN: not gru-opt %s -gru-attach-target="triple=no-such-triple cpu=generic" 2>&1 | FileCheck %s --check-prefix=TRIPLE
// RUN: not gru-opt %s -gru-attach-target="triple=aarch64-linux-gnu" 2>&1 | FileCheck %s --check-prefix=NATIVE
// RUN: not gru-opt %s -gru-attach-target="cpu=i386" 2>&1 | FileCheck %s --check-prefix=I386

// The lowering's numbers: AVX2 has 16 registers of 256 bits, AVX-512 32 of
// 512 bits, NEON 32 of 128 bits; the caches of CPUs other than the host's
// come from a table (Zen 3: 32 KiB of L1 data, 512 KiB of L2).
// ZEN3: module attributes {dlti.target_system_spec = #dlti.target_system_spec<"CPU" = #dlti.target_device_spec<"max_vector_op_width" = 256 : i64, "vector_registers" = 16 : i64, "L1_cache_size_in_bytes" = 32768 : i64, "L2_cache_size_in_bytes" = 524288 : i64>>, llvm.target = #llvm.target<triple = "x86_64-{{.*}}-linux-gnu", chip = "znver3">}
// V4: "max_vector_op_width" = 512 : i64, "vector_registers" = 32 : i64
// V4-SAME: chip = "x86-64-v4"
// NO512: "max_vector_op_width" = 256 : i64, "vector_registers" = 16 : i64
// NO512-SAME: chip = "x86-64-v4", features = <["-avx512f"]>
// ARM: "max_vector_op_width" = 128 : i64, "vector_registers" = 32 : i64
// ARM-SAME: llvm.target = #llvm.target<triple = "aarch64-unknown-linux-gnu", chip = "generic">
// The host's CPU by name, with its features spelled out.
// HOST: llvm.target = #llvm.target<triple = "{{.*}}", chip = "{{.+}}", features = <["{{[+-]}}

// CPU: error: unknown CPU 'znver9' for x86_64
// FEATURE: error: unknown feature 'no-such' for x86_64
// SIGN: error: feature 'avx2' must start with '+' or '-' (as in +avx2,-avx512f)
// ARCH: error: target 'riscv64-unknown-linux-gnu' is not supported; the CPU lowering targets x86_64 and aarch64
// TRIPLE: error: unknown target triple 'no-such-triple'
// NATIVE: error: CPU 'native' (the host's) cannot run 'aarch64-unknown-linux-gnu' code; name a CPU of that target (such as generic)
// I386: error: CPU 'i386' cannot run 64-bit x86 code; pick an x86-64 CPU (such as x86-64-v3)
func.func @f() {
  return
}
