// 3U = 120 columns: panels of every width pad, and B = 37 leaves row tails
// after every tile height.
func.func @run(%x: tensor<?x?x24xf32>, %k: tensor<24x120xf32>, %rk: tensor<40x120xf32>, %b: tensor<2x120xf32>,
               %m: tensor<?x?xi1>) -> tensor<?x?x40xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) mask(%m) {units = 40 : i64, return_sequences = true}
      : (tensor<?x?x24xf32>, tensor<24x120xf32>, tensor<40x120xf32>, tensor<2x120xf32>, tensor<?x?xi1>)
      -> tensor<?x?x40xf32>
  return %o : tensor<?x?x40xf32>
}
