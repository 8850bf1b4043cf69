// The models of sizes.test: dimension equalities that only the ops imply.
//
// @static_batch: an input with a static batch of 2 beside a mask and an
// initial state with a dynamic batch.
func.func @static_batch(%x: tensor<2x?x3xf32> {gru.arg_name = "x"},
                        %mask: tensor<?x?xi1> {gru.arg_name = "mask"},
                        %h0: tensor<?x4xf32> {gru.arg_name = "h0"}) -> tensor<2x4xf32> {
  %k = gru.initializer(#gru.glorot_uniform<seed = 1>) : tensor<3x12xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 2>) : tensor<4x12xf32>
  %h = gru.layer %x, %k, %rk mask(%mask) initial_state(%h0) {units = 4 : i64, use_bias = false}
      : (tensor<2x?x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<?x?xi1>, tensor<?x4xf32>) -> tensor<2x4xf32>
  return %h : tensor<2x4xf32>
}

// @static_steps: a mask with a static T of 5 beside an input whose T is
// dynamic.
func.func @static_steps(%x: tensor<?x?x3xf32> {gru.arg_name = "x"},
                        %mask: tensor<?x5xi1> {gru.arg_name = "mask"}) -> tensor<?x4xf32> {
  %k = gru.initializer(#gru.glorot_uniform<seed = 1>) : tensor<3x12xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 2>) : tensor<4x12xf32>
  %h = gru.layer %x, %k, %rk mask(%mask) {units = 4 : i64, use_bias = false}
      : (tensor<?x?x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<?x5xi1>) -> tensor<?x4xf32>
  return %h : tensor<?x4xf32>
}

// @sum: two dynamic inputs added by linalg.add before the layer.
func.func @sum(%a: tensor<?x?x3xf32> {gru.arg_name = "a"},
               %b: tensor<?x?x3xf32> {gru.arg_name = "b"}) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %d0 = tensor.dim %a, %c0 : tensor<?x?x3xf32>
  %d1 = tensor.dim %a, %c1 : tensor<?x?x3xf32>
  %init = tensor.empty(%d0, %d1) : tensor<?x?x3xf32>
  %x = linalg.add ins(%a, %b : tensor<?x?x3xf32>, tensor<?x?x3xf32>)
                  outs(%init : tensor<?x?x3xf32>) -> tensor<?x?x3xf32>
  %k = gru.initializer(#gru.glorot_uniform<seed = 1>) : tensor<3x12xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 2>) : tensor<4x12xf32>
  %h = gru.layer %x, %k, %rk {units = 4 : i64, use_bias = false}
      : (tensor<?x?x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>) -> tensor<?x4xf32>
  return %h : tensor<?x4xf32>
}
