//===- GRUToGPU.cpp - the convert-gru-to-gpu pass -------------------------===//
//
// Lowers fused gru.layer ops to the algorithm of the GPU kernel, before it is
// mapped to a GPU: each kernel is an scf.forall over blocks
// (#gpu.block<x>) around an scf.forall over the threads of a block
// (#gpu.thread<x>), on buffers.
//
//   proj[b, t] = x[b, t]·W + b_i    one kernel over all B·T·3U elements
//   state[0] = h0                   one kernel over B·U elements
//   slices[c] = R's columns of the  one kernel: block c of a step reads
//     units [c·S, (c+1)·S)            slices[c] alone (gru.block_slices), so
//                                     that it may keep it on chip
//   for k in 0..T:                  the steps, t = k or T−1−k (go_backwards)
//     block c owns the units [c·S, (c+1)·S) of all three gates; for each of
//     its (row, unit) `split` threads take parts of the dot products of
//     state[k % 2] with the unit's columns of R into the block's partial
//     sums, and then one of them adds them up, takes the gate math and the
//     masking, and writes state[1 − k % 2] and the outputs of that (row,
//     unit) alone
//
// The block's threads share a dot product where the block has fewer (row,
// unit) pairs than threads (split = threads / (B·S), at most the target's
// limit), and take turns where it has more.
//
// reset_after = false splits a step in two phases: r ⊙ h of the owned units
// first, since the candidate's product needs it for every unit. Within a
// step, a phase reads what the blocks wrote in the phase before: where the
// kernel runs on a GPU, every phase ends at a grid barrier. On a CPU the
// foralls are loops, which makes this IR the kernel's twin that the Keras
// tests run without a GPU.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "gru/Conversion/Passes.h"
#include "gru/Conversion/StepSemantics.h"
#include "gru/Target/GPUTarget.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::gru {
#define GEN_PASS_DEF_CONVERTGRUTOGPU
#include "gru/Conversion/Passes.h.inc"
} // namespace mlir::gru

using namespace mlir;
using namespace mlir::gru;

namespace {

/// The layer's operands as buffers (null where the layer has none).
struct Operands {
  Value input, kernel, recurrentKernel, bias, mask, initialState, dropoutMask,
      recurrentDropoutMask;
};

/// The buffers the kernels write (null where the layer needs none).
struct Buffers {
  Value projection; // (B, T, 3U) x·W + b_i
  Value states;     // (2, B, U) h of even steps, h of odd steps
  Value resetState; // (B, U) r ⊙ h, reset_after = false only
  Value slices;     // (blocks, 3, S, U + 1) R's columns of each block
  Value partials;   // (blocks, threads, 3) partial dot products
  Value sequence;   // (B, T, U) with return_sequences
  Value last;       // (B, U) the last output: the result without
                    // return_sequences, the previous output with a mask
  Value finalState; // (B, U) with return_state
};

/// Builds the kernels of one gru.layer.
class LayerKernels : KernelBuilder {
public:
  LayerKernels(RewriterBase &rewriter, LayerOp op, const KernelShape &shape)
      : KernelBuilder(op.getLoc(), rewriter, shape.threads,
                      op.getInput().getType().getElementType()),
        op(op), shape(shape), math(GateMath::of(op)), units(op.getUnits()) {
    b.setInsertionPoint(op);
    in = {buffer(op.getInput()),
          buffer(op.getKernel()),
          buffer(op.getRecurrentKernel()),
          buffer(op.getBias()),
          buffer(op.getMask()),
          buffer(op.getInitialState()),
          buffer(op.getDropoutMask()),
          buffer(op.getRecurrentDropoutMask())};
    batch = memref::DimOp::create(b, in.input, 0);
    steps = memref::DimOp::create(b, in.input, 1);
  }

  /// Returns the layer's results.
  SmallVector<Value> build() {
    allocateBuffers();
    projectInput();
    initialize();
    sliceRecurrentKernel();
    stepLoop();
    SmallVector<Value> results{
        tensor(op.getReturnSequences() ? out.sequence : out.last)};
    if (op.getReturnState())
      results.push_back(tensor(out.finalState));
    return results;
  }

private:
  //===--------------------------------------------------------------------===//
  // Buffers
  //===--------------------------------------------------------------------===//

