// RUN: gru-opt %s -split-input-file -verify-diagnostics

// units beyond the limit, even where 3 * units would overflow int64_t.
func.func @huge_units(%x: tensor<1x?x3xf32>, %k: tensor<3x?xf32>, %rk: tensor<?x?xf32>) -> tensor<1x?xf32> {
  // expected-error @+1 {{'units' is 6148914691236517210; at most 65536 are supported}}
  %h = gru.layer %x, %k, %rk {units = 6148914691236517210 : i64, use_bias = false}
      : (tensor<1x?x3xf32>, tensor<3x?xf32>, tensor<?x?xf32>) -> tensor<1x?xf32>
  return %h : tensor<1x?xf32>
}

// -----

func.func @cell_units(%x: tensor<1x3xf32>, %h: tensor<1x100000xf32>, %k: tensor<3x?xf32>, %rk: tensor<?x?xf32>) -> tensor<1x100000xf32> {
  // expected-error @+1 {{'units' is 100000; at most 65536 are supported}}
  %n = gru.cell %x, %h, %k, %rk : (tensor<1x3xf32>, tensor<1x100000xf32>, tensor<3x?xf32>, tensor<?x?xf32>) -> tensor<1x100000xf32>
  return %n : tensor<1x100000xf32>
}

// -----

// An initializer of 2^62 elements is not folded (nor allocated).
func.func @huge_initializer() -> tensor<1073741824x4294967296xf32> {
  // expected-error @+1 {{result of shape (1073741824, 4294967296) has more than 268435456 elements, the most that is initialized at compile time; pass such weights as arguments}}
  %k = gru.initializer(#gru.zeros) : tensor<1073741824x4294967296xf32>
  return %k : tensor<1073741824x4294967296xf32>
}

// -----

// The weights of a GRU with 100,000 units (12 * 10^10 bytes) are not folded.
func.func @hundred_thousand_units() -> tensor<60000x180000xf32> {
  // expected-error @+1 {{has more than 268435456 elements}}
  %rk = gru.initializer(#gru.orthogonal<gain = 1.0, seed = 2>) : tensor<60000x180000xf32>
  return %rk : tensor<60000x180000xf32>
}
