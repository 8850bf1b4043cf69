//===- ApproximateMath.cpp - the gru-approximate-math pass -----------------===//
//
// Replaces transcendental math ops (tanh, exp, expm1, log1p, erf, ...) on f32
// by MLIR's polynomial approximations, built from arith ops, so that LLVM
// vectorizes the gate math instead of calling libm once per element. Their
// error is a few ulp, far inside the 1e-5 the Keras comparison allows.
//
//===----------------------------------------------------------------------===//

#include "gru/Transforms/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::gru {
#define GEN_PASS_DEF_GRUAPPROXIMATEMATH
#include "gru/Transforms/Passes.h.inc"
} // namespace mlir::gru

using namespace mlir;

namespace {

struct GRUApproximateMathPass
    : gru::impl::GRUApproximateMathBase<GRUApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
