// A GRU with 100,000 units ran out of memory while folding its weights.
func.func @f(%x: tensor<1x?x3xf32>) -> tensor<1x100000xf32> {
  %k = gru.initializer(#gru.glorot_uniform<seed = 1>) : tensor<3x300000xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 2>) : tensor<100000x300000xf32>
  %h = gru.layer %x, %k, %rk {units = 100000 : i64, use_bias = false}
      : (tensor<1x?x3xf32>, tensor<3x300000xf32>, tensor<100000x300000xf32>) -> tensor<1x100000xf32>
  return %h : tensor<1x100000xf32>
}
