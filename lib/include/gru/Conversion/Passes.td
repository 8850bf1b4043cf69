//===- Passes.td - gru conversion passes -------------------*- tablegen -*-===//

#ifndef GRU_CONVERSION_PASSES_TD
#define GRU_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertGRUToLoops : Pass<"convert-gru-to-loops"> {
  let summary = "Lower fused gru.layer ops to a time loop of fused tensor ops";
  let description = [{
    Each `gru.layer` becomes: the input projection `x·W + b_i` for all
    timesteps as one product over B·T rows, hoisted out of the time loop; an `scf.for` over the timesteps (in reverse with `go_backwards`)
    carrying the state, the previous output (with a mask) and the output
    sequence (with `return_sequences`); in each step one `(B,U)×(U,3U)`
    product for the recurrent terms (reset_after = true) and one
    `linalg.generic` fusing all gate math, the activations and the masking.
    W and R are packed into column panels once, before the loop, and every
    product is a register-blocked microkernel on vectors: a tile of rows ×
    one panel of accumulators, a broadcast FMA per row and panel vector for
    each k (`vector.fma`), panels outside the row tiles so that one stays in
    cache, and blocks of rows that stay in L2 outside the panels. Products
    of at least 2^20 multiply-adds are shared among threads (`scf.forall`,
    which gru-to-llvm lowers to OpenMP): by chunks of a main tile's rows
    where the packed weights fit in half the L2, so that a thread keeps to
    the rows of the state it wrote, and by panels otherwise, so that each
    core streams part of them. The gate math of a step with B·U ≥ 4096 is
    shared by the same chunks of rows. Where the batch size is dynamic, an
    `scf.if` picks the threaded or the serial version at run time.

    A step whose recurrent product has fewer than 2^22 multiply-adds (B·3U·U;
    decided at run time for a dynamic B) is too small to fork threads for,
    twice a step: such layers run their time loop on a persistent team, one
    OpenMP parallel region around the loop. Each thread owns an even share of
    every gate's panels of R (packed by gate), so the recurrent products and
    the gate math of its units need nothing from the others; the team meets
    at one barrier per step (two with reset_after = false, whose candidate
    product needs every unit's r ⊙ h), where the state is exchanged through
    a double buffer. The team's buffers are allocated before the region, and
    its threads write only their own columns of them. Larger steps whose
    packed R fits in half the L2 run on a persistent team too, whose threads
    own chunks of about B / threads rows (a multiple of 4) instead: the rows
    are independent GRUs, so a thread runs all the steps of its rows over
    every panel and never meets the others. Layers with recurrent dropout (a
    masked state per gate) keep the loop above, and so do those with units
    that fit one panel where the steps are small.

    Every tuning choice comes from the module's target (`gru-attach-target`,
    the host without one), through `KernelTuning` in
    `gru/Target/CPUTarget.h`: the vector width (16 lanes on AVX-512, 8 on
    AVX2, 4 on NEON), the main tile as large as the vector registers hold
    (8×3 vectors with 32 registers, 4×3 with 16), the L2 size.
    Nothing is allocated in the loop beyond what bufferization reuses.
    `gru.activation` becomes a `linalg.generic` over its elements.
    Dropout and state must be explicit (`gru-eliminate-dropout`,
    `gru-materialize-state`), and the layer must not be assigned to cuDNN.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::omp::OpenMPDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def ConvertGRUToGPU : Pass<"convert-gru-to-gpu"> {
  let summary = "Lower fused gru.layer ops to the GPU kernel's algorithm";
  let description = [{
    Each fused `gru.layer` becomes kernels on buffers, each an `scf.forall`
    over blocks (`#gpu.block<x>`) whose body runs `scf.forall`s over the
    threads of the block (`#gpu.thread<x>`) one after the other: the input
    projection `x·W + b_i` of all steps, one thread per element in turns;
    the initial state; R's columns of each block of a step, in the order in
    which its threads read them (marked `gru.block_slices`); and in an
    `scf.for` over the steps (marked `gru.steps` with its regime, in reverse
    with `go_backwards`) the kernel of a step.

    Block c of a step owns the units `[c·S, (c+1)·S)` of all three gates.
    For each (row, unit) it owns, `split` threads take parts of the dot
    products of the state with the unit's three columns of R (FMA in fp32)
    into the block's partial sums, where the block has fewer pairs than
    threads; then one of them adds them up and takes the gate math of
    docs/GRU_SEMANTICS.md (the same code as convert-gru-to-loops), the
    masking and dropout, and writes the new state into the other half of a
    double buffer and the outputs of that (row, unit) alone. With
    `reset_after = false` a first kernel of each step writes r ⊙ h, which
    the candidate's products of all units need.

    The regime is the first that fits the target: `cluster`, one
    thread-block cluster whose blocks hold all of R in shared memory
    (S = ceil(U / cluster-blocks)); `grid`, a block per multiprocessor at
    most, holding R likewise (S = ceil(U / multiprocessors)); `stepwise`,
    the same blocks reading R from device memory.

    A kernel reads what the kernels before it wrote: where they run on a
    GPU, each ends at a barrier of the regime, and the step loop with its
    kernels becomes one persistent kernel (or a launch per kernel,
    stepwise). On a CPU the foralls are loops (`scf-forall-to-parallel`),
    which runs the same algorithm without a GPU. Layers assigned to cuDNN
    are left alone. Dropout and state must be explicit
    (`gru-eliminate-dropout`, `gru-materialize-state`).
  }];
  let options = [
    Option<"multiprocessors", "multiprocessors", "int64_t", "132",
           "Streaming multiprocessors of the GPU">,
    Option<"threadsPerBlock", "threads-per-block", "int64_t", "128",
           "Threads of a block">,
    Option<"sharedMemory", "shared-memory", "int64_t", "232448",
           "Shared memory that a block may have, in bytes">,
    Option<"clusterBlocks", "cluster-blocks", "int64_t", "8",
           "Blocks of the largest thread-block cluster (0: none)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ConvertGRUToCuDNN : Pass<"convert-gru-to-cudnn", "::mlir::ModuleOp"> {
  let summary = "Lower gru.layer ops assigned to cuDNN to calls of cuDNN, "
                "with the fused layer as the run-time fallback";
  let description = [{
    Each `gru.layer` whose `impl` is `cudnn` or `cudnn_if_right_padded`
    (`gru-select-impl`) becomes an `scf.if` on `gru_rt_cudnn_select`, which
    says at run time whether cuDNN can run the call: the layer's mask, if
    any, is strictly right-padded (`gru_rt_mask_lengths`, which also gives
    the rows' lengths) and cuDNN can be loaded and used. The then branch
    calls `gru_rt_cudnn_gru` of the runtime (`gru/cudnn.h`), with the
    weights in Keras's layout on the device, or `gru_rt_cudnn_gru_constant`
    with constant weights on the host, which the instance maps to cuDNN's
    layout once, and the layer's number in the module, by which the
    instance keeps its cuDNN plan; the else branch is the layer
    with `impl = fused`. The run time records the choice in the instance's
    dispatch record.

    cuDNN differs from Keras only at padded steps, where it writes zeros:
    with `return_sequences` and without `zero_output_for_mask`, a kernel
    copies each row's last output there; without `return_sequences`, the
    last output is the last state, or zero where the last step is padded
    with `zero_output_for_mask`. `go_backwards` (without a mask) reverses
    the input in time with a kernel first. The kernels are foralls over
    blocks and threads, as `convert-gru-to-gpu`'s.

    The bridge's declarations mark the buffers that must be on the device
    (`gru.device`) and those it writes (`gru.written`), for
    `gru-map-kernels-to-gpu`.
  }];
  let options = [
    Option<"multiprocessors", "multiprocessors", "int64_t", "132",
           "Blocks of the kernels around the call">,
    Option<"threadsPerBlock", "threads-per-block", "int64_t", "128",
           "Threads of a block">,
    Option<"algoName", "algo", "std::string", "\"standard\"",
           "The cuDNN algorithm: standard, small_h, persist_static, "
           "persist_dynamic">,
    Option<"tf32", "tf32", "bool", "false",
           "TF32 tensor-core math (beyond the 1e-5 of fp32) instead of FMA">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def GRUMapKernelsToGPU : Pass<"gru-map-kernels-to-gpu"> {
  let summary = "Map the kernels of convert-gru-to-gpu onto a GPU";
  let description = [{
    Runs after bufferization. Each kernel of `convert-gru-to-gpu` (an
    `scf.forall` over `#gpu.block<x>` whose body runs `scf.forall`s over
    `#gpu.thread<x>`, all with constant bounds) becomes a `gpu.launch` of as
    many blocks and threads, with a block barrier after each forall over
    threads. The loop of a layer's steps (`gru.steps`) follows its regime:

    * `cluster` and `grid`: one persistent `gpu.launch` (of one cluster of
      all the blocks, or a cooperative grid) in which every block runs the
      loop, and where each kernel of a step ended the blocks meet at a
      cluster barrier or a grid barrier. The grid barrier is a 64-bit device
      counter that only grows: the first thread of a block adds to it with
      release semantics and waits with acquire loads until all blocks are
      in (PTX, since NVPTX in LLVM 22 drops the ordering of `atomicrmw`).
      Block c's rows `[c, ...]` of the `gru.block_slices` buffers live in
      its dynamic shared memory: those that the steps only read (R's
      slices) are copied in when the launch starts, those they write (the
      partial sums) are scratch. A grid's launch is cooperative
      (`gru_rt_cuda_launch_cooperatively`): the driver refuses it where its
      blocks cannot all be resident on the GPU that runs it (fewer
      multiprocessors or less shared memory than the kernels were shaped
      for), and then (`gru_rt_cuda_launch_refused`) the host runs a copy
      of the loop stepwise, never a barrier that waits for ever.
    * `stepwise`: the host runs the loop and launches each kernel of a step.

    Kernels that only pure host code separates (those of a layer) form a
    run, whose buffers move to the device: a buffer allocated for the run's
    kernels alone becomes a device buffer; any other gets a device copy,
    filled before the run where the host wrote it first or did not allocate
    it, and copied back after the run where its kernels write it. The host
    side of a run is asynchronous on one stream (`gpu.wait async` tokens)
    and waits for it at the run's end, so that host code after it sees what
    the kernels wrote.
    Constant buffers (`memref.get_global` of a constant) are not copied:
    the kernels use them as globals of their own module. A function whose
    buffer arguments the host code then only copies to or from the device
    (or reads the sizes of) is marked `gru.device_arguments`: a caller may
    pass device buffers.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // GRU_CONVERSION_PASSES_TD
