//===- GRUToLoops.cpp - the convert-gru-to-loops pass ---------------------===//
//
// Lowers gru.layer to a time loop over fused tensor computations:
//
//   proj = x·W + b_i                  one product over all B·T rows, hoisted
//   R packed into column panels       once (PackedMatmul.h)
//   for k in 0..T:                    scf.for, t = k or T−1−k (go_backwards)
//     hr = h·R + b_r                  one (B,U)×(U,3U) microkernel product
//     h', out = gates(proj[:, t], hr, h, mask[:, t])   one fused linalg.generic
//
// With reset_after = false the h block of the recurrent product needs r first,
// so a step is GEMM (z, r blocks), generic (r ⊙ h), GEMM (h block), generic.
// Explicit dropout masks multiply the input before the hoisted GEMM and the
// state before each recurrent GEMM (one GEMM per gate when masks differ per
// gate). Masking follows docs/GRU_SEMANTICS.md section 5. Steps with little
// work run on a persistent team of threads instead (TeamSteps.cpp).
//
//===----------------------------------------------------------------------===//

#include "Regularization.h"
#include "StepBuilder.h"
#include "gru/Conversion/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::gru {
#define GEN_PASS_DEF_CONVERTGRUTOLOOPS
#include "gru/Conversion/Passes.h.inc"
} // namespace mlir::gru

using namespace mlir;
using namespace mlir::gru;

namespace {

/// Builds the loops of one gru.layer.
class LayerLowering : LayerSteps {
public:
  LayerLowering(RewriterBase &rewriter, LayerOp op, const KernelTuning &tuning)
      : LayerSteps(rewriter, op, tuning), rewriter(rewriter) {}

  /// Returns the layer's output and final state.
  std::pair<Value, Value> build() {
    Value projection = sequenceProjection();
    // The output of masked steps with zero_output_for_mask.
    Value zeros = op.getZeroOutputForMask() && op.getMask()
                      ? filled({batch, index(units)}, 0.0)
                      : Value();
    Value initialState = op.getInitialState()
                             ? op.getInitialState()
                             : fill(newBuffer({batch, index(units)}), 0.0);
    // Steps of little work run on a team whose threads own units, larger
    // ones on a team whose threads own rows; either where it may.
    auto steps = [&](bool small) {
      if (small && teamMayRunSteps())
        return team(projection, zeros, initialState, TeamSplit::units);
      if (!small && rowsMayRunOnTeam())
        return team(projection, zeros, initialState, TeamSplit::rows);
      return timeLoop(projection, zeros, initialState);
    };
    if (!teamMayRunSteps() && !rowsMayRunOnTeam())
      return steps(false);
    int64_t workPerRow = 3 * units * units;
    if (std::optional<int64_t> rows = getConstantIntValue(batch))
      return steps(*rows * workPerRow < tuning.teamWork);
    Value rows = getValueOrCreateConstantIndexOp(b, b.getLoc(), batch);
    Value small = arith::CmpIOp::create(
        b, arith::CmpIPredicate::ult,
        arith::MulIOp::create(b, rows, constantIndex(workPerRow)),
        constantIndex(tuning.teamWork));
    Type outputType = op.getOutput().getType();
    auto stateType =
        RankedTensorType::get({staticSize(batch), units}, elementType);
    auto choice = scf::IfOp::create(b, TypeRange{outputType, stateType}, small,
                                    /*withElseRegion=*/true);
    auto branch = [&](Block *block, bool isSmall) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(block);
      auto [output, state] = steps(isSmall);
      scf::YieldOp::create(
          b, ValueRange{castTo(output, outputType), castTo(state, stateType)});
    };
    branch(choice.thenBlock(), true);
    branch(choice.elseBlock(), false);
    return {choice.getResult(0), choice.getResult(1)};
  }

private:
  std::pair<Value, Value> team(Value projection, Value zeros,
                               Value initialState, TeamSplit split) {
    return buildTeamSteps(rewriter, op, tuning, b.saveInsertionPoint(),
                          projection, zeros, initialState, split);
  }

