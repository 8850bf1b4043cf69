// The model of dropout.test.
//
// Masks returned directly (the functions take no arguments): N = 3 masks of
// shape (B, D) = (64, 512) with rate 0.3; the same op with another stream,
// another seed, and no seed (which uses the instance's seed); and rate 0.9.
func.func @seeded() -> tensor<3x64x512xf32> {
  %m = gru.dropout_mask() {rate = 0.3 : f64, seed = 5 : i64, stream = 0 : i64} : tensor<3x64x512xf32>
  return %m : tensor<3x64x512xf32>
}
func.func @stream1() -> tensor<3x64x512xf32> {
  %m = gru.dropout_mask() {rate = 0.3 : f64, seed = 5 : i64, stream = 1 : i64} : tensor<3x64x512xf32>
  return %m : tensor<3x64x512xf32>
}
func.func @seed6() -> tensor<3x64x512xf32> {
  %m = gru.dropout_mask() {rate = 0.3 : f64, seed = 6 : i64, stream = 0 : i64} : tensor<3x64x512xf32>
  return %m : tensor<3x64x512xf32>
}
func.func @unseeded() -> tensor<3x64x512xf32> {
  %m = gru.dropout_mask() {rate = 0.3 : f64, stream = 0 : i64} : tensor<3x64x512xf32>
  return %m : tensor<3x64x512xf32>
}
func.func @rate09() -> tensor<1x64x512xf32> {
  %m = gru.dropout_mask() {rate = 0.9 : f64, seed = 5 : i64, stream = 2 : i64} : tensor<1x64x512xf32>
  return %m : tensor<1x64x512xf32>
}

// GRU(16) on (4, 6, 8) inputs; weights are arguments. @infer is the
// inference layer; the others are the same layer in training mode with
// active dropout (@train) or with rates that cannot act: 0, 1, and rates
// outside [0, 1] that clip to 1 and 0.
func.func @infer(%x: tensor<4x6x8xf32>, %k: tensor<8x48xf32>, %rk: tensor<16x48xf32>, %b: tensor<2x48xf32>) -> tensor<4x6x16xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 16 : i64, return_sequences = true}
      : (tensor<4x6x8xf32>, tensor<8x48xf32>, tensor<16x48xf32>, tensor<2x48xf32>) -> tensor<4x6x16xf32>
  return %o : tensor<4x6x16xf32>
}
func.func @train(%x: tensor<4x6x8xf32>, %k: tensor<8x48xf32>, %rk: tensor<16x48xf32>, %b: tensor<2x48xf32>) -> tensor<4x6x16xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 16 : i64, return_sequences = true,
      training = true, dropout = 0.3, recurrent_dropout = 0.2, seed = 7 : i64}
      : (tensor<4x6x8xf32>, tensor<8x48xf32>, tensor<16x48xf32>, tensor<2x48xf32>) -> tensor<4x6x16xf32>
  return %o : tensor<4x6x16xf32>
}
func.func @train_rate0(%x: tensor<4x6x8xf32>, %k: tensor<8x48xf32>, %rk: tensor<16x48xf32>, %b: tensor<2x48xf32>) -> tensor<4x6x16xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 16 : i64, return_sequences = true,
      training = true, dropout = 0.0, recurrent_dropout = 0.0, seed = 7 : i64}
      : (tensor<4x6x8xf32>, tensor<8x48xf32>, tensor<16x48xf32>, tensor<2x48xf32>) -> tensor<4x6x16xf32>
  return %o : tensor<4x6x16xf32>
}
func.func @train_rate1(%x: tensor<4x6x8xf32>, %k: tensor<8x48xf32>, %rk: tensor<16x48xf32>, %b: tensor<2x48xf32>) -> tensor<4x6x16xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 16 : i64, return_sequences = true,
      training = true, dropout = 1.0, recurrent_dropout = 1.0, seed = 7 : i64}
      : (tensor<4x6x8xf32>, tensor<8x48xf32>, tensor<16x48xf32>, tensor<2x48xf32>) -> tensor<4x6x16xf32>
  return %o : tensor<4x6x16xf32>
}
func.func @train_clipped(%x: tensor<4x6x8xf32>, %k: tensor<8x48xf32>, %rk: tensor<16x48xf32>, %b: tensor<2x48xf32>) -> tensor<4x6x16xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 16 : i64, return_sequences = true,
      training = true, dropout = 1.5, recurrent_dropout = -0.5, seed = 7 : i64}
      : (tensor<4x6x8xf32>, tensor<8x48xf32>, tensor<16x48xf32>, tensor<2x48xf32>) -> tensor<4x6x16xf32>
  return %o : tensor<4x6x16xf32>
}

// Mask reuse across timesteps (see dropout.py): GRU(32) on (64, 5, 32), no
// bias, linear activation, return_sequences; the test passes a kernel whose
// z block is -100, r block 0 and h block the identity, and a zero recurrent
// kernel. @reuse_in has input dropout only (one shared input mask),
// @reuse_both also recurrent dropout (three input masks, three recurrent
// masks); @reuse_off is inference.
func.func @reuse_in(%x: tensor<64x5x32xf32>, %k: tensor<32x96xf32>, %rk: tensor<32x96xf32>) -> tensor<64x5x32xf32> {
  %o = gru.layer %x, %k, %rk {units = 32 : i64, use_bias = false, activation = #gru.activation<linear>,
      return_sequences = true, training = true, dropout = 0.3, seed = 11 : i64}
      : (tensor<64x5x32xf32>, tensor<32x96xf32>, tensor<32x96xf32>) -> tensor<64x5x32xf32>
  return %o : tensor<64x5x32xf32>
}
func.func @reuse_both(%x: tensor<64x5x32xf32>, %k: tensor<32x96xf32>, %rk: tensor<32x96xf32>) -> tensor<64x5x32xf32> {
  %o = gru.layer %x, %k, %rk {units = 32 : i64, use_bias = false, activation = #gru.activation<linear>,
      return_sequences = true, training = true, dropout = 0.3, recurrent_dropout = 0.4, seed = 12 : i64}
      : (tensor<64x5x32xf32>, tensor<32x96xf32>, tensor<32x96xf32>) -> tensor<64x5x32xf32>
  return %o : tensor<64x5x32xf32>
}
func.func @reuse_off(%x: tensor<64x5x32xf32>, %k: tensor<32x96xf32>, %rk: tensor<32x96xf32>) -> tensor<64x5x32xf32> {
  %o = gru.layer %x, %k, %rk {units = 32 : i64, use_bias = false, activation = #gru.activation<linear>,
      return_sequences = true}
      : (tensor<64x5x32xf32>, tensor<32x96xf32>, tensor<32x96xf32>) -> tensor<64x5x32xf32>
  return %o : tensor<64x5x32xf32>
}
