// RUN: gru-opt %s -split-input-file -convert-gru-to-loops -verify-diagnostics | FileCheck %s

// The module's CPU device spec overrides what its llvm.target implies. With
// Zen 3's 512 KiB of L2, the packed R (32×96 floats, 12 KiB) stays resident
// and is not prefetched.
// CHECK-LABEL: func @resident
// CHECK-NOT: memref.prefetch
// CHECK: return
module attributes {llvm.target = #llvm.target<triple = "x86_64-unknown-linux-gnu", chip = "znver3">} {
func.func @resident(%x: tensor<16x10x32xf32>, %k: tensor<32x96xf32>, %rk: tensor<32x96xf32>, %b: tensor<2x96xf32>) -> tensor<16x32xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 32 : i64}
      : (tensor<16x10x32xf32>, tensor<32x96xf32>, tensor<32x96xf32>, tensor<2x96xf32>) -> tensor<16x32xf32>
  return %o : tensor<16x32xf32>
}
}

// -----

// An L2 of 16 KiB keeps only 8 KiB of weights: R streams from L3, and the
// next panel's row is prefetched while one is in use, once per 64-byte line
// that its 24 floats span.
// CHECK-LABEL: func @streaming
// CHECK: memref.prefetch %{{.*}}[%[[NEXT:[0-9]+]], %[[K:arg[0-9]+]], %c0{{[_0-9]*}}], read, locality<2>, data : memref<4x32x24xf32
// CHECK-NEXT: %[[C16:.*]] = arith.constant 16 : index
// CHECK-NEXT: memref.prefetch %{{.*}}[%[[NEXT]], %[[K]], %[[C16]]], read, locality<2>, data
// CHECK-NEXT: arith.constant 0
// CHECK-NEXT: ub.poison
// CHECK-NEXT: vector.transfer_read
module attributes {llvm.target = #llvm.target<triple = "x86_64-unknown-linux-gnu", chip = "znver3">,
                   dlti.target_system_spec = #dlti.target_system_spec<"CPU" = #dlti.target_device_spec<"L2_cache_size_in_bytes" = 16384 : i64>>} {
func.func @streaming(%x: tensor<16x10x32xf32>, %k: tensor<32x96xf32>, %rk: tensor<32x96xf32>, %b: tensor<2x96xf32>) -> tensor<16x32xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 32 : i64}
      : (tensor<16x10x32xf32>, tensor<32x96xf32>, tensor<32x96xf32>, tensor<2x96xf32>) -> tensor<16x32xf32>
  return %o : tensor<16x32xf32>
}
}

// -----

// An L1 of 1 KiB keeps 512 bytes of a panel (24 floats wide on AVX2): the
// tiles of several rows pass over k = 32 in blocks of 8, the first from the
// bias, the later ones from what the earlier ones wrote.
// CHECK-LABEL: func @blocked
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %c32 step %c8
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[K]], %c0
// CHECK: scf.if %[[FIRST]] -> (vector<8xf32>,
// CHECK: } else {
// CHECK: vector.transfer_read %{{.*}} : tensor<?x96xf32>, vector<8xf32>
module attributes {llvm.target = #llvm.target<triple = "x86_64-unknown-linux-gnu", chip = "znver3">,
                   dlti.target_system_spec = #dlti.target_system_spec<"CPU" = #dlti.target_device_spec<"L1_cache_size_in_bytes" = 1024 : i64>>} {
func.func @blocked(%x: tensor<16x10x32xf32>, %k: tensor<32x96xf32>, %rk: tensor<32x96xf32>, %b: tensor<2x96xf32>) -> tensor<16x32xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 32 : i64}
      : (tensor<16x10x32xf32>, tensor<32x96xf32>, tensor<32x96xf32>, tensor<2x96xf32>) -> tensor<16x32xf32>
  return %o : tensor<16x32xf32>
}
}

// -----

// A target that LLVM does not know is a diagnostic of the pass.
// expected-error@+1 {{unknown CPU 'no-such-cpu'}}
module attributes {llvm.target = #llvm.target<triple = "x86_64-unknown-linux-gnu", chip = "no-such-cpu">} {
func.func @unknown() {
  return
}
}

// -----

// Numbers that no CPU has are diagnostics, not tiles of zero lanes.
// expected-error@+1 {{the CPU's max_vector_op_width must be a power of two from 32 to 2048, not 0}}
module attributes {dlti.target_system_spec = #dlti.target_system_spec<"CPU" = #dlti.target_device_spec<"max_vector_op_width" = 0 : i64>>} {
func.func @no_lanes() {
  return
}
}

// -----

// expected-error@+1 {{the CPU's vector_registers must be from 4 to 256, not -3}}
module attributes {dlti.target_system_spec = #dlti.target_system_spec<"CPU" = #dlti.target_device_spec<"vector_registers" = -3 : i64>>} {
func.func @no_registers() {
  return
}
}

// -----

// expected-error@+1 {{the CPU's L2 must be at least 1024 bytes}}
module attributes {dlti.target_system_spec = #dlti.target_system_spec<"CPU" = #dlti.target_device_spec<"L2_cache_size_in_bytes" = 0 : i64>>} {
func.func @no_cache() {
  return
}
}

// -----

// expected-error@+1 {{the CPU's L1 must be at least 1024 bytes}}
module attributes {dlti.target_system_spec = #dlti.target_system_spec<"CPU" = #dlti.target_device_spec<"L1_cache_size_in_bytes" = 512 : i64>>} {
func.func @no_l1() {
  return
}
}
