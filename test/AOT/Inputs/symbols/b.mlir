// Model B of symbols.test: GRU(6) with other weights as @run, beside @step.
func.func @run(%x: tensor<?x?x3xf32>) -> tensor<?x6xf32> {
  %k = gru.initializer(#gru.glorot_uniform<seed = 11>) : tensor<3x18xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 12>) : tensor<6x18xf32>
  %b = gru.initializer(#gru.random_uniform<minval = -0.5, maxval = 0.5, seed = 13>) : tensor<2x18xf32>
  %h = gru.layer %x, %k, %rk bias(%b) {units = 6 : i64}
      : (tensor<?x?x3xf32>, tensor<3x18xf32>, tensor<6x18xf32>, tensor<2x18xf32>) -> tensor<?x6xf32>
  return %h : tensor<?x6xf32>
}
func.func @step(%x: tensor<?x?x3xf32>) -> tensor<?x6xf32> {
  %k = gru.initializer(#gru.glorot_uniform<seed = 11>) : tensor<3x18xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 12>) : tensor<6x18xf32>
  %b = gru.initializer(#gru.random_uniform<minval = -0.5, maxval = 0.5, seed = 13>) : tensor<2x18xf32>
  %h = gru.layer %x, %k, %rk bias(%b) {units = 6 : i64}
      : (tensor<?x?x3xf32>, tensor<3x18xf32>, tensor<6x18xf32>, tensor<2x18xf32>) -> tensor<?x6xf32>
  return %h : tensor<?x6xf32>
}
