// RUN: gru-opt %s -gru-eliminate-dropout -split-input-file | FileCheck %s

// Dropout outside training cannot act: its rate, the training flag and the
// seed all go.
// CHECK-LABEL: func @inference
// CHECK-NOT: gru.dropout_mask
// CHECK: gru.layer {{.*}} {units = 4 : i64, use_bias = false}
func.func @inference(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<2x4xf32> {
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, dropout = 0.5, recurrent_dropout = 0.5, seed = 3}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// -----

// Rates are clipped to [0, 1]; a clipped rate of 0 or 1 cannot act either.
// CHECK-LABEL: func @rates_out_of_range
// CHECK-NOT: gru.dropout_mask
// CHECK-COUNT-3: gru.layer {{.*}} {units = 4 : i64, use_bias = false}
func.func @rates_out_of_range(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  %0 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, training = true, dropout = 1.0}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  %1 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, training = true, dropout = 1.5, recurrent_dropout = -0.3}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  %2 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, training = true, seed = 1}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}

// -----

// Without recurrent dropout, one input mask is shared by the three gates.
// CHECK-LABEL: func @input_dropout
// CHECK: %[[M:.*]] = gru.dropout_mask() {rate = 3.000000e-01 : f64, seed = 9 : i64, stream = 0 : i64} : tensor<1x2x8xf32>
// CHECK-NOT: gru.dropout_mask
// CHECK: gru.layer {{.*}} dropout_mask(%[[M]]) {units = 4 : i64, use_bias = false}
func.func @input_dropout(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<2x4xf32> {
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, training = true, dropout = 0.3, seed = 9}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// -----

// Recurrent dropout alone: three recurrent masks, no input mask.
// CHECK-LABEL: func @recurrent_dropout
// CHECK: %[[R:.*]] = gru.dropout_mask() {rate = 2.000000e-01 : f64, stream = 0 : i64} : tensor<3x2x4xf32>
// CHECK-NOT: gru.dropout_mask
// CHECK: gru.layer %{{[^ ]*}}, %{{[^ ]*}}, %{{[^ ]*}} recurrent_dropout_mask(%[[R]]) {units = 4 : i64, use_bias = false}
func.func @recurrent_dropout(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<2x4xf32> {
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, training = true, recurrent_dropout = 0.2}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// -----

// Both: three input masks and three recurrent masks, from distinct streams,
// sized by the dynamic batch.
// CHECK-LABEL: func @both_dynamic_batch
// CHECK: %[[B0:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[M:.*]] = gru.dropout_mask(%[[B0]]) {rate = 5.000000e-01 : f64, seed = 1 : i64, stream = 0 : i64} : tensor<3x?x8xf32>
// CHECK: %[[B1:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[R:.*]] = gru.dropout_mask(%[[B1]]) {rate = 2.500000e-01 : f64, seed = 1 : i64, stream = 1 : i64} : tensor<3x?x4xf32>
// CHECK: gru.layer {{.*}} dropout_mask(%[[M]]) recurrent_dropout_mask(%[[R]]) {units = 4 : i64, use_bias = false}
// A second layer continues the stream numbering.
// CHECK: gru.dropout_mask({{.*}}) {rate = 1.000000e-01 : f64, stream = 2 : i64} : tensor<1x?x8xf32>
func.func @both_dynamic_batch(%x: tensor<?x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  %0 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, training = true, dropout = 0.5, recurrent_dropout = 0.25, seed = 1}
      : (tensor<?x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<?x4xf32>
  %1 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, training = true, dropout = 0.1}
      : (tensor<?x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<?x4xf32>
  return
}

// -----

// Streams continue after masks already in the module.
// CHECK-LABEL: func @existing_masks
// CHECK: gru.dropout_mask() {rate = 5.000000e-01 : f64, stream = 7 : i64}
// CHECK: gru.dropout_mask() {rate = 5.000000e-01 : f64, stream = 8 : i64}
func.func @existing_masks(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) {
  %m = gru.dropout_mask() {rate = 0.5 : f64, stream = 7 : i64} : tensor<1x2x8xf32>
  %0 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, training = true, dropout = 0.5}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return
}
