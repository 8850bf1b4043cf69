"func.func"() <{function_type = (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> (), sym_name = "f"}> ({
^bb0(%x: tensor<2x5x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>):
  %0 = "gru.layer"(%x, %k, %rk) <{units = 4 : i64, use_bias = false, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 5>}> : (tensor<2x5x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>) -> tensor<2x4xf32>
  "func.return"() : () -> ()
}) : () -> ()
