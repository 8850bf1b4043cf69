// RUN: gru-opt %s -gru-unroll -split-input-file -verify-diagnostics | FileCheck %s

// One gru.cell per step, consuming x[:, 0], x[:, 1], x[:, 2]; the last step's
// state is the output.
// CHECK-LABEL: func @last_output
// CHECK-NOT: gru.layer
// CHECK: %[[X0:.*]] = tensor.extract_slice %arg0[0, 0, 0] [2, 1, 8] [1, 1, 1] : tensor<2x3x8xf32> to tensor<2x8xf32>
// CHECK: %[[H1:.*]] = gru.cell %[[X0]], %[[ZERO:[^,]*]], %arg1, %arg2 bias(%arg3) :
// CHECK: %[[X1:.*]] = tensor.extract_slice %arg0[0, 1, 0]
// CHECK: %[[H2:.*]] = gru.cell %[[X1]], %[[H1]], %arg1, %arg2 bias(%arg3)
// CHECK: %[[X2:.*]] = tensor.extract_slice %arg0[0, 2, 0]
// CHECK: %[[H3:.*]] = gru.cell %[[X2]], %[[H2]], %arg1, %arg2 bias(%arg3)
// CHECK-NOT: gru.cell
// CHECK: return %[[H3]]
func.func @last_output(%x: tensor<2x3x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>) -> tensor<2x4xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, unroll = true}
      : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// -----

// go_backwards consumes x[:, 2], x[:, 1], x[:, 0] and stores the sequence in
// processing order; the cell keeps the layer's activations and reset_after.
// CHECK-LABEL: func @backwards_sequence
// CHECK: %[[SEQ:.*]] = tensor.empty(%{{.*}}) : tensor<?x3x4xf32>
// CHECK: tensor.extract_slice %arg0[0, 2, 0] [%{{.*}}, 1, 8]
// CHECK: %[[H1:.*]] = gru.cell {{.*}} {activation = #gru.activation<relu>, reset_after = false}
// CHECK: %[[S1:.*]] = tensor.insert_slice %[[H1]] into %[[SEQ]][0, 0, 0] [%{{.*}}, 1, 4]
// CHECK: tensor.extract_slice %arg0[0, 1, 0]
// CHECK: %[[H2:.*]] = gru.cell
// CHECK: %[[S2:.*]] = tensor.insert_slice %[[H2]] into %[[S1]][0, 1, 0]
// CHECK: tensor.extract_slice %arg0[0, 0, 0]
// CHECK: %[[H3:.*]] = gru.cell
// CHECK: %[[S3:.*]] = tensor.insert_slice %[[H3]] into %[[S2]][0, 2, 0]
// CHECK: return %[[S3]], %[[H3]]
func.func @backwards_sequence(%x: tensor<?x3x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<12xf32>) -> (tensor<?x3x4xf32>, tensor<?x4xf32>) {
  %o, %h = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, unroll = true, go_backwards = true,
      return_sequences = true, return_state = true, reset_after = false, activation = #gru.activation<relu>}
      : (tensor<?x3x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<12xf32>) -> (tensor<?x3x4xf32>, tensor<?x4xf32>)
  return %o, %h : tensor<?x3x4xf32>, tensor<?x4xf32>
}

// -----

