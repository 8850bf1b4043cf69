//===- ModelInput.cpp - reading model files within the tools' limits ------===//

#include "gru/Tools/ModelInput.h"

#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SmallVectorMemoryBuffer.h"

using namespace mlir;

std::unique_ptr<llvm::MemoryBuffer>
mlir::gru::readModelInput(StringRef path, std::string &error) {
  llvm::Expected<llvm::sys::fs::file_t> file =
      path == "-" ? llvm::sys::fs::getStdinHandle()
                  : llvm::sys::fs::openNativeFileForRead(path);
  if (!file) {
    error =
        "cannot open '" + path.str() + "': " + llvm::toString(file.takeError());
    return nullptr;
  }
  // Read in chunks up to the limit: devices and pipes have no size.
  SmallVector<char, 0> text;
  std::error_code failure;
  while (true) {
    constexpr size_t chunk = size_t(1) << 20;
    size_t used = text.size();
    text.resize_for_overwrite(used + chunk);
    llvm::Expected<size_t> read = llvm::sys::fs::readNativeFile(
        *file, MutableArrayRef<char>(text.data() + used, chunk));
    if (!read) {
      failure = llvm::errorToErrorCode(read.takeError());
      break;
    }
    text.truncate(used + *read);
    if (*read == 0 || text.size() > kMaxInputBytes)
      break;
  }
  if (path != "-")
    llvm::sys::fs::closeFile(*file);
  if (failure) {
    error = "cannot read '" + path.str() + "': " + failure.message();
    return nullptr;
  }
  if (text.size() > kMaxInputBytes) {
    error = "'" + path.str() + "' is larger than " +
            std::to_string(kMaxInputBytes >> 20) +
            " MiB, the largest model file the tools read";
    return nullptr;
  }
  return std::make_unique<llvm::SmallVectorMemoryBuffer>(
      std::move(text), path == "-" ? "<stdin>" : path,
      /*RequiresNullTerminator=*/true);
}

LogicalResult mlir::gru::checkNesting(const llvm::SourceMgr &sourceMgr,
                                      const llvm::MemoryBuffer &buffer) {
  StringRef text = buffer.getBuffer();
  if (text.starts_with("ML\xefR")) // bytecode
    return success();
  int depth = 0;
  for (size_t i = 0, e = text.size(); i < e; ++i) {
    char c = text[i];
    if (c == '"') { // a string, with escapes
      for (++i; i < e && text[i] != '"'; ++i)
        i += text[i] == '\\';
    } else if (c == '/' && i + 1 < e && text[i + 1] == '/') {
      i = std::min(text.find('\n', i), e);
    } else if (c == '(' || c == '[' || c == '{' || c == '<') {
      if (++depth > kMaxNesting) {
        sourceMgr.PrintMessage(llvm::SMLoc::getFromPointer(text.data() + i),
                               llvm::SourceMgr::DK_Error,
                               "the input nests brackets deeper than " +
                                   std::to_string(kMaxNesting) +
                                   " levels, the deepest the tools parse");
        return failure();
      }
    } else if (c == ')' || c == ']' || c == '}' ||
               // '>' closes '<' except in '->' and '>='.
               (c == '>' && (i == 0 || text[i - 1] != '-') &&
                (i + 1 == e || text[i + 1] != '='))) {
      depth = std::max(depth - 1, 0);
    }
  }
  return success();
}

int mlir::gru::runWithLargeStack(const std::function<int()> &body) {
  // A crash in the code the tools run (in MLIR's parsers, for example) ends
  // with an error message and status 1 rather than a signal.
  llvm::CrashRecoveryContext::Enable();
  llvm::CrashRecoveryContext recovery;
  int result = 1;
  if (!recovery.RunSafelyOnThread([&] { result = body(); }, kToolStackBytes)) {
    llvm::errs() << "error: internal error: the compiler crashed on this "
                    "input (signal "
                 << recovery.RetCode - 128
                 << "); please report it with the input\n";
    return 1;
  }
  return result;
}
