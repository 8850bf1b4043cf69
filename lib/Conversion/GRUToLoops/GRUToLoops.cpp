//===- GRUToLoops.cpp - the convert-gru-to-loops pass
//----------------------===//
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
// gate). Masking follows docs/GRU_SEMANTICS.md section 5.
//
//===----------------------------------------------------------------------===//

#include "PackedMatmul.h"
#include "Regularization.h"
#include "gru/Conversion/Activations.h"
#include "gru/Conversion/Passes.h"
#include "gru/Conversion/StepSemantics.h"
#include "gru/IR/GRUOps.h"

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

/// What one step needs, taken from a gru.layer or a gru.cell.
struct StepParams {
  Value kernel, recurrentKernel, bias, dropoutMask, recurrentDropoutMask;
  Activation activation, recurrentActivation;
  bool resetAfter;
  std::optional<double> clip;
  int64_t units;

  template <typename OpTy> static StepParams of(OpTy op, int64_t units) {
    return {op.getKernel(),
            op.getRecurrentKernel(),
            op.getBias(),
            op.getDropoutMask(),
            op.getRecurrentDropoutMask(),
            op.getActivation(),
            op.getRecurrentActivation(),
            op.getResetAfter(),
            op.getClipAttr()
                ? std::optional<double>(op.getClipAttr().getValueAsDouble())
                : std::nullopt,
            units};
  }
};

