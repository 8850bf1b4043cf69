//===- GRUToGPU.cpp - the convert-gru-to-gpu pass -------------------------===//
//
// Lowers fused gru.layer ops to the algorithm of the GPU kernel, before it is
// mapped to a GPU: each kernel is an scf.forall over blocks
// (#gpu.block<x>) around an scf.forall over the threads of a block
// (#gpu.thread<x>), on buffers.
//
//   proj[b, t] = x[b, t]·W + b_i    one kernel over all B·T·3U elements
//   state[0] = h0                   one kernel over B·U elements
//   for k in 0..T:                  the steps, t = k or T−1−k (go_backwards)
//     block c owns the units [c·S, (c+1)·S) of all three gates; for each of
//     its (row, unit) a thread takes the dot products of state[k % 2] with
//     R's columns of the unit, the gate math and the masking, and writes
//     state[1 − k % 2] and the outputs of that (row, unit) alone
//
// reset_after = false splits a step in two phases: r ⊙ h of the owned units
// first, since the candidate's product needs it for every unit. Within a
// step, a phase reads what the blocks wrote in the phase before: where the
// kernel runs on a GPU, every phase ends at a grid barrier. On a CPU the
// foralls are loops, which makes this IR the kernel's twin that the Keras
// tests run without a GPU.
//
//===----------------------------------------------------------------------===//

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
  Value sequence;   // (B, T, U) with return_sequences
  Value last;       // (B, U) the last output: the result without
                    // return_sequences, the previous output with a mask
  Value finalState; // (B, U) with return_state
};

