//===- Emitters.h - object code, C wrapper and linking ----------*- C++ -*-===//

#ifndef GRU_AOT_EMITTERS_H
#define GRU_AOT_EMITTERS_H

#include "gru/AOT/ModelInterface.h"
#include "gru/Target/CPUTarget.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::gru {

/// A library's CUDA code: the kernels for `chip` (and PTX for newer GPUs)
/// with their host code, whose C interfaces end in
/// targetSymbolSuffix(symbolIndex).
struct CUDACode {
  std::string chip;
  unsigned symbolIndex;
  /// The functions (by name) whose CUDA code takes device buffers too
  /// (gru.device_arguments): they get `<prefix>_<name>_on_device`.
  llvm::StringSet<> onDevice;
};

/// Whether `cuda` gives function `name` an entry point for device buffers.
inline bool hasDeviceEntry(const std::optional<CUDACode> &cuda,
                           StringRef name) {
  return cuda && cuda->onDevice.contains(name);
}

/// Writes the user-facing header `<prefix>.h`.
void emitHeader(const ModelInterface &model,
                const std::optional<CUDACode> &cuda, StringRef prefix,
                llvm::raw_ostream &os);

/// Writes the C wrapper that implements the header over the functions'
/// MLIR C interface (`_mlir_ciface_<name>`) and the runtime library.
/// Each function calls the CUDA code where its instance runs on CUDA, else
/// the code of the best of `targets` that the CPU runs (their symbols end in
/// targetSymbolSuffix(index)).
void emitWrapper(const ModelInterface &model, ArrayRef<CPUTarget> targets,
                 const std::optional<CUDACode> &cuda, StringRef prefix,
                 StringRef headerName, llvm::raw_ostream &os);

/// A linker version script that exports the symbols of the header and hides
/// every other symbol of the library.
void emitVersionScript(const ModelInterface &model,
                       const std::optional<CUDACode> &cuda, StringRef prefix,
                       llvm::raw_ostream &os);

/// The JSON manifest that `<prefix>_manifest()` returns.
std::string manifestJson(const ModelInterface &model,
                         ArrayRef<CPUTarget> targets,
                         const std::optional<CUDACode> &cuda, StringRef prefix);

/// What the C interfaces of the code for target `index` end in.
inline std::string targetSymbolSuffix(unsigned index) {
  return "_t" + std::to_string(index);
}

struct CodegenOptions {
  CPUTarget target;
  unsigned optLevel = 3;
  /// Appended to the C interfaces of the public functions.
  std::string interfaceSuffix;
};

/// Translates `module` (LLVM dialect) to LLVM IR, optimizes it and writes an
/// object file for the target. Only the C interfaces of the public
/// functions stay visible to the wrapper, as hidden symbols; every other
/// definition becomes internal.
LogicalResult emitObjectFile(ModuleOp module, StringRef path,
                             const CodegenOptions &options);

/// Links the object file, the wrapper source and the runtime library into a
/// shared library with the C compiler `cc` and `flags`, exporting what
/// `versionScript` lists.
LogicalResult linkSharedLibrary(Location loc, StringRef cc, StringRef output,
                                ArrayRef<std::string> inputs,
                                ArrayRef<std::string> includeDirs,
                                StringRef versionScript,
                                ArrayRef<std::string> flags);

} // namespace mlir::gru

#endif // GRU_AOT_EMITTERS_H
