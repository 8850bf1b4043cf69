// RUN: gru-opt %s -split-input-file -convert-gru-to-gpu="multiprocessors=2 threads-per-block=32 cluster-blocks=0" -canonicalize -cse 2>/dev/null | FileCheck %s
// RUN: gru-opt %s -split-input-file -convert-gru-to-gpu 2>/dev/null | FileCheck %s --check-prefix=H200
// RUN: gru-opt %s -split-input-file -convert-gru-to-gpu="shared-memory=0 cluster-blocks=0" 2>/dev/null | FileCheck %s --check-prefix=STEPWISE
// RUN: gru-opt %s -split-input-file -convert-gru-to-gpu="multiprocessors=2 cluster-blocks=0" 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK

// reset_after = false, go_backwards, per-gate dropout masks. U = 5 on two
// multiprocessors without clusters: a grid in which each block of a step
// owns ceil(5/2) = 3 units of every gate (the second block 2, the rest
// guarded). Its B·3 = 9 (row, unit) pairs are fewer than its 32 threads:
// 32 / 9 = 3 threads share each pair's dot products, in one turn.
// REMARK: remark: GPU steps: grid, 2 blocks of 3 units, 1752 bytes of shared memory a block
// CHECK-LABEL: func @reset_before
// CHECK-DAG: %[[PROJ:.*]] = memref.alloc() {alignment = 64 : i64} : memref<3x7x15xf32>
// CHECK-DAG: %[[STATES:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x3x5xf32>
// CHECK-DAG: %[[RH:.*]] = memref.alloc() {alignment = 64 : i64} : memref<3x5xf32>
// CHECK-DAG: %[[SLICES:.*]] = memref.alloc() {alignment = 64 : i64, gru.block_slices} : memref<2x3x3x6xf32>
// CHECK-DAG: %[[PARTIALS:.*]] = memref.alloc() {alignment = 64 : i64, gru.block_slices} : memref<2x32x3xf32>
// CHECK-DAG: %[[LAST:.*]] = memref.alloc() {alignment = 64 : i64} : memref<3x5xf32>
// The input projection: 2 blocks of 32 threads over the 3·7·15 elements,
// the input masked by its gate's dropout mask.
// CHECK: scf.forall (%[[BLOCK:.*]]) in (2) {
// CHECK:   scf.forall (%[[THREAD:.*]]) in (32) {
// CHECK:     scf.for %{{.*}} = %{{.*}} to %c315 step %c64 {
// CHECK:       %[[GATE:.*]] = arith.divui %{{.*}}, %c5
// CHECK:       scf.for
// CHECK:         tensor.extract %{{.*}}[%[[GATE]],
// CHECK:         math.fma
// CHECK:       memref.store %{{.*}}, %[[PROJ]]
// CHECK:   } {mapping = [#gpu.thread<x>]}
// CHECK: } {mapping = [#gpu.block<x>]}
// The initial state.
// CHECK: scf.forall
// CHECK:   memref.store %{{.*}}, %[[STATES]][%c0,
// R's columns of each block: 2·3·3 rows of U + 1 = 6, zero beyond U.
// CHECK: scf.forall
// CHECK:     scf.for %{{.*}} = %{{.*}} to %c108 step %c64 {
// CHECK:       tensor.extract %arg2
// CHECK:       arith.select
// CHECK:       memref.store %{{.*}}, %[[SLICES]]
// CHECK: scf.for %[[K:.*]] = %c0 to %c7 step %c1 {
// CHECK:   %[[T:.*]] = arith.subi %c6, %[[K]]
// First kernel of a step: r ⊙ h of the owned units. Its threads first
// take the parts of the dot products from block's slice of R...
// CHECK:   scf.forall (%[[B1:.*]]) in (2) {
// CHECK:     scf.forall (%[[T1:.*]]) in (32) {
// CHECK:       %[[SLOT:.*]] = arith.divui %[[T1]], %c3
// CHECK:       %[[PART:.*]] = arith.remui %[[T1]], %c3
// CHECK:       %[[LOCAL:.*]] = arith.remui %[[SLOT]], %c3
// CHECK:       %[[FIRST:.*]] = arith.muli %[[B1]], %c3
// CHECK:       %[[UNIT:.*]] = arith.addi %[[FIRST]], %[[LOCAL]]
// CHECK:       %[[OWNED:.*]] = arith.cmpi ult, %[[UNIT]], %c5
// CHECK:       scf.if
// CHECK:         %[[PARITY:.*]] = arith.remui %[[K]], %c2
// CHECK:         scf.for %[[J:.*]] = %[[PART]] to %c5 step %c3
// CHECK:           memref.load %[[STATES]][%[[PARITY]], %{{.*}}, %[[J]]]
// CHECK:           memref.load %[[SLICES]][%[[B1]], %c1, %[[LOCAL]], %[[J]]]
// CHECK:           math.fma
// CHECK:         memref.store %{{.*}}, %[[PARTIALS]][%[[B1]], %[[T1]], %c0]
// CHECK:     } {mapping = [#gpu.thread<x>]}
// ... then the first thread of each pair adds them up.
// CHECK:     scf.forall (%[[T2:.*]]) in (32) {
// CHECK:       scf.if
// CHECK:         arith.cmpi eq, %{{.*}}, %c0
// CHECK:         scf.if
// CHECK:           scf.for %[[P:.*]] = %c0 to %c3 step %c1
// CHECK:             %[[OF:.*]] = arith.addi %[[T2]], %[[P]]
// CHECK:             memref.load %[[PARTIALS]][%[[B1]], %[[OF]], %c0]
// CHECK:           memref.load %[[PROJ]][%{{.*}}, %[[T]],
// CHECK:           math.exp
// CHECK:           memref.store %{{.*}}, %[[RH]]
// CHECK:     } {mapping = [#gpu.thread<x>]}
// CHECK:   } {mapping = [#gpu.block<x>]}
// Second kernel: z and the candidate from every unit's r ⊙ h; the new state
// in the other half of the double buffer.
// CHECK:   scf.forall
// CHECK:     scf.forall
// CHECK:           scf.for {{.*}} -> (f32, f32)
// CHECK:             memref.load %[[RH]]
// CHECK:     scf.forall
// CHECK:           %[[NEXT:.*]] = arith.subi %c1,
// CHECK:           math.tanh
// CHECK:           memref.store %{{.*}}, %[[STATES]][%[[NEXT]],
// CHECK:           memref.store %{{.*}}, %[[LAST]]
// CHECK:   } {mapping = [#gpu.block<x>]}
// CHECK-NEXT: } {gru.steps = "grid"}
// CHECK: bufferization.to_tensor %[[LAST]] restrict writable

