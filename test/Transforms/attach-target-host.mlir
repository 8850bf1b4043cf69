// REQUIRES: host-cache-sysfs
// RUN: gru-opt %s -gru-attach-target | FileCheck %s -DL1=%host_l1_bytes -DL2=%host_l2_bytes

// For the host's CPU the caches are the host's own (Linux's sysfs), not the
// table of CPUs by name: a CPU that LLVM names after another model (a
// virtual machine's) still gets its real L1 and L2.
// CHECK: "L1_cache_size_in_bytes" = [[L1]] : i64, "L2_cache_size_in_bytes" = [[L2]] : i64
func.func @f() {
  return
}