  void allocateBuffers() {
    OpFoldResult rows = memref::getMixedSize(b, b.getLoc(), in.input, 0);
    OpFoldResult time = memref::getMixedSize(b, b.getLoc(), in.input, 1);
    auto size = [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); };
    out.projection = alloc({rows, time, size(3 * units)});
    out.states = alloc({size(2), rows, size(units)});
    if (!math.resetAfter)
      out.resetState = alloc({rows, size(units)});
    out.slices =
        alloc({size(shape.stepBlocks), size(3), size(shape.unitsPerBlock),
               size(KernelShape::sliceStride(units))});
    out.partials =
        alloc({size(shape.stepBlocks), size(shape.threads), size(3)});
    for (Value perBlock : {out.slices, out.partials})
      perBlock.getDefiningOp()->setAttr(kBlockSlicesAttrName, b.getUnitAttr());
    if (op.getReturnSequences())
      out.sequence = alloc({rows, time, size(units)});
    if (!op.getReturnSequences() || readsPreviousOutput())
      out.last = alloc({rows, size(units)});
    if (op.getReturnState())
      out.finalState = alloc({rows, size(units)});
  }

  /// Whether a masked step outputs the previous step's output.
  bool readsPreviousOutput() {
    return op.getMask() && !op.getZeroOutputForMask();
  }

  //===--------------------------------------------------------------------===//
  // Scalars
  //===--------------------------------------------------------------------===//

  Value features() { return memref::DimOp::create(b, in.input, 2); }

  /// bias[row, column], the (3U) bias as row 0; zero without one.
  Value biasAt(int64_t row, Value column) {
    if (!in.bias)
      return zero();
    if (cast<MemRefType>(in.bias.getType()).getRank() == 1)
      return load(in.bias, column);
    return load(in.bias, {index(row), column});
  }

  //===--------------------------------------------------------------------===//
  // Kernels
  //===--------------------------------------------------------------------===//

  /// The input projection x·W + b_i of every row and step, with the input
  /// dropout mask of the gate (one per gate, or one shared).
  void projectInput() {
    Value width = index(3 * units);
    Value count = mul(mul(batch, steps), width);
    eachElement(shape.blocks, count, [&](Value i) {
      Value column = rem(i, width);
      Value rowStep = div(i, width);
      Value t = rem(rowStep, steps);
      Value row = div(rowStep, steps);
      Value mask;
      if (in.dropoutMask) {
        bool perGate =
            cast<MemRefType>(in.dropoutMask.getType()).getDimSize(0) == 3;
        mask = perGate ? div(column, index(units)) : index(0);
      }
      Value dot =
          sumLoop(index(0), features(), index(1), biasAt(0, column),
                  [&](Value f, ValueRange acc) -> SmallVector<Value> {
                    Value x = load(in.input, {row, t, f});
                    if (mask)
                      x = arith::MulFOp::create(
                          b, x, load(in.dropoutMask, {mask, row, f}));
                    return {fma(x, load(in.kernel, {f, column}), acc.front())};
                  })
              .front();
      store(dot, out.projection, {row, t, column});
    });
  }

  /// The state of even steps from the initial state; the last output zero
  /// where a mask may output it (else the state, as the loop's would be).
  void initialize() {
    Value count = mul(batch, index(units));
    eachElement(shape.blocks, count, [&](Value i) {
      Value row = div(i, index(units));
      Value unit = rem(i, index(units));
      Value h = in.initialState ? load(in.initialState, {row, unit}) : zero();
      store(h, out.states, {index(0), row, unit});
      store(h, out.finalState, {row, unit});
      store(op.getMask() ? zero() : h, out.last, {row, unit});
    });
  }

  /// slices[c, g, j, k] = R[k, g·U + c·S + j], zero beyond U: the columns
  /// of R that block c of a step reads, in the order its threads read them.
  void sliceRecurrentKernel() {
    int64_t owned = shape.unitsPerBlock;
    int64_t stride = KernelShape::sliceStride(units);
    Value count = index(shape.stepBlocks * 3 * owned * stride);
    eachElement(shape.blocks, count, [&](Value i) {
      Value k = rem(i, index(stride));
      Value rest = div(i, index(stride));
      Value local = rem(rest, index(owned));
      rest = div(rest, index(owned));
      Value gate = rem(rest, index(3));
      Value block = div(rest, index(3));
      Value unit = add(mul(block, index(owned)), local);
      Value last = index(units - 1);
      auto clamp = [&](Value v) { return arith::MinUIOp::create(b, v, last); };
      Value r = load(in.recurrentKernel,
                     {clamp(k), add(mul(gate, index(units)), clamp(unit))});
      Value inRange = both(less(k, index(units)), less(unit, index(units)));
      store(arith::SelectOp::create(b, inRange, r, zero()), out.slices,
            {block, gate, local, k});
    });
  }

  /// Where a thread of a step's block is: the (row, unit) it computes, the
  /// unit's index in the block, and the step.
  struct Position {
    Value block, local, row, unit, k, t, current, next;
  };

  /// How a step's block shares its (row, unit) pairs among its threads:
  /// `split` threads to a pair, `perTurn` pairs at a time, in `turns`.
  struct Sharing {
    Value split, perTurn, turns;
  };

