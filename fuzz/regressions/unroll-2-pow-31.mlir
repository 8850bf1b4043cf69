// Unrolling 2^31 steps grew the IR until memory ran out.
func.func @f(%x: tensor<1x2147483648x3xf32>, %k: tensor<3x12xf32>, %rk: tensor<4x12xf32>) -> tensor<1x4xf32> {
  %h = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, unroll = true}
      : (tensor<1x2147483648x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>) -> tensor<1x4xf32>
  return %h : tensor<1x4xf32>
}
