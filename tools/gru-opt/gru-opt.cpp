//===- gru-opt.cpp - the gru compiler's optimizer driver ------------------===//
//
// Like mlir-opt, for models that use the gru dialect: parses a .mlir file,
// runs the passes named on the command line and prints the result. Inputs
// are read within the tools' limits (gru/Tools/ModelInput.h) and processed
// on a large stack, so that no input crashes it.
//
//===----------------------------------------------------------------------===//

#include "gru/Conversion/Passes.h"
#include "gru/Pipelines/Pipelines.h"
#include "gru/Tools/ModelInput.h"
#include "gru/Tools/ToolInfo.h"
#include "gru/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

static int optimize(StringRef inputPath, StringRef outputPath,
                    DialectRegistry &registry,
                    const MlirOptMainConfig &config) {
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      gru::readModelInput(inputPath, error);
  if (!input) {
    llvm::errs() << "gru-opt: error: " << error << "\n";
    return 1;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(input->getMemBufferRef(), false),
      llvm::SMLoc());
  if (failed(gru::checkNesting(sourceMgr, *input)))
    return 1;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputPath, &error);
  if (!output) {
    llvm::errs() << "gru-opt: error: " << error << "\n";
    return 1;
  }
  if (failed(MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1;
  output->keep();
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerTransformsPasses();
  gru::registerGRUPasses();
  gru::registerGRUConversionPasses();
  gru::registerGRUPipelines();
  gru::registerGRUPipelinePasses();

  DialectRegistry registry;
  gru::registerGRUCompilerDialects(registry);
  gru::setToolVersionPrinter("gru-opt");
  auto [inputPath, outputPath] = registerAndParseCLIOptions(
      argc, argv, "gru compiler optimizer driver\n", registry);
  MlirOptMainConfig config = MlirOptMainConfig::createFromCLOptions();
  if (config.shouldShowDialects() || config.shouldListPasses())
    return asMainReturnCode(
        MlirOptMain(argc, argv, inputPath, outputPath, registry));
  return gru::runWithLargeStack(
      [&] { return optimize(inputPath, outputPath, registry, config); });
}
