//===- ObjectEmitter.cpp - LLVM dialect to an object file ------------------===//

#include "gru/AOT/Emitters.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace mlir::gru;

namespace {

llvm::CodeGenOptLevel codegenLevel(unsigned level) {
  switch (level) {
  case 0:
    return llvm::CodeGenOptLevel::None;
  case 1:
    return llvm::CodeGenOptLevel::Less;
  case 2:
    return llvm::CodeGenOptLevel::Default;
  default:
    return llvm::CodeGenOptLevel::Aggressive;
  }
}

/// Keeps the model's code to itself: the C interfaces that the wrapper calls
/// become hidden, every other definition internal, so that no symbol of the
/// model is exported or can be bound to another library's.
void internalizeDefinitions(llvm::Module &module, StringRef interfaceSuffix) {
  std::string interfacePrefix = ("_mlir_ciface_" + kHiddenSymbolPrefix).str();
  for (llvm::GlobalValue &value : module.global_values()) {
    if (value.isDeclaration() || value.hasLocalLinkage() ||
        value.getName().starts_with("llvm."))
      continue;
    if (isa<llvm::Function>(value) &&
        value.getName().starts_with(interfacePrefix)) {
      value.setVisibility(llvm::GlobalValue::HiddenVisibility);
      value.setName(value.getName() + interfaceSuffix);
    } else
      value.setLinkage(llvm::GlobalValue::InternalLinkage);
  }
}

/// The runtime turns a failed allocation into GRU_ERR_OUT_OF_MEMORY on the
/// calling thread only (gru/runtime.h), so no parallel region may allocate.
LogicalResult checkNoAllocationInParallelRegions(ModuleOp module) {
  WalkResult result = module.walk([](omp::ParallelOp parallel) {
    WalkResult inner = parallel.walk([](LLVM::CallOp call) {
      std::optional<StringRef> callee = call.getCallee();
      if (callee && callee->starts_with("_mlir_memref_to_llvm"))
        return call.emitError() << "internal error: an allocation inside a "
                                   "parallel region could not report out "
                                   "of memory",
               WalkResult::interrupt();
      return WalkResult::advance();
    });
    return inner;
  });
  return failure(result.wasInterrupted());
}

} // namespace

LogicalResult mlir::gru::emitObjectFile(ModuleOp module, StringRef path,
                                        const CodegenOptions &options) {
  if (failed(checkNoAllocationInParallelRegions(module)))
    return failure();
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  registerOpenMPDialectTranslation(*module.getContext());

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return module.emitError() << "translation to LLVM IR failed", failure();

  const CPUTarget &target = options.target;
  llvm::Triple triple(target.triple);
  std::string error;
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return module.emitError() << "no LLVM target for " << triple.str() << ": "
                              << error,
           failure();
  std::unique_ptr<llvm::TargetMachine> machine(llvmTarget->createTargetMachine(
      triple, target.cpu, target.features, llvm::TargetOptions(),
      llvm::Reloc::PIC_, std::nullopt, codegenLevel(options.optLevel)));
  if (!machine)
    return module.emitError() << "cannot target CPU '" << target.cpu << "'",
           failure();
  internalizeDefinitions(*llvmModule, options.interfaceSuffix);
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(triple);
  // The microkernels use full-width vectors already, so the vectorized
  // elementwise loops (gate math) may as well.
  std::string vectorWidth =
      std::to_string(KernelTuning::forTarget(target).preferVectorBits);
  for (llvm::Function &function : *llvmModule)
    if (!function.isDeclaration())
      function.addFnAttr("prefer-vector-width", vectorWidth);

  if (llvm::Error err = makeOptimizingTransformer(options.optLevel, 0,
                                                  machine.get())(
          llvmModule.get())) {
    std::string message = llvm::toString(std::move(err));
    return module.emitError() << "LLVM optimization failed: " << message,
           failure();
  }

  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return module.emitError() << "cannot write " << path << ": "
                              << ec.message(),
           failure();
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, os, nullptr,
                                   llvm::CodeGenFileType::ObjectFile))
    return module.emitError() << "the target cannot emit object files",
           failure();
  passes.run(*llvmModule);
  return success();
}