  Value castTo(Value tensor, Type type) {
    if (tensor.getType() == type)
      return tensor;
    return tensor::CastOp::create(b, type, tensor);
  }

  /// Whether the steps may run on a persistent team of threads: one that
  /// splits every gate's units into whole panels (so at least two of them),
  /// without recurrent dropout (whose masked states differ per gate). The
  /// team runs them where a step's recurrent work is below the tuning's
  /// teamWork, decided at run time for a dynamic batch size.
  bool teamMayRunSteps() {
    return !p.recurrentDropoutMask &&
           PanelLayout::forColumns(units, tuning).panels() >= 2;
  }

  /// Whether the steps above the units team's threshold run on a team whose
  /// threads own rows: where R stays in every core's L2 (streaming from
  /// L3, it is better shared by panels), without recurrent dropout.
  bool rowsMayRunOnTeam() {
    PanelLayout layout = PanelLayout::forColumns(units, tuning);
    int64_t packedBytes = 3 * layout.panels() * layout.panelWidth() * units *
                          int64_t(sizeof(float));
    return !p.recurrentDropoutMask && packedBytes <= tuning.l2ResidentBytes;
  }

  /// The loop of the steps on the calling thread, whose products and gate
  /// math may fork threads.
  std::pair<Value, Value> timeLoop(Value projection, Value zeros,
                                   Value initialState) {
    packRecurrentKernel();
    bool masked = op.getMask() != nullptr;

    // Loop-carried: the state, the previous output (only when masked), the
    // output sequence (only with return_sequences) and the step's
    // temporaries, so that each step reuses the same buffers.
    SmallVector<Value> inits{initialState};
    if (masked)
      inits.push_back(fill(newBuffer({batch, index(units)}), 0.0));
    if (op.getReturnSequences())
      inits.push_back(newBuffer({batch, steps, index(units)}));
    size_t firstTemporary = inits.size();
    for (int64_t width : temporaryWidths())
      inits.push_back(newBuffer({batch, index(width)}));

    Value stepCount = getValueOrCreateConstantIndexOp(b, b.getLoc(), steps);
    Value one = constantIndex(1);
    auto loop = scf::ForOp::create(
        b, constantIndex(0), stepCount, one, inits,
        [&](OpBuilder &nested, Location loc, Value k, ValueRange carried) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToEnd(nested.getInsertionBlock());
          Value t = op.getGoBackwards()
                        ? arith::SubIOp::create(
                              b, arith::SubIOp::create(b, stepCount, k), one)
                              .getResult()
                        : k;
          Value keep, otherwise, previous;
          if (masked) {
            keep = maskAt(t);
            previous = carried[1];
            otherwise = maskedStepOutput(op, zeros, previous);
          }
          StepBuffers stepBuffers{carried.drop_front(firstTemporary), 0, {}};
          stepBuffers.written.resize(stepBuffers.carried.size());
          buffers = &stepBuffers;
          Value state = carried[0];
          auto [next, output] = step(sliceStep(projection, t), state, keep,
                                     otherwise, state, previous);
          buffers = nullptr;
          assert(stepBuffers.next == stepBuffers.carried.size() &&
                 "temporaryWidths() disagrees with step()");
          SmallVector<Value> yields{next};
          if (masked)
            yields.push_back(output);
          if (op.getReturnSequences())
            yields.push_back(
                insertStep(output, carried[firstTemporary - 1], k));
          llvm::append_range(yields, stepBuffers.written);
          scf::YieldOp::create(b, yields);
        });

    Value finalState = loop.getResult(0);
    Value output = op.getReturnSequences() ? loop.getResult(firstTemporary - 1)
                   : masked                ? loop.getResult(1)
                                           : finalState;
    return {output, finalState};
  }

  RewriterBase &rewriter;
};

