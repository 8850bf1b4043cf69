//===- ModelInput.h - reading models within the tools' limits -*- C++ -*-===//
//
// gru-opt, gru-compile and the fuzz targets read models through these, so
// that no input (a device that never ends, text nested deeper than the
// parser's recursion can take) crashes a tool: each limit is a diagnostic.
//
//===----------------------------------------------------------------------===//

#ifndef GRU_TOOLS_MODELINPUT_H
#define GRU_TOOLS_MODELINPUT_H

#include "mlir/Support/LLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <functional>
#include <memory>

namespace mlir::gru {

/// The largest model file the tools read (1 GiB).
constexpr uint64_t kMaxInputBytes = uint64_t(1) << 30;
/// The deepest nesting of brackets ( [ { < in a textual model.
constexpr int kMaxNesting = 256;
/// The stack on which the tools parse and compile (see runWithLargeStack).
constexpr unsigned kToolStackBytes = 512u << 20;

/// Reads `path` ("-" for standard input) into a buffer, failing with a
/// message in `error` if it cannot be read or holds more than
/// kMaxInputBytes.
std::unique_ptr<llvm::MemoryBuffer> readModelInput(StringRef path,
                                                   std::string &error);

/// Checks that textual MLIR in `buffer` nests brackets at most kMaxNesting
/// deep (outside strings and comments); reports the first bracket beyond
/// that through `sourceMgr`, which holds `buffer`. Bytecode passes as is.
LogicalResult checkNesting(const llvm::SourceMgr &sourceMgr,
                           const llvm::MemoryBuffer &buffer);

/// Runs `body` on a thread with a stack of kToolStackBytes (MLIR's parser
/// and IR walks recurse once per nesting level) and returns its result; a
/// crash is reported as an internal error with result 1.
int runWithLargeStack(const std::function<int()> &body);

} // namespace mlir::gru

#endif // GRU_TOOLS_MODELINPUT_H