// A masked row keeps its state and repeats its previous output, which is
// zeros before the first processed step, even with an initial state.
// CHECK-LABEL: func @masked
// CHECK: %[[ZEROS:.*]] = linalg.fill
// CHECK: %[[H1:.*]] = gru.cell %{{.*}}, %arg4,
// CHECK: %[[M0:.*]] = tensor.extract_slice %arg3[0, 0] [2, 1] [1, 1] : tensor<2x2xi1> to tensor<2xi1>
// CHECK: %[[K0:.*]] = linalg.broadcast ins(%[[M0]] : tensor<2xi1>) outs(%{{.*}} : tensor<2x4xi1>) dimensions = [1]
// CHECK: %[[S1:.*]] = arith.select %[[K0]], %[[H1]], %arg4
// CHECK: %[[O1:.*]] = arith.select %[[K0]], %[[H1]], %[[ZEROS]]
// CHECK: %[[H2:.*]] = gru.cell %{{.*}}, %[[S1]],
// CHECK: %[[K1:.*]] = linalg.broadcast
// CHECK: %[[S2:.*]] = arith.select %[[K1]], %[[H2]], %[[S1]]
// CHECK: %[[O2:.*]] = arith.select %[[K1]], %[[H2]], %[[O1]]
// CHECK: return %[[O2]], %[[S2]]
func.func @masked(%x: tensor<2x2x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %m: tensor<2x2xi1>, %h0: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %o, %h = gru.layer %x, %k, %rk mask(%m) initial_state(%h0) {units = 4 : i64, use_bias = false, unroll = true, return_state = true}
      : (tensor<2x2x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x2xi1>, tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  return %o, %h : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// zero_output_for_mask: masked outputs are zeros, never a repeated output.
// CHECK-LABEL: func @zero_output_for_mask
// CHECK: %[[ZEROS:.*]] = linalg.fill
// CHECK: %[[H1:.*]] = gru.cell
// CHECK: %[[S1:.*]] = arith.select %[[K0:[^,]*]], %[[H1]], %[[ZEROS]]
// CHECK: arith.select %[[K0]], %[[H1]], %[[ZEROS]]
// CHECK: %[[H2:.*]] = gru.cell %{{.*}}, %[[S1]],
// CHECK: arith.select %[[K1:[^,]*]], %[[H2]], %[[S1]]
// CHECK: arith.select %[[K1]], %[[H2]], %[[ZEROS]]
func.func @zero_output_for_mask(%x: tensor<2x2x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %m: tensor<2x2xi1>) -> tensor<2x4xf32> {
  %o = gru.layer %x, %k, %rk mask(%m) {units = 4 : i64, use_bias = false, unroll = true, zero_output_for_mask = true}
      : (tensor<2x2x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x2xi1>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// -----

func.func @stateful(%x: tensor<2x1x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{gru-unroll needs explicit state; run gru-materialize-state first}}
  %0 = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, unroll = true, stateful = true}
      : (tensor<2x1x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Explicit dropout masks reach every step.
// CHECK-LABEL: func @dropout_masks
// CHECK-COUNT-2: gru.cell {{.*}} dropout_mask(%arg3) recurrent_dropout_mask(%arg4)
func.func @dropout_masks(%x: tensor<2x2x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %dm: tensor<3x2x8xf32>, %rdm: tensor<3x2x4xf32>) -> tensor<2x4xf32> {
  %o = gru.layer %x, %k, %rk dropout_mask(%dm) recurrent_dropout_mask(%rdm) {units = 4 : i64, use_bias = false, unroll = true}
      : (tensor<2x2x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<3x2x8xf32>, tensor<3x2x4xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// -----

// Layers without unroll are left alone.
// CHECK-LABEL: func @rolled
// CHECK: gru.layer
// CHECK-NOT: gru.cell
func.func @rolled(%x: tensor<2x3x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<2x4xf32> {
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// -----

func.func @implicit_dropout(%x: tensor<2x3x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{gru-unroll needs explicit dropout masks; run gru-eliminate-dropout first}}
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, unroll = true, training = true, dropout = 0.5}
      : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// -----

// Unrolling is for short sequences: beyond 64 steps it is a diagnostic that
// states the limit (2^31 steps grew the IR until memory ran out).
func.func @too_long(%x: tensor<1x2147483648x3xf32>, %k: tensor<3x12xf32>, %rk: tensor<4x12xf32>) -> tensor<1x4xf32> {
  // expected-error @+1 {{unroll = true with 2147483648 steps; at most 64 steps are unrolled (unrolling is for short sequences); set unroll = false}}
  %h = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, unroll = true}
      : (tensor<1x2147483648x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>) -> tensor<1x4xf32>
  return %h : tensor<1x4xf32>
}
