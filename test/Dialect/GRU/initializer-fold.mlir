// gru.initializer folds to a constant computed at compile time.
// RUN: gru-opt %s -canonicalize | FileCheck %s

// CHECK-LABEL: func @deterministic
// CHECK-NOT: gru.initializer
// CHECK: %[[I:.*]] = arith.constant dense<{{\[\[}}2.000000e+00, 0.000000e+00, 0.000000e+00], [0.000000e+00, 2.000000e+00, 0.000000e+00]]> : tensor<2x3xf32>
// CHECK: %[[C:.*]] = arith.constant dense<2.500000e-01> : tensor<6xf32>
// CHECK: return %[[I]], %[[C]]
func.func @deterministic() -> (tensor<2x3xf32>, tensor<6xf32>) {
  %0 = gru.initializer(#gru.identity<gain = 2.0>) : tensor<2x3xf32>
  %1 = gru.initializer(#gru.constant<0.25>) : tensor<6xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<6xf32>
}

// The same seed gives the same weights, so the two constants are one; another
// seed gives another constant.
// CHECK-LABEL: func @seeded
// CHECK: %[[A:.*]] = arith.constant dense<{{.*}}> : tensor<4x12xf32>
// CHECK: %[[B:.*]] = arith.constant dense<{{.*}}> : tensor<4x12xf32>
// CHECK: return %[[A]], %[[A]], %[[B]]
func.func @seeded() -> (tensor<4x12xf32>, tensor<4x12xf32>, tensor<4x12xf32>) {
  %0 = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 1>) : tensor<4x12xf32>
  %1 = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 1>) : tensor<4x12xf32>
  %2 = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 2>) : tensor<4x12xf32>
  return %0, %1, %2 : tensor<4x12xf32>, tensor<4x12xf32>, tensor<4x12xf32>
}
