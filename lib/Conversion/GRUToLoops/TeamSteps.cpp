//===- TeamSteps.cpp - the steps of a layer on a persistent team ----------===//
//
// A layer runs its time loop in one OpenMP parallel region instead of
// forking threads for each product and gate loop: a persistent team, the
// structure of a persistent GPU kernel with threads for blocks. Each thread
// owns a part of the work and writes only its part of the buffers the team
// shares:
//  * units: where a step has little work, each thread owns an even share of
//    every gate's panels of R and computes its units for all rows; the team
//    meets at one barrier per step (two with reset_after = false);
//  * rows: where R stays in every core's L2, each thread owns a chunk of the
//    rows, independent GRUs, and runs all their steps without meeting the
//    others.
//
//===----------------------------------------------------------------------===//

#include "StepBuilder.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"

using namespace mlir;
using namespace mlir::gru;

namespace {

/// The memory that a team shares: thread c of n owns the panels
/// [c·P/n, (c+1)·P/n) of every gate's P panels of R, that is the same
/// columns of each gate, and writes only those columns of each buffer.
struct TeamBuffers {
  Value states;     // (2, B, U): h of even steps, h of odd steps
  Value products;   // (B, 3U) the recurrent products of z, r and h
  Value resetState; // (B, U) r ⊙ h, reset_after = false only
  Value previous;   // (B, U) the previous output, with a mask only
  Value sequence;   // (B, T, U), with return_sequences only
};

/// R packed by gate, all gates in the same panel layout, and the
/// recurrent bias by gate (null without one).
struct TeamWeights {
  PanelLayout layout;
  SmallVector<Value, 3> packed, biases;
};

/// The rows and columns a thread owns: all rows of its columns (units), or
/// all columns of its rows.
struct Ownership {
  PanelRange panels;
  Value firstColumn, columns;
  Value firstRow, rows;
};

/// Builds the steps of one gru.layer on a persistent team.
class TeamSteps : LayerSteps {
public:
  TeamSteps(RewriterBase &rewriter, LayerOp op, const KernelTuning &tuning,
            OpBuilder::InsertPoint at, TeamSplit split)
      : LayerSteps(rewriter, op, tuning, at), split(split) {}

