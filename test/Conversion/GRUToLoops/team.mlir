// RUN: gru-opt %s -split-input-file -convert-gru-to-loops -canonicalize | FileCheck %s

// A step with little work (here B·3U·U = 2·3·32·32 multiply-adds) runs on a
// persistent team of threads: one OpenMP parallel region around the time
// loop. Each thread owns an even share of every gate's panels (Zen 3: two
// panels of 16 columns per gate), computes their recurrent products and
// gate math for all rows into buffers the team shares, and the team meets
// at one barrier per step; the state alternates between two buffers.
// CHECK-LABEL: func @reset_after
// CHECK: %[[STATES:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x2x32xf32>
// CHECK: bufferization.materialize_in_destination %{{.*}} in restrict writable
// CHECK: %[[PRODUCTS:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x96xf32>
// CHECK: omp.parallel {
// CHECK:   %[[THREAD:.*]] = func.call @omp_get_thread_num() : () -> i32
// CHECK:   %[[THREADS:.*]] = func.call @omp_get_num_threads() : () -> i32
// CHECK:   scf.for %[[K:.*]] = %c0 to %c10 step %c1 {
// CHECK:     %[[PARITY:.*]] = arith.remui %[[K]], %c2
// CHECK:     memref.subview %[[STATES]][%[[PARITY]], 0, 0] [1, 2, 32] [1, 1, 1]
// CHECK:     bufferization.to_tensor %{{.*}} restrict :
// CHECK:     memref.subview %[[PRODUCTS]]
// CHECK:     bufferization.to_tensor %{{.*}} restrict writable
// CHECK:     vector.fma
// CHECK-NOT: scf.forall
// CHECK:     linalg.generic
// CHECK:       math.tanh
// CHECK:     bufferization.materialize_in_destination
// CHECK:     func.call @gru_rt_barrier() : () -> ()
// CHECK-NOT: func.call @gru_rt_barrier
// CHECK:   }
// CHECK:   omp.terminator
// CHECK: func.func private @omp_get_thread_num() -> i32
// CHECK: func.func private @omp_get_num_threads() -> i32
// CHECK: func.func private @gru_rt_barrier()
module attributes {llvm.target = #llvm.target<triple = "x86_64-unknown-linux-gnu", chip = "znver3">} {
func.func @reset_after(%x: tensor<2x10x8xf32>, %k: tensor<8x96xf32>, %rk: tensor<32x96xf32>, %b: tensor<2x96xf32>) -> tensor<2x32xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 32 : i64}
      : (tensor<2x10x8xf32>, tensor<8x96xf32>, tensor<32x96xf32>, tensor<2x96xf32>) -> tensor<2x32xf32>
  return %o : tensor<2x32xf32>
}
}

// -----

// reset_after = false: a thread's r ⊙ h is shared before the candidate's
// product, which needs every unit's: two barriers per step.
// CHECK-LABEL: func @reset_before
// CHECK: omp.parallel {
// CHECK:   scf.for
// CHECK:     math.exp
// CHECK:     arith.mulf
// CHECK:     bufferization.materialize_in_destination
// CHECK:     func.call @gru_rt_barrier() : () -> ()
// CHECK:     vector.fma
// CHECK:     math.tanh
// CHECK:     func.call @gru_rt_barrier() : () -> ()
// CHECK-NEXT: }
module attributes {llvm.target = #llvm.target<triple = "x86_64-unknown-linux-gnu", chip = "znver3">} {
func.func @reset_before(%x: tensor<2x10x8xf32>, %k: tensor<8x96xf32>, %rk: tensor<32x96xf32>, %b: tensor<96xf32>) -> tensor<2x32xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 32 : i64, reset_after = false}
      : (tensor<2x10x8xf32>, tensor<8x96xf32>, tensor<32x96xf32>, tensor<96xf32>) -> tensor<2x32xf32>
  return %o : tensor<2x32xf32>
}
}

// -----

// With a dynamic batch size an scf.if picks the team whose threads own
// units where B·3U·U is below 2^22 multiply-adds, and otherwise (R stays in
// L2) the team whose threads own rows, which never meet at a barrier.
// CHECK-LABEL: func @dynamic
// CHECK: %[[WORK:.*]] = arith.muli %{{.*}}, %c3072
// CHECK: %[[SMALL:.*]] = arith.cmpi ult, %[[WORK]], %c4194304
// CHECK: scf.if %[[SMALL]] -> (tensor<?x32xf32>
// CHECK:   omp.parallel
// CHECK:     func.call @gru_rt_barrier
// CHECK: } else {
// CHECK-NOT: scf.forall
// CHECK:   omp.parallel
// CHECK-NOT: gru_rt_barrier
// CHECK:     omp.terminator
module attributes {llvm.target = #llvm.target<triple = "x86_64-unknown-linux-gnu", chip = "znver3">} {
func.func @dynamic(%x: tensor<?x?x8xf32>, %k: tensor<8x96xf32>, %rk: tensor<32x96xf32>, %b: tensor<2x96xf32>) -> tensor<?x32xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 32 : i64}
      : (tensor<?x?x8xf32>, tensor<8x96xf32>, tensor<32x96xf32>, tensor<2x96xf32>) -> tensor<?x32xf32>
  return %o : tensor<?x32xf32>
}
}

// -----

// Too much work per step for the units team (4096·3·32·32 multiply-adds):
// the team whose threads own rows; units that fit one panel, or recurrent
// dropout (a masked state per gate): no team.
// CHECK-LABEL: func @large_batch
// CHECK: omp.parallel
// CHECK-NOT: gru_rt_barrier
// CHECK: omp.terminator
// CHECK-LABEL: func @one_panel
// CHECK-NOT: omp.parallel
// CHECK-LABEL: func @recurrent_dropout
// CHECK-NOT: omp.parallel
// CHECK: return
module attributes {llvm.target = #llvm.target<triple = "x86_64-unknown-linux-gnu", chip = "znver3">} {
func.func @large_batch(%x: tensor<4096x10x8xf32>, %k: tensor<8x96xf32>, %rk: tensor<32x96xf32>, %b: tensor<2x96xf32>) -> tensor<4096x32xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 32 : i64}
      : (tensor<4096x10x8xf32>, tensor<8x96xf32>, tensor<32x96xf32>, tensor<2x96xf32>) -> tensor<4096x32xf32>
  return %o : tensor<4096x32xf32>
}
func.func @one_panel(%x: tensor<2x10x8xf32>, %k: tensor<8x48xf32>, %rk: tensor<16x48xf32>, %b: tensor<2x48xf32>) -> tensor<2x16xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 16 : i64}
      : (tensor<2x10x8xf32>, tensor<8x48xf32>, tensor<16x48xf32>, tensor<2x48xf32>) -> tensor<2x16xf32>
  return %o : tensor<2x16xf32>
}
func.func @recurrent_dropout(%x: tensor<2x10x8xf32>, %k: tensor<8x96xf32>, %rk: tensor<32x96xf32>, %b: tensor<2x96xf32>, %m: tensor<3x2x32xf32>) -> tensor<2x32xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) recurrent_dropout_mask(%m) {units = 32 : i64}
      : (tensor<2x10x8xf32>, tensor<8x96xf32>, tensor<32x96xf32>, tensor<2x96xf32>, tensor<3x2x32xf32>) -> tensor<2x32xf32>
  return %o : tensor<2x32xf32>
}
}