  Sharing sharing() {
    Value pairs = arith::MaxUIOp::create(
        b, mul(batch, index(shape.unitsPerBlock)), index(1));
    Value split = arith::MinUIOp::create(
        b,
        arith::MaxUIOp::create(b, div(index(shape.threads), pairs), index(1)),
        index(std::min(shape.splitLimit, units)));
    Value perTurn = div(index(shape.threads), split);
    Value turns = arith::CeilDivUIOp::create(b, pairs, perTurn);
    return {split, perTurn, turns};
  }

  /// `body(position, part)` where `thread` of `block` has part `part` of
  /// a (row, unit) pair in turn `turn`.
  void ifOwned(Value block, Value thread, Value turn, const Sharing &sharing,
               Value k, Value t,
               function_ref<void(const Position &, Value part)> body) {
    Value owned = index(shape.unitsPerBlock);
    Value slot = div(thread, sharing.split);
    Value part = rem(thread, sharing.split);
    Value pair = add(mul(turn, sharing.perTurn), slot);
    Value local = rem(pair, owned);
    Value row = div(pair, owned);
    Value unit = add(mul(block, owned), local);
    Value owns = both(both(less(slot, sharing.perTurn), less(row, batch)),
                      less(unit, index(units)));
    when(owns, [&] {
      Value current = rem(k, index(2));
      Value next = arith::SubIOp::create(b, index(1), current);
      body({block, local, row, unit, k, t, current, next}, part);
    });
  }

  /// The part `part` of `split` of Σ_k lhs(k) · R[k, gate·U + unit] for
  /// each of `gates` (the k ≡ part mod split), where lhs(k) is the state of
  /// the position's row, or `other` of that row, dropped out by the gate's
  /// recurrent mask.
  SmallVector<Value> partialDots(const Position &at, ArrayRef<int64_t> gates,
                                 ArrayRef<Value> lhs, Value part, Value split) {
    SmallVector<Value> zeros(gates.size(), zero());
    return sumLoop(
        part, index(units), split, zeros,
        [&](Value k, ValueRange acc) -> SmallVector<Value> {
          // Each buffer's element k is loaded once for all the gates.
          llvm::SmallDenseMap<Value, Value> loaded;
          SmallVector<Value> sums;
          for (auto [i, gate] : llvm::enumerate(gates)) {
            Value &h = loaded[lhs[i]];
            if (!h)
              h = load(lhs[i], lhs[i] == out.states
                                   ? ValueRange{at.current, at.row, k}
                                   : ValueRange{at.row, k});
            Value x = h;
            if (in.recurrentDropoutMask && lhs[i] == out.states)
              x = arith::MulFOp::create(
                  b, h,
                  load(in.recurrentDropoutMask, {index(gate), at.row, k}));
            Value r = load(out.slices, {at.block, index(gate), at.local, k});
            sums.push_back(fma(x, r, acc[i]));
          }
          return sums;
        });
  }

  /// One phase of a step: for each (row, unit) of the blocks, the dot
  /// products of `lhs` with R's columns of `gates` (with the recurrent
  /// bias where reset_after), then `finish` of the pair with them.
  void phase(Value k, Value t, ArrayRef<int64_t> gates, ArrayRef<Value> lhs,
             function_ref<void(const Position &, ArrayRef<Value>)> finish) {
    grid(shape.stepBlocks, [&](Value block) {
      Sharing shared = sharing();
      stridedLoop(index(0), shared.turns, index(1), [&](Value turn) {
        threads([&](Value thread) {
          ifOwned(block, thread, turn, shared, k, t,
                  [&](const Position &at, Value part) {
                    for (auto [i, sum] : llvm::enumerate(
                             partialDots(at, gates, lhs, part, shared.split)))
                      store(sum, out.partials, {block, thread, index(i)});
                  });
        });
        threads([&](Value thread) {
          ifOwned(block, thread, turn, shared, k, t,
                  [&](const Position &at, Value part) {
                    Value first = arith::CmpIOp::create(
                        b, arith::CmpIPredicate::eq, part, index(0));
                    when(first, [&] {
                      finish(at, addPartials(at, gates, thread, shared.split));
                    });
                  });
        });
      });
    });
  }

  /// The dot products of the position from the partial sums of the
  /// `split` threads from `thread` on, each from the recurrent bias of its
  /// column with reset_after.
  SmallVector<Value> addPartials(const Position &at, ArrayRef<int64_t> gates,
                                 Value thread, Value split) {
    SmallVector<Value> inits;
    for (int64_t gate : gates)
      inits.push_back(math.resetAfter
                          ? biasAt(1, add(index(gate * units), at.unit))
                          : zero());
    return sumLoop(
        index(0), split, index(1), inits,
        [&](Value p, ValueRange acc) -> SmallVector<Value> {
          SmallVector<Value> sums;
          for (size_t i = 0; i < gates.size(); ++i)
            sums.push_back(arith::AddFOp::create(
                b, acc[i],
                load(out.partials, {at.block, add(thread, p), index(i)})));
          return sums;
        });
  }