  /// The steps in one OpenMP parallel region: each thread computes the
  /// recurrent products and gate math of what it owns. Threads that own
  /// units meet at one barrier per step (two with reset_after = false,
  /// whose candidate needs r ⊙ h of every unit), where the new state is
  /// exchanged through a double buffer; threads that own rows read only
  /// their own rows of it. This is the structure of a persistent GPU
  /// kernel, with threads for blocks.
  std::pair<Value, Value> build(Value projection, Value zeros,
                                Value initialState) {
    TeamWeights weights{PanelLayout::forColumns(units, tuning), {}, {}};
    Value packed =
        packPanels(b, p.recurrentKernel, weights.layout, tuning, /*groups=*/3);
    auto packedType = cast<RankedTensorType>(packed.getType());
    for (int64_t gate = 0; gate < 3; ++gate) {
      SmallVector<OpFoldResult> offsets{index(gate), index(0), index(0),
                                        index(0)};
      SmallVector<OpFoldResult> sizes{index(1)};
      for (int64_t size : packedType.getShape().drop_front())
        sizes.push_back(index(size));
      weights.packed.push_back(tensor::ExtractSliceOp::create(
          b,
          RankedTensorType::get(packedType.getShape().drop_front(),
                                elementType),
          packed, offsets, sizes, SmallVector<OpFoldResult>(4, index(1))));
      weights.biases.push_back(slice(biasRow(1), gate * units, units));
    }
    TeamBuffers buffers = teamBuffers(initialState);

    auto parallel = omp::ParallelOp::create(b);
    {
      OpBuilder::InsertionGuard guard(b);
      b.createBlock(&parallel.getRegion());
      omp::TerminatorOp::create(b);
      b.setInsertionPointToStart(&parallel.getRegion().front());
      onOwnThread = true;
      Ownership own = split == TeamSplit::units ? ownedUnits(weights.layout)
                                                : ownedRows(weights.layout);
      Value stepCount = getValueOrCreateConstantIndexOp(b, b.getLoc(), steps);
      scf::ForOp::create(
          b, constantIndex(0), stepCount, constantIndex(1), ValueRange{},
          [&](OpBuilder &nested, Location, Value k, ValueRange) {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPointToEnd(nested.getInsertionBlock());
            teamStep(projection, zeros, weights, buffers, own, k);
            scf::YieldOp::create(b);
          });
      onOwnThread = false;
    }

    Value stepCount = getValueOrCreateConstantIndexOp(b, b.getLoc(), steps);
    Value last = arith::RemUIOp::create(b, stepCount, constantIndex(2));
    Value finalState = toTensor(stateBuffer(buffers.states, last));
    Value output = op.getReturnSequences() ? toTensor(buffers.sequence)
                   : buffers.previous      ? toTensor(buffers.previous)
                                           : finalState;
    return {output, finalState};
  }

private:
  /// The team's buffers, the state of even steps holding the initial state.
  TeamBuffers teamBuffers(Value initialState) {
    TeamBuffers buffers;
    buffers.states = alloc({index(2), batch, index(units)});
    bufferization::MaterializeInDestinationOp::create(
        b, TypeRange{}, initialState,
        stateBuffer(buffers.states, constantIndex(0)), /*restrict=*/true,
        /*writable=*/true);
    buffers.products = alloc({batch, index(3 * units)});
    if (!p.math.resetAfter)
      buffers.resetState = alloc({batch, index(units)});
    if (op.getMask()) {
      buffers.previous = alloc({batch, index(units)});
      Value zero = arith::ConstantOp::create(b, b.getZeroAttr(elementType));
      linalg::FillOp::create(b, ValueRange{zero}, ValueRange{buffers.previous});
    }
    if (op.getReturnSequences())
      buffers.sequence = alloc({batch, steps, index(units)});
    return buffers;
  }

  Value alloc(ArrayRef<OpFoldResult> shape) {
    SmallVector<int64_t> staticShape;
    SmallVector<Value> dynamicSizes;
    dispatchIndexOpFoldResults(shape, dynamicSizes, staticShape);
    return memref::AllocOp::create(b, MemRefType::get(staticShape, elementType),
                                   dynamicSizes, ValueRange{},
                                   b.getI64IntegerAttr(64));
  }

  /// omp_get_thread_num() or omp_get_num_threads() as an index.
  Value teamCall(StringRef name) {
    Value number = func::CallOp::create(
                       b, runtimeFunction(name, b.getI32Type()), ValueRange{})
                       .getResult(0);
    return arith::IndexCastOp::create(b, b.getIndexType(), number);
  }

  /// The calling thread's rows: a chunk of about B / threads rows, a
  /// multiple of 4 (the smallest tile of several rows); none for threads
  /// past the last chunk.
  Ownership ownedRows(PanelLayout layout) {
    Value thread = teamCall("omp_get_thread_num");
    Value threads = teamCall("omp_get_num_threads");
    Value rows = getValueOrCreateConstantIndexOp(b, b.getLoc(), batch);
    Value four = constantIndex(4);
    Value chunk = arith::MulIOp::create(
        b,
        arith::CeilDivUIOp::create(
            b, arith::CeilDivUIOp::create(b, rows, threads), four),
        four);
    Value first = arith::MinUIOp::create(
        b, arith::MulIOp::create(b, thread, chunk), rows);
    Value count =
        arith::MinUIOp::create(b, chunk, arith::SubIOp::create(b, rows, first));
    return {{constantIndex(0), constantIndex(layout.panels())},
            constantIndex(0),
            constantIndex(units),
            first,
            count};
  }

