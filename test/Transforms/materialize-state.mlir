// RUN: gru-opt %s -gru-materialize-state -split-input-file | FileCheck %s

// A stateful layer starts from its kept state (zeros at first) and stores its
// final state; it becomes stateless. An explicit initial state takes
// precedence for the call, and the final state is still kept.
// CHECK: ml_program.global private mutable @gru_state(dense<0.000000e+00> : tensor<2x4xf32>) : tensor<2x4xf32>
// CHECK: ml_program.global private mutable @gru_state_0(dense<0.000000e+00> : tensor<2x4xf32>) : tensor<2x4xf32>
// CHECK-LABEL: func @stateful
// CHECK: %[[S0:.*]] = ml_program.global_load @gru_state : tensor<2x4xf32>
// CHECK: %[[O1:.*]], %[[H1:.*]] = gru.layer %arg0, %arg1, %arg2 initial_state(%[[S0]]) {return_sequences = true, return_state = true, units = 4 : i64, use_bias = false}
// CHECK: ml_program.global_store @gru_state = %[[H1]]
// CHECK-NOT: ml_program.global_load
// CHECK: %[[O2:.*]], %[[H2:.*]] = gru.layer %arg0, %arg1, %arg2 initial_state(%arg3) {return_state = true, units = 4 : i64, use_bias = false}
// CHECK: ml_program.global_store @gru_state_0 = %[[H2]]
// CHECK: return %[[O1]], %[[O2]], %[[H2]]
func.func @stateful(%x: tensor<2x3x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %h0: tensor<2x4xf32>)
    -> (tensor<2x3x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  %0 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, stateful = true, return_sequences = true}
      : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x3x4xf32>
  %1, %2 = gru.layer %x, %k, %rk initial_state(%h0) {units = 4 : i64, use_bias = false, stateful = true, return_state = true}
      : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  return %0, %1, %2 : tensor<2x3x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Stateless layers are left alone.
// CHECK-LABEL: func @stateless
// CHECK-NOT: ml_program
// CHECK: gru.layer
func.func @stateless(%x: tensor<2x3x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<2x4xf32> {
  %0 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
