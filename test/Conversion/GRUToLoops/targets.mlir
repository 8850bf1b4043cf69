// The microkernel's register tile and panel width follow the target (one
// KernelTuning from the CPUTarget of gru-attach-target): 32 zmm registers
// hold an 8×3 tile of 16 lanes, 16 ymm registers a 4×3 tile of 8 lanes, 32
// NEON registers an 8×3 tile of 4 lanes. The layer has 3U = 96 columns.
// RUN: gru-opt %s -gru-attach-target="cpu=sapphirerapids" -convert-gru-to-loops | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: gru-opt %s -gru-attach-target="cpu=znver3" -convert-gru-to-loops | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: gru-opt %s -gru-attach-target="cpu=x86-64-v4 features=-avx512f" -convert-gru-to-loops | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: gru-opt %s -gru-attach-target="triple=aarch64-linux-gnu cpu=neoverse-n1" -convert-gru-to-loops | FileCheck %s --check-prefixes=CHECK,NEON

// CHECK-LABEL: func @layer
// AVX512: linalg.transpose ins(%{{.*}} : tensor<32x2x48xf32>) outs(%{{.*}} : tensor<2x32x48xf32>)
// AVX2:   linalg.transpose ins(%{{.*}} : tensor<32x4x24xf32>) outs(%{{.*}} : tensor<4x32x24xf32>)
// NEON:   linalg.transpose ins(%{{.*}} : tensor<32x8x12xf32>) outs(%{{.*}} : tensor<8x32x12xf32>)
// CHECK: scf.for
// AVX512: scf.for %{{.*}} step %c8{{(_[0-9]+)?}} iter_args
// AVX512: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>,
// AVX2:   scf.for %{{.*}} step %c4{{(_[0-9]+)?}} iter_args
// AVX2:   scf.for {{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>,
// NEON:   scf.for %{{.*}} step %c8{{(_[0-9]+)?}} iter_args
// NEON:   scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>,
// CHECK:    vector.fma
func.func @layer(%x: tensor<16x10x32xf32>, %k: tensor<32x96xf32>, %rk: tensor<32x96xf32>, %b: tensor<2x96xf32>) -> tensor<16x32xf32> {
  %o = gru.layer %x, %k, %rk bias(%b) {units = 32 : i64}
      : (tensor<16x10x32xf32>, tensor<32x96xf32>, tensor<32x96xf32>, tensor<2x96xf32>) -> tensor<16x32xf32>
  return %o : tensor<16x32xf32>
}

