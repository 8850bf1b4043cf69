//===- Regularization.h - lowering of penalties and constraints -*- C++ -*-===//

#ifndef GRU_CONVERSION_GRUTOLOOPS_REGULARIZATION_H
#define GRU_CONVERSION_GRUTOLOOPS_REGULARIZATION_H

#include "gru/IR/GRUOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::gru {

/// l1·Σ|w| + l2·Σw² as linalg reductions (accumulated in f64).
Value lowerWeightPenalty(RewriterBase &rewriter, WeightPenaltyOp op);

/// The constraint's formula as linalg ops: norms over the axis, then an
/// elementwise rescaling.
Value lowerConstrain(RewriterBase &rewriter, ConstrainOp op);

} // namespace mlir::gru

#endif // GRU_CONVERSION_GRUTOLOOPS_REGULARIZATION_H
