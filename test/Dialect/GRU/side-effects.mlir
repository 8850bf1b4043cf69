// A gru.layer is pure unless it carries state between calls (stateful) or
// draws new dropout masks on each call (training dropout); only pure layers
// may be merged by CSE.
// RUN: gru-opt %s -cse -split-input-file | FileCheck %s

// CHECK-LABEL: func @pure_merged
// CHECK-COUNT-1: gru.layer
// CHECK-NOT: gru.layer
func.func @pure_merged(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %0 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  %1 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @stateful_not_merged
// CHECK-COUNT-2: gru.layer
func.func @stateful_not_merged(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %0 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, stateful = true}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  %1 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, stateful = true}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @training_dropout_not_merged
// CHECK-COUNT-2: gru.layer
// CHECK-COUNT-2: gru.dropout_mask
func.func @training_dropout_not_merged(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1x2x8xf32>, tensor<1x2x8xf32>) {
  %0 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, training = true, dropout = 0.5}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  %1 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, training = true, dropout = 0.5}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  %m0 = gru.dropout_mask() {rate = 0.5 : f64, stream = 0 : i64} : tensor<1x2x8xf32>
  %m1 = gru.dropout_mask() {rate = 0.5 : f64, stream = 0 : i64} : tensor<1x2x8xf32>
  return %0, %1, %m0, %m1 : tensor<2x4xf32>, tensor<2x4xf32>, tensor<1x2x8xf32>, tensor<1x2x8xf32>
}
