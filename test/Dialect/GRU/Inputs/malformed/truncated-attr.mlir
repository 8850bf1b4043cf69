func.func @f(%x: tensor<2x5x8xf32>) {
  %o = gru.layer %x, %x, %x {units = 4 : i64, use_bias = fa