// RUN: gru-opt %s -gru-select-impl=target=gpu -split-input-file -verify-diagnostics | FileCheck %s
// RUN: gru-opt %s -gru-select-impl=target=cpu -split-input-file 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not gru-opt %s -gru-select-impl=target=tpu 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: Cannot find option named 'tpu'

// On the CPU every layer is fused, and says why it is not cuDNN.
// CPU-COUNT-10: remark: not using cuDNN: target is cpu; cuDNN needs a GPU
// CPU-NOT: impl = #gru.impl<cudnn

// CHECK-LABEL: func @eligible
// CHECK: gru.layer {{.*}}impl = #gru.impl<cudnn>
func.func @eligible(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>) -> tensor<?x4xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}

// -----

// Right-padding of a mask is known only at run time.
// CHECK-LABEL: func @masked
// CHECK: gru.layer {{.*}}impl = #gru.impl<cudnn_if_right_padded>
func.func @masked(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>, %m: tensor<?x?xi1>) -> tensor<?x4xf32> {
  // expected-remark @+1 {{using cuDNN if the mask is strictly right-padded (checked at run time), the fused path otherwise}}
  %o = gru.layer %x, %k, %rk bias(%b) mask(%m) {units = 4 : i64}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>, tensor<?x?xi1>) -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}

// -----

// Inference ignores dropout rates.
// CHECK-LABEL: func @inference_with_rates
// CHECK: gru.layer {{.*}}impl = #gru.impl<cudnn>
func.func @inference_with_rates(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>) -> tensor<?x4xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, dropout = 0.5, recurrent_dropout = 0.5}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func @activation
// CHECK: gru.layer {{.*}}impl = #gru.impl<fused>
func.func @activation(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>) -> tensor<?x4xf32> {
  // expected-remark @+1 {{not using cuDNN: activation is relu; cuDNN needs tanh}}
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, activation = #gru.activation<relu>}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func @recurrent_activation
// CHECK: gru.layer {{.*}}impl = #gru.impl<fused>
func.func @recurrent_activation(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>) -> tensor<?x4xf32> {
  // expected-remark @+1 {{not using cuDNN: recurrent_activation is hard_sigmoid; cuDNN needs sigmoid}}
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, recurrent_activation = #gru.activation<hard_sigmoid>}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func @training_dropout
// CHECK: gru.layer {{.*}}impl = #gru.impl<fused>
func.func @training_dropout(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>) -> tensor<?x4xf32> {
  // expected-remark @+2 {{not using cuDNN: dropout is 0.1 in training; cuDNN needs 0}}
  // expected-remark @+1 {{not using cuDNN: recurrent_dropout is 0.2 in training; cuDNN needs 0}}
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, training = true, dropout = 0.1, recurrent_dropout = 0.2}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}

// -----

// Dropout already made explicit by gru-eliminate-dropout.
// CHECK-LABEL: func @explicit_dropout_masks
// CHECK: gru.layer {{.*}}impl = #gru.impl<fused>
func.func @explicit_dropout_masks(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>,
    %dm: tensor<3x2x8xf32>, %rdm: tensor<3x2x4xf32>) -> tensor<2x4xf32> {
  // expected-remark @+2 {{not using cuDNN: dropout is applied through 'dropout_mask'; cuDNN needs none}}
  // expected-remark @+1 {{not using cuDNN: recurrent dropout is applied through 'recurrent_dropout_mask'; cuDNN needs none}}
  %o = gru.layer %x, %k, %rk bias(%b) dropout_mask(%dm) recurrent_dropout_mask(%rdm) {units = 4 : i64}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>, tensor<3x2x8xf32>, tensor<3x2x4xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @unroll
// CHECK: gru.layer {{.*}}impl = #gru.impl<fused>
func.func @unroll(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>) -> tensor<2x4xf32> {
  // expected-remark @+1 {{not using cuDNN: unroll is true; cuDNN needs false}}
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, unroll = true}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @no_bias
// CHECK: gru.layer {{.*}}impl = #gru.impl<fused>
func.func @no_bias(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<?x4xf32> {
  // expected-remark @+1 {{not using cuDNN: use_bias is false; cuDNN needs true}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}

// -----

// Every failed condition is named, not just the first.
// CHECK-LABEL: func @reset_before_and_more
// CHECK: gru.layer {{.*}}impl = #gru.impl<fused>
func.func @reset_before_and_more(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<12xf32>) -> tensor<?x4xf32> {
  // expected-remark @+3 {{not using cuDNN: activation is softsign; cuDNN needs tanh}}
  // expected-remark @+2 {{not using cuDNN: recurrent_activation is hard_silu; cuDNN needs sigmoid}}
  // expected-remark @+1 {{not using cuDNN: reset_after is false; cuDNN needs true}}
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, reset_after = false,
      activation = #gru.activation<softsign>, recurrent_activation = #gru.activation<hard_swish>}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<12xf32>) -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}
