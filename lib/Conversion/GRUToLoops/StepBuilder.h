//===- StepBuilder.h - the projections and gate math of GRU steps -*- C++
//-*-===//
//
// What the CPU lowering of a layer or a cell builds its steps from: the
// products (PackedMatmul.h), the fused gate math with its masking
// (gru/Conversion/StepSemantics.h) and dropout, on tensors. LayerSteps adds
// the time axis of a gru.layer; the steps themselves are a loop on the
// calling thread (GRUToLoops.cpp) or on a persistent team (TeamSteps.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef GRU_CONVERSION_GRUTOLOOPS_STEPBUILDER_H
#define GRU_CONVERSION_GRUTOLOOPS_STEPBUILDER_H

#include "PackedMatmul.h"
#include "gru/Conversion/Activations.h"
#include "gru/Conversion/StepSemantics.h"
#include "gru/IR/GRUOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::gru {

/// What one step needs, taken from a gru.layer or a gru.cell.
struct StepParams {
  Value kernel, recurrentKernel, bias, dropoutMask, recurrentDropoutMask;
  GateMath math;
  int64_t units;

  template <typename OpTy> static StepParams of(OpTy op, int64_t units) {
    return {op.getKernel(),
            op.getRecurrentKernel(),
            op.getBias(),
            op.getDropoutMask(),
            op.getRecurrentDropoutMask(),
            GateMath::of(op),
            units};
  }
};

/// Builds the projections and the fused gate math of GRU steps.
class StepBuilder {
public:
  /// Builds before `op`, or at `at` where it is set.
  StepBuilder(RewriterBase &rewriter, Operation *op, StepParams params,
              Value input, const KernelTuning &tuning,
              OpBuilder::InsertPoint at = {})
      : b(op->getLoc(), rewriter), p(params), tuning(tuning),
        units(params.units) {
    if (at.isSet())
      b.restoreInsertionPoint(at);
    else
      b.setInsertionPoint(op);
    elementType = cast<RankedTensorType>(input.getType()).getElementType();
    batch = tensor::getMixedSize(b, b.getLoc(), input, 0);
  }

protected:
  //===--------------------------------------------------------------------===//
  // Tensor helpers
  //===--------------------------------------------------------------------===//

  OpFoldResult index(int64_t v) { return b.getIndexAttr(v); }
  static int64_t staticSize(OpFoldResult size) {
    return getConstantIntValue(size).value_or(ShapedType::kDynamic);
  }
  Value constantIndex(int64_t v) {
    return arith::ConstantIndexOp::create(b, v);
  }

  Value empty(ArrayRef<OpFoldResult> shape) {
    return tensor::EmptyOp::create(b, shape, elementType);
  }

  /// A new buffer for a loop-carried tensor. Unlike tensor.empty it is never
  /// merged with another one, so distinct loop-carried tensors never share
  /// a buffer.
  Value newBuffer(ArrayRef<OpFoldResult> shape) {
    SmallVector<int64_t> staticShape;
    SmallVector<Value> dynamicSizes;
    dispatchIndexOpFoldResults(shape, dynamicSizes, staticShape);
    return bufferization::AllocTensorOp::create(
        b, RankedTensorType::get(staticShape, elementType), dynamicSizes);
  }

  Value filled(ArrayRef<OpFoldResult> shape, double value) {
    return fill(empty(shape), value);
  }

  Value fill(Value into, double value) {
    Value scalar =
        arith::ConstantOp::create(b, b.getFloatAttr(elementType, value));
    return linalg::FillOp::create(b, scalar, into).getResult(0);
  }

  /// Per-step temporaries. Outside a loop each is a new tensor; in the time
  /// loop they are loop-carried, so that every step reuses the same buffers
  /// and nothing is allocated inside the loop.
  struct StepBuffers {
    ValueRange carried;
    unsigned next = 0;
    SmallVector<Value> written;
  };

