func.func @layer(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>, %m: tensor<?x?xi1>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>) {
  %o, %h = gru.layer %x, %k, %rk bias(%b) mask(%m) {units = 4 : i64, return_sequences = true, return_state = true}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>, tensor<?x?xi1>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>)
  return %o, %h : tensor<?x?x4xf32>, tensor<?x4xf32>
}
