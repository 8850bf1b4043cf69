//===- GRUDialect.cpp - gru dialect ----------------------------------------===//

#include "gru/IR/GRUDialect.h"
#include "gru/IR/GRUOps.h"

using namespace mlir;
using namespace mlir::gru;

#include "gru/IR/GRUDialect.cpp.inc"

void GRUDialect::initialize() {
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "gru/IR/GRUOps.cpp.inc"
      >();
}

Operation *GRUDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  return arith::ConstantOp::materialize(builder, value, type, loc);
}