// On an H200 (132 multiprocessors, clusters of 8) a cluster of 5 blocks
// holds R, a unit a block.
// H200-LABEL: func @reset_before
// H200: scf.forall (%{{.*}}) in (132)
// H200: scf.forall (%{{.*}}) in (128)
// H200: scf.for
// H200: scf.forall (%{{.*}}) in (5)
// H200: scf.forall (%{{.*}}) in (5)
// H200: {gru.steps = "cluster"}

// Without shared memory for R, a launch per step.
// STEPWISE-LABEL: func @reset_before
// STEPWISE: {gru.steps = "stepwise"}
func.func @reset_before(%x: tensor<3x7x8xf32>, %k: tensor<8x15xf32>, %rk: tensor<5x15xf32>, %b: tensor<15xf32>, %dm: tensor<3x3x8xf32>, %rdm: tensor<3x3x5xf32>) -> tensor<3x5xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) dropout_mask(%dm) recurrent_dropout_mask(%rdm) {units = 5 : i64, reset_after = false, go_backwards = true}
      : (tensor<3x7x8xf32>, tensor<8x15xf32>, tensor<5x15xf32>, tensor<15xf32>, tensor<3x3x8xf32>, tensor<3x3x5xf32>) -> tensor<3x5xf32>
  return %o : tensor<3x5xf32>
}

// -----

// reset_after with a mask, dynamic shapes and both results: one kernel a
// step, with the recurrent bias added to the partial sums; a masked row
// keeps its state and outputs the previous output.
// CHECK-LABEL: func @masked
// CHECK-DAG: %[[STATES:.*]] = memref.alloc(%[[B:.*]]) {alignment = 64 : i64} : memref<2x?x4xf32>
// CHECK-DAG: %[[SEQ:.*]] = memref.alloc(%[[B]], %[[T:.*]]) {alignment = 64 : i64} : memref<?x?x4xf32>
// CHECK-DAG: %[[LAST:.*]] = memref.alloc(%[[B]]) {alignment = 64 : i64} : memref<?x4xf32>
// CHECK-DAG: %[[FINAL:.*]] = memref.alloc(%[[B]]) {alignment = 64 : i64} : memref<?x4xf32>
// CHECK: scf.for %[[K:.*]] = %c0 to %[[T]] step %c1 {
// CHECK:   scf.forall
// CHECK:     scf.forall
// CHECK:         scf.if
// CHECK:           scf.for {{.*}} -> (f32, f32, f32)
// CHECK-COUNT-3:     math.fma
// CHECK:     scf.forall
// CHECK:           tensor.extract %{{.*}}[%c1,
// CHECK:           %[[KEEP:.*]] = tensor.extract %{{.*}}[%[[ROW:.*]], %[[K]]] : tensor<?x?xi1>
// CHECK:           %[[PREVIOUS:.*]] = memref.load %[[LAST]]
// CHECK:           %[[STATE:.*]] = arith.select %[[KEEP]], %[[H:.*]], %{{.*}} : f32
// CHECK:           %[[OUTPUT:.*]] = arith.select %[[KEEP]], %[[H]], %[[PREVIOUS]] : f32
// CHECK:           memref.store %[[STATE]], %[[STATES]]
// CHECK:           memref.store %[[STATE]], %[[FINAL]]
// CHECK:           memref.store %[[OUTPUT]], %[[LAST]]
// CHECK:           memref.store %[[OUTPUT]], %[[SEQ]][%[[ROW]], %[[K]],
// CHECK-NOT: scf.forall
// CHECK: } {gru.steps = "grid"}
// CHECK: bufferization.to_tensor %[[SEQ]]
// CHECK: bufferization.to_tensor %[[FINAL]]
func.func @masked(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>, %m: tensor<?x?xi1>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>) {
  %o, %h = gru.layer %x, %k, %rk bias(%b) mask(%m) {units = 4 : i64, return_sequences = true, return_state = true}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>, tensor<?x?xi1>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>)
  return %o, %h : tensor<?x?x4xf32>, tensor<?x4xf32>
}

// -----

// Layers assigned to cuDNN are left for convert-gru-to-cudnn.
// CHECK-LABEL: func @cudnn
// CHECK: gru.layer
func.func @cudnn(%x: tensor<2x3x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>) -> tensor<2x4xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, impl = #gru.impl<cudnn>}
      : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}
