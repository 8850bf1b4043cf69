//===- compiler_fuzzer.cpp - libFuzzer target for the compiler ------------===//
//
// Parses each input as a model within the tools' limits, verifies it and runs
// the gru-to-llvm pipeline on it, as gru-opt --gru-to-llvm does. Diagnostics
// are expected; a crash, an assertion, a sanitizer report, a timeout or
// running out of memory is a finding. scripts/fuzz.sh builds and runs it.
//
//===----------------------------------------------------------------------===//

#include "gru/Pipelines/Pipelines.h"
#include "gru/Tools/ModelInput.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdint>
#include <memory>

using namespace mlir;

namespace {

/// One context and pass manager serve many inputs (initializing the
/// pipeline costs more than most inputs do); both are made anew every
/// kInputsPerContext inputs so that uniqued attributes do not accumulate.
constexpr int kInputsPerContext = 256;

class Compiler {
public:
  Compiler()
      : context(registry(), MLIRContext::Threading::DISABLED), pm(&context) {
    gru::GRUToLLVMOptions options;
    options.resultsAsOutParams = true;
    gru::buildGRUToLLVMPipeline(pm, options);
  }

  /// Diagnostics are the expected outcome for most inputs: kept quiet.
  void compile(const llvm::SourceMgr &sourceMgr) {
    ScopedDiagnosticHandler quiet(&context,
                                  [](Diagnostic &) { return success(); });
    OwningOpRef<ModuleOp> module =
        parseSourceFile<ModuleOp>(sourceMgr, &context);
    if (module && succeeded(verify(*module)))
      (void)pm.run(*module);
  }

private:
  static DialectRegistry &registry() {
    static DialectRegistry *r = [] {
      auto *registry = new DialectRegistry;
      gru::registerGRUCompilerDialects(*registry);
      return registry;
    }();
    return *r;
  }

  MLIRContext context;
  PassManager pm;
};

/// Whether the input may reach a known crash in MLIR's own parsers rather
/// than in this project's code: `linalg.broadcast`, `linalg.transpose` and
/// `linalg.reduce` crash when what follows `dimensions =` or `permutation =`
/// is not an array of integers (fuzz/regressions/linalg-*-dimensions*.mlir;
/// the tools report it as an internal error). Skipping these lets fuzzing
/// go on past it.
bool mayHitKnownUpstreamCrash(StringRef text) {
  for (StringRef keyword : {"dimensions", "permutation"})
    for (size_t at = text.find(keyword); at != StringRef::npos;
         at = text.find(keyword, at + 1)) {
      StringRef rest = text.drop_front(at + keyword.size()).ltrim();
      if (!rest.consume_front("="))
        continue;
      rest = rest.ltrim();
      if (rest.starts_with("array<"))
        continue; // the generic form, parsed as an attribute
      if (!rest.consume_front("["))
        return true;
      // [ integer (, integer)* ] or []
      rest = rest.ltrim();
      while (!rest.consume_front("]")) {
        rest.consume_front("-");
        size_t digits = rest.find_if_not(llvm::isDigit);
        if (digits == 0 || digits == StringRef::npos)
          return true;
        rest = rest.drop_front(digits).ltrim();
        if (rest.consume_front(","))
          rest = rest.ltrim();
        else if (!rest.starts_with("]"))
          return true;
      }
    }
  return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static std::unique_ptr<Compiler> compiler;
  static int inputs = 0;
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(
      StringRef(reinterpret_cast<const char *>(data), size), "input.mlir");
  llvm::SourceMgr sourceMgr;
  const llvm::MemoryBuffer &text = *buffer;
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  sourceMgr.setDiagHandler([](const llvm::SMDiagnostic &, void *) {});
  if (failed(gru::checkNesting(sourceMgr, text)) ||
      mayHitKnownUpstreamCrash(text.getBuffer()))
    return 0;
  if (!compiler || inputs++ % kInputsPerContext == 0) {
    compiler.reset();
    compiler = std::make_unique<Compiler>();
  }
  compiler->compile(sourceMgr);
  return 0;
}
