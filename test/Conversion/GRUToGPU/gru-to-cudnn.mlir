// RUN: gru-opt %s -split-input-file -gru-select-impl=target=gpu -convert-gru-to-cudnn="multiprocessors=2 threads-per-block=32" 2>/dev/null | FileCheck %s
// RUN: gru-opt %s -split-input-file -gru-select-impl=target=gpu -convert-gru-to-cudnn="algo=persist_dynamic tf32=true" 2>/dev/null | FileCheck %s --check-prefix=OPTIONS
// RUN: gru-opt %s -split-input-file -gru-select-impl=target=gpu -convert-gru-to-cudnn 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK
// RUN: not gru-opt %s -split-input-file -gru-select-impl=target=gpu -convert-gru-to-cudnn=algo=fastest 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: convert-gru-to-cudnn needs at least one multiprocessor, one thread a block, and an algorithm of standard, small_h, persist_static, persist_dynamic (got 'fastest')

// The bridge's declarations: buffers through MLIR's C interface, those on
// the device marked, and those that the call writes.
// CHECK: func.func private @gru_rt_mask_lengths(memref<?x?xi1, strided<[?, ?], offset: ?>>, memref<?xi32, strided<[?], offset: ?>>) -> i1 attributes {llvm.emit_c_interface}
// CHECK: func.func private @gru_rt_cudnn_select(i64, i1) -> i1
// CHECK: func.func private @gru_rt_cudnn_gru(i64, i64, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>> {gru.device}, memref<?x?xf32, strided<[?, ?], offset: ?>> {gru.device}, memref<?x?xf32, strided<[?, ?], offset: ?>> {gru.device}, memref<?x?xf32, strided<[?, ?], offset: ?>> {gru.device}, memref<?xi32, strided<[?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>> {gru.device}, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>> {gru.device, gru.written}, memref<?x?xf32, strided<[?, ?], offset: ?>> {gru.device, gru.written}) attributes {llvm.emit_c_interface}
// Constant weights stay on the host, where the instance maps them once.
// CHECK: func.func private @gru_rt_cudnn_gru_constant(i64, i64, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>> {gru.device}, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?xi32, strided<[?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>> {gru.device}, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>> {gru.device, gru.written}, memref<?x?xf32, strided<[?, ?], offset: ?>> {gru.device, gru.written}) attributes {llvm.emit_c_interface}

// A masked layer: the mask's check gives the rows' lengths; the choice runs
// cuDNN with them (options 6: initial state and lengths) or the fused layer.
// Without zero_output_for_mask, a kernel copies each row's last state to
// its padded outputs.
// REMARK: remark: cuDNN call, with the fused path where the run time cannot use cuDNN
// CHECK-LABEL: func @masked
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x8xf32>, %[[K:.*]]: tensor<8x12xf32>, %[[RK:.*]]: tensor<4x12xf32>, %[[B:.*]]: tensor<2x12xf32>, %[[M:.*]]: tensor<?x?xi1>, %[[H0:.*]]: tensor<?x4xf32>)
// CHECK: %[[MASK:.*]] = bufferization.to_buffer %[[M]] read_only
// CHECK: %[[LENGTHS:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?xi32>
// CHECK: %[[PADDED:.*]] = call @gru_rt_mask_lengths(%[[MASK]], %{{.*}})
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i64
// CHECK: %[[USE:.*]] = call @gru_rt_cudnn_select(%[[ZERO]], %[[PADDED]])
// CHECK: %[[RESULTS:.*]]:2 = scf.if %[[USE]] -> (tensor<?x?x4xf32>, tensor<?x4xf32>) {
// CHECK-DAG: %[[HY:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x4xf32>
// CHECK-DAG: %[[Y:.*]] = memref.alloc(%{{.*}}, %{{.*}}) {alignment = 64 : i64} : memref<?x?x4xf32>
// CHECK-DAG: %[[FLAGS:.*]] = arith.constant 6 : i64
// CHECK-DAG: bufferization.to_buffer %[[K]] read_only
// CHECK-DAG: bufferization.to_buffer %[[RK]] read_only
// CHECK-DAG: bufferization.to_buffer %[[B]] read_only
// CHECK-DAG: bufferization.to_buffer %[[H0]] read_only
// CHECK: func.call @gru_rt_cudnn_gru(%{{.*}}, %[[FLAGS]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
// CHECK: scf.forall (%{{.*}}) in (2) {
// CHECK:   scf.forall (%{{.*}}) in (32) {
// CHECK:     %[[KEPT:.*]] = memref.load %{{.*}}[%[[ROW:[0-9a-z_]+]], %[[T:[0-9a-z_]+]]] : memref<?x?xi1
// CHECK:     %[[PAD:.*]] = arith.xori %[[KEPT]], %true
// CHECK:     scf.if %[[PAD]] {
// CHECK:       %[[LAST:.*]] = memref.load %[[HY]][%[[ROW]], %[[UNIT:[0-9a-z_]+]]]
// CHECK:       memref.store %[[LAST]], %[[Y]][%[[ROW]], %[[T]], %[[UNIT]]]
// CHECK:   } {mapping = [#gpu.thread<x>]}
// CHECK: } {mapping = [#gpu.block<x>]}
// CHECK: %[[SEQUENCE:.*]] = bufferization.to_tensor %[[Y]] restrict writable
// CHECK: %[[STATE:.*]] = bufferization.to_tensor %[[HY]] restrict writable
// CHECK: scf.yield %[[SEQUENCE]], %[[STATE]]
// CHECK: } else {
// CHECK:   %[[FUSED:.*]], %[[FINAL:.*]] = gru.layer %[[X]], %[[K]], %[[RK]] bias(%[[B]]) mask(%[[M]]) initial_state(%[[H0]]) {impl = #gru.impl<fused>
// CHECK:   scf.yield %[[FUSED]], %[[FINAL]]
// CHECK: return %[[RESULTS]]#0, %[[RESULTS]]#1
// OPTIONS-LABEL: func @masked
// OPTIONS: arith.constant 526 : i64
func.func @masked(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>,
                  %m: tensor<?x?xi1>, %h0: tensor<?x4xf32>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>) {
  %o, %h = gru.layer %x, %k, %rk bias(%b) mask(%m) initial_state(%h0) {units = 4 : i64, return_sequences = true, return_state = true}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>, tensor<?x?xi1>, tensor<?x4xf32>)
      -> (tensor<?x?x4xf32>, tensor<?x4xf32>)
  return %o, %h : tensor<?x?x4xf32>, tensor<?x4xf32>
}