/// Builds the projections and the fused gate math of GRU steps.
class StepBuilder {
public:
  StepBuilder(RewriterBase &rewriter, Operation *op, StepParams params,
              Value input, const KernelTuning &tuning)
      : b(op->getLoc(), rewriter), p(params), tuning(tuning),
        units(params.units) {
    b.setInsertionPoint(op);
    elementType = cast<RankedTensorType>(input.getType()).getElementType();
    batch = tensor::getMixedSize(b, b.getLoc(), input, 0);
  }

protected:
  /// A gate's activation of x, x first clipped into [-clip, clip] where the
  /// layer has a clip.
  Value gate(ImplicitLocOpBuilder &s, Activation activation, Value x) {
    if (p.clip) {
      Value bound =
          arith::ConstantOp::create(s, s.getFloatAttr(x.getType(), *p.clip));
      Value low = arith::NegFOp::create(s, bound);
      x = arith::MinimumFOp::create(s, arith::MaximumFOp::create(s, x, low),
                                    bound);
    }
    return buildActivation(s, activation, x);
  }

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
    if (p.resetAfter)
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
    if (!p.bias || (!p.resetAfter && row != 0))
      return Value();
    if (!p.resetAfter)
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
    if (p.resetAfter)
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
    if (p.resetAfter) {
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

  /// The operands of a step's gate math, each (B, U) (or the columns of
  /// the units that one thread owns): the input projections and the
  /// recurrent terms of z, r and h. With reset_after = false, hr is unused
  /// and hh is (r ⊙ h)·R_h.
  struct GateInputs {
    Value xz, xr, xh, hz, hr, hh;
  };

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
    Activation sigma = p.recurrentActivation;
    AffineMap id = AffineMap::getMultiDimIdentityMap(2, b.getContext());
    SmallVector<utils::IteratorType> parallel(2, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        b, into.getType(), ValueRange{xr, hr, h}, ValueRange{into},
        ArrayRef<AffineMap>{id, id, id, id}, parallel,
        [&](OpBuilder &nested, Location loc, ValueRange args) {
          ImplicitLocOpBuilder s(loc, nested);
          Value r = gate(s, sigma, arith::AddFOp::create(s, args[0], args[1]));
          Value rh = arith::MulFOp::create(s, r, args[2]);
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
    bool resetAfter = p.resetAfter;
    Activation phi = p.activation, sigma = p.recurrentActivation;

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
          auto add = [&](Value x, Value y) -> Value {
            return arith::AddFOp::create(s, x, y);
          };
          auto mul = [&](Value x, Value y) -> Value {
            return arith::MulFOp::create(s, x, y);
          };
          Value xz = args[0], xr = args[1], xh = args[2], hz = args[3],
                hr = args[4], hh = args[5];
          unsigned nextInput = 6;
          Value h = stateInPlace ? args[inputCount] : args[nextInput++];
          Value keepRow = keep ? args[nextInput++] : Value();
          Value previous = !keep              ? Value()
                           : otherwiseInPlace ? args[inputCount + 1]
                                              : args[nextInput++];
          // With reset_after = false, hr is unused: r was applied before
          // the candidate's product.
          Value z = gate(s, sigma, add(xz, hz));
          Value candidateInput = add(xh, hh);
          if (resetAfter) {
            Value r = gate(s, sigma, add(xr, hr));
            candidateInput = add(xh, mul(r, hh));
          }
          Value candidate = gate(s, phi, candidateInput);
          // h' = z ⊙ h + (1 − z) ⊙ candidate
          Value one =
              arith::ConstantOp::create(s, s.getFloatAttr(h.getType(), 1.0));
          Value next =
              add(mul(z, h), mul(arith::SubFOp::create(s, one, z), candidate));
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

/// Builds the loops of one gru.layer.
class LayerLowering : StepBuilder {
public:
  LayerLowering(RewriterBase &rewriter, LayerOp op, const KernelTuning &tuning)
      : StepBuilder(rewriter, op, StepParams::of(op, op.getUnits()),
                    op.getInput(), tuning),
        op(op) {
    steps = tensor::getMixedSize(b, b.getLoc(), op.getInput(), 1);
  }

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
    if (!teamMayRunSteps())
      return timeLoop(projection, zeros, initialState);
    int64_t workPerRow = 3 * units * units;
    if (std::optional<int64_t> rows = getConstantIntValue(batch))
      return *rows * workPerRow < tuning.teamWork
                 ? teamSteps(projection, zeros, initialState)
                 : timeLoop(projection, zeros, initialState);
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
    auto branch = [&](Block *block, bool team) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(block);
      auto [output, state] = team ? teamSteps(projection, zeros, initialState)
                                  : timeLoop(projection, zeros, initialState);
      scf::YieldOp::create(
          b, ValueRange{castTo(output, outputType), castTo(state, stateType)});
    };
    branch(choice.thenBlock(), true);
    branch(choice.elseBlock(), false);
    return {choice.getResult(0), choice.getResult(1)};
  }

private:
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

  //===--------------------------------------------------------------------===//
  // The steps on a persistent team of threads
  //===--------------------------------------------------------------------===//

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

  /// The columns a thread owns.
  struct Ownership {
    PanelRange panels;
    Value firstColumn, columns;
  };

  /// The steps in one OpenMP parallel region: each thread computes the
  /// recurrent products and gate math of the units it owns for all rows,
  /// and the team meets at one barrier per step (two with reset_after =
  /// false, whose candidate needs r ⊙ h of every unit), where the new state
  /// is exchanged through a double buffer. This is the structure of a
  /// persistent GPU kernel, with threads for blocks.
  std::pair<Value, Value> teamSteps(Value projection, Value zeros,
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
      Ownership own = ownership(weights.layout);
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

  /// The team's buffers, the state of even steps holding the initial state.
  TeamBuffers teamBuffers(Value initialState) {
    TeamBuffers buffers;
    buffers.states = alloc({index(2), batch, index(units)});
    bufferization::MaterializeInDestinationOp::create(
        b, TypeRange{}, initialState,
        stateBuffer(buffers.states, constantIndex(0)), /*restrict=*/true,
        /*writable=*/true);
    buffers.products = alloc({batch, index(3 * units)});
    if (!p.resetAfter)
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

  /// The calling thread's panels and columns: an even share of the panels
  /// of the team it is part of, however many threads it has.
  Ownership ownership(PanelLayout layout) {
    auto call = [&](StringRef name) -> Value {
      Value number = func::CallOp::create(
                         b, runtimeFunction(name, b.getI32Type()), ValueRange{})
                         .getResult(0);
      return arith::IndexCastOp::create(b, b.getIndexType(), number);
    };
    Value thread = call("omp_get_thread_num");
    Value threads = call("omp_get_num_threads");
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
    return {{first, end}, firstColumn, columns};
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

  void barrier() {
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

  /// The columns [first, first + count) of every row of a (B, N) buffer,
  /// or of step `k` of a (B, T, N) one.
  Value ownedColumns(Value buffer, Value first, Value count,
                     Value k = Value()) {
    auto type = cast<MemRefType>(buffer.getType());
    SmallVector<OpFoldResult> offsets{index(0), first};
    SmallVector<OpFoldResult> sizes{batch, count};
    if (k) {
      offsets.insert(offsets.begin() + 1, k);
      sizes.insert(sizes.begin() + 1, index(1));
    }
    SmallVector<OpFoldResult> strides(offsets.size(), index(1));
    auto resultType = memref::SubViewOp::inferRankReducedResultType(
        {staticSize(batch), ShapedType::kDynamic}, type, offsets, sizes,
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

  /// The owned columns of a (B, N) tensor from column `offset` on.
  Value ownedSlice(Value tensor, int64_t offset, const Ownership &own) {
    Value first =
        arith::AddIOp::create(b, own.firstColumn, constantIndex(offset));
    SmallVector<OpFoldResult> offsets{index(0), first};
    SmallVector<OpFoldResult> sizes{batch, own.columns};
    return tensor::ExtractSliceOp::create(b, tensor, offsets, sizes,
                                          {index(1), index(1)});
  }

  /// The owned columns of gate `gate`'s recurrent product lhs · R_gate,
  /// computed in their place in the products buffer.
  Value ownedProduct(Value lhs, int64_t gate, const TeamWeights &weights,
                     const TeamBuffers &buffers, const Ownership &own) {
    Value first =
        arith::AddIOp::create(b, own.firstColumn, constantIndex(gate * units));
    Value into = ownedColumns(buffers.products, first, own.columns);
    return packedMatmul(b, lhs, weights.packed[gate], weights.biases[gate],
                        toTensor(into, true), weights.layout, tuning,
                        own.panels);
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
    auto owned = [&](Value buffer) {
      return ownedColumns(buffer, own.firstColumn, own.columns);
    };
    Value parity = arith::RemUIOp::create(b, k, constantIndex(2));
    Value state = toTensor(stateBuffer(buffers.states, parity));
    Value nextBuffer = owned(
        stateBuffer(buffers.states, arith::SubIOp::create(b, one, parity)));
    Value projected = sliceStep(projection, t);
    auto product = [&](Value lhs, int64_t gate) {
      return ownedProduct(lhs, gate, weights, buffers, own);
    };
    Value ownState = ownedSlice(state, 0, own);
    GateInputs in{ownedSlice(projected, 0, own),
                  ownedSlice(projected, units, own),
                  ownedSlice(projected, 2 * units, own),
                  product(state, 0),
                  product(state, 1),
                  Value()};
    if (p.resetAfter) {
      in.hh = product(state, 2);
    } else {
      // Every unit's r ⊙ h before the candidate's product.
      Value resetBuffer = owned(buffers.resetState);
      store(
          resetTimesState(in.xr, in.hr, ownState, toTensor(resetBuffer, true)),
          resetBuffer);
      barrier();
      in.hh = product(toTensor(buffers.resetState), 2);
    }

    Value keep, otherwise, previousBuffer, outputInit;
    if (buffers.previous) {
      keep = maskAt(t);
      previousBuffer = owned(buffers.previous);
      outputInit = toTensor(previousBuffer, true);
      otherwise = maskedStepOutput(
          op, zeros ? ownedSlice(zeros, 0, own) : Value(), outputInit);
    }
    auto [next, output] = gates(in, ownState, keep, otherwise,
                                toTensor(nextBuffer, true), outputInit);
    store(next, nextBuffer);
    if (previousBuffer)
      store(output, previousBuffer);
    if (buffers.sequence)
      store(output,
            ownedColumns(buffers.sequence, own.firstColumn, own.columns, k));
    barrier();
  }

  /// x·W + b_i for every (b, t), as (B·T, 3U) with row b·T + t, from one
  /// GEMM over all rows.
  Value sequenceProjection() {
    AffineExpr bExpr, tExpr;
    bindSymbols(b.getContext(), bExpr, tExpr);
    OpFoldResult rows = affine::makeComposedFoldedAffineApply(
        b, b.getLoc(), bExpr * tExpr, {batch, steps});
    return inputProjection(op.getInput(), rows, [&](Value x) -> Value {
      return tensor::CollapseShapeOp::create(
          b, x, SmallVector<ReassociationIndices>{{0, 1}, {2}});
    });
  }

  /// The rows b·T + t of the projection, for every b, as (B, 3U).
  Value sliceStep(Value projection, Value t) {
    auto type =
        RankedTensorType::get({staticSize(batch), 3 * units}, elementType);
    return tensor::ExtractSliceOp::create(b, type, projection, {t, index(0)},
                                          {batch, index(3 * units)},
                                          {steps, index(1)});
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
    if (op.hasActiveDropout() || op.hasActiveRecurrentDropout())
      return op.emitError() << "convert-gru-to-loops needs explicit dropout "
                               "masks; run gru-eliminate-dropout first";
    if (op.getStateful())
      return op.emitError() << "convert-gru-to-loops needs explicit state; run "
                               "gru-materialize-state first";
    if (std::optional<Implementation> impl = op.getImpl();
        impl && *impl != Implementation::fused)
      return op.emitError()
             << "layer is assigned to " << stringifyImplementation(*impl)
             << "; convert-gru-to-loops lowers fused layers";
    return success();
  }
};

} // namespace