  /// The (B, width) temporaries one step takes, in the order it takes them.
  SmallVector<int64_t> temporaryWidths() {
    bool drop = p.recurrentDropoutMask != nullptr;
    if (p.math.resetAfter)
      return drop ? SmallVector<int64_t>{3 * units, units, units, units}
                  : SmallVector<int64_t>{3 * units};
    return drop ? SmallVector<int64_t>{2 * units, units, units,
                                       units,     units, units}
                : SmallVector<int64_t>{2 * units, units, units};
  }

  /// A (B, width) temporary to write into.
  Value temporary(int64_t width) {
    if (!buffers)
      return empty({batch, index(width)});
    return buffers->carried[buffers->next++];
  }

  /// Records `result` as the new value of `temporary`; returns it.
  Value written(Value result, Value temporary) {
    if (buffers)
      for (auto [slot, carried] : llvm::enumerate(buffers->carried))
        if (carried == temporary)
          buffers->written[slot] = result;
    return result;
  }

  /// The columns [begin, begin + size) of a rank-2 tensor.
  Value columns(Value matrix, int64_t begin, int64_t size) {
    OpFoldResult rows = tensor::getMixedSize(b, b.getLoc(), matrix, 0);
    return tensor::ExtractSliceOp::create(b, matrix, {index(0), index(begin)},
                                          {rows, index(size)},
                                          {index(1), index(1)});
  }

  Value insertColumns(Value block, Value into, int64_t begin) {
    OpFoldResult rows = tensor::getMixedSize(b, b.getLoc(), into, 0);
    int64_t width = cast<RankedTensorType>(block.getType()).getDimSize(1);
    return tensor::InsertSliceOp::create(
        b, block, into, {index(0), index(begin)}, {rows, index(width)},
        {index(1), index(1)});
  }

  /// lhs · weights + bias (a row; none when null), written into `into`, by
  /// the microkernel. `panels` are the weights packed, or null to pack them
  /// here.
  Value product(Value lhs, Value weights, Value bias, Value into,
                Value panels = Value()) {
    int64_t width = cast<RankedTensorType>(weights.getType()).getDimSize(1);
    PanelLayout layout = PanelLayout::forColumns(width, tuning);
    if (!panels)
      panels = packPanels(b, weights, layout, tuning);
    return packedMatmul(b, lhs, panels, bias, into, layout, tuning);
  }

  /// Elements [first, first + size) of a rank-1 tensor; null stays null.
  Value slice(Value vector, int64_t first, int64_t size) {
    if (!vector)
      return vector;
    return tensor::ExtractSliceOp::create(
        b, RankedTensorType::get({size}, elementType), vector,
        ArrayRef<OpFoldResult>{index(first)},
        ArrayRef<OpFoldResult>{index(size)}, ArrayRef<OpFoldResult>{index(1)});
  }

  /// Row `row` of a (2, 3U) bias, or the (3U) bias as row 0; null without
  /// a bias or without that row (reset_after = false has no recurrent bias).
  Value biasRow(int64_t row) {
    if (!p.bias || (!p.math.resetAfter && row != 0))
      return Value();
    if (!p.math.resetAfter)
      return p.bias;
    auto rowType = RankedTensorType::get({3 * units}, elementType);
    return tensor::ExtractSliceOp::create(
        b, rowType, p.bias, {index(row), index(0)},
        {index(1), index(3 * units)}, {index(1), index(1)});
  }

  /// `tensor` ⊙ `masks[gate]` where the masks are (N, B, width) and `tensor`
  /// is (B, width) or (B, T, width): one mask per call, reused at every step.
  Value applyDropout(Value tensor, Value masks, int64_t gate,
                     Value into = Value()) {
    auto type = cast<RankedTensorType>(tensor.getType());
    unsigned rank = type.getRank();
    MLIRContext *ctx = b.getContext();
    AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap maskMap = AffineMap::get(rank, 0,
                                       {getAffineConstantExpr(gate, ctx),
                                        getAffineDimExpr(0, ctx),
                                        getAffineDimExpr(rank - 1, ctx)},
                                       ctx);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    if (!into)
      into = empty(tensor::getMixedSizes(b, b.getLoc(), tensor));
    return linalg::GenericOp::create(
               b, type, ValueRange{tensor, masks}, ValueRange{into},
               ArrayRef<AffineMap>{identity, maskMap, identity}, iterators,
               [](OpBuilder &nested, Location loc, ValueRange args) {
                 Value product =
                     arith::MulFOp::create(nested, loc, args[0], args[1]);
                 linalg::YieldOp::create(nested, loc, product);
               })
        .getResult(0);
  }

