func.func @f(%x: tensor<2x5x8xf32>) {
  %o = gru.lyer %x : tensor<2x5x8xf32>
  return
}
