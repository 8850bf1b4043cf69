// RUN: gru-opt %s -canonicalize -split-input-file | FileCheck %s

// Dropout that cannot act is spelled the same way whichever way it was
// written: no rates, no training flag, no seed.
// CHECK-LABEL: func @inactive_dropout
// CHECK-COUNT-4: gru.layer %arg0, %arg1, %arg2 {units = 4 : i64, use_bias = false}
func.func @inactive_dropout(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  %0 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, dropout = 0.4, seed = 2}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  %1 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, training = true}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  %2 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, training = true, dropout = 2.0, recurrent_dropout = 1.0}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  %3 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, training = true, dropout = -1.0}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %0, %1, %2, %3 : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Active dropout stays; a rate that Keras clips is stored clipped.
// CHECK-LABEL: func @active_dropout
// CHECK: gru.layer {{.*}} {dropout = 3.000000e-01 : f64, seed = 5 : i64, training = true, units = 4 : i64, use_bias = false}
// CHECK: gru.layer {{.*}} {dropout = 5.000000e-01 : f64, training = true, units = 4 : i64, use_bias = false}
func.func @active_dropout(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %0 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, training = true, dropout = 0.3, seed = 5}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  %1 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, training = true, dropout = 0.5, recurrent_dropout = 7.0}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// An all-true mask masks nothing, and a zero initial state is the default.
// CHECK-LABEL: func @default_operands
// CHECK: gru.layer %arg0, %arg1, %arg2 {units = 4 : i64, use_bias = false}
func.func @default_operands(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<2x4xf32> {
  %m = arith.constant dense<true> : tensor<2x5xi1>
  %h0 = arith.constant dense<0.0> : tensor<2x4xf32>
  %0 = gru.layer %x, %k, %rk mask(%m) initial_state(%h0) {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x5xi1>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// For a stateful layer a zero initial state overrides the kept state, so it
// stays; a mask that masks something stays.
// CHECK-LABEL: func @meaningful_operands
// CHECK: gru.layer %arg0, %arg1, %arg2 mask(%{{.*}}) initial_state(%{{.*}}) {stateful = true, units = 4 : i64, use_bias = false}
func.func @meaningful_operands(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<2x4xf32> {
  %m = arith.constant dense<[[true, true, false, true, true], [true, true, true, true, true]]> : tensor<2x5xi1>
  %h0 = arith.constant dense<0.0> : tensor<2x4xf32>
  %0 = gru.layer %x, %k, %rk mask(%m) initial_state(%h0) {units = 4 : i64, use_bias = false, stateful = true}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x5xi1>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Unused stateless layers are dead code.
// CHECK-LABEL: func @dead_layer
// CHECK-NOT: gru.layer
func.func @dead_layer(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  %0 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}
