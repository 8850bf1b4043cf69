func.func @f(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>) -> tensor<2x4xf32> {
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, activation = 3 : i32}
      : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  return %o : tensor<2x4xf32>
}
