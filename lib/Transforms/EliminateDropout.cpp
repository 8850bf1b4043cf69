//===- EliminateDropout.cpp - the gru-eliminate-dropout pass ---------------===//

#include "gru/IR/GRUOps.h"
#include "gru/Transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::gru {
#define GEN_PASS_DEF_GRUELIMINATEDROPOUT
#include "gru/Transforms/Passes.h.inc"
} // namespace mlir::gru

using namespace mlir;
using namespace mlir::gru;

namespace {

/// Creates `gru.dropout_mask` for `count` masks of width `width` and the
/// layer's batch size.
Value createMasks(RewriterBase &rewriter, LayerOp op, int64_t count,
                  int64_t width, double rate, int64_t stream) {
  Location loc = op.getLoc();
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  int64_t batch = inputType.getDimSize(0);
  SmallVector<Value> dynamicSizes;
  if (ShapedType::isDynamic(batch))
    dynamicSizes.push_back(
        tensor::DimOp::create(rewriter, loc, op.getInput(), 0));
  auto type = RankedTensorType::get({count, batch, width},
                                    inputType.getElementType());
  return DropoutMaskOp::create(rewriter, loc, type, dynamicSizes,
                               rewriter.getF64FloatAttr(rate), op.getSeedAttr(),
                               rewriter.getI64IntegerAttr(stream));
}

/// Replaces the active dropout of `op` by explicit masks.
void makeDropoutExplicit(RewriterBase &rewriter, LayerOp op,
                         int64_t &nextStream) {
  bool input = op.hasActiveDropout();
  bool recurrent = op.hasActiveRecurrentDropout();
  int64_t features =
      cast<RankedTensorType>(op.getInput().getType()).getDimSize(2);
  rewriter.setInsertionPoint(op);
  Value inputMasks, recurrentMasks;
  // Recurrent dropout gives each gate its own masks (section 6).
  if (input)
    inputMasks = createMasks(rewriter, op, recurrent ? 3 : 1, features,
                             op.getEffectiveDropout(), nextStream++);
  if (recurrent)
    recurrentMasks = createMasks(rewriter, op, 3, op.getUnits(),
                                 op.getEffectiveRecurrentDropout(),
                                 nextStream++);
  rewriter.modifyOpInPlace(op, [&] {
    if (inputMasks)
      op.getDropoutMaskMutable().assign(inputMasks);
    if (recurrentMasks)
      op.getRecurrentDropoutMaskMutable().assign(recurrentMasks);
    op.setDropout(APFloat(0.0));
    op.setRecurrentDropout(APFloat(0.0));
  });
  op.removeInactiveDropout(rewriter);
}

struct GRUEliminateDropoutPass
    : gru::impl::GRUEliminateDropoutBase<GRUEliminateDropoutPass> {
  void runOnOperation() override {
    // Streams must differ between all masks of a model so that they are
    // independent; continue after those already present.
    int64_t nextStream = 0;
    getOperation()->walk([&](DropoutMaskOp mask) {
      nextStream =
          std::max(nextStream, static_cast<int64_t>(mask.getStream()) + 1);
    });
    IRRewriter rewriter(&getContext());
    getOperation()->walk([&](LayerOp op) {
      if (op.hasActiveDropout() || op.hasActiveRecurrentDropout())
        makeDropoutExplicit(rewriter, op, nextStream);
      else
        op.removeInactiveDropout(rewriter);
    });
  }
};

} // namespace