  /// proj[row, t, gate·U + unit].
  Value projected(const Position &at, int64_t gate) {
    return load(out.projection,
                {at.row, at.t, add(index(gate * units), at.unit)});
  }

  /// The state of the position's row and unit before the step.
  Value state(const Position &at) {
    return load(out.states, {at.current, at.row, at.unit});
  }

  /// reset_after = false, first phase: r ⊙ h (h dropped out by the
  /// candidate's recurrent mask) of the position, from h·R_r.
  void resetTimesState(const Position &at, Value hr) {
    Value r = math.reset(b, projected(at, 1), hr);
    Value h = state(at);
    if (in.recurrentDropoutMask)
      h = arith::MulFOp::create(
          b, h, load(in.recurrentDropoutMask, {index(2), at.row, at.unit}));
    store(arith::MulFOp::create(b, r, h), out.resetState, {at.row, at.unit});
  }

  /// The gate math and masking of the position from its recurrent dot
  /// products (z, r, h with reset_after; z and (r ⊙ h)·R_h without);
  /// writes the new state and the outputs.
  void update(const Position &at, ArrayRef<Value> dots) {
    GateInputs gates{projected(at, 0), projected(at, 1), projected(at, 2),
                     dots[0],          Value(),          dots.back()};
    if (math.resetAfter)
      gates.hr = dots[1];
    Value h = state(at);
    Value next = math.next(b, gates, h);
    Value keep = op.getMask() ? load(in.mask, {at.row, at.t}) : Value();
    Value otherwise =
        readsPreviousOutput() ? load(out.last, {at.row, at.unit}) : zero();
    auto [kept, output] = maskedStep(b, b.getLoc(), keep, next, h, otherwise);
    store(kept, out.states, {at.next, at.row, at.unit});
    store(kept, out.finalState, {at.row, at.unit});
    store(output, out.last, {at.row, at.unit});
    store(output, out.sequence, {at.row, at.k, at.unit});
  }

  /// The steps: one kernel per phase of a step, marked with the regime
  /// that runs them.
  void stepLoop() {
    auto loop = scf::ForOp::create(b, index(0), steps, index(1));
    loop->setAttr(kStepsAttrName,
                  b.getStringAttr(stringifyStepRegime(shape.regime)));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    Value k = loop.getInductionVar();
    Value t = op.getGoBackwards()
                  ? arith::SubIOp::create(b, arith::SubIOp::create(b, steps, k),
                                          index(1))
                        .getResult()
                  : k;
    Value h = out.states;
    if (math.resetAfter) {
      phase(
          k, t, {0, 1, 2}, {h, h, h},
          [&](const Position &at, ArrayRef<Value> dots) { update(at, dots); });
      return;
    }
    phase(k, t, {1}, {h}, [&](const Position &at, ArrayRef<Value> dots) {
      resetTimesState(at, dots.front());
    });
    phase(k, t, {0, 2}, {h, out.resetState},
          [&](const Position &at, ArrayRef<Value> dots) { update(at, dots); });
  }

  LayerOp op;
  const KernelShape &shape;
  GateMath math;
  int64_t units;
  Operands in;
  Buffers out;
  Value batch, steps;
};

struct ConvertGRUToGPUPass
    : gru::impl::ConvertGRUToGPUBase<ConvertGRUToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    if (multiprocessors < 1 || threadsPerBlock < 1 || sharedMemory < 0 ||
        clusterBlocks < 0) {
      emitError(getOperation()->getLoc())
          << "convert-gru-to-gpu needs at least one multiprocessor and one "
             "thread a block, and no negative shared memory or cluster";
      return signalPassFailure();
    }
    GPUTarget target{multiprocessors, threadsPerBlock, sharedMemory,
                     clusterBlocks};
    IRRewriter rewriter(&getContext());
    WalkResult result = getOperation()->walk([&](LayerOp layer) {
      std::optional<Implementation> impl = layer.getImpl();
      if (impl && *impl != Implementation::fused)
        return WalkResult::advance();
      if (failed(checkExplicitDropoutAndState(layer, getArgument())))
        return WalkResult::interrupt();
      KernelShape shape = KernelShape::forLayer(target, layer.getUnits());
      layer.emitRemark() << "GPU steps: " << stringifyStepRegime(shape.regime)
                         << ", " << shape.stepBlocks << " blocks of "
                         << shape.unitsPerBlock << " units, "
                         << (shape.regime == StepRegime::stepwise
                                 ? 0
                                 : shape.sharedBytes(layer.getUnits()))
                         << " bytes of shared memory a block";
      rewriter.replaceOp(layer, LayerKernels(rewriter, layer, shape).build());
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
