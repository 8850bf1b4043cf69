// The model of the C ABI fuzz target (abi_fuzzer.c).
//
// @run: GRU(4) over a dynamic batch and time with a mask and an initial
// state, returning the sequence and the final state; its weights are
// arguments, so that the fuzzer can check every answer against a reference
// GRU of its own.
// @step: a stateful GRU(4) with a static batch of 2 and a dynamic time.
func.func @run(%x: tensor<?x?x3xf32> {gru.arg_name = "x"},
               %mask: tensor<?x?xi1> {gru.arg_name = "mask"},
               %h0: tensor<?x4xf32> {gru.arg_name = "h0"},
               %k: tensor<3x12xf32> {gru.arg_name = "kernel"},
               %rk: tensor<4x12xf32> {gru.arg_name = "recurrent_kernel"},
               %b: tensor<2x12xf32> {gru.arg_name = "bias"})
    -> (tensor<?x?x4xf32>, tensor<?x4xf32>) {
  %out, %h = gru.layer %x, %k, %rk bias(%b) mask(%mask) initial_state(%h0)
      {units = 4 : i64, return_sequences = true, return_state = true}
      : (tensor<?x?x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>,
         tensor<?x?xi1>, tensor<?x4xf32>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>)
  return %out, %h : tensor<?x?x4xf32>, tensor<?x4xf32>
}

func.func @step(%x: tensor<2x?x3xf32> {gru.arg_name = "x"}) -> tensor<2x4xf32> {
  %k = gru.initializer(#gru.glorot_uniform<seed = 4>) : tensor<3x12xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 5>) : tensor<4x12xf32>
  %b = gru.initializer(#gru.random_uniform<minval = -0.5, maxval = 0.5, seed = 6>) : tensor<2x12xf32>
  %h = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64, stateful = true}
      : (tensor<2x?x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<2x4xf32>
  return %h : tensor<2x4xf32>
}
