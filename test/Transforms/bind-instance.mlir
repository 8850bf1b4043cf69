// RUN: gru-opt %s -gru-bind-instance -split-input-file -verify-diagnostics | FileCheck %s

// Kept state becomes an argument (load) and an extra result (store); the
// globals are erased. Tensor arguments, owned by the caller, are read-only.
// CHECK-NOT: ml_program.global
// CHECK-LABEL: func @stateful
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf32> {bufferization.writable = false}, %[[S:.*]]: tensor<2x4xf32> {bufferization.writable = false, gru.state = @gru_state})
// CHECK-SAME: -> (tensor<2x4xf32>, tensor<2x4xf32> {gru.state = @gru_state})
// CHECK: %[[NEW:.*]] = arith.addf %[[S]], %[[X]]
// CHECK: return %[[S]], %[[NEW]]
ml_program.global private mutable @gru_state(dense<0.0> : tensor<2x4xf32>) : tensor<2x4xf32>
func.func @stateful(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %s = ml_program.global_load @gru_state : tensor<2x4xf32>
  %new = arith.addf %s, %x : tensor<2x4xf32>
  ml_program.global_store @gru_state = %new : tensor<2x4xf32>
  return %s : tensor<2x4xf32>
}

// -----

// A dropout mask is computed per element by Philox from the instance's call
// count and, without a layer seed, the instance's seed.
// CHECK-LABEL: func @masks
// CHECK-SAME: (%[[B:.*]]: index, %[[COUNT:.*]]: i64 {gru.call_count}, %[[SEED:.*]]: i64 {gru.instance_seed})
// CHECK: %[[E:.*]] = tensor.empty(%[[B]]) : tensor<3x?x8xf32>
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<3x?x8xf32>)
// CHECK-COUNT-20: arith.mului_extended
// CHECK: arith.cmpf oge
// CHECK: arith.select %{{.*}}, %cst{{.*}}, %cst
// The second mask has its own seed.
// CHECK: arith.constant 7 : i64
// CHECK: linalg.generic
// CHECK: arith.trunci %[[COUNT]]
func.func @masks(%b: index) -> (tensor<3x?x8xf32>, tensor<1x2x4xf32>) {
  %0 = gru.dropout_mask(%b) {rate = 0.25 : f64, stream = 0 : i64} : tensor<3x?x8xf32>
  %1 = gru.dropout_mask() {rate = 0.5 : f64, seed = 7 : i64, stream = 1 : i64} : tensor<1x2x4xf32>
  return %0, %1 : tensor<3x?x8xf32>, tensor<1x2x4xf32>
}

// -----

// Functions without instance data keep their signature.
// CHECK-LABEL: func @pure(%arg0: tensor<2xf32> {bufferization.writable = false}) -> tensor<2xf32>
func.func @pure(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// -----

ml_program.global private mutable @gru_state(dense<0.0> : tensor<2x4xf32>) : tensor<2x4xf32>
func.func private @helper() -> tensor<2x4xf32> {
  // expected-error @+1 {{model state and dropout are only supported in public functions, which a model instance calls}}
  %s = ml_program.global_load @gru_state : tensor<2x4xf32>
  return %s : tensor<2x4xf32>
}

// -----

ml_program.global private mutable @gru_state(dense<0.0> : tensor<2x4xf32>) : tensor<2x4xf32>
func.func @nested(%c: i1) -> tensor<2x4xf32> {
  %r = scf.if %c -> tensor<2x4xf32> {
    // expected-error @+1 {{kept state must be loaded and stored in the function's entry block}}
    %s = ml_program.global_load @gru_state : tensor<2x4xf32>
    scf.yield %s : tensor<2x4xf32>
  } else {
    %z = arith.constant dense<0.0> : tensor<2x4xf32>
    scf.yield %z : tensor<2x4xf32>
  }
  return %r : tensor<2x4xf32>
}
