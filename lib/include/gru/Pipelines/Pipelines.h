//===- Pipelines.h - registered gru pipelines -------------------*- C++ -*-===//

#ifndef GRU_PIPELINES_PIPELINES_H
#define GRU_PIPELINES_PIPELINES_H

#include "gru/Target/GPUTarget.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::gru {

struct GRUToLLVMOptions : public PassPipelineOptions<GRUToLLVMOptions> {
  PassOptions::Option<bool> resultsAsOutParams{
      *this, "results-as-out-params",
      llvm::cl::desc("Return results through caller-provided buffers (the "
                     "ABI of compiled libraries)"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> gpuKernelOnCPU{
      *this, "gpu-kernel-on-cpu",
      llvm::cl::desc("Run fused layers as the GPU kernel's algorithm "
                     "(convert-gru-to-gpu) with its blocks and threads as "
                     "CPU loops, to test it without a GPU"),
      llvm::cl::init(false)};
  PassOptions::Option<int64_t> gpuMultiprocessors{
      *this, "gpu-multiprocessors",
      llvm::cl::desc("Streaming multiprocessors of the GPU kernels' target"),
      llvm::cl::init(GPUTarget().multiprocessors)};
  PassOptions::Option<int64_t> gpuThreadsPerBlock{
      *this, "gpu-threads-per-block",
      llvm::cl::desc("Threads of a block of the GPU kernels"),
      llvm::cl::init(GPUTarget().threadsPerBlock)};
  PassOptions::Option<int64_t> gpuSharedMemory{
      *this, "gpu-shared-memory",
      llvm::cl::desc("Shared memory of a block of the GPU kernels, in bytes "
                     "(negative: sm_90's)"),
      llvm::cl::init(-1)};
  PassOptions::Option<int64_t> gpuClusterBlocks{
      *this, "gpu-cluster-blocks",
      llvm::cl::desc("Blocks of a thread-block cluster of the GPU kernels "
                     "(0: none; negative: sm_90's)"),
      llvm::cl::init(-1)};

  /// The GPU target of the kernels, an sm_90; unset unless gpuKernelOnCPU.
  std::optional<GPUTarget> gpuKernelTarget() const {
    if (!gpuKernelOnCPU)
      return std::nullopt;
    return GPUTarget::forChip("sm_90", gpuMultiprocessors, gpuThreadsPerBlock,
                              gpuSharedMemory, gpuClusterBlocks);
  }
};

/// How the layers that may use cuDNN call it (convert-gru-to-cudnn).
struct CuDNNCalls {
  std::string algo;
  bool tf32 = false;
};

struct GRUToNVVMOptions : public PassPipelineOptions<GRUToNVVMOptions> {
  PassOptions::Option<bool> resultsAsOutParams{
      *this, "results-as-out-params",
      llvm::cl::desc("Return results through caller-provided buffers (the "
                     "ABI of compiled libraries)"),
      llvm::cl::init(false)};
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("The GPU architecture of the SASS"),
      llvm::cl::init("sm_90")};
  PassOptions::Option<std::string> features{*this, "features",
                                            llvm::cl::desc("The PTX version"),
                                            llvm::cl::init("+ptx80")};
  PassOptions::Option<unsigned> optLevel{
      *this, "opt-level",
      llvm::cl::desc("LLVM's optimization level of the "
                     "kernels"),
      llvm::cl::init(3)};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What the gpu.binary holds: fatbin (SASS and PTX), bin "
                     "(SASS), isa (PTX text), offload (LLVM IR)"),
      llvm::cl::init("fatbin")};
  PassOptions::Option<int64_t> multiprocessors{
      *this, "multiprocessors",
      llvm::cl::desc("Streaming multiprocessors of the GPU"),
      llvm::cl::init(GPUTarget().multiprocessors)};
  PassOptions::Option<int64_t> threadsPerBlock{
      *this, "threads-per-block",
      llvm::cl::desc("Threads of a block of the kernels"),
      llvm::cl::init(GPUTarget().threadsPerBlock)};
  PassOptions::Option<int64_t> sharedMemory{
      *this, "shared-memory",
      llvm::cl::desc("Shared memory of a block, in bytes (negative: the "
                     "chip's)"),
      llvm::cl::init(-1)};
  PassOptions::Option<int64_t> clusterBlocks{
      *this, "cluster-blocks",
      llvm::cl::desc("Blocks of a thread-block cluster (0: none; negative: "
                     "the chip's)"),
      llvm::cl::init(-1)};

  PassOptions::Option<std::string> cudnn{
      *this, "cudnn",
      llvm::cl::desc("The cuDNN algorithm of the layers that may use cuDNN "
                     "(standard, small_h, persist_static, persist_dynamic), "
                     "or none: every layer runs the fused kernels"),
      llvm::cl::init("standard")};
  PassOptions::Option<bool> cudnnTF32{
      *this, "cudnn-tf32",
      llvm::cl::desc("cuDNN with TF32 tensor-core math, beyond the 1e-5 of "
                     "fp32"),
      llvm::cl::init(false)};

  /// How layers call cuDNN, none where they do not.
  std::optional<CuDNNCalls> cudnnCalls() const {
    if (cudnn == "none")
      return std::nullopt;
    return CuDNNCalls{cudnn, cudnnTF32};
  }

  /// The GPU target of the kernels.
  GPUTarget target() const {
    return GPUTarget::forChip(chip, multiprocessors, threadsPerBlock,
                              sharedMemory, clusterBlocks);
  }
};

/// gru dialect to pure tensor code: dropout, state and unrolling made
/// explicit, weights folded, layers lowered to loops, instance data bound
/// to function arguments.
/// With `gpuKernel`, fused layers become the algorithm of the GPU kernels for
/// that target instead of the CPU loops; with `cudnn` too, the layers that
/// may use cuDNN call it, with those kernels as the fallback.
void buildGRUToTensorPipeline(OpPassManager &pm,
                              std::optional<GPUTarget> gpuKernel = {},
                              std::optional<CuDNNCalls> cudnn = {});

/// Tensor code to the LLVM dialect: bufferization, loops, math, LLVM.
void buildTensorToLLVMPipeline(OpPassManager &pm,
                               const GRUToLLVMOptions &options);

/// gru-export-regularization and both of the above: the `gru-to-llvm`
/// pipeline.
void buildGRUToLLVMPipeline(OpPassManager &pm, const GRUToLLVMOptions &options);

/// Tensor code with the kernels of convert-gru-to-gpu to host code in the
/// LLVM dialect that launches them and the kernels compiled for the GPU.
void buildTensorToNVVMPipeline(OpPassManager &pm,
                               const GRUToNVVMOptions &options);

/// gru dialect to host code in the LLVM dialect that launches the kernels of
/// convert-gru-to-gpu through the runtime's mgpu* functions, and the kernels
/// compiled for the GPU: the `gru-to-nvvm` pipeline.
void buildGRUToNVVMPipeline(OpPassManager &pm, const GRUToNVVMOptions &options);

/// Registers `gru-to-llvm` and `gru-to-nvvm`.
void registerGRUPipelines();

/// Registers the upstream passes the pipelines use, so that gru-opt can run
/// them one by one.
void registerGRUPipelinePasses();

/// The dialects and interface implementations a model and its lowering use.
void registerGRUCompilerDialects(DialectRegistry &registry);

} // namespace mlir::gru

#endif // GRU_PIPELINES_PIPELINES_H