  /// The calling thread's panels and columns: an even share of the panels
  /// of the team it is part of, however many threads it has.
  Ownership ownedUnits(PanelLayout layout) {
    Value thread = teamCall("omp_get_thread_num");
    Value threads = teamCall("omp_get_num_threads");
    Value panels = constantIndex(layout.panels());
    auto share = [&](Value c) -> Value {
      return arith::DivUIOp::create(b, arith::MulIOp::create(b, c, panels),
                                    threads);
    };
    Value first = share(thread);
    Value end = share(arith::AddIOp::create(b, thread, constantIndex(1)));
    Value width = constantIndex(layout.panelWidth());
    Value firstColumn = arith::MulIOp::create(b, first, width);
    Value endColumn = arith::MinUIOp::create(
        b, arith::MulIOp::create(b, end, width), constantIndex(units));
    Value columns = arith::SubIOp::create(
        b, arith::MaxUIOp::create(b, endColumn, firstColumn), firstColumn);
    return {{first, end},
            firstColumn,
            columns,
            constantIndex(0),
            getValueOrCreateConstantIndexOp(b, b.getLoc(), batch)};
  }

  /// A declaration of the external function `name` () -> `result`.
  func::FuncOp runtimeFunction(StringRef name, Type result) {
    auto module = op->getParentOfType<ModuleOp>();
    if (auto existing = module.lookupSymbol<func::FuncOp>(name))
      return existing;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(module.getBody());
    auto function = func::FuncOp::create(
        b, name,
        b.getFunctionType({}, result ? TypeRange{result} : TypeRange{}));
    function.setPrivate();
    return function;
  }

  /// Where threads own units, the team meets; threads that own rows share
  /// nothing.
  void barrier() {
    if (split == TeamSplit::units)
      func::CallOp::create(b, runtimeFunction("gru_rt_barrier", Type()),
                           ValueRange{});
  }

  /// states[parity] as (B, U).
  Value stateBuffer(Value states, Value parity) {
    auto type = cast<MemRefType>(states.getType());
    SmallVector<OpFoldResult> offsets{parity, index(0), index(0)};
    SmallVector<OpFoldResult> sizes{index(1), batch, index(units)};
    SmallVector<OpFoldResult> strides(3, index(1));
    auto resultType = memref::SubViewOp::inferRankReducedResultType(
        {staticSize(batch), units}, type, offsets, sizes, strides);
    return memref::SubViewOp::create(b, cast<MemRefType>(resultType), states,
                                     offsets, sizes, strides);
  }

  /// The owned part of a (B, N) buffer, its columns from `offset` on, or
  /// of step `k` of a (B, T, N) one.
  Value owned(Value buffer, const Ownership &own, int64_t offset = 0,
              Value k = Value()) {
    auto type = cast<MemRefType>(buffer.getType());
    Value first =
        arith::AddIOp::create(b, own.firstColumn, constantIndex(offset));
    SmallVector<OpFoldResult> offsets{own.firstRow, first};
    SmallVector<OpFoldResult> sizes{own.rows, own.columns};
    if (k) {
      offsets.insert(offsets.begin() + 1, k);
      sizes.insert(sizes.begin() + 1, index(1));
    }
    SmallVector<OpFoldResult> strides(offsets.size(), index(1));
    auto resultType = memref::SubViewOp::inferRankReducedResultType(
        {ShapedType::kDynamic, ShapedType::kDynamic}, type, offsets, sizes,
        strides);
    return memref::SubViewOp::create(b, cast<MemRefType>(resultType), buffer,
                                     offsets, sizes, strides);
  }

  /// A tensor of the memory of `buffer`, which this thread alone writes
  /// (`writable`) or nobody writes while the tensor is used.
  Value toTensor(Value buffer, bool writable = false) {
    auto type = cast<MemRefType>(buffer.getType());
    return bufferization::ToTensorOp::create(
        b, RankedTensorType::get(type.getShape(), elementType), buffer,
        /*restrict=*/true, writable);
  }

  void store(Value tensor, Value buffer) {
    bufferization::MaterializeInDestinationOp::create(
        b, TypeRange{}, tensor, buffer, /*restrict=*/true, /*writable=*/true);
  }

