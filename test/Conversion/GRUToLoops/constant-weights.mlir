// RUN: gru-opt %s -gru-attach-target="cpu=znver3" -convert-gru-to-loops -split-input-file | FileCheck %s

// Constant weights are packed at compile time: 3U = 6 columns make one panel
// of 8 (an AVX2 vector), padded with zeros; nothing is transposed at run time.
// CHECK-LABEL: func @reset_after
// CHECK-DAG: arith.constant dense<{{\[\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 0.000000e+00, 0.000000e+00], [7.000000e+00, 8.000000e+00, 9.000000e+00, 1.000000e+01, 1.100000e+01, 1.200000e+01, 0.000000e+00, 0.000000e+00]]]> : tensor<1x2x8xf32>
// CHECK-DAG: arith.constant dense<{{\[\[\[}}-1.000000e+00, -2.000000e+00, -3.000000e+00, -4.000000e+00, -5.000000e+00, -6.000000e+00, 0.000000e+00, 0.000000e+00], [-7.000000e+00, -8.000000e+00, -9.000000e+00, -1.000000e+01, -1.100000e+01, -1.200000e+01, 0.000000e+00, 0.000000e+00]]]> : tensor<1x2x8xf32>
// CHECK-NOT: linalg.transpose
// CHECK: return
func.func @reset_after(%x: tensor<3x5x2xf32>) -> tensor<3x2xf32> {
  %k = arith.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [7.0, 8.0, 9.0, 10.0, 11.0, 12.0]]> : tensor<2x6xf32>
  %rk = arith.constant dense<[[-1.0, -2.0, -3.0, -4.0, -5.0, -6.0], [-7.0, -8.0, -9.0, -10.0, -11.0, -12.0]]> : tensor<2x6xf32>
  %o = gru.layer %x, %k, %rk {units = 2 : i64, use_bias = false}
      : (tensor<3x5x2xf32>, tensor<2x6xf32>, tensor<2x6xf32>) -> tensor<3x2xf32>
  return %o : tensor<3x2xf32>
}

// -----

// With reset_after = false, the z, r block and the h block of R are packed
// apart, each from its columns of the constant.
// CHECK-LABEL: func @reset_before
// CHECK-DAG: arith.constant dense<{{\[\[\[}}-1.000000e+00, -2.000000e+00, -3.000000e+00, -4.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [-7.000000e+00, -8.000000e+00, -9.000000e+00, -1.000000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]]> : tensor<1x2x8xf32>
// CHECK-DAG: arith.constant dense<{{\[\[\[}}-5.000000e+00, -6.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [-1.100000e+01, -1.200000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]]> : tensor<1x2x8xf32>
// CHECK-NOT: linalg.transpose
// CHECK: return
func.func @reset_before(%x: tensor<3x5x2xf32>) -> tensor<3x2xf32> {
  %k = arith.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [7.0, 8.0, 9.0, 10.0, 11.0, 12.0]]> : tensor<2x6xf32>
  %rk = arith.constant dense<[[-1.0, -2.0, -3.0, -4.0, -5.0, -6.0], [-7.0, -8.0, -9.0, -10.0, -11.0, -12.0]]> : tensor<2x6xf32>
  %o = gru.layer %x, %k, %rk {units = 2 : i64, use_bias = false, reset_after = false}
      : (tensor<3x5x2xf32>, tensor<2x6xf32>, tensor<2x6xf32>) -> tensor<3x2xf32>
  return %o : tensor<3x2xf32>
}

// -----

// Constants that do not stay in L2 (Zen 3: 512 KiB, half of it for weights)
// are packed at run time into the runtime's huge pages instead: R of
// 256×768 floats (768 KiB) streams from L3 at every step, where the TLB
// misses of the library's 4 KiB pages would cost more than the packing.
// (With B = 3 the steps run on a team of threads, which packs R by gate.)
// CHECK-LABEL: func @streaming
// CHECK: %[[PACKED:.*]] = linalg.transpose ins(%{{.*}} : tensor<256x3x16x16xf32>)
// CHECK: %[[GATE:.*]] = tensor.extract_slice %[[PACKED]][0, 0, 0, 0]
// CHECK: scf.for
// CHECK: vector.transfer_read %[[GATE]]
func.func @streaming(%x: tensor<3x5x2xf32>) -> tensor<3x256xf32> {
  %k = arith.constant dense<0.5> : tensor<2x768xf32>
  %r = arith.constant dense<0.25> : tensor<256x768xf32>
  %o = gru.layer %x, %k, %r {units = 256 : i64, use_bias = false}
      : (tensor<3x5x2xf32>, tensor<2x768xf32>, tensor<256x768xf32>) -> tensor<3x256xf32>
  return %o : tensor<3x256xf32>
}
