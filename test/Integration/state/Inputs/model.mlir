// The model of state.test: GRU(4) on (2, T, 3) inputs with a static batch
// of 2 and dynamic T, returning the sequence and the final state. Every
// function builds the same weights (the same initializers and seeds);
// @stateful and @stateful_h0 keep their final state between calls, each in
// its own slot of the model instance.

func.func @plain(%x: tensor<2x?x3xf32>) -> (tensor<2x?x4xf32>, tensor<2x4xf32>) {
  %k = gru.initializer(#gru.glorot_uniform<seed = 1>) : tensor<3x12xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 2>) : tensor<4x12xf32>
  %b = gru.initializer(#gru.random_uniform<minval = -0.5, maxval = 0.5, seed = 3>) : tensor<2x12xf32>
  %o, %h = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, return_sequences = true, return_state = true}
      : (tensor<2x?x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> (tensor<2x?x4xf32>, tensor<2x4xf32>)
  return %o, %h : tensor<2x?x4xf32>, tensor<2x4xf32>
}

func.func @stateful(%x: tensor<2x?x3xf32>) -> (tensor<2x?x4xf32>, tensor<2x4xf32>) {
  %k = gru.initializer(#gru.glorot_uniform<seed = 1>) : tensor<3x12xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 2>) : tensor<4x12xf32>
  %b = gru.initializer(#gru.random_uniform<minval = -0.5, maxval = 0.5, seed = 3>) : tensor<2x12xf32>
  %o, %h = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, return_sequences = true, return_state = true, stateful = true}
      : (tensor<2x?x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> (tensor<2x?x4xf32>, tensor<2x4xf32>)
  return %o, %h : tensor<2x?x4xf32>, tensor<2x4xf32>
}

func.func @plain_h0(%x: tensor<2x?x3xf32>, %h0: tensor<2x4xf32>) -> tensor<2x?x4xf32> {
  %k = gru.initializer(#gru.glorot_uniform<seed = 1>) : tensor<3x12xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 2>) : tensor<4x12xf32>
  %b = gru.initializer(#gru.random_uniform<minval = -0.5, maxval = 0.5, seed = 3>) : tensor<2x12xf32>
  %o = gru.layer %x, %k, %rk bias(%b) initial_state(%h0) {units = 4 : i64, return_sequences = true}
      : (tensor<2x?x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>, tensor<2x4xf32>) -> tensor<2x?x4xf32>
  return %o : tensor<2x?x4xf32>
}

func.func @stateful_h0(%x: tensor<2x?x3xf32>, %h0: tensor<2x4xf32>) -> tensor<2x?x4xf32> {
  %k = gru.initializer(#gru.glorot_uniform<seed = 1>) : tensor<3x12xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 2>) : tensor<4x12xf32>
  %b = gru.initializer(#gru.random_uniform<minval = -0.5, maxval = 0.5, seed = 3>) : tensor<2x12xf32>
  %o = gru.layer %x, %k, %rk bias(%b) initial_state(%h0) {units = 4 : i64, return_sequences = true, stateful = true}
      : (tensor<2x?x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>, tensor<2x4xf32>) -> tensor<2x?x4xf32>
  return %o : tensor<2x?x4xf32>
}