/// Builds one gru.cell: its input projection and one unmasked step.
class CellLowering : StepBuilder {
public:
  CellLowering(RewriterBase &rewriter, CellOp op, const KernelTuning &tuning)
      : StepBuilder(
            rewriter, op,
            StepParams::of(
                op,
                cast<RankedTensorType>(op.getState().getType()).getDimSize(1)),
            op.getInput(), tuning),
        op(op) {}

  Value build() {
    Value projection =
        inputProjection(op.getInput(), batch, [](Value x) { return x; });
    Value init = empty({batch, index(units)});
    return step(projection, op.getState(), Value(), Value(), init, init).first;
  }

private:
  CellOp op;
};

/// gru.activation as a linalg.generic over its elements.
Value lowerActivation(RewriterBase &rewriter, ActivationOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), rewriter);
  b.setInsertionPoint(op);
  auto type = cast<RankedTensorType>(op.getType());
  Value init = tensor::EmptyOp::create(
      b, tensor::getMixedSizes(b, b.getLoc(), op.getInput()),
      type.getElementType());
  AffineMap id = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> parallel(type.getRank(),
                                            utils::IteratorType::parallel);
  Activation activation = op.getActivation();
  return linalg::GenericOp::create(
             b, type, ValueRange{op.getInput()}, ValueRange{init},
             ArrayRef<AffineMap>{id, id}, parallel,
             [&](OpBuilder &nested, Location loc, ValueRange args) {
               ImplicitLocOpBuilder s(loc, nested);
               linalg::YieldOp::create(s,
                                       buildActivation(s, activation, args[0]));
             })
      .getResult(0);
}

struct ConvertGRUToLoopsPass
    : gru::impl::ConvertGRUToLoopsBase<ConvertGRUToLoopsPass> {
  void runOnOperation() override {
    std::string error;
    FailureOr<CPUTarget> target = CPUTarget::of(getOperation(), error);
    if (failed(target)) {
      emitError(getOperation()->getLoc()) << error;
      return signalPassFailure();
    }
    KernelTuning tuning = KernelTuning::forTarget(*target);
    IRRewriter rewriter(&getContext());
    WalkResult result = getOperation()->walk([&](Operation *op) {
      if (auto penalty = dyn_cast<WeightPenaltyOp>(op)) {
        rewriter.replaceOp(penalty, lowerWeightPenalty(rewriter, penalty));
        return WalkResult::advance();
      }
      if (auto constrain = dyn_cast<ConstrainOp>(op)) {
        rewriter.replaceOp(constrain, lowerConstrain(rewriter, constrain));
        return WalkResult::advance();
      }
      if (auto activation = dyn_cast<ActivationOp>(op)) {
        rewriter.replaceOp(activation, lowerActivation(rewriter, activation));
        return WalkResult::advance();
      }
      if (auto cell = dyn_cast<CellOp>(op)) {
        rewriter.replaceOp(cell, CellLowering(rewriter, cell, tuning).build());
        return WalkResult::advance();
      }
      auto layer = dyn_cast<LayerOp>(op);
      if (!layer)
        return WalkResult::advance();
      if (failed(checkPreconditions(layer)))
        return WalkResult::interrupt();
      auto [output, finalState] =
          LayerLowering(rewriter, layer, tuning).build();
      SmallVector<Value> results{output};
      if (layer.getReturnState())
        results.push_back(finalState);
      rewriter.replaceOp(layer, results);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  static LogicalResult checkPreconditions(LayerOp op) {
    if (failed(checkExplicitDropoutAndState(op, "convert-gru-to-loops")))
      return failure();
    if (std::optional<Implementation> impl = op.getImpl();
        impl && *impl != Implementation::fused)
      return op.emitError()
             << "layer is assigned to " << stringifyImplementation(*impl)
             << "; convert-gru-to-loops lowers fused layers";
    return success();
  }
};

} // namespace