/// Builds the kernels of one gru.layer.
class LayerKernels {
public:
  LayerKernels(RewriterBase &rewriter, LayerOp op, const KernelShape &shape)
      : b(op.getLoc(), rewriter), op(op), shape(shape), math(GateMath::of(op)),
        units(op.getUnits()) {
    b.setInsertionPoint(op);
    elementType = op.getInput().getType().getElementType();
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

  /// A read-only buffer of an operand tensor, of any layout.
  Value buffer(Value tensor) {
    if (!tensor)
      return tensor;
    auto type = cast<RankedTensorType>(tensor.getType());
    return bufferization::ToBufferOp::create(
        b, bufferization::getMemRefTypeWithFullyDynamicLayout(type), tensor,
        /*readOnly=*/true);
  }

  Value alloc(ArrayRef<OpFoldResult> shape) {
    SmallVector<int64_t> staticShape;
    SmallVector<Value> dynamicSizes;
    dispatchIndexOpFoldResults(shape, dynamicSizes, staticShape);
    return memref::AllocOp::create(b, MemRefType::get(staticShape, elementType),
                                   dynamicSizes, ValueRange{},
                                   b.getI64IntegerAttr(64));
  }

  void allocateBuffers() {
    OpFoldResult rows = memref::getMixedSize(b, b.getLoc(), in.input, 0);
    OpFoldResult time = memref::getMixedSize(b, b.getLoc(), in.input, 1);
    auto size = [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); };
    out.projection = alloc({rows, time, size(3 * units)});
    out.states = alloc({size(2), rows, size(units)});
    if (!math.resetAfter)
      out.resetState = alloc({rows, size(units)});
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

  /// The tensor of a buffer that the kernels have written.
  Value tensor(Value buffer) {
    auto type = cast<MemRefType>(buffer.getType());
    return bufferization::ToTensorOp::create(
        b, RankedTensorType::get(type.getShape(), elementType), buffer,
        /*restrict=*/true, /*writable=*/true);
  }

  //===--------------------------------------------------------------------===//
  // Scalars
  //===--------------------------------------------------------------------===//

  Value features() { return memref::DimOp::create(b, in.input, 2); }
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value zero() {
    return arith::ConstantOp::create(b, b.getZeroAttr(elementType));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value div(Value x, Value y) { return arith::DivUIOp::create(b, x, y); }
  Value rem(Value x, Value y) { return arith::RemUIOp::create(b, x, y); }
  Value load(Value buffer, ValueRange indices) {
    return memref::LoadOp::create(b, buffer, indices);
  }
  void store(Value value, Value buffer, ValueRange indices) {
    if (buffer)
      memref::StoreOp::create(b, value, buffer, indices);
  }
  Value fma(Value x, Value y, Value acc) {
    return math::FmaOp::create(b, x, y, acc);
  }

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

  /// A kernel of `blocks` blocks of the shape's threads: `body(block,
  /// thread)` runs once for each.
  void kernel(int64_t blocks,
              function_ref<void(Value block, Value thread)> body) {
    MLIRContext *ctx = b.getContext();
    auto blockMapping = b.getArrayAttr(
        gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimX));
    auto threadMapping = b.getArrayAttr(
        gpu::GPUThreadMappingAttr::get(ctx, gpu::MappingId::DimX));
    OpBuilder::InsertionGuard guard(b);
    auto grid =
        scf::ForallOp::create(b, ArrayRef<OpFoldResult>{b.getIndexAttr(blocks)},
                              ValueRange{}, blockMapping);
    b.setInsertionPoint(grid.getTerminator());
    auto threads = scf::ForallOp::create(
        b, ArrayRef<OpFoldResult>{b.getIndexAttr(shape.threads)}, ValueRange{},
        threadMapping);
    b.setInsertionPoint(threads.getTerminator());
    body(grid.getInductionVar(0), threads.getInductionVar(0));
  }

  /// `body(i)` for i in [first, end) by `stride`.
  void stridedLoop(Value first, Value end, Value stride,
                   function_ref<void(Value)> body) {
    scf::ForOp::create(b, first, end, stride, ValueRange{},
                       [&](OpBuilder &nested, Location, Value i, ValueRange) {
                         OpBuilder::InsertionGuard guard(b);
                         b.setInsertionPointToStart(nested.getInsertionBlock());
                         body(i);
                         scf::YieldOp::create(b);
                       });
  }

  /// `body(i)` for every i in [0, count), spread over all threads of a
  /// kernel of `blocks` blocks.
  void eachElement(int64_t blocks, Value count,
                   function_ref<void(Value)> body) {
    kernel(blocks, [&](Value block, Value thread) {
      Value first = add(mul(block, index(shape.threads)), thread);
      stridedLoop(first, count, index(blocks * shape.threads), body);
    });
  }

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
      auto dot = scf::ForOp::create(
          b, index(0), features(), index(1), ValueRange{biasAt(0, column)},
          [&](OpBuilder &nested, Location, Value f, ValueRange acc) {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPointToStart(nested.getInsertionBlock());
            Value x = load(in.input, {row, t, f});
            if (mask)
              x = arith::MulFOp::create(b, x,
                                        load(in.dropoutMask, {mask, row, f}));
            scf::YieldOp::create(
                b, fma(x, load(in.kernel, {f, column}), acc.front()));
          });
      store(dot.getResult(0), out.projection, {row, t, column});
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

  /// Where a step kernel's block and thread are: the row and unit they
  /// compute, and the step.
  struct Position {
    Value row, unit, k, t, current, next;
  };

  /// `body(position)` for every (row, unit) that `block` owns, in turns of
  /// the block's threads.
  void eachOwned(Value block, Value thread, Value k, Value t,
                 function_ref<void(const Position &)> body) {
    Value owned = index(shape.unitsPerBlock);
    Value count = mul(batch, owned);
    Value current = rem(k, index(2));
    Value next = arith::SubIOp::create(b, index(1), current);
    stridedLoop(thread, count, index(shape.threads), [&](Value i) {
      Value unit = add(mul(block, owned), rem(i, owned));
      Value row = div(i, owned);
      Value inRange = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, unit,
                                            index(units));
      auto guard = scf::IfOp::create(b, inRange, /*withElseRegion=*/false);
      OpBuilder::InsertionGuard insertion(b);
      b.setInsertionPoint(guard.thenBlock()->getTerminator());
      body({row, unit, k, t, current, next});
    });
  }

