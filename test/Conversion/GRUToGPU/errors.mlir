// RUN: gru-opt %s -split-input-file -verify-diagnostics -convert-gru-to-gpu
// RUN: not gru-opt %s -split-input-file -convert-gru-to-gpu="threads-per-block=0" 2>&1 | FileCheck %s --check-prefix=TARGET

// TARGET: error: convert-gru-to-gpu needs at least one multiprocessor and one thread a block

func.func @implicit_dropout(%x: tensor<2x3x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{convert-gru-to-gpu needs explicit dropout masks; run gru-eliminate-dropout first}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, dropout = 0.5 : f64, training = true}
      : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// -----

func.func @implicit_state(%x: tensor<2x3x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{convert-gru-to-gpu needs explicit state; run gru-materialize-state first}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, stateful = true}
      : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}
