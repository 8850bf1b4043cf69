// RUN: gru-opt %s --gru-to-nvvm="format=isa cudnn=none" -o %t 2>/dev/null
// RUN: FileCheck %s --check-prefix=HOST < %t
// RUN: %python %gru_src_root/test/Integration/gpu/ptx.py %t | FileCheck %s
// RUN: %python %gru_src_root/test/Integration/gpu/ptx.py %t | FileCheck %s --check-prefix=EXACT --implicit-check-not=atom. --implicit-check-not=.approx
// RUN: gru-opt %s --gru-to-nvvm="format=isa cudnn=none cluster-blocks=0" -o %t.grid 2>/dev/null
// RUN: FileCheck %s --check-prefix=GRID-HOST < %t.grid
// RUN: %python %gru_src_root/test/Integration/gpu/ptx.py %t.grid | FileCheck %s --check-prefix=GRID --implicit-check-not=atom. --implicit-check-not=.approx

// The host side: device buffers and copies through the runtime's mgpu*
// functions, the four kernels launched in order on one stream, the steps
// as one cluster (U = 4 fits), which the host waits for before it frees the
// device buffers' stream.
// HOST-LABEL: llvm.func @layer(
// HOST: llvm.call @mgpuStreamCreate()
// HOST: llvm.call @mgpuMemAlloc(
// HOST: llvm.call @mgpuMemcpy(
// HOST: gpu.launch_func <%{{.*}} : !llvm.ptr> @layer_kernel::@layer_kernel blocks in
// HOST: gpu.launch_func <%{{.*}} : !llvm.ptr> @layer_kernel_0::@layer_kernel blocks in
// HOST: gpu.launch_func <%{{.*}} : !llvm.ptr> @layer_kernel_1::@layer_kernel blocks in
// HOST-NOT: mgpuMemset32
// HOST: gpu.launch_func <%{{.*}} : !llvm.ptr> @layer_kernel_2::@layer_kernel clusters in ({{.*}}) blocks in ({{.*}}) threads in ({{.*}}) : i64 dynamic_shared_memory_size %{{.*}} args(
// HOST: llvm.call @mgpuMemcpy(
// HOST: llvm.call @mgpuMemFree(
// HOST: llvm.call @mgpuStreamSynchronize(
// HOST: llvm.call @mgpuStreamDestroy(
// HOST-COUNT-4: gpu.binary @layer_kernel{{.*}} [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">

// The input projection: FMA in fp32, no approximation of the products.
// CHECK-LABEL: // kernel layer_kernel{{$}}
// CHECK: .target sm_90
// CHECK: .entry layer_kernel(
// CHECK: fma.rn.f32
// The persistent kernel of the steps in a cluster: R's slice and the partial
// sums in (dynamic) shared memory, the gate math, and the cluster barrier.
// CHECK-LABEL: // kernel layer_kernel_2{{$}}
// CHECK: .entry layer_kernel(
// CHECK-DAG: .shared .align 16 .b8 __dynamic_shmem__0;
// CHECK-DAG: st.shared.b32
// CHECK-DAG: ld.shared.b32
// CHECK-DAG: fma.rn.f32
// CHECK-DAG: bar.sync 0;
// CHECK-DAG: barrier.cluster.arrive;
// CHECK-DAG: barrier.cluster.wait;
// No atomic whose ordering NVPTX would drop, no approximate instruction: the
// math is that of gru-approximate-math, the same as on the CPU.
// EXACT-COUNT-4: .target sm_90

// Without clusters, a grid of blocks: the barrier counter set to zero, and
// in the persistent kernel the grid barrier (the block's threads meet, its
// first thread adds to the counter with release semantics and spins on
// acquire loads, the threads meet again).
// GRID-HOST: llvm.call @mgpuMemset32(
// GRID-HOST: gpu.launch_func <%{{.*}} : !llvm.ptr> @layer_kernel_2::@layer_kernel blocks in ({{.*}}) threads in ({{.*}}) : i64 dynamic_shared_memory_size
// GRID-LABEL: // kernel layer_kernel_2{{$}}
// GRID: .entry layer_kernel(
// GRID-DAG: ld.shared.b32
// GRID-DAG: fma.rn.f32
// GRID-DAG: bar.sync 0;
// GRID-DAG: red.release.gpu.add.u64 [%rd{{[0-9]+}}], 1;
// GRID-DAG: ld.acquire.gpu.u64
// GRID-DAG: nanosleep.u32
func.func @layer(%x: tensor<?x?x8xf32>, %k: tensor<8x12xf32>, %rk: tensor<4x12xf32>, %b: tensor<2x12xf32>, %m: tensor<?x?xi1>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>) {
  %o, %h = gru.layer %x, %k, %rk bias(%b) mask(%m) {units = 4 : i64, return_sequences = true, return_state = true}
      : (tensor<?x?x8xf32>, tensor<8x12xf32>, tensor<4x12xf32>, tensor<2x12xf32>, tensor<?x?xi1>) -> (tensor<?x?x4xf32>, tensor<?x4xf32>)
  return %o, %h : tensor<?x?x4xf32>, tensor<?x4xf32>
}