// -----

// Constant weights, no mask, static sizes: options 1 (constant weights),
// no check of a mask (the select's right-padded is true), empty lengths.
// The layer's second in the module is layer 1. go_backwards reverses x
// into a copy first; the last output (without return_sequences) is hy.
// CHECK-LABEL: func @constant_backwards
// CHECK: %[[TRUE:.*]] = arith.constant true
// CHECK: %[[NONE:.*]] = memref.alloc() {alignment = 64 : i64} : memref<0xi32>
// CHECK: %[[ONE:.*]] = arith.constant 1 : i64
// CHECK: call @gru_rt_cudnn_select(%[[ONE]], %[[TRUE]])
// CHECK: scf.if
// CHECK-DAG: %[[HY:.*]] = memref.alloc() {alignment = 64 : i64} : memref<3x4xf32>
// CHECK-DAG: %[[XR:.*]] = memref.alloc() {alignment = 64 : i64} : memref<3x5x8xf32>
// CHECK: scf.forall
// CHECK:   arith.subi
// CHECK:   memref.store %{{.*}}, %[[XR]]
// CHECK: } {mapping = [#gpu.block<x>]}
// CHECK: %[[LAYER:.*]] = arith.constant 1 : i64
// CHECK-NEXT: %[[FLAGS:.*]] = arith.constant 1 : i64
// CHECK: %[[CAST:.*]] = memref.cast %[[XR]]
// CHECK: func.call @gru_rt_cudnn_gru_constant(%[[LAYER]], %[[FLAGS]], %[[CAST]],
// CHECK-NOT: scf.forall
// CHECK: %[[LAST:.*]] = bufferization.to_tensor %[[HY]]
// CHECK: scf.yield %[[LAST]]
func.func @first(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>) -> tensor<?x4xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}
func.func @constant_backwards(%x: tensor<3x5x8xf32>) -> tensor<3x4xf32> {
  %k = arith.constant dense<0.1> : tensor<8x12xf32>
  %rk = arith.constant dense<0.2> : tensor<4x12xf32>
  %b = arith.constant dense<0.3> : tensor<2x12xf32>
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, go_backwards = true}
      : (tensor<3x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<3x4xf32>
  return %o : tensor<3x4xf32>
}

// -----

// zero_output_for_mask without return_sequences: the last output is the
// last state where the row's last step is kept, else zero.
// CHECK-LABEL: func @zero_last
// CHECK: func.call @gru_rt_cudnn_gru
// CHECK: scf.forall
// CHECK:   %[[KEPT:.*]] = memref.load %{{.*}} : memref<?x?xi1
// CHECK:   arith.select %[[KEPT]], %{{.*}}, %cst
// CHECK: } {mapping = [#gpu.block<x>]}
func.func @zero_last(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>,
                     %m: tensor<?x?xi1>) -> tensor<?x4xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) mask(%m) {units = 4 : i64, zero_output_for_mask = true}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>, tensor<?x?xi1>) -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}

// -----

// Layers that cannot use cuDNN are left alone, and nothing is declared.
// CHECK-LABEL: func @fused
// CHECK-NOT: gru_rt_
// CHECK: gru.layer {{.*}}impl = #gru.impl<fused>
func.func @fused(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<?x4xf32> {
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}
