// An initializer of 2^62 elements threw std::length_error while folding.
func.func @f() -> tensor<1073741824x4294967296xf32> {
  %k = gru.initializer(#gru.zeros) : tensor<1073741824x4294967296xf32>
  return %k : tensor<1073741824x4294967296xf32>
}
