//===- ToolInfo.h - what the tools say about themselves ---------*- C++ -*-===//
//
// --version and the layout of an installation, the same for every tool.
//
//===----------------------------------------------------------------------===//

#ifndef GRU_TOOLS_TOOLINFO_H
#define GRU_TOOLS_TOOLINFO_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir::gru {

/// The project's version (CMake's PROJECT_VERSION).
StringRef projectVersion();

/// Makes --version print `tool`, the project's version and LLVM's.
void setToolVersionPrinter(StringRef tool);

/// The root of the installation (or build tree) that holds the running
/// tool: the parent of the folder of its executable, where bin/, lib/ and
/// include/ are. `argv0` and `anchor` (an address in the tool) find the
/// executable where /proc cannot.
std::string installationRoot(const char *argv0, void *anchor);

} // namespace mlir::gru

#endif // GRU_TOOLS_TOOLINFO_H
