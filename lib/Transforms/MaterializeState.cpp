//===- MaterializeState.cpp - the gru-materialize-state pass ---------------===//
//
// A stateful layer keeps its final state for the next call. This pass makes
// that explicit: the kept state is a mutable `ml_program.global` (zeros until
// the first call), loaded as the layer's initial state unless the call gives
// one, and overwritten with the final state after the call. The layer itself
// becomes stateless.
//
//===----------------------------------------------------------------------===//

#include "gru/IR/GRUOps.h"
#include "gru/Transforms/Passes.h"

#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::gru {
#define GEN_PASS_DEF_GRUMATERIALIZESTATE
#include "gru/Transforms/Passes.h.inc"
} // namespace mlir::gru

using namespace mlir;
using namespace mlir::gru;

namespace {

/// Declares the global holding `op`'s kept state, initially zeros, before the
/// function that contains `op`.
ml_program::GlobalOp declareStateGlobal(RewriterBase &rewriter,
                                        SymbolTable &symbols, LayerOp op,
                                        RankedTensorType type) {
  OpBuilder::InsertionGuard guard(rewriter);
  Block &moduleBody = symbols.getOp()->getRegion(0).front();
  rewriter.setInsertionPoint(moduleBody.findAncestorOpInBlock(*op));
  auto global = ml_program::GlobalOp::create(
      rewriter, op.getLoc(), rewriter.getStringAttr("gru_state"),
      TypeAttr::get(type), rewriter.getUnitAttr(),
      DenseElementsAttr::get(type, rewriter.getZeroAttr(type.getElementType())),
      rewriter.getStringAttr("private"));
  symbols.insert(global); // renames it if the name is taken
  return global;
}

void materialize(RewriterBase &rewriter, SymbolTable &symbols, LayerOp op) {
  Location loc = op.getLoc();
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto stateType = RankedTensorType::get(
      {inputType.getDimSize(0), static_cast<int64_t>(op.getUnits())}, inputType.getElementType());
  ml_program::GlobalOp global =
      declareStateGlobal(rewriter, symbols, op, stateType);
  auto ref = FlatSymbolRefAttr::get(global.getSymNameAttr());

  rewriter.setInsertionPoint(op);
  // An explicit initial state takes precedence for this call.
  Value initialState = op.getInitialState();
  if (!initialState)
    initialState =
        ml_program::GlobalLoadOp::create(rewriter, loc, stateType, ref);

  // The same layer, stateless, starting from `initialState` and returning
  // its final state.
  SmallVector<Type> resultTypes{op.getOutput().getType(), stateType};
  auto stateless = cast<LayerOp>(rewriter.clone(*op));
  rewriter.modifyOpInPlace(stateless, [&] {
    stateless.getInitialStateMutable().assign(initialState);
    stateless.setStateful(false);
    stateless.setReturnState(true);
  });
  auto replacement = LayerOp::create(
      rewriter, loc, resultTypes, stateless->getOperands(),
      stateless->getAttrs());
  rewriter.eraseOp(stateless);
  Value finalState = replacement.getFinalState();
  ml_program::GlobalStoreOp::create(rewriter, loc, ref, finalState);

  SmallVector<Value> results{replacement.getOutput()};
  if (op.getReturnState())
    results.push_back(finalState);
  rewriter.replaceOp(op, results);
}

struct GRUMaterializeStatePass
    : gru::impl::GRUMaterializeStateBase<GRUMaterializeStatePass> {
  void runOnOperation() override {
    SymbolTable symbols(getOperation());
    IRRewriter rewriter(&getContext());
    SmallVector<LayerOp> stateful;
    getOperation().walk([&](LayerOp op) {
      if (op.getStateful())
        stateful.push_back(op);
    });
    for (LayerOp op : stateful)
      materialize(rewriter, symbols, op);
  }
};

} // namespace
