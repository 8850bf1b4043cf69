// RUN: gru-opt %s --convert-gru-to-loops | FileCheck %s

// gru.activation is a linalg.generic over its elements with the layers'
// definition of the activation.
// CHECK-LABEL: func.func @relu
// CHECK: %[[INIT:.*]] = tensor.empty(%{{.*}}) : tensor<?x4xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%arg0 : tensor<?x4xf32>) outs(%[[INIT]] : tensor<?x4xf32>)
// CHECK: arith.maximumf
// CHECK-NOT: gru.activation
func.func @relu(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = gru.activation %x {activation = #gru.activation<relu>} : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// CHECK-LABEL: func.func @sigmoid
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]
// CHECK: math.exp
func.func @sigmoid(%x: tensor<2x?x3xf32>) -> tensor<2x?x3xf32> {
  %y = gru.activation %x {activation = #gru.activation<sigmoid>} : tensor<2x?x3xf32>
  return %y : tensor<2x?x3xf32>
}