  /// Σ_k lhs(k) · R[k, gate·U + unit] (+ the recurrent bias of that column
  /// with reset_after) for each of `gates`, where lhs(k) is the state of
  /// `position`'s row, or `other` of that row, dropped out by the gate's
  /// recurrent mask.
  SmallVector<Value> recurrentDots(const Position &at, ArrayRef<int64_t> gates,
                                   ArrayRef<Value> lhs) {
    SmallVector<Value> columns, inits;
    for (int64_t gate : gates) {
      columns.push_back(add(index(gate * units), at.unit));
      inits.push_back(math.resetAfter ? biasAt(1, columns.back()) : zero());
    }
    auto dot = scf::ForOp::create(
        b, index(0), index(units), index(1), inits,
        [&](OpBuilder &nested, Location, Value k, ValueRange acc) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(nested.getInsertionBlock());
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
            sums.push_back(
                fma(x, load(in.recurrentKernel, {k, columns[i]}), acc[i]));
          }
          scf::YieldOp::create(b, sums);
        });
    return dot.getResults();
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
  /// candidate's recurrent mask) of the position.
  void resetTimesState(const Position &at) {
    Value hr = recurrentDots(at, {1}, {out.states}).front();
    Value r = math.reset(b, projected(at, 1), hr);
    Value h = state(at);
    if (in.recurrentDropoutMask)
      h = arith::MulFOp::create(
          b, h, load(in.recurrentDropoutMask, {index(2), at.row, at.unit}));
    store(arith::MulFOp::create(b, r, h), out.resetState, {at.row, at.unit});
  }

  /// The gate math and masking of the position; writes the new state and
  /// the outputs.
  void update(const Position &at) {
    GateInputs gates{projected(at, 0), projected(at, 1), projected(at, 2),
                     Value(),          Value(),          Value()};
    if (math.resetAfter) {
      SmallVector<Value> dots =
          recurrentDots(at, {0, 1, 2}, {out.states, out.states, out.states});
      gates.hz = dots[0];
      gates.hr = dots[1];
      gates.hh = dots[2];
    } else {
      SmallVector<Value> dots =
          recurrentDots(at, {0, 2}, {out.states, out.resetState});
      gates.hz = dots[0];
      gates.hh = dots[1];
    }
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

  /// The steps: one kernel per phase of a step.
  void stepLoop() {
    int64_t blocks = llvm::divideCeil(units, shape.unitsPerBlock);
    auto loop = scf::ForOp::create(b, index(0), steps, index(1));
    loop->setAttr(kStepsAttrName, b.getUnitAttr());
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    Value k = loop.getInductionVar();
    Value t = op.getGoBackwards()
                  ? arith::SubIOp::create(b, arith::SubIOp::create(b, steps, k),
                                          index(1))
                        .getResult()
                  : k;
    auto phase = [&](function_ref<void(const Position &)> body) {
      kernel(blocks, [&](Value block, Value thread) {
        eachOwned(block, thread, k, t, body);
      });
    };
    if (!math.resetAfter)
      phase([&](const Position &at) { resetTimesState(at); });
    phase([&](const Position &at) { update(at); });
  }

  ImplicitLocOpBuilder b;
  LayerOp op;
  const KernelShape &shape;
  GateMath math;
  int64_t units;
  Type elementType;
  Operands in;
  Buffers out;
  Value batch, steps;
};

struct ConvertGRUToGPUPass
    : gru::impl::ConvertGRUToGPUBase<ConvertGRUToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    if (multiprocessors < 1 || threadsPerBlock < 1) {
      emitError(getOperation()->getLoc())
          << "convert-gru-to-gpu needs at least one multiprocessor and one "
             "thread a block";
      return signalPassFailure();
    }
    GPUTarget target{multiprocessors, threadsPerBlock};
    IRRewriter rewriter(&getContext());
    WalkResult result = getOperation()->walk([&](LayerOp layer) {
      std::optional<Implementation> impl = layer.getImpl();
      if (impl && *impl != Implementation::fused)
        return WalkResult::advance();
      if (failed(checkExplicitDropoutAndState(layer, getArgument())))
        return WalkResult::interrupt();
      KernelShape shape = KernelShape::forLayer(target, layer.getUnits());
      rewriter.replaceOp(layer, LayerKernels(rewriter, layer, shape).build());
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
