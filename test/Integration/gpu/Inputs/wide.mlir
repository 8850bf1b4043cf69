func.func @layer(%x: tensor<?x?x16xf32>, %k: tensor<16x6144xf32>, %rk: tensor<2048x6144xf32>, %b: tensor<2x6144xf32>, %m: tensor<?x?xi1>) -> (tensor<?x?x2048xf32>, tensor<?x2048xf32>) {
  %o, %h = gru.layer %x, %k, %rk bias(%b) mask(%m) {units = 2048 : i64, return_sequences = true, return_state = true}
      : (tensor<?x?x16xf32>, tensor<16x6144xf32>, tensor<2048x6144xf32>, tensor<2x6144xf32>, tensor<?x?xi1>) -> (tensor<?x?x2048xf32>, tensor<?x2048xf32>)
  return %o, %h : tensor<?x?x2048xf32>, tensor<?x2048xf32>
}