  /// The owned part of a (B, N) tensor, its columns from `offset` on.
  Value ownedSlice(Value tensor, const Ownership &own, int64_t offset = 0) {
    Value first =
        arith::AddIOp::create(b, own.firstColumn, constantIndex(offset));
    return tensor::ExtractSliceOp::create(b, tensor, {own.firstRow, first},
                                          {own.rows, own.columns},
                                          {index(1), index(1)});
  }

  /// The owned rows of a (B, N) tensor, all its columns.
  Value ownedRowsOf(Value tensor, const Ownership &own) {
    int64_t columns = cast<RankedTensorType>(tensor.getType()).getDimSize(1);
    return tensor::ExtractSliceOp::create(b, tensor, {own.firstRow, index(0)},
                                          {own.rows, index(columns)},
                                          {index(1), index(1)});
  }

  /// The owned part of gate `gate`'s recurrent product lhs · R_gate (the
  /// owned rows of lhs), computed in its place in the products buffer.
  Value ownedProduct(Value lhs, int64_t gate, const TeamWeights &weights,
                     const TeamBuffers &buffers, const Ownership &own) {
    Value into = owned(buffers.products, own, gate * units);
    return packedMatmul(b, ownedRowsOf(lhs, own), weights.packed[gate],
                        weights.biases[gate], toTensor(into, true),
                        weights.layout, tuning, own.panels);
  }

  /// Step k of the team, on the calling thread.
  void teamStep(Value projection, Value zeros, const TeamWeights &weights,
                const TeamBuffers &buffers, const Ownership &own, Value k) {
    Value stepCount = getValueOrCreateConstantIndexOp(b, b.getLoc(), steps);
    Value one = constantIndex(1);
    Value t = op.getGoBackwards()
                  ? arith::SubIOp::create(
                        b, arith::SubIOp::create(b, stepCount, k), one)
                        .getResult()
                  : k;
    Value parity = arith::RemUIOp::create(b, k, constantIndex(2));
    Value state = toTensor(stateBuffer(buffers.states, parity));
    Value nextBuffer = owned(
        stateBuffer(buffers.states, arith::SubIOp::create(b, one, parity)),
        own);
    Value projected = sliceStep(projection, t);
    auto product = [&](Value lhs, int64_t gate) {
      return ownedProduct(lhs, gate, weights, buffers, own);
    };
    Value ownState = ownedSlice(state, own);
    GateInputs in{ownedSlice(projected, own),
                  ownedSlice(projected, own, units),
                  ownedSlice(projected, own, 2 * units),
                  product(state, 0),
                  product(state, 1),
                  Value()};
    if (p.math.resetAfter) {
      in.hh = product(state, 2);
    } else {
      // Every unit's r ⊙ h before the candidate's product.
      Value resetBuffer = owned(buffers.resetState, own);
      store(
          resetTimesState(in.xr, in.hr, ownState, toTensor(resetBuffer, true)),
          resetBuffer);
      barrier();
      in.hh = product(toTensor(buffers.resetState), 2);
    }

    Value keep, otherwise, previousBuffer, outputInit;
    if (buffers.previous) {
      keep = tensor::ExtractSliceOp::create(b, maskAt(t), {own.firstRow},
                                            {own.rows}, {index(1)});
      previousBuffer = owned(buffers.previous, own);
      outputInit = toTensor(previousBuffer, true);
      otherwise = maskedStepOutput(op, zeros ? ownedSlice(zeros, own) : Value(),
                                   outputInit);
    }
    auto [next, output] = gates(in, ownState, keep, otherwise,
                                toTensor(nextBuffer, true), outputInit);
    store(next, nextBuffer);
    if (previousBuffer)
      store(output, previousBuffer);
    if (buffers.sequence)
      store(output, owned(buffers.sequence, own, 0, k));
    barrier();
  }

  TeamSplit split;
};

} // namespace

std::pair<Value, Value>
mlir::gru::buildTeamSteps(RewriterBase &rewriter, LayerOp op,
                          const KernelTuning &tuning, OpBuilder::InsertPoint at,
                          Value projection, Value zeros, Value initialState,
                          TeamSplit split) {
  return TeamSteps(rewriter, op, tuning, at, split)
      .build(projection, zeros, initialState);
}