  /// The results of `generic`, just built, elementwise over (B, U): computed
  /// in chunks of rows shared among threads (scf.forall) when B·U is large
  /// enough to pay for waking them, and as it is otherwise (an scf.if picks
  /// at run time when B is dynamic). Rows, as the products split them where
  /// the weights fit in L2, so that a thread reads what it wrote.
  SmallVector<Value> shareAmongThreads(linalg::GenericOp generic) {
    if (onOwnThread)
      return generic->getResults();
    Value rows = tensor::DimOp::create(b, generic.getDpsInits()[0], 0);
    if (std::optional<int64_t> staticRows = getConstantIntValue(rows)) {
      if (*staticRows <= tuning.threadRows ||
          *staticRows * units < tuning.parallelElements)
        return generic->getResults();
      return inRowChunks(generic);
    }
    Value elements = arith::MulIOp::create(b, rows, constantIndex(units));
    Value large = arith::AndIOp::create(
        b,
        arith::CmpIOp::create(b, arith::CmpIPredicate::uge, elements,
                              constantIndex(tuning.parallelElements)),
        arith::CmpIOp::create(b, arith::CmpIPredicate::ugt, rows,
                              constantIndex(tuning.threadRows)));
    auto choice = scf::IfOp::create(b, generic->getResultTypes(), large,
                                    /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(choice.thenBlock());
    auto chunked = cast<linalg::GenericOp>(b.clone(*generic));
    scf::YieldOp::create(b, inRowChunks(chunked));
    b.setInsertionPointToStart(choice.elseBlock());
    generic->moveBefore(b.getInsertionBlock(), b.getInsertionPoint());
    scf::YieldOp::create(b, generic->getResults());
    return choice->getResults();
  }

  /// `generic` tiled into an scf.forall over chunks of rows; returns the
  /// results.
  SmallVector<Value> inRowChunks(linalg::GenericOp generic) {
    IRRewriter rewriter(b.getContext());
    rewriter.setInsertionPoint(generic);
    scf::SCFTilingOptions options;
    options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp)
        .setTileSizes({b.getIndexAttr(tuning.threadRows), b.getIndexAttr(0)});
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(generic.getOperation()), options);
    if (failed(tiled))
      return generic->getResults(); // stays one loop on one thread
    rewriter.replaceOp(generic, tiled->replacements);
    return tiled->replacements;
  }

  //===--------------------------------------------------------------------===//
  // Projections
  //===--------------------------------------------------------------------===//

  /// x·W + b_i as (rows, 3U), where `toRows` turns (the dropped-out) `x`
  /// into (rows, F): one GEMM, or one per gate when each gate has its own
  /// input dropout mask.
  Value inputProjection(Value x, OpFoldResult rows,
                        function_ref<Value(Value)> toRows) {
    Value masks = p.dropoutMask;
    int64_t maskCount =
        masks ? cast<RankedTensorType>(masks.getType()).getDimSize(0) : 0;
    Value projection = empty({rows, index(3 * units)});
    Value bias = biasRow(0);
    if (maskCount != 3)
      return product(toRows(masks ? applyDropout(x, masks, 0) : x), p.kernel,
                     bias, projection);
    for (int64_t gate = 0; gate < 3; ++gate) {
      Value block = product(toRows(applyDropout(x, masks, gate)),
                            columns(p.kernel, gate * units, units),
                            slice(bias, gate * units, units),
                            columns(projection, gate * units, units));
      projection = insertColumns(block, projection, gate * units);
    }
    return projection;
  }

  /// The column blocks (first column, width) of R that steps multiply by:
  /// one per GEMM of recurrentProducts and the candidate's GEMM.
  SmallVector<std::pair<int64_t, int64_t>> recurrentBlocks() {
    if (p.recurrentDropoutMask)
      return {{0, units}, {units, units}, {2 * units, units}};
    if (p.math.resetAfter)
      return {{0, 3 * units}};
    return {{0, 2 * units}, {2 * units, units}};
  }

  /// Packs the blocks of R that steps use, once, for the microkernel.
  void packRecurrentKernel() {
    for (auto [first, width] : recurrentBlocks())
      packedRecurrent[{first, width}] =
          packPanels(b, columns(p.recurrentKernel, first, width),
                     PanelLayout::forColumns(width, tuning), tuning);
  }

  /// lhs · R[:, first .. first + width] + the recurrent bias of those
  /// columns, written into `into`, with R packed before the loop if it was.
  Value recurrentMatmul(Value lhs, int64_t first, int64_t width, Value into) {
    Value bias = biasRow(1);
    if (width != 3 * units)
      bias = slice(bias, first, width);
    return product(lhs, columns(p.recurrentKernel, first, width), bias, into,
                   packedRecurrent.lookup({first, width}));
  }

  /// (h or h ⊙ recurrent mask `gate`) · R[:, first .. first + width] + bias.
  Value recurrentProduct(Value state, int64_t gate, int64_t first,
                         int64_t width, Value into) {
    Value h = state;
    if (Value masks = p.recurrentDropoutMask) {
      Value dropped = temporary(units);
      h = written(applyDropout(state, masks, gate, dropped), dropped);
    }
    return recurrentMatmul(h, first, width, into);
  }

  /// The recurrent products of the first `gates` gates, (B, gates·U): one
  /// GEMM unless each gate has its own recurrent dropout mask.
  Value recurrentProducts(Value state, int64_t gates, Value into) {
    if (!p.recurrentDropoutMask)
      return recurrentProduct(state, 0, 0, gates * units, into);
    Value result = into;
    for (int64_t gate = 0; gate < gates; ++gate)
      result =
          insertColumns(recurrentProduct(state, gate, gate * units, units,
                                         columns(result, gate * units, units)),
                        result, gate * units);
    return result;
  }

  //===--------------------------------------------------------------------===//
  // One step
  //===--------------------------------------------------------------------===//

  /// Returns the new state and the step's output from the step's input
  /// projection (B, 3U). Where `keep` (B) is false the state stays and the
  /// output is `otherwise`. The results are written into `stateInit` and
  /// `outputInit`, which may be the loop-carried tensors themselves: the
  /// gate math is elementwise, so it can update them in place.
  std::pair<Value, Value> step(Value projected, Value state, Value keep,
                               Value otherwise, Value stateInit,
                               Value outputInit) {
    if (p.math.resetAfter) {
      Value products = temporary(3 * units);
      Value recurrent =
          written(recurrentProducts(state, 3, products), products);
      return gates(gateInputs(projected, recurrent, Value()), state, keep,
                   otherwise, stateInit, outputInit);
    }
    // reset_after = false: the h block of the recurrent product waits for r,
    // and its recurrent dropout applies to h before r ⊙ h.
    Value products = temporary(2 * units);
    Value zr = written(recurrentProducts(state, 2, products), products);
    Value h = state;
    if (Value masks = p.recurrentDropoutMask) {
      Value dropped = temporary(units);
      h = written(applyDropout(state, masks, 2, dropped), dropped);
    }
    Value product = temporary(units);
    Value resetState = written(
        resetTimesState(gateBlock(projected, 1), gateBlock(zr, 1), h, product),
        product);
    Value candidateProduct = temporary(units);
    Value candidate =
        written(recurrentMatmul(resetState, 2 * units, units, candidateProduct),
                candidateProduct);
    return gates(gateInputs(projected, zr, candidate), state, keep, otherwise,
                 stateInit, outputInit);
  }

  /// The gate inputs from a step's projection (B, 3U) and recurrent
  /// products ((B, 3U), or (B, 2U) and the candidate's (B, U)).
  GateInputs gateInputs(Value projected, Value recurrent, Value candidate) {
    return {gateBlock(projected, 0),
            gateBlock(projected, 1),
            gateBlock(projected, 2),
            gateBlock(recurrent, 0),
            gateBlock(recurrent, 1),
            candidate ? candidate : gateBlock(recurrent, 2)};
  }

  /// Column block `gate` (z, r or h) of a (B, k·U) tensor.
  Value gateBlock(Value tensor, int64_t gate) {
    return columns(tensor, gate * units, units);
  }

  /// r ⊙ h into `into`, from r's input projection and recurrent product,
  /// for reset_after = false.
  Value resetTimesState(Value xr, Value hr, Value h, Value into) {
    AffineMap id = AffineMap::getMultiDimIdentityMap(2, b.getContext());
    SmallVector<utils::IteratorType> parallel(2, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        b, into.getType(), ValueRange{xr, hr, h}, ValueRange{into},
        ArrayRef<AffineMap>{id, id, id, id}, parallel,
        [&](OpBuilder &nested, Location loc, ValueRange args) {
          ImplicitLocOpBuilder s(loc, nested);
          Value rh = arith::MulFOp::create(s, p.math.reset(s, args[0], args[1]),
                                           args[2]);
          linalg::YieldOp::create(s, rh);
        });
    return shareAmongThreads(generic)[0];
  }

  /// The fused gate math and masking of one step. With reset_after the
  /// candidate's recurrent term is r ⊙ hh; otherwise it is hh.
  std::pair<Value, Value> gates(GateInputs in, Value state, Value keep,
                                Value otherwise, Value stateInit,
                                Value outputInit) {
    MLIRContext *ctx = b.getContext();
    AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
    AffineMap row = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);

    // The state and the previous output are read from the outputs that they
    // update in place where they are the same tensors, so that row chunks on
    // different threads read only their own rows of them.
    bool stateInPlace = state == stateInit;
    bool otherwiseInPlace = keep && otherwise == outputInit;
    SmallVector<Value> inputs{in.xz, in.xr, in.xh, in.hz, in.hr, in.hh};
    SmallVector<AffineMap> maps(inputs.size(), id);
    if (!stateInPlace) {
      inputs.push_back(state);
      maps.push_back(id);
    }
    if (keep) {
      inputs.push_back(keep);
      maps.push_back(row);
    }
    if (keep && !otherwiseInPlace) {
      inputs.push_back(otherwise);
      maps.push_back(id);
    }
    // The new state, and the output where a mask makes them differ.
    SmallVector<Value> outs{stateInit};
    if (keep)
      outs.push_back(outputInit);
    maps.append(outs.size(), id);
    size_t inputCount = inputs.size();
    SmallVector<utils::IteratorType> parallel(2, utils::IteratorType::parallel);

    auto generic = linalg::GenericOp::create(
        b, TypeRange(ValueRange(outs)), inputs, outs, maps, parallel,
        [&](OpBuilder &nested, Location loc, ValueRange args) {
          ImplicitLocOpBuilder s(loc, nested);
          unsigned nextInput = 6;
          Value h = stateInPlace ? args[inputCount] : args[nextInput++];
          Value keepRow = keep ? args[nextInput++] : Value();
          Value previous = !keep              ? Value()
                           : otherwiseInPlace ? args[inputCount + 1]
                                              : args[nextInput++];
          Value next = p.math.next(
              s, {args[0], args[1], args[2], args[3], args[4], args[5]}, h);
          auto [kept, output] = maskedStep(s, loc, keepRow, next, h, previous);
          linalg::YieldOp::create(s, keep ? ValueRange{kept, output}
                                          : ValueRange{kept});
        });
    SmallVector<Value> results = shareAmongThreads(generic);
    return {results.front(), results.back()};
  }

  ImplicitLocOpBuilder b;
  StepParams p;
  const KernelTuning &tuning;
  StepBuffers *buffers = nullptr;
  /// Whether the code being built runs on one thread of a persistent team,
  /// which shares nothing further.
  bool onOwnThread = false;
  /// The packed blocks of R by (first column, width), once packed.
  llvm::SmallDenseMap<std::pair<int64_t, int64_t>, Value> packedRecurrent;
  Type elementType;
  int64_t units;
  OpFoldResult batch;
};

