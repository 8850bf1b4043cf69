// RUN: gru-opt %s -split-input-file -verify-diagnostics -gru-map-kernels-to-gpu | FileCheck %s

// A kernel and the loop of steps with two kernels, as convert-gru-to-gpu
// builds them, after bufferization.
// CHECK-LABEL: func @layer(
// CHECK-SAME: %[[X:.*]]: memref<?x8xf32>, %[[OUT:.*]]: memref<?x8xf32>, %[[T:.*]]: index)
// The input is copied to the device; the buffer only the kernels use is a
// device buffer alone; the output, which the host may have written, gets a
// device copy too.
// CHECK: %[[T0:.*]] = gpu.wait async
// CHECK: %[[DX:.*]], %[[T1:.*]] = gpu.alloc async [%[[T0]]] (%{{.*}}) : memref<?x8xf32>
// CHECK: %[[T2:.*]] = gpu.memcpy async [%[[T1]]] %[[DX]], %[[X]]
// CHECK: %[[DS:.*]], %[[T3:.*]] = gpu.alloc async [%[[T2]]] (%{{.*}}) : memref<2x?x8xf32>
// CHECK: %[[DOUT:.*]], %[[T3B:.*]] = gpu.alloc async [%[[T3]]] (%{{.*}}) : memref<?x8xf32>
// CHECK: %[[T4:.*]] = gpu.memcpy async [%[[T3B]]] %[[DOUT]], %[[OUT]]
// CHECK-NOT: memref.alloc
// The kernel: 3 blocks of 32 threads.
// CHECK: %[[T5:.*]] = gpu.launch async [%[[T4]]] blocks(%[[B:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c3{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads(%[[TH:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c32{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}})
// CHECK:   memref.load %[[DX]][%[[B]], %[[TH]]]
// CHECK:   memref.store %{{.*}}, %[[DS]][%c0{{.*}}, %[[B]], %[[TH]]]
// CHECK:   gpu.terminator
// The counter of the grid barriers, zero.
// CHECK: %[[COUNTER:.*]], %[[T6:.*]] = gpu.alloc async [%[[T5]]] () : memref<2xi32>
// CHECK: %[[T7:.*]] = gpu.memset async [%[[T6]]] %[[COUNTER]], %{{.*}} : memref<2xi32>, i32
// The steps: one persistent launch running the loop, each kernel a phase
// ended by a grid barrier; two kernels a step, so barrier p of step k waits
// for (2k + p + 1) · 4 blocks. The launch is cooperative.
// CHECK-NEXT: call @gru_rt_cuda_launch_cooperatively() : () -> ()
// CHECK: %[[T8:.*]] = gpu.launch async [%[[T7]]] blocks(%[[B2:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c4{{.*}}, %{{.*}}, %{{.*}}) threads(%[[TH2:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c32{{.*}}, %{{.*}}, %{{.*}})
// CHECK:   scf.for %[[K:.*]] = %{{.*}} to %[[T]] step
// CHECK-NOT: gru.steps
// CHECK:     memref.load %[[DS]]
// CHECK:     gpu.barrier
// CHECK:     %[[FIRST:.*]] = arith.cmpi eq, %[[TH2]], %c0
// CHECK:     scf.if %[[FIRST]] {
// CHECK:       memref.extract_aligned_pointer_as_index %[[COUNTER]]
// CHECK:       %[[KP:.*]] = arith.muli %[[K]], %c2
// CHECK:       %[[N:.*]] = arith.addi %[[KP]], %c1
// CHECK:       arith.muli %[[N]], %c4
// CHECK:       llvm.inline_asm has_side_effects "red.release.gpu.add.u64 [$0], 1;", "l"
// CHECK:       scf.while
// CHECK:         llvm.inline_asm has_side_effects "ld.acquire.gpu.u64 $0, [$1];", "=l,l"
// CHECK:         arith.cmpi ult
// CHECK:       } do {
// CHECK:         llvm.inline_asm has_side_effects "nanosleep.u32 32;"
// CHECK:     gpu.barrier
// CHECK:     memref.store %{{.*}}, %[[DOUT]]
// CHECK:     gpu.barrier
// CHECK:     arith.addi %{{.*}}, %c2
// CHECK:     gpu.barrier
// CHECK:   gpu.terminator
// Where the driver refuses it (a GPU that cannot hold all the grid's blocks
// at once), the host runs the steps stepwise instead, on the same stream.
// CHECK: %[[REFUSED:.*]] = call @gru_rt_cuda_launch_refused() : () -> i1
// CHECK-NEXT: scf.if %[[REFUSED]] {
// CHECK-NEXT:   scf.for %{{.*}} = %{{.*}} to %[[T]] step
// CHECK:          gpu.launch async [%[[T8]]] blocks({{.*}}) in (%{{.*}} = %c4
// CHECK:            memref.store %{{.*}}, %[[DS]]
// CHECK:          gpu.launch async [%[[T8]]] blocks({{.*}}) in (%{{.*}} = %c4
// CHECK:            memref.store %{{.*}}, %[[DOUT]]
// CHECK-NOT: gru.steps
// Back on the host: the output copied back, the device buffers freed, and
// the host waits for it all.
// CHECK: %[[T9:.*]] = gpu.memcpy async [%[[T8]]] %[[OUT]], %[[DOUT]]
// CHECK: gpu.dealloc async
// CHECK: gpu.wait [%{{.*}}]
// CHECK-NEXT: return
// CHECK: func.func private @gru_rt_cuda_launch_cooperatively()
// CHECK: func.func private @gru_rt_cuda_launch_refused() -> i1
func.func @layer(%x: memref<?x8xf32>, %out: memref<?x8xf32>, %steps: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = memref.dim %x, %c0 : memref<?x8xf32>
  %states = memref.alloc(%b) : memref<2x?x8xf32>
  scf.forall (%block) in (3) {
    scf.forall (%thread) in (32) {
      %v = memref.load %x[%block, %thread] : memref<?x8xf32>
      memref.store %v, %states[%c0, %block, %thread] : memref<2x?x8xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  scf.for %k = %c0 to %steps step %c1 {
    scf.forall (%block) in (4) {
      scf.forall (%thread) in (32) {
        %v = memref.load %states[%c0, %block, %thread] : memref<2x?x8xf32>
        memref.store %v, %states[%c1, %block, %thread] : memref<2x?x8xf32>
      } {mapping = [#gpu.thread<x>]}
    } {mapping = [#gpu.block<x>]}
    scf.forall (%block) in (4) {
      scf.forall (%thread) in (32) {
        %v = memref.load %states[%c1, %block, %thread] : memref<2x?x8xf32>
        memref.store %v, %out[%block, %thread] : memref<?x8xf32>
      } {mapping = [#gpu.thread<x>]}
    } {mapping = [#gpu.block<x>]}
  } {gru.steps = "grid"}
  memref.dealloc %states : memref<2x?x8xf32>
  return
}

// -----

func.func @subview(%x: memref<4x8xf32>) {
  scf.forall (%block) in (4) {
    scf.forall (%thread) in (8) {
      // expected-error @+1 {{gru-map-kernels-to-gpu: a kernel uses a buffer other than by load, store and dim}}
      %row = memref.subview %x[%block, 0] [1, 8] [1, 1] : memref<4x8xf32> to memref<8xf32, strided<[1], offset: ?>>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @dynamic_threads(%x: memref<4x8xf32>, %n: index) {
  // expected-error @+1 {{gru-map-kernels-to-gpu: a kernel must be a forall over constant blocks whose body runs foralls over the same constant threads}}
  scf.forall (%block) in (4) {
    scf.forall (%thread) in (%n) {
      %v = memref.load %x[%block, %thread] : memref<4x8xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A buffer the host wrote before the kernels (training-mode dropout masks,
// computed on the host) is copied to the device before them.
// CHECK-LABEL: func @host_written(
// CHECK: %[[MASKS:.*]] = memref.alloc() : memref<4x8xf32>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[MASKS]] : memref<4x8xf32>)
// CHECK: %[[DMASKS:.*]], %[[T:.*]] = gpu.alloc async [%{{.*}}] () : memref<4x8xf32>
// CHECK: gpu.memcpy async [%[[T]]] %[[DMASKS]], %[[MASKS]]
// CHECK: gpu.launch
// CHECK:   memref.load %[[DMASKS]]
func.func @host_written(%out: memref<4x8xf32>) {
  %one = arith.constant 1.0 : f32
  %masks = memref.alloc() : memref<4x8xf32>
  linalg.fill ins(%one : f32) outs(%masks : memref<4x8xf32>)
  scf.forall (%block) in (4) {
    scf.forall (%thread) in (8) {
      %v = memref.load %masks[%block, %thread] : memref<4x8xf32>
      memref.store %v, %out[%block, %thread] : memref<4x8xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  memref.dealloc %masks : memref<4x8xf32>
  return
}

// -----

// Host code between two layers' kernels reads what the first wrote: each
// layer's kernels have their own device buffers, copied back before the
// host code and in again after it.
// CHECK-LABEL: func @stacked(
// CHECK-SAME: %[[X:.*]]: memref<4x8xf32>, %[[OUT:.*]]: memref<4x8xf32>)
// CHECK: %[[MID:.*]] = memref.alloc() : memref<4x8xf32>
// CHECK: gpu.wait async
// CHECK: gpu.launch
// CHECK: gpu.memcpy async [%{{.*}}] %[[MID]], %{{.*}}
// CHECK: gpu.wait [%{{.*}}]
// CHECK: linalg.exp ins(%[[MID]] : memref<4x8xf32>) outs(%[[MID]] : memref<4x8xf32>)
// CHECK: gpu.wait async
// CHECK: %[[DMID:.*]], %[[T:.*]] = gpu.alloc async
// CHECK: gpu.memcpy async [%[[T]]] %[[DMID]], %[[MID]]
// CHECK: gpu.launch
// CHECK:   memref.load %[[DMID]]
// CHECK: gpu.wait [%{{.*}}]
func.func @stacked(%x: memref<4x8xf32>, %out: memref<4x8xf32>) {
  %mid = memref.alloc() : memref<4x8xf32>
  scf.forall (%block) in (4) {
    scf.forall (%thread) in (8) {
      %v = memref.load %x[%block, %thread] : memref<4x8xf32>
      memref.store %v, %mid[%block, %thread] : memref<4x8xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  linalg.exp ins(%mid : memref<4x8xf32>) outs(%mid : memref<4x8xf32>)
  scf.forall (%block) in (4) {
    scf.forall (%thread) in (8) {
      %v = memref.load %mid[%block, %thread] : memref<4x8xf32>
      memref.store %v, %out[%block, %thread] : memref<4x8xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  memref.dealloc %mid : memref<4x8xf32>
  return
}

// -----

// A grid whose blocks keep their rows of the gru.block_slices buffers in
// shared memory: the slices of R, which a kernel before the steps wrote,
// copied in by the block's threads when the launch starts; the partial
// sums, which the steps write, as scratch. A block's threads meet at a
// block barrier after each forall over them.
// CHECK-LABEL: func @on_chip(
// CHECK: %[[SLICES:.*]], %{{.*}} = gpu.alloc async [%{{.*}}] () : memref<4x3x5xf32>
// CHECK: %[[PARTIALS:.*]], %{{.*}} = gpu.alloc async [%{{.*}}] () : memref<4x32x2xf32>
// CHECK: gpu.launch async
// CHECK:   memref.store %{{.*}}, %[[SLICES]]
// CHECK: %[[BYTES:.*]] = arith.constant 320 : i32
// CHECK: gpu.launch async [%{{.*}}] blocks(%[[B:.*]], %{{.*}}, %{{.*}}) in ({{.*}}) threads(%[[TH:.*]], %{{.*}}, %{{.*}}) in ({{.*}}) dynamic_shared_memory_size %[[BYTES]]
// CHECK:   %[[SHARED:.*]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK:   %[[SR:.*]] = memref.view %[[SHARED]][%c0{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<3x5xf32, #gpu.address_space<workgroup>>
// CHECK:   scf.for %[[I:.*]] = %[[TH]] to %c15{{.*}} step %c32
// CHECK:     %[[COLUMN:.*]] = arith.remui %[[I]], %c5
// CHECK:     %[[ROWS:.*]] = arith.divui %[[I]], %c5
// CHECK:     %[[ROW:.*]] = arith.remui %[[ROWS]], %c3
// CHECK:     %[[V:.*]] = memref.load %[[SLICES]][%[[B]], %[[ROW]], %[[COLUMN]]]
// CHECK:     memref.store %[[V]], %[[SR]][%[[ROW]], %[[COLUMN]]]
// CHECK:   %[[SP:.*]] = memref.view %[[SHARED]][%c64{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<32x2xf32, #gpu.address_space<workgroup>>
// CHECK-NOT: memref.load %[[PARTIALS]]
// CHECK:   gpu.barrier
// CHECK:   scf.for
// CHECK:     %[[R:.*]] = memref.load %[[SR]][%c1{{.*}}, %[[TH]]]
// CHECK:     memref.store %[[R]], %[[SP]][%[[TH]], %c0{{.*}}]
// CHECK:     gpu.barrier
// CHECK:     memref.load %[[SP]][%[[TH]], %c0{{.*}}]
// CHECK-NEXT: memref.store
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: arith.constant
// CHECK-NEXT: arith.cmpi eq, %[[TH]]
// CHECK:     llvm.inline_asm has_side_effects "red.release.gpu.add.u64 [$0], 1;", "l"
// The steps of the fallback use the buffers in device memory.
// CHECK: scf.if
// CHECK:   gpu.launch
// CHECK:     memref.load %[[SLICES]]
// CHECK:     memref.store %{{.*}}, %[[PARTIALS]]
// CHECK:     memref.load %[[PARTIALS]]
func.func @on_chip(%r: memref<3x5xf32>, %out: memref<4x32xf32>, %steps: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %slices = memref.alloc() {gru.block_slices} : memref<4x3x5xf32>
  %partials = memref.alloc() {gru.block_slices} : memref<4x32x2xf32>
  scf.forall (%block) in (4) {
    scf.forall (%thread) in (32) {
      %v = memref.load %r[%c0, %c0] : memref<3x5xf32>
      memref.store %v, %slices[%block, %c0, %c0] : memref<4x3x5xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  scf.for %k = %c0 to %steps step %c1 {
    scf.forall (%block) in (4) {
      scf.forall (%thread) in (32) {
        %v = memref.load %slices[%block, %c1, %thread] : memref<4x3x5xf32>
        memref.store %v, %partials[%block, %thread, %c0] : memref<4x32x2xf32>
      } {mapping = [#gpu.thread<x>]}
      scf.forall (%thread) in (32) {
        %v = memref.load %partials[%block, %thread, %c0] : memref<4x32x2xf32>
        memref.store %v, %out[%block, %thread] : memref<4x32xf32>
      } {mapping = [#gpu.thread<x>]}
    } {mapping = [#gpu.block<x>]}
  } {gru.steps = "grid"}
  return
}

// -----

// A cluster: one launch of a cluster of all its blocks, whose phases end at
// cluster barriers, without a counter; the blocks of a cluster are resident
// together by definition, so nothing but a failure stops its launch.
// CHECK-LABEL: func @cluster(
// CHECK-NOT: memref<2xi32>
// CHECK-NOT: call
// CHECK: gpu.launch async [%{{.*}}] clusters(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c4{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %c4{{.*}},
// CHECK:   scf.for
// CHECK:     memref.store
// CHECK-NEXT: nvvm.cluster.arrive
// CHECK-NEXT: nvvm.cluster.wait
// CHECK-NOT: inline_asm
// CHECK:   gpu.terminator
// CHECK-NOT: scf.if
// CHECK: return
func.func @cluster(%out: memref<4x32xf32>, %steps: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  scf.for %k = %c0 to %steps step %c1 {
    scf.forall (%block) in (4) {
      scf.forall (%thread) in (32) {
        memref.store %one, %out[%block, %thread] : memref<4x32xf32>
      } {mapping = [#gpu.thread<x>]}
    } {mapping = [#gpu.block<x>]}
  } {gru.steps = "cluster"}
  return
}

// -----

// Stepwise: the host runs the loop and launches each kernel of a step on
// the stream of the layer; the buffers of the steps stay in device memory.
// CHECK-LABEL: func @stepwise(
// CHECK: gpu.wait async
// CHECK: gpu.alloc async
// CHECK: %[[OUT:.*]], %[[T1:.*]] = gpu.alloc async
// CHECK: %[[T2:.*]] = gpu.memcpy async [%[[T1]]]
// CHECK-NOT: gpu.dynamic_shared_memory
// CHECK: scf.for
// CHECK:   gpu.launch async [%[[T2]]] blocks
// CHECK:     memref.load %{{.*}}[%{{.*}}, %c1
// CHECK-NEXT: memref.store
// CHECK-NEXT: gpu.terminator
// CHECK:   gpu.launch async [%[[T2]]] blocks
// CHECK: }
// CHECK-NOT: gru.steps
// CHECK: gpu.memcpy async [%[[T2]]]
func.func @stepwise(%out: memref<4x32xf32>, %steps: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %slices = memref.alloc() {gru.block_slices} : memref<4x3x32xf32>
  scf.for %k = %c0 to %steps step %c1 {
    scf.forall (%block) in (4) {
      scf.forall (%thread) in (32) {
        %v = memref.load %slices[%block, %c1, %thread] : memref<4x3x32xf32>
        memref.store %v, %out[%block, %thread] : memref<4x32xf32>
      } {mapping = [#gpu.thread<x>]}
    } {mapping = [#gpu.block<x>]}
    scf.forall (%block) in (4) {
      scf.forall (%thread) in (32) {
        %v = memref.load %out[%block, %thread] : memref<4x32xf32>
        memref.store %v, %out[%block, %c0] : memref<4x32xf32>
      } {mapping = [#gpu.thread<x>]}
    } {mapping = [#gpu.block<x>]}
  } {gru.steps = "stepwise"}
  return
}

// -----

func.func @unknown_regime(%out: memref<4x32xf32>, %steps: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  // expected-error @+1 {{gru-map-kernels-to-gpu: gru.steps must be cluster, grid or stepwise}}
  scf.for %k = %c0 to %steps step %c1 {
    scf.forall (%block) in (4) {
      scf.forall (%thread) in (32) {
        memref.store %one, %out[%block, %thread] : memref<4x32xf32>
      } {mapping = [#gpu.thread<x>]}
    } {mapping = [#gpu.block<x>]}
  } {gru.steps = "warp"}
  return
}

// -----

func.func @other_block(%out: memref<4x32xf32>, %steps: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %slices = memref.alloc() {gru.block_slices} : memref<4x32xf32>
  scf.for %k = %c0 to %steps step %c1 {
    scf.forall (%block) in (4) {
      scf.forall (%thread) in (32) {
        // expected-error @+1 {{gru-map-kernels-to-gpu: a block uses another block's row of a gru.block_slices buffer}}
        %v = memref.load %slices[%c0, %thread] : memref<4x32xf32>
        memref.store %v, %out[%block, %thread] : memref<4x32xf32>
      } {mapping = [#gpu.thread<x>]}
    } {mapping = [#gpu.block<x>]}
  } {gru.steps = "grid"}
  return
}

// -----

// A result that buffer-results-to-out-params copies into its out-param is
// copied there from the device, without the host buffer; the host code then
// only copies the arguments, so that a caller may pass device buffers.
// CHECK-LABEL: func @out_param(
// CHECK-SAME: %[[X:.*]]: memref<4x8xf32>, %[[OUT:.*]]: memref<4x8xf32>) attributes {gru.device_arguments}
// CHECK-NOT: memref.alloc
// CHECK: %[[DR:.*]], %{{.*}} = gpu.alloc async
// CHECK: gpu.launch
// CHECK: gpu.memcpy async [%{{.*}}] %[[OUT]], %[[DR]]
// CHECK-NOT: memref.copy
// CHECK-NOT: memref.dealloc
// CHECK: return
func.func @out_param(%x: memref<4x8xf32>, %out: memref<4x8xf32>) {
  %result = memref.alloc() : memref<4x8xf32>
  scf.forall (%block) in (4) {
    scf.forall (%thread) in (8) {
      %v = memref.load %x[%block, %thread] : memref<4x8xf32>
      memref.store %v, %result[%block, %thread] : memref<4x8xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  memref.copy %result, %out : memref<4x8xf32> to memref<4x8xf32>
  memref.dealloc %result : memref<4x8xf32>
  return
}

// -----

// Host code that reads an argument itself: no gru.device_arguments.
// CHECK-LABEL: func @host_reads(
// CHECK-NOT: gru.device_arguments
// CHECK-SAME: {
func.func @host_reads(%x: memref<4x8xf32>, %out: memref<4x8xf32>) {
  linalg.exp ins(%x : memref<4x8xf32>) outs(%out : memref<4x8xf32>)
  scf.forall (%block) in (4) {
    scf.forall (%thread) in (8) {
      %v = memref.load %x[%block, %thread] : memref<4x8xf32>
      memref.store %v, %out[%block, %thread] : memref<4x8xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// A device call (convert-gru-to-cudnn's) takes its gru.device buffers on
// the device, as a kernel would: the input is copied in, the buffers it
// writes are not but are copied back after the run, the host buffer stays
// on the host, and a buffer that only the call and the kernels use is a
// device buffer alone. The marks are dropped once used.
// CHECK-LABEL: func.func private @call(memref<?xf32, strided<[?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>)
// CHECK-NOT: gru.device
// CHECK-LABEL: func @device_call
// CHECK-SAME: (%[[X:.*]]: memref<8xf32>, %[[W:.*]]: memref<8xf32>, %[[OUT:.*]]: memref<8xf32>)
// CHECK: %[[CW:.*]] = memref.cast %[[W]]
// CHECK: %[[START:.*]] = gpu.wait async
// CHECK: %[[DX:.*]], %[[T1:.*]] = gpu.alloc async [%[[START]]] () : memref<8xf32>
// CHECK-NEXT: %[[T2:.*]] = gpu.memcpy async [%[[T1]]] %[[DX]], %[[X]]
// CHECK-NEXT: %[[CX:.*]] = memref.cast %[[DX]]
// CHECK-NEXT: %[[DY:.*]], %[[T3:.*]] = gpu.alloc async [%[[T2]]] () : memref<8xf32>
// CHECK-NEXT: %[[CY:.*]] = memref.cast %[[DY]]
// CHECK-NEXT: %[[DS:.*]], %{{.*}} = gpu.alloc async [%[[T3]]] () : memref<8xf32>
// CHECK-NEXT: %[[CS:.*]] = memref.cast %[[DS]]
// CHECK: call @call(%[[CX]], %[[CW]], %[[CY]], %[[CS]])
// CHECK: gpu.launch
// CHECK:   memref.load %[[DS]]
// CHECK:   memref.store %{{.*}}, %[[DY]]
// CHECK: gpu.memcpy async [%{{.*}}] %[[OUT]], %[[DY]]
// CHECK: gpu.wait [
func.func private @call(memref<?xf32, strided<[?], offset: ?>> {gru.device},
                        memref<?xf32, strided<[?], offset: ?>>,
                        memref<?xf32, strided<[?], offset: ?>> {gru.device, gru.written},
                        memref<?xf32, strided<[?], offset: ?>> {gru.device, gru.written})
func.func @device_call(%x: memref<8xf32>, %w: memref<8xf32>, %out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %y = memref.alloc() : memref<8xf32>
  %scratch = memref.alloc() : memref<8xf32>
  %cx = memref.cast %x : memref<8xf32> to memref<?xf32, strided<[?], offset: ?>>
  %cw = memref.cast %w : memref<8xf32> to memref<?xf32, strided<[?], offset: ?>>
  %cy = memref.cast %y : memref<8xf32> to memref<?xf32, strided<[?], offset: ?>>
  %cs = memref.cast %scratch : memref<8xf32> to memref<?xf32, strided<[?], offset: ?>>
  func.call @call(%cx, %cw, %cy, %cs) : (memref<?xf32, strided<[?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>) -> ()
  scf.forall (%b) in (1) {
    scf.forall (%t) in (8) {
      %v = memref.load %scratch[%t] : memref<8xf32>
      memref.store %v, %y[%t] : memref<8xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  memref.copy %y, %out : memref<8xf32> to memref<8xf32>
  memref.dealloc %y : memref<8xf32>
  memref.dealloc %scratch : memref<8xf32>
  return
}
