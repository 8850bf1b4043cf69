//===- Unroll.cpp - the gru-unroll pass
//------------------------------------===//
//
// Expands `gru.layer {unroll = true}` into T `gru.cell` steps, masked by the
// rules that the loops share (gru/Conversion/StepSemantics.h).
//
//===----------------------------------------------------------------------===//

#include "gru/Conversion/StepSemantics.h"
#include "gru/IR/GRUOps.h"
#include "gru/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::gru {
#define GEN_PASS_DEF_GRUUNROLL
#include "gru/Transforms/Passes.h.inc"
} // namespace mlir::gru

using namespace mlir;
using namespace mlir::gru;

namespace {

/// Builds the straight-line steps of one layer.
class LayerUnroller {
public:
  LayerUnroller(RewriterBase &rewriter, LayerOp op)
      : b(rewriter), op(op), loc(op.getLoc()) {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    elementType = inputType.getElementType();
    batch = inputType.getDimSize(0);
    steps = inputType.getDimSize(1);
    features = inputType.getDimSize(2);
    units = op.getUnits();
  }

  /// Returns the layer's output and final state.
  std::pair<Value, Value> build() {
    b.setInsertionPoint(op);
    batchSize = tensor::getMixedSize(b, loc, op.getInput(), 0);
    Value zeroOutput = zeros(stateType());
    Value state = op.getInitialState() ? op.getInitialState() : zeroOutput;
    Value previousOutput = zeroOutput;
    Value sequence = op.getReturnSequences()
                         ? tensor::EmptyOp::create(
                               b, loc, sequenceShape(), elementType)
                               .getResult()
                         : Value();
    for (int64_t k = 0; k < steps; ++k) {
      int64_t t = op.getGoBackwards() ? steps - 1 - k : k;
      Value next = CellOp::create(
          b, loc, stateType(), inputAt(t), state, op.getKernel(),
          op.getRecurrentKernel(), op.getBias(), op.getDropoutMask(),
          op.getRecurrentDropoutMask(), op.getActivationAttr(),
          op.getRecurrentActivationAttr(), op.getResetAfterAttr(),
          op.getClipAttr());
      Value keep = op.getMask() ? maskAt(t) : Value();
      auto [kept, output] =
          maskedStep(b, loc, keep, next, state,
                     maskedStepOutput(op, zeroOutput, previousOutput));
      state = kept;
      previousOutput = output;
      if (sequence)
        sequence = insertStep(output, sequence, k);
    }
    return {sequence ? sequence : previousOutput, state};
  }

private:
  RankedTensorType stateType() {
    return RankedTensorType::get({batch, units}, elementType);
  }

  SmallVector<OpFoldResult> sequenceShape() {
    return {batchSize, b.getIndexAttr(steps), b.getIndexAttr(units)};
  }

  Value zeros(RankedTensorType type) {
    Value empty = tensor::EmptyOp::create(
        b, loc, SmallVector<OpFoldResult>{batchSize, b.getIndexAttr(units)},
        type.getElementType());
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elementType));
    return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
  }

  /// x[:, t, :] as (B, F).
  Value inputAt(int64_t t) {
    auto type = RankedTensorType::get({batch, features}, elementType);
    return tensor::ExtractSliceOp::create(
        b, loc, type, op.getInput(),
        {b.getIndexAttr(0), b.getIndexAttr(t), b.getIndexAttr(0)},
        {batchSize, b.getIndexAttr(1), b.getIndexAttr(features)},
        {b.getIndexAttr(1), b.getIndexAttr(1), b.getIndexAttr(1)});
  }

  /// mask[:, t] broadcast to (B, units).
  Value maskAt(int64_t t) {
    auto rowType = RankedTensorType::get({batch}, b.getI1Type());
    Value row = tensor::ExtractSliceOp::create(
        b, loc, rowType, op.getMask(), {b.getIndexAttr(0), b.getIndexAttr(t)},
        {batchSize, b.getIndexAttr(1)}, {b.getIndexAttr(1), b.getIndexAttr(1)});
    Value init = tensor::EmptyOp::create(
        b, loc, SmallVector<OpFoldResult>{batchSize, b.getIndexAttr(units)},
        b.getI1Type());
    return linalg::BroadcastOp::create(b, loc, row, init, {1})->getResult(0);
  }

  /// sequence[:, k, :] = output.
  Value insertStep(Value output, Value sequence, int64_t k) {
    return tensor::InsertSliceOp::create(
        b, loc, output, sequence,
        {b.getIndexAttr(0), b.getIndexAttr(k), b.getIndexAttr(0)},
        {batchSize, b.getIndexAttr(1), b.getIndexAttr(units)},
        {b.getIndexAttr(1), b.getIndexAttr(1), b.getIndexAttr(1)});
  }

  RewriterBase &b;
  LayerOp op;
  Location loc;
  Type elementType;
  int64_t batch, steps, features, units;
  OpFoldResult batchSize;
};

struct GRUUnrollPass : gru::impl::GRUUnrollBase<GRUUnrollPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    WalkResult result = getOperation().walk([&](LayerOp op) {
      if (!op.getUnroll())
        return WalkResult::advance();
      if (failed(checkPreconditions(op)))
        return WalkResult::interrupt();
      auto [output, finalState] = LayerUnroller(rewriter, op).build();
      SmallVector<Value> results{output};
      if (op.getReturnState())
        results.push_back(finalState);
      rewriter.replaceOp(op, results);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  static LogicalResult checkPreconditions(LayerOp op) {
    int64_t steps =
        cast<RankedTensorType>(op.getInput().getType()).getDimSize(1);
    if (steps > kMaxUnrolledSteps)
      return op.emitError() << "unroll = true with " << steps
                            << " steps; at most " << kMaxUnrolledSteps
                            << " steps are unrolled (unrolling is for short "
                               "sequences); set unroll = false";
    return checkExplicitDropoutAndState(op, "gru-unroll");
  }
};

} // namespace