/// A StepBuilder for the steps of a gru.layer: its input projection and the
/// time axis of its tensors.
class LayerSteps : public StepBuilder {
public:
  LayerSteps(RewriterBase &rewriter, LayerOp op, const KernelTuning &tuning,
             OpBuilder::InsertPoint at = {})
      : StepBuilder(rewriter, op, StepParams::of(op, op.getUnits()),
                    op.getInput(), tuning, at),
        op(op) {
    steps = tensor::getMixedSize(b, b.getLoc(), op.getInput(), 1);
  }

protected:
  /// x·W + b_i for every (b, t), as (T·B, 3U) with row t·B + b, from one
  /// GEMM over all rows. Time-major, each step's rows are one contiguous
  /// block that the hardware prefetchers stream into the cache ahead of the
  /// step's gate math; batch-major, they were B pieces of 3U floats a
  /// T·3U stride apart, mostly missed: the gate loop took 15% of a
  /// 32x100x128x256 layer, 10.5% time-major.
  Value sequenceProjection() {
    AffineExpr bExpr, tExpr;
    bindSymbols(b.getContext(), bExpr, tExpr);
    OpFoldResult rows = affine::makeComposedFoldedAffineApply(
        b, b.getLoc(), bExpr * tExpr, {batch, steps});
    return inputProjection(op.getInput(), rows, [&](Value x) -> Value {
      // A batch of one is time-major already.
      if (isConstantIntValue(batch, 1))
        return tensor::CollapseShapeOp::create(
            b, x, SmallVector<ReassociationIndices>{{0, 1}, {2}});
      int64_t features = cast<RankedTensorType>(x.getType()).getDimSize(2);
      Value timeMajor = empty({steps, batch, index(features)});
      Value transposed = linalg::TransposeOp::create(b, x, timeMajor,
                                                     ArrayRef<int64_t>{1, 0, 2})
                             ->getResult(0);
      return tensor::CollapseShapeOp::create(
          b, transposed, SmallVector<ReassociationIndices>{{0, 1}, {2}});
    });
  }

