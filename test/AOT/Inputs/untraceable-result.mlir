func.func @double_batch(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %b = tensor.dim %x, %c0 : tensor<?x4xf32>
  %b2 = arith.addi %b, %b : index
  %e = tensor.empty(%b2) : tensor<?x4xf32>
  return %e : tensor<?x4xf32>
}
