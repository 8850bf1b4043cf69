//===- StepSemantics.h - a time step's masking rules ------------*- C++ -*-===//
//
// The rules of docs/GRU_SEMANTICS.md section 5 that every lowering of
// gru.layer shares (the fused loops of convert-gru-to-loops and the cells
// of gru-unroll), written once, on scalars or on tensors alike.
//
//===----------------------------------------------------------------------===//

#ifndef GRU_CONVERSION_STEPSEMANTICS_H
#define GRU_CONVERSION_STEPSEMANTICS_H

#include "gru/IR/GRUOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"

#include <utility>

namespace mlir::gru {

/// What a masked step outputs: zeros with zero_output_for_mask, else the
/// previous step's output (zeros before the first processed step).
inline Value maskedStepOutput(LayerOp op, Value zeros, Value previousOutput) {
  return op.getZeroOutputForMask() ? zeros : previousOutput;
}

/// A step's new state and output from the cell's `next`: where `keep` (the
/// row's mask) is false the row keeps `state` and outputs `otherwise`
/// (maskedStepOutput); without a mask both are `next`.
inline std::pair<Value, Value> maskedStep(OpBuilder &b, Location loc,
                                          Value keep, Value next, Value state,
                                          Value otherwise) {
  if (!keep)
    return {next, next};
  return {arith::SelectOp::create(b, loc, keep, next, state),
          arith::SelectOp::create(b, loc, keep, next, otherwise)};
}

} // namespace mlir::gru

#endif // GRU_CONVERSION_STEPSEMANTICS_H
