func.func @f() {
  %0 = gru.initializer(#gru.glorot_uniform<seed = 99999999999999999999999>) : tensor<2x2xf32>
  return
}
