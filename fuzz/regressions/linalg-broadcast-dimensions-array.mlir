// MLIR's parser of linalg.broadcast also crashed when the array after
// `dimensions = [` did not parse; found by the compiler fuzzer.
func.func @f(%a: tensor<4xf32>, %b: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = linalg.broadcast ins(%a : tensor<4xf32>) outs(%b : tensor<2x4xf32>) dimensions = [x]
  return %0 : tensor<2x4xf32>
}
