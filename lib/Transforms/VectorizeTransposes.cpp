//===- VectorizeTransposes.cpp - the gru-vectorize-transposes pass -------===//
//
// Packing weights into column panels is a transpose that moves whole rows:
// (K, panels, width) to (panels, K, width). Copied a row at a time as one
// vector, it runs at the speed of the loads and stores instead of one
// element per store.
//
//===----------------------------------------------------------------------===//

#include "gru/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::gru {
#define GEN_PASS_DEF_GRUVECTORIZETRANSPOSES
#include "gru/Transforms/Passes.h.inc"
} // namespace mlir::gru

using namespace mlir;

namespace {

/// Whether `type` has unit stride in its innermost dimension.
bool rowsAreContiguous(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         strides.back() == 1;
}

struct TransposeAsRowCopies : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  static constexpr int64_t kMaxPiece = 256;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto input = dyn_cast<MemRefType>(op.getInput().getType());
    auto output = dyn_cast<MemRefType>(op.getInit().getType());
    ArrayRef<int64_t> permutation = op.getPermutation();
    int64_t rank = permutation.size();
    if (!input || !output || rank < 2 || permutation.back() != rank - 1)
      return rewriter.notifyMatchFailure(op, "not a transpose of rows");
    int64_t width = output.getDimSize(rank - 1);
    if (ShapedType::isDynamic(width) || !rowsAreContiguous(input) ||
        !rowsAreContiguous(output) || !output.getElementType().isIntOrFloat())
      return rewriter.notifyMatchFailure(op, "rows are not static vectors");

    Location loc = op.getLoc();
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    SmallVector<Value> lower(rank - 1, zero), steps(rank - 1, one), upper;
    for (int64_t d = 0; d + 1 < rank; ++d)
      upper.push_back(
          memref::DimOp::create(rewriter, loc, op.getInit(), d).getResult());
    // A row is copied in pieces of at most kMaxPiece elements: LLVM splits
    // each into native vectors, and a row of 100k floats stays a loop.
    int64_t piece = std::min(width, kMaxPiece);
    int64_t wholePieces = width - width % piece;
    auto copyRow = [&](OpBuilder &b, Location loc, ValueRange outer) {
      auto copyPiece = [&](OpBuilder &b, Location loc, Value first,
                           int64_t size) {
        SmallVector<Value> to(outer), from(rank);
        to.push_back(first);
        // Output dimension d is input dimension permutation[d].
        for (int64_t d = 0; d < rank; ++d)
          from[permutation[d]] = to[d];
        auto type = VectorType::get({size}, output.getElementType());
        Value row = vector::TransferReadOp::create(
            b, loc, type, op.getInput(), from,
            /*padding=*/std::nullopt, ArrayRef<bool>{true});
        vector::TransferWriteOp::create(b, loc, row, op.getInit(), to,
                                        ArrayRef<bool>{true});
      };
      if (wholePieces == piece) {
        copyPiece(b, loc, zero, piece);
      } else {
        auto index = [&](int64_t v) {
          return arith::ConstantIndexOp::create(b, loc, v);
        };
        scf::ForOp::create(
            b, loc, zero, index(wholePieces), index(piece), ValueRange{},
            [&](OpBuilder &b, Location loc, Value first, ValueRange) {
              copyPiece(b, loc, first, piece);
              scf::YieldOp::create(b, loc);
            });
      }
      if (wholePieces != width)
        copyPiece(b, loc, arith::ConstantIndexOp::create(b, loc, wholePieces),
                  width - wholePieces);
    };
    scf::buildLoopNest(rewriter, loc, lower, upper, steps, copyRow);
    rewriter.eraseOp(op);
    return success();
  }
};

struct GRUVectorizeTransposesPass
    : gru::impl::GRUVectorizeTransposesBase<GRUVectorizeTransposesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<TransposeAsRowCopies>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
