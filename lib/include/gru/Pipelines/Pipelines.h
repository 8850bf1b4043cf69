//===- Pipelines.h - registered gru pipelines -------------------*- C++ -*-===//

#ifndef GRU_PIPELINES_PIPELINES_H
#define GRU_PIPELINES_PIPELINES_H

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
};

/// gru dialect to pure tensor code: dropout, state and unrolling made
/// explicit, weights folded, layers lowered to loops, instance data bound
/// to function arguments.
void buildGRUToTensorPipeline(OpPassManager &pm);

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
