//===- Pipelines.cpp - registered gru pipelines ----------------------------===//

#include "gru/Pipelines/Pipelines.h"

#include "gru/Conversion/Passes.h"
#include "gru/IR/GRUDialect.h"
#include "gru/Transforms/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/DLTI/DLTI.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/TilingInterfaceImpl.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::gru;

void mlir::gru::buildGRUToTensorPipeline(OpPassManager &pm,
                                         std::optional<GPUTarget> gpuKernel,
                                         std::optional<CuDNNCalls> cudnn) {
  pm.addPass(createGRUEliminateDropout());
  pm.addPass(createGRUMaterializeState());
  pm.addPass(createGRUUnroll());
  pm.addPass(createGRUSelectImpl(GRUSelectImplOptions{
      gpuKernel ? Target::gpu : Target::cpu, cudnn && gpuKernel}));
  pm.addPass(createCanonicalizerPass()); // also folds initializers
  if (gpuKernel && cudnn)
    pm.addPass(createConvertGRUToCuDNN(ConvertGRUToCuDNNOptions{
        gpuKernel->multiprocessors, gpuKernel->threadsPerBlock, cudnn->algo,
        cudnn->tf32}));
  if (gpuKernel)
    pm.addPass(createConvertGRUToGPU(ConvertGRUToGPUOptions{
        gpuKernel->multiprocessors, gpuKernel->threadsPerBlock,
        gpuKernel->sharedMemoryPerBlock, gpuKernel->clusterBlocks}));
  pm.addPass(createConvertGRUToLoops());
  // Unrolled steps select masked rows with elementwise arith on tensors.
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createGRUApproximateMath());
  pm.addPass(createGRUBindInstance());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

namespace {

/// One-shot bufferization (results through out-parameters where asked),
/// then the deallocations.
void addBufferization(OpPassManager &pm, bool resultsAsOutParams) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  if (resultsAsOutParams) {
    bufferization::BufferResultsToOutParamsPassOptions outParams;
    outParams.hoistStaticAllocs = true;
    outParams.modifyPublicFunctions = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  }
  pm.addNestedPass<func::FuncOp>(bufferization::createBufferLoopHoistingPass());
  bufferization::buildBufferDeallocationPipeline(pm);
}

/// Buffers to control flow: threads, loops, addresses.
void addLoops(OpPassManager &pm) {
  // Products large enough share their panels among threads: scf.forall
  // becomes an OpenMP parallel loop.
  pm.addPass(createForallToParallelLoopPass());
  pm.addPass(createConvertSCFToOpenMPPass());
  // Inlines the alloca scopes of loop bodies that allocate nothing.
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createGRUVectorizeTransposes());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // Expanding strided metadata creates affine.apply ops.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createCanonicalizerPass());
}

/// Control flow on buffers to the LLVM dialect; GPU operations become
/// calls of the runtime's mgpu* functions where `gpu`.
void addToLLVM(OpPassManager &pm, bool gpu) {
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  if (gpu)
    pm.addPass(createGpuToLLVMConversionPass());
  // Buffers come from the runtime's allocator (huge pages for large ones).
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

} // namespace

void mlir::gru::buildTensorToLLVMPipeline(OpPassManager &pm,
                                          const GRUToLLVMOptions &options) {
  addBufferization(pm, options.resultsAsOutParams);
  addLoops(pm);
  addToLLVM(pm, /*gpu=*/false);
}

void mlir::gru::buildGRUToLLVMPipeline(OpPassManager &pm,
                                       const GRUToLLVMOptions &options) {
  pm.addPass(createGRUExportRegularization());
  buildGRUToTensorPipeline(pm, options.gpuKernelTarget());
  buildTensorToLLVMPipeline(pm, options);
}

void mlir::gru::buildGRUToNVVMPipeline(OpPassManager &pm,
                                       const GRUToNVVMOptions &options) {
  pm.addPass(createGRUExportRegularization());
  buildGRUToTensorPipeline(pm, options.target(), options.cudnnCalls());
  buildTensorToNVVMPipeline(pm, options);
}

void mlir::gru::buildTensorToNVVMPipeline(OpPassManager &pm,
                                          const GRUToNVVMOptions &options) {
  addBufferization(pm, options.resultsAsOutParams);
  pm.addPass(createGRUMapKernelsToGPU());
  pm.addPass(createGpuKernelOutliningPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));
  addLoops(pm);
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  addToLLVM(pm, /*gpu=*/true);
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void mlir::gru::registerGRUPipelinePasses() {
  // The upstream passes of the pipelines, to run them one at a time.
  bufferization::registerOneShotBufferizePass();
  bufferization::registerBufferResultsToOutParamsPass();
  bufferization::registerBufferLoopHoistingPass();
  bufferization::registerOwnershipBasedBufferDeallocationPass();
  bufferization::registerBufferDeallocationSimplificationPass();
  bufferization::registerLowerDeallocationsPass();
  registerConvertLinalgToLoopsPass();
  registerConvertElementwiseToLinalgPass();
  memref::registerExpandStridedMetadataPass();
  registerLowerAffinePass();
  registerSCFToControlFlowPass();
  registerConvertVectorToLLVMPass();
  registerConvertMathToLLVMPass();
  registerConvertMathToLibmPass();
  registerFinalizeMemRefToLLVMConversionPass();
  registerArithToLLVMConversionPass();
  registerConvertIndexToLLVMPass();
  registerConvertControlFlowToLLVMPass();
  registerConvertFuncToLLVMPass();
  registerUBToLLVMConversionPass();
  registerSCFForallToParallelLoopPass();
  registerConvertSCFToOpenMPPass();
  registerConvertOpenMPToLLVMPass();
  registerReconcileUnrealizedCastsPass();
  registerGpuKernelOutliningPass();
  registerGpuNVVMAttachTarget();
  registerConvertGpuOpsToNVVMOps();
  registerGpuToLLVMConversionPass();
  registerGpuModuleToBinaryPass();
}

void mlir::gru::registerGRUPipelines() {
  PassPipelineRegistration<GRUToLLVMOptions>(
      "gru-to-llvm",
      "Lower a model using the gru dialect to the LLVM dialect (CPU)",
      buildGRUToLLVMPipeline);
  PassPipelineRegistration<GRUToNVVMOptions>(
      "gru-to-nvvm",
      "Lower a model using the gru dialect to host code in the LLVM dialect "
      "and GPU kernels in a gpu.binary (NVVM, then PTX and SASS)",
      buildGRUToNVVMPipeline);
}

void mlir::gru::registerGRUCompilerDialects(DialectRegistry &registry) {
  registry.insert<GRUDialect, affine::AffineDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, cf::ControlFlowDialect,
                  DLTIDialect, func::FuncDialect, gpu::GPUDialect,
                  linalg::LinalgDialect, LLVM::LLVMDialect, math::MathDialect,
                  memref::MemRefDialect, ml_program::MLProgramDialect,
                  omp::OpenMPDialect, scf::SCFDialect, tensor::TensorDialect,
                  vector::VectorDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  linalg::registerTilingInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  vector::registerBufferizableOpInterfaceExternalModels(registry);
  // The GPU kernels: NVVM, its translation to LLVM IR and its compilation.
  registry.insert<NVVM::NVVMDialect>();
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  // What convert-gpu-to-nvvm and gpu-to-llvm lower besides GPU operations.
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  vector::registerConvertVectorToLLVMInterface(registry);
}
