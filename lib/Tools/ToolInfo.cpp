//===- ToolInfo.cpp - what the tools say about themselves -----------------===//

#include "gru/Tools/ToolInfo.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

StringRef gru::projectVersion() { return GRU_VERSION; }

void gru::setToolVersionPrinter(StringRef tool) {
  std::string name = tool.str();
  llvm::cl::SetVersionPrinter([name](llvm::raw_ostream &os) {
    os << name << " (gru-compiler) " << projectVersion() << "\n  LLVM "
       << LLVM_VERSION_STRING << ", host CPU " << llvm::sys::getHostCPUName()
       << "\n";
  });
}

std::string gru::installationRoot(const char *argv0, void *anchor) {
  std::string executable = llvm::sys::fs::getMainExecutable(argv0, anchor);
  return llvm::sys::path::parent_path(llvm::sys::path::parent_path(executable))
      .str();
}
