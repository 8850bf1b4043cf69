// 3 * units overflowed int64_t in the verifier.
func.func @f(%x: tensor<1x?x3xf32>, %k: tensor<3x?xf32>, %rk: tensor<?x?xf32>) -> tensor<1x?xf32> {
  %h = gru.layer %x, %k, %rk {units = 6148914691236517210 : i64, use_bias = false}
      : (tensor<1x?x3xf32>, tensor<3x?xf32>, tensor<?x?xf32>) -> tensor<1x?xf32>
  return %h : tensor<1x?xf32>
}
