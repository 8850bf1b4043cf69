// Weights are arguments so that the loss and constraint functions take them.
func.func @gru(%x: tensor<?x?x5xf32>, %k: tensor<5x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>)
    -> (tensor<?x?x4xf32>, tensor<?x4xf32>) {
  %o, %h = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, return_sequences = true, return_state = true,
      kernel_regularizer = #gru.l1<0.01>, recurrent_regularizer = #gru.l2<0.02>,
      bias_regularizer = #gru.l1_l2<l1 = 0.003, l2 = 0.004>, activity_regularizer = #gru.l1_l2<l1 = 0.05, l2 = 0.06>,
      kernel_constraint = #gru.max_norm<max_value = 0.7, axis = 0>,
      recurrent_constraint = #gru.min_max_norm<min_value = 0.2, max_value = 0.9, rate = 0.6, axis = 1>,
      bias_constraint = #gru.unit_norm<axis = 0>}
      : (tensor<?x?x5xf32>, tensor<5x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>)
  return %o, %h : tensor<?x?x4xf32>, tensor<?x4xf32>
}

// A constant weight still counts in the loss; non_neg on an argument.
func.func @fixed(%x: tensor<?x?x5xf32>, %rk: tensor<4x12xf32>) -> tensor<?x4xf32> {
  %k = gru.initializer(#gru.glorot_uniform<seed = 3>) : tensor<5x12xf32>
  %o = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false, reset_after = false,
      kernel_regularizer = #gru.l2<0.5>, recurrent_constraint = #gru.non_neg}
      : (tensor<?x?x5xf32>, tensor<5x12xf32>, tensor<4x12xf32>) -> tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}

// The constant kernel of @fixed, to check its penalty.
func.func @fixed_kernel() -> tensor<5x12xf32> {
  %k = gru.initializer(#gru.glorot_uniform<seed = 3>) : tensor<5x12xf32>
  return %k : tensor<5x12xf32>
}
