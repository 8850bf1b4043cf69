//===- gru-opt.cpp - the gru compiler's optimizer driver -------------------===//
//
// Like mlir-opt, for models that use the gru dialect: parses a .mlir file,
// runs the passes named on the command line and prints the result.
//
//===----------------------------------------------------------------------===//

#include "gru/Conversion/Passes.h"
#include "gru/Pipelines/Pipelines.h"
#include "gru/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  mlir::gru::registerGRUPasses();
  mlir::gru::registerGRUConversionPasses();
  mlir::gru::registerGRUPipelines();
  mlir::gru::registerGRUPipelinePasses();

  mlir::DialectRegistry registry;
  mlir::gru::registerGRUCompilerDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "gru compiler optimizer driver\n", registry));
}
