// RUN: gru-opt %s -gru-attach-target="cpu=x86-64-v3" -convert-gru-to-loops -canonicalize | FileCheck %s

// A clip bounds the input of every gate's activation into [-clip, clip]: z
// and r (σ) and the candidate (φ), in the fused gate math.
// CHECK-LABEL: func.func @clipped
// CHECK-DAG: %[[BOUND:.+]] = arith.constant 2.500000e+00 : f32
// CHECK-DAG: %[[LOW:.+]] = arith.constant -2.500000e+00 : f32
// CHECK: scf.for
// CHECK: linalg.generic
// CHECK: %[[ZIN:.+]] = arith.addf
// CHECK: %[[ZLOW:.+]] = arith.maximumf %[[ZIN]], %[[LOW]]
// CHECK: %[[Z:.+]] = arith.minimumf %[[ZLOW]], %[[BOUND]]
// CHECK: arith.negf %[[Z]]
// CHECK-COUNT-2: arith.minimumf {{.*}}, %[[BOUND]]
// CHECK: math.tanh
func.func @clipped(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>,
                   %b: tensor<2x12xf32>) -> tensor<2x4xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, clip = 2.5}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>)
      -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}

// Unrolled, each step's gru.cell keeps the clip.
// CHECK-LABEL: func.func @unrolled
// CHECK-COUNT-3: arith.minimumf
func.func @unrolled(%x: tensor<2x2x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>)
    -> tensor<2x4xf32> {
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, unroll = true, clip = 1.0}
      : (tensor<2x2x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}
