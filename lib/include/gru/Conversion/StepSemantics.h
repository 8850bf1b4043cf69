//===- StepSemantics.h - a time step's math and masking rules ---*- C++ -*-===//
//
// The gate math of docs/GRU_SEMANTICS.md section 2 and the masking rules of
// section 5, written once for every lowering of gru.layer: the fused loops of
// convert-gru-to-loops, the cells of gru-unroll and the GPU kernel of
// convert-gru-to-gpu. Each works on scalars or on tensors alike.
//
//===----------------------------------------------------------------------===//

#ifndef GRU_CONVERSION_STEPSEMANTICS_H
#define GRU_CONVERSION_STEPSEMANTICS_H

#include "gru/IR/GRUOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <optional>
#include <utility>

namespace mlir::gru {

/// The operands of one step's gate math: the input projections of z, r and
/// h and their recurrent terms. With reset_after = false, hr is unused (r
/// was applied before the candidate's product) and hh is (r ⊙ h)·R_h.
struct GateInputs {
  Value xz, xr, xh, hz, hr, hh;
};

/// The gate math of one element of a step, on scalar floats.
struct GateMath {
  Activation activation, recurrentActivation;
  bool resetAfter;
  std::optional<double> clip;

  template <typename OpTy> static GateMath of(OpTy op) {
    std::optional<double> clip;
    if (FloatAttr bound = op.getClipAttr())
      clip = bound.getValueAsDouble();
    return {op.getActivation(), op.getRecurrentActivation(), op.getResetAfter(),
            clip};
  }

  /// `activation` of x, x first clipped into [-clip, clip] where the layer
  /// has a clip.
  Value gate(ImplicitLocOpBuilder &b, Activation activation, Value x) const;

  /// The reset gate r = σ(xr + hr).
  Value reset(ImplicitLocOpBuilder &b, Value xr, Value hr) const;

  /// The new state z ⊙ h + (1 − z) ⊙ φ(xh + r ⊙ hh) with reset_after, else
  /// z ⊙ h + (1 − z) ⊙ φ(xh + hh), where z = σ(xz + hz) and r = σ(xr + hr).
  Value next(ImplicitLocOpBuilder &b, const GateInputs &in, Value h) const;
};

/// Fails with a diagnostic naming `pass` unless the layer's dropout and state
/// are explicit (gru-eliminate-dropout, gru-materialize-state), as every
/// lowering of its steps needs them.
inline LogicalResult checkExplicitDropoutAndState(LayerOp op, StringRef pass) {
  if (op.hasActiveDropout() || op.hasActiveRecurrentDropout())
    return op.emitError() << pass
                          << " needs explicit dropout masks; run "
                             "gru-eliminate-dropout first";
  if (op.getStateful())
    return op.emitError() << pass
                          << " needs explicit state; run "
                             "gru-materialize-state first";
  return success();
}

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
