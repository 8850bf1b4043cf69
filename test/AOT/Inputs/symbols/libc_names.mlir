// Functions named after libc's and the runtime's symbols (symbols.test).
// @memcpy is private and called by @run; all five compute the same GRU.
func.func @step(%x: tensor<?x?x3xf32>) -> tensor<?x4xf32> {
  %k = gru.initializer(#gru.glorot_uniform<seed = 1>) : tensor<3x12xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 2>) : tensor<4x12xf32>
  %b = gru.initializer(#gru.random_uniform<minval = -0.5, maxval = 0.5, seed = 3>) : tensor<2x12xf32>
  %h = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64}
      : (tensor<?x?x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<?x4xf32>
  return %h : tensor<?x4xf32>
}
func.func @free(%x: tensor<?x?x3xf32>) -> tensor<?x4xf32> {
  %k = gru.initializer(#gru.glorot_uniform<seed = 1>) : tensor<3x12xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 2>) : tensor<4x12xf32>
  %b = gru.initializer(#gru.random_uniform<minval = -0.5, maxval = 0.5, seed = 3>) : tensor<2x12xf32>
  %h = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64}
      : (tensor<?x?x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<?x4xf32>
  return %h : tensor<?x4xf32>
}
func.func @malloc(%x: tensor<?x?x3xf32>) -> tensor<?x4xf32> {
  %k = gru.initializer(#gru.glorot_uniform<seed = 1>) : tensor<3x12xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 2>) : tensor<4x12xf32>
  %b = gru.initializer(#gru.random_uniform<minval = -0.5, maxval = 0.5, seed = 3>) : tensor<2x12xf32>
  %h = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64}
      : (tensor<?x?x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<?x4xf32>
  return %h : tensor<?x4xf32>
}
func.func @_mlir_memref_to_llvm_alloc(%x: tensor<?x?x3xf32>) -> tensor<?x4xf32> {
  %k = gru.initializer(#gru.glorot_uniform<seed = 1>) : tensor<3x12xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 2>) : tensor<4x12xf32>
  %b = gru.initializer(#gru.random_uniform<minval = -0.5, maxval = 0.5, seed = 3>) : tensor<2x12xf32>
  %h = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64}
      : (tensor<?x?x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<?x4xf32>
  return %h : tensor<?x4xf32>
}
func.func @memrefCopy(%x: tensor<?x?x3xf32>) -> tensor<?x4xf32> {
  %k = gru.initializer(#gru.glorot_uniform<seed = 1>) : tensor<3x12xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 2>) : tensor<4x12xf32>
  %b = gru.initializer(#gru.random_uniform<minval = -0.5, maxval = 0.5, seed = 3>) : tensor<2x12xf32>
  %h = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64}
      : (tensor<?x?x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<?x4xf32>
  return %h : tensor<?x4xf32>
}
func.func private @memcpy(%x: tensor<2x?x3xf32>) -> tensor<2x4xf32> {
  %k = gru.initializer(#gru.glorot_uniform<seed = 1>) : tensor<3x12xf32>
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 2>) : tensor<4x12xf32>
  %b = gru.initializer(#gru.random_uniform<minval = -0.5, maxval = 0.5, seed = 3>) : tensor<2x12xf32>
  %h = gru.layer %x, %k, %rk bias(%b) {units = 4 : i64}
      : (tensor<2x?x3xf32>, tensor<3x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>) -> tensor<2x4xf32>
  return %h : tensor<2x4xf32>
}
func.func @run(%x: tensor<2x?x3xf32>) -> tensor<2x4xf32> {
  %h = func.call @memcpy(%x) : (tensor<2x?x3xf32>) -> tensor<2x4xf32>
  return %h : tensor<2x4xf32>
}
