// RUN: gru-opt %s --gru-to-nvvm="format=isa" -o %t
// RUN: FileCheck %s --check-prefix=HOST < %t
// RUN: %python %gru_src_root/test/Integration/gpu/ptx.py %t | FileCheck %s
// RUN: %python %gru_src_root/test/Integration/gpu/ptx.py %t | FileCheck %s --check-prefix=EXACT --implicit-check-not=atom. --implicit-check-not=.approx

// The host side: device buffers and copies through the runtime's mgpu*
// functions, the three kernels launched in order on one stream, which the
// host waits for before it frees the device buffers' stream.
// HOST-LABEL: llvm.func @layer(
// HOST: llvm.call @mgpuStreamCreate()
// HOST: llvm.call @mgpuMemAlloc(
// HOST: llvm.call @mgpuMemcpy(
// HOST: gpu.launch_func <%{{.*}} : !llvm.ptr> @layer_kernel::@layer_kernel blocks in
// HOST: gpu.launch_func <%{{.*}} : !llvm.ptr> @layer_kernel_0::@layer_kernel blocks in
// HOST: llvm.call @mgpuMemset32(
// HOST: gpu.launch_func <%{{.*}} : !llvm.ptr> @layer_kernel_1::@layer_kernel blocks in
// HOST: llvm.call @mgpuMemcpy(
// HOST: llvm.call @mgpuMemFree(
// HOST: llvm.call @mgpuStreamSynchronize(
// HOST: llvm.call @mgpuStreamDestroy(
// HOST-COUNT-3: gpu.binary @layer_kernel{{.*}} [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">

// The input projection: FMA in fp32, no approximation of the products.
// CHECK-LABEL: // kernel layer_kernel{{$}}
// CHECK: .target sm_90
// CHECK: .entry layer_kernel(
// CHECK: fma.rn.f32
// The persistent kernel of the steps: the gate math, then the grid barrier
// (the block's threads meet, its first thread adds to the counter with
// release semantics and spins on acquire loads, the threads meet again).
// CHECK-LABEL: // kernel layer_kernel_1{{$}}
// CHECK: .entry layer_kernel(
// CHECK-DAG: fma.rn.f32
// CHECK-DAG: bar.sync 0;
// CHECK-DAG: red.release.gpu.add.u32 [%rd{{[0-9]+}}], 1;
// CHECK-DAG: ld.acquire.gpu.u32
// CHECK-DAG: nanosleep.u32
// No atomic whose ordering NVPTX would drop, no approximate instruction: the
// math is that of gru-approximate-math, the same as on the CPU.
// EXACT-COUNT-3: .target sm_90
func.func @layer(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>, %m: tensor<?x?xi1>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>) {
  %o, %h = gru.layer %x, %k, %rk bias(%b) mask(%m) {units = 4 : i64, return_sequences = true, return_state = true}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>, tensor<?x?xi1>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>)
  return %o, %h : tensor<?x?x4xf32>, tensor<?x4xf32>
}
