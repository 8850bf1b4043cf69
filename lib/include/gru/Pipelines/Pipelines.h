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

  /// The GPU target of the kernels; unset unless gpuKernelOnCPU.
  std::optional<GPUTarget> gpuKernelTarget() const {
    if (!gpuKernelOnCPU)
      return std::nullopt;
    return GPUTarget{gpuMultiprocessors, gpuThreadsPerBlock};
  }
};

/// gru dialect to pure tensor code: dropout, state and unrolling made
/// explicit, weights folded, layers lowered to loops, instance data bound
/// to function arguments.
/// With `gpuKernel`, fused layers become the algorithm of the GPU kernels for
/// that target instead of the CPU loops.
void buildGRUToTensorPipeline(OpPassManager &pm,
                              std::optional<GPUTarget> gpuKernel = {});

/// Tensor code to the LLVM dialect: bufferization, loops, math, LLVM.
void buildTensorToLLVMPipeline(OpPassManager &pm,
                               const GRUToLLVMOptions &options);

/// gru-export-regularization and both of the above: the `gru-to-llvm`
/// pipeline.
void buildGRUToLLVMPipeline(OpPassManager &pm, const GRUToLLVMOptions &options);

/// Registers `gru-to-llvm`.
void registerGRUPipelines();

/// Registers the upstream passes the pipelines use, so that gru-opt can run
/// them one by one.
void registerGRUPipelinePasses();

/// The dialects and interface implementations a model and its lowering use.
void registerGRUCompilerDialects(DialectRegistry &registry);

} // namespace mlir::gru

#endif // GRU_PIPELINES_PIPELINES_H