  /// The rows t·B + b of the projection, for every b, as (B, 3U).
  Value sliceStep(Value projection, Value t) {
    auto type =
        RankedTensorType::get({staticSize(batch), 3 * units}, elementType);
    // Plain arith: t may be the induction variable of a loop being built.
    Value first = arith::MulIOp::create(
        b, t, getValueOrCreateConstantIndexOp(b, b.getLoc(), batch));
    return tensor::ExtractSliceOp::create(
        b, type, projection, {first, index(0)}, {batch, index(3 * units)},
        {index(1), index(1)});
  }

  /// mask[:, t] as (B).
  Value maskAt(Value t) {
    auto type = RankedTensorType::get({staticSize(batch)}, b.getI1Type());
    return tensor::ExtractSliceOp::create(b, type, op.getMask(), {index(0), t},
                                          {batch, index(1)},
                                          {index(1), index(1)});
  }

  /// sequence[:, k, :] = output.
  Value insertStep(Value output, Value sequence, Value k) {
    return tensor::InsertSliceOp::create(
        b, output, sequence, {index(0), k, index(0)},
        {batch, index(1), index(units)}, {index(1), index(1), index(1)});
  }

  LayerOp op;
  OpFoldResult steps;
};

/// How a persistent team shares a layer's steps: each thread owns some
/// units (for all rows) or some rows (for all units).
enum class TeamSplit { units, rows };

/// The steps of `op` on a persistent team of threads, built at `at` from
/// the layer's input projection, the outputs of masked steps with
/// zero_output_for_mask (or null) and the initial state; returns the
/// layer's output and final state (TeamSteps.cpp).
std::pair<Value, Value> buildTeamSteps(RewriterBase &rewriter, LayerOp op,
                                       const KernelTuning &tuning,
                                       OpBuilder::InsertPoint at,
                                       Value projection, Value zeros,
                                       Value initialState, TeamSplit split);

} // namespace mlir::gru

#endif // GRU_CONVERSION_GRUTOLOOPS_STEPBUILDER_H
