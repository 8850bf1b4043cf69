//===- PackedMatmul.cpp - register-blocked products with packed weights ---===//
//
// The microkernel keeps a tile of rows × one panel of the result in vector
// registers: for each k it loads the panel's row k once (contiguous) and
// broadcasts each tile row's lhs[row, k] into fused multiply-adds. Panels are
// the outer loop, so one panel stays in cache while all row tiles use it.
// Row tiles are the main size, then 4, then 1; a single row splits k over
// four accumulator sets so that the FMA latency stays hidden. Panels deeper
// than half the L1 are passed over by blocks of k. Weights too large to stay
// in L2 stream from L3: the next panel is prefetched while one is in use.
// Large products share their panels among threads (scf.forall).
//
//===----------------------------------------------------------------------===//

#include "PackedMatmul.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::gru;

PanelLayout PanelLayout::forColumns(int64_t columns,
                                    const KernelTuning &tuning) {
  auto padding = [&](PanelLayout l) {
    return l.panels() * l.panelWidth() - columns;
  };
  PanelLayout best{columns, tuning.maxPanelVectors, tuning.lanes};
  for (int64_t vectors = best.vectors - 1; vectors >= 1; --vectors) {
    PanelLayout narrower{columns, vectors, tuning.lanes};
    if (padding(narrower) < padding(best))
      best = narrower;
  }
  return best;
}

namespace {

/// The f32 values of a constant (K, N) matrix, or of static columns of one,
/// row-major; none for anything else.
std::optional<std::vector<float>> constantMatrix(Value matrix) {
  auto type = cast<RankedTensorType>(matrix.getType());
  int64_t rows = type.getDimSize(0), columns = type.getDimSize(1);
  int64_t firstColumn = 0;
  if (auto slice = matrix.getDefiningOp<tensor::ExtractSliceOp>()) {
    ArrayRef<int64_t> offsets = slice.getStaticOffsets();
    if (!slice.hasUnitStride() || offsets.size() != 2 || offsets[0] != 0 ||
        ShapedType::isDynamic(offsets[1]))
      return std::nullopt;
    firstColumn = offsets[1];
    matrix = slice.getSource();
  }
  ElementsAttr attr;
  if (!matchPattern(matrix, m_Constant(&attr)) ||
      !attr.getElementType().isF32())
    return std::nullopt;
  std::vector<float> all;
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef();
    if (!data)
      return std::nullopt;
    all.assign(data->begin(), data->end());
  } else if (auto range = attr.tryGetValues<float>()) {
    all.assign(range->begin(), range->end());
  } else {
    return std::nullopt;
  }
  int64_t sourceColumns = cast<ShapedType>(attr.getType()).getDimSize(1);
  std::vector<float> values(rows * columns);
  for (int64_t k = 0; k < rows; ++k)
    std::copy_n(all.begin() + k * sourceColumns + firstColumn, columns,
                values.begin() + k * columns);
  return values;
}

/// Constant weights packed at compile time, as packPanels would at run time.
Value packConstant(ImplicitLocOpBuilder &b, ArrayRef<float> weights,
                   int64_t depth, PanelLayout layout, int64_t groups) {
  int64_t width = layout.panelWidth(), panels = layout.panels();
  int64_t rowLength = groups * layout.columns;
  std::vector<float> packed(groups * panels * depth * width, 0.0f);
  for (int64_t group = 0; group < groups; ++group)
    for (int64_t panel = 0; panel < panels; ++panel)
      for (int64_t k = 0; k < depth; ++k)
        for (int64_t j = 0; j < width; ++j)
          if (int64_t column = panel * width + j; column < layout.columns)
            packed[((group * panels + panel) * depth + k) * width + j] =
                weights[k * rowLength + group * layout.columns + column];
  SmallVector<int64_t> shape{panels, depth, width};
  if (groups > 1)
    shape.insert(shape.begin(), groups);
  auto type = RankedTensorType::get(shape, b.getF32Type());
  return arith::ConstantOp::create(
      b, DenseElementsAttr::get(type, ArrayRef<float>(packed)));
}

} // namespace

Value mlir::gru::packPanels(ImplicitLocOpBuilder &b, Value weights,
                            PanelLayout layout, const KernelTuning &tuning,
                            int64_t groups) {
  auto type = cast<RankedTensorType>(weights.getType());
  Type element = type.getElementType();
  int64_t depth = type.getDimSize(0), width = layout.panelWidth(),
          panels = layout.panels();
  // Packed at compile time, weights live in the library's pages, 4 KiB
  // each: where they stream from L3 at every step, the TLB misses cost more
  // (20-30% on Zen 3) than packing them into the runtime's huge pages.
  int64_t bytes = groups * panels * depth * width * int64_t(sizeof(float));
  if (bytes <= tuning.l2ResidentBytes)
    if (std::optional<std::vector<float>> values = constantMatrix(weights))
      return packConstant(b, *values, depth, layout, groups);
  // (K, groups·N) as (K, groups, N), padded to whole panels, split into
  // them and transposed to (groups, panels, K, width).
  Value grouped = weights;
  if (groups > 1)
    grouped = tensor::ExpandShapeOp::create(
        b, RankedTensorType::get({depth, groups, layout.columns}, element),
        weights, SmallVector<ReassociationIndices>{{0}, {1, 2}});
  int64_t last = groups > 1 ? 2 : 1;
  SmallVector<int64_t> paddedShape{depth, panels * width};
  if (groups > 1)
    paddedShape.insert(paddedShape.begin() + 1, groups);
  Value padded = grouped;
  if (panels * width != layout.columns) {
    Value zero = arith::ConstantOp::create(b, b.getZeroAttr(element));
    padded = tensor::createPadHighOp(
        RankedTensorType::get(paddedShape, element), grouped, zero,
        /*nofold=*/false, b.getLoc(), b);
  }
  SmallVector<int64_t> splitShape(paddedShape);
  splitShape[last] = panels;
  splitShape.push_back(width);
  SmallVector<ReassociationIndices> split{{0}, {1, 2}};
  if (groups > 1)
    split = {{0}, {1}, {2, 3}};
  Value panelsOfRows = tensor::ExpandShapeOp::create(
      b, RankedTensorType::get(splitShape, element), padded, split);
  SmallVector<int64_t> permutation{1, 0, 2};
  SmallVector<int64_t> packedShape{panels, depth, width};
  if (groups > 1) {
    permutation = {1, 2, 0, 3};
    packedShape.insert(packedShape.begin(), groups);
  }
  Value packed = tensor::EmptyOp::create(b, packedShape, element);
  return linalg::TransposeOp::create(b, panelsOfRows, packed, permutation)
      ->getResult(0);
}

namespace {

/// A tile shape of the microkernel.
struct Tile {
  int64_t rows;
  int64_t kSplit;
};

/// The k of a tile's pass over a panel: `size` from `begin`. Where it is
/// not all of k (`blocked`), the pass adds to what the earlier ones wrote.
struct DepthRange {
  Value begin;
  int64_t size;
  bool blocked = false;
};

/// Where a row tile's results go: `tensor` holds the rows from `firstRow`
/// on, and either the columns from `firstColumn` on or (`panelOnly`) just
/// the tile's panel.
struct Destination {
  Value tensor;
  Value firstRow;
  bool panelOnly;
  Value firstColumn = Value();
};

class MicrokernelBuilder {
public:
  MicrokernelBuilder(ImplicitLocOpBuilder &b, Value lhs, Value panels,
                     Value bias, PanelLayout layout, const KernelTuning &tuning)
      : b(b), lhs(lhs), panels(panels), bias(bias), layout(layout),
        tuning(tuning) {
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    depth = lhsType.getDimSize(1);
    blockRows = tuning.blockRows(depth);
    vectorType = VectorType::get({layout.lanes}, lhsType.getElementType());
    inBounds = layout.columns % layout.panelWidth() == 0;
  }

  /// The panels of `range` only, on this thread, into `into`, which holds
  /// their columns.
  Value buildRange(Value into, PanelRange range) {
    preparePrefetch();
    Value rows = tensor::DimOp::create(b, lhs, 0);
    Value firstColumn = column(range.first, 0);
    return forLoop(index(0), rows, blockRows, into,
                   [&](Value first, ValueRange carried) {
                     Value end = arith::MinUIOp::create(
                         b, arith::AddIOp::create(b, first, index(blockRows)),
                         rows);
                     Destination destination{carried[0], index(0), false,
                                             firstColumn};
                     return SmallVector<Value>{
                         panelRange(destination, range, first, end)};
                   })
        .getResult(0);
  }

  /// The product, with the panels shared among threads when it is large
  /// enough to pay for them.
  Value build(Value into) {
    preparePrefetch();
    Value rows = tensor::DimOp::create(b, lhs, 0);
    int64_t perRow = layout.columns * depth;
    if (std::optional<int64_t> staticRows = getConstantIntValue(rows))
      return build(into, rows, *staticRows * perRow >= tuning.parallelWork);
    Value work = arith::MulIOp::create(b, rows, index(perRow));
    Value large = arith::CmpIOp::create(b, arith::CmpIPredicate::uge, work,
                                        index(tuning.parallelWork));
    auto choice = scf::IfOp::create(
        b, large,
        [&](OpBuilder &nested, Location) {
          yieldIn(nested, [&] { return build(into, rows, /*parallel=*/true); });
        },
        [&](OpBuilder &nested, Location) {
          yieldIn(nested,
                  [&] { return build(into, rows, /*parallel=*/false); });
        });
    return choice.getResult(0);
  }

private:
  /// The packed panels as a buffer, only to prefetch from, where they stream
  /// from L3.
  void preparePrefetch() {
    if (!streamsFromL3())
      return;
    // Any offset: the panels may be a slice of a larger packed tensor.
    auto panelsType = cast<RankedTensorType>(panels.getType());
    auto layout =
        StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic,
                               computeSuffixProduct(panelsType.getShape()));
    panelBuffer = bufferization::ToBufferOp::create(
        b,
        MemRefType::get(panelsType.getShape(), panelsType.getElementType(),
                        layout),
        panels, b.getUnitAttr());
  }

  /// Builds `value` at the end of `nested`'s block and yields it.
  void yieldIn(OpBuilder &nested, function_ref<Value()> value) {
    yieldAllIn(nested, [&] { return SmallVector<Value>{value()}; });
  }

  /// Builds `values` at the end of `nested`'s block and yields them.
  void yieldAllIn(OpBuilder &nested,
                  function_ref<SmallVector<Value>()> values) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(nested.getInsertionBlock());
    scf::YieldOp::create(b, values());
  }

  Value build(Value into, Value rows, bool parallel) {
    // A block's rows stay in L2 while every panel passes over them.
    return forLoop(index(0), rows, blockRows, into,
                   [&](Value first, ValueRange carried) {
                     Value end = arith::MinUIOp::create(
                         b, arith::AddIOp::create(b, first, index(blockRows)),
                         rows);
                     Value block =
                         !parallel ? panelByPanel(carried[0], first, end)
                         : streamsFromL3()
                             ? panelsInParallel(carried[0], first, end)
                             : rowTilesInParallel(carried[0], first, end);
                     return SmallVector<Value>{block};
                   })
        .getResult(0);
  }

  /// Rows [first, end) of the product, panel by panel, into `into`, which
  /// holds the rows from `firstRow` on.
  Value panelByPanel(Value into, Value first, Value end,
                     Value firstRow = Value()) {
    Destination destination{into, firstRow ? firstRow : index(0), false};
    return panelRange(destination, {index(0), index(layout.panels())}, first,
                      end);
  }

  /// Rows [first, end) of the panels of `range`, panel by panel.
  Value panelRange(Destination into, PanelRange range, Value first, Value end) {
    return forLoop(range.first, range.end, 1, into.tensor,
                   [&](Value panel, ValueRange carried) {
                     Destination destination = into;
                     destination.tensor = carried[0];
                     return SmallVector<Value>{
                         rowTiles(destination, panel, first, end)};
                   })
        .getResult(0);
  }

  /// Rows [first, end) of the product, chunks of threadRows rows shared
  /// among threads for weights that stay in every core's L2: a thread then
  /// reads and writes only its own rows, which, step after step, it wrote
  /// itself (a state shared among cores would move between their caches at
  /// every step). The gate loops use the same chunks.
  Value rowTilesInParallel(Value into, Value first, Value end) {
    int64_t chunkRows = tuning.threadRows;
    assert(chunkRows % mainTileRows() == 0 && "a chunk splits a main tile");
    Value count = arith::SubIOp::create(b, end, first);
    Value chunks = arith::CeilDivUIOp::create(b, count, index(chunkRows));
    return slicesInParallel(
        chunks, into,
        [&](Value chunk) -> Slice {
          Value chunkFirst = arith::AddIOp::create(
              b, first, arith::MulIOp::create(b, chunk, index(chunkRows)));
          Value chunkEnd =
              arith::MinUIOp::create(b, offset(chunkFirst, chunkRows), end);
          return {{chunkFirst, b.getIndexAttr(0)},
                  {arith::SubIOp::create(b, chunkEnd, chunkFirst).getResult(),
                   b.getIndexAttr(layout.columns)}};
        },
        [&](Value, Value slice, const Slice &where) {
          auto chunkFirst = cast<Value>(where.offsets[0]);
          Value chunkEnd =
              arith::AddIOp::create(b, chunkFirst, cast<Value>(where.sizes[0]));
          return panelByPanel(slice, chunkFirst, chunkEnd, chunkFirst);
        });
  }

  /// Rows [first, end) of the product, the panels shared among threads:
  /// each writes its own columns.
  Value panelsInParallel(Value into, Value first, Value end) {
    OpFoldResult rowCount = arith::SubIOp::create(b, end, first).getResult();
    return slicesInParallel(
        index(layout.panels()), into,
        [&](Value panel) -> Slice {
          Value firstColumn = column(panel, 0);
          OpFoldResult columns = b.getIndexAttr(layout.panelWidth());
          if (!inBounds)
            columns = arith::MinUIOp::create(
                          b, index(layout.panelWidth()),
                          arith::SubIOp::create(b, index(layout.columns),
                                                firstColumn))
                          .getResult();
          return {{first, firstColumn}, {rowCount, columns}};
        },
        [&](Value panel, Value slice, const Slice &) {
          return rowTiles(Destination{slice, first, true}, panel, first, end);
        });
  }

  /// A rectangle of the result: its offsets and sizes.
  struct Slice {
    SmallVector<OpFoldResult> offsets, sizes;
  };

  /// An scf.forall over `count` iterations sharing `into`: iteration i
  /// computes `body(i, slice, where)` for the slice `where = place(i)` of
  /// it, and writes it back.
  Value
  slicesInParallel(Value count, Value into, function_ref<Slice(Value)> place,
                   function_ref<Value(Value, Value, const Slice &)> body) {
    auto forall = scf::ForallOp::create(
        b, ArrayRef<OpFoldResult>{count}, ValueRange{into}, std::nullopt,
        [&](OpBuilder &nested, Location, ValueRange args) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToEnd(nested.getInsertionBlock());
          Value iteration = args[0], shared = args[1];
          Slice where = place(iteration);
          SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
          Value slice = tensor::ExtractSliceOp::create(b, shared, where.offsets,
                                                       where.sizes, strides);
          Value result = body(iteration, slice, where);
          auto terminator = scf::InParallelOp::create(b);
          b.setInsertionPointToStart(terminator.getBody());
          tensor::ParallelInsertSliceOp::create(
              b, result, shared, where.offsets, where.sizes, strides);
        });
    return forall.getResult(0);
  }

  /// The row tiles of rows [first, end) in `panel`: by mainRows, then by 4
  /// (where mainRows is more), then by 1. A panel too deep to stay in L1 is
  /// passed over a block of k at a time by the tiles of several rows, so
  /// that each block is read from L2 once; single rows have no reuse and
  /// take all of k at once.
  Value rowTiles(Destination into, Value panel, Value first, Value end) {
    int64_t mainRows = mainTileRows();
    Value count = arith::SubIOp::create(b, end, first);
    Value endOfMain =
        arith::AddIOp::create(b, first, roundDown(count, mainRows));
    Value endOfFour = arith::AddIOp::create(
        b, endOfMain, roundDown(arith::SubIOp::create(b, end, endOfMain), 4));
    Value result = into.tensor;
    auto tiles = [&](Value begin, Value end, Tile tile, DepthRange k) {
      Destination destination = into;
      destination.tensor = result;
      result = tileLoop(destination, panel, begin, end, tile, k);
    };
    auto multiRowTiles = [&](DepthRange k) {
      tiles(first, endOfMain, Tile{mainRows, 1}, k);
      if (mainRows != 4) // a main tile of 4 rows leaves fewer than 4
        tiles(endOfMain, endOfFour, Tile{4, 1}, k);
    };
    int64_t block = tuning.depthBlock(depth, layout.panelWidth());
    if (block == depth) {
      multiRowTiles({index(0), depth});
    } else {
      int64_t blocked = depth - depth % block;
      Value initial = result;
      result = forLoop(index(0), index(blocked), block, initial,
                       [&](Value k, ValueRange carried) {
                         result = carried[0];
                         multiRowTiles({k, block, true});
                         return SmallVector<Value>{result};
                       })
                   .getResult(0);
      if (blocked != depth)
        multiRowTiles({index(blocked), depth - blocked, true});
    }
    tiles(endOfFour, end, Tile{1, 4}, {index(0), depth});
    return result;
  }

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, v); }

  /// The rows of the main tile: as many as the registers hold, but the
  /// rows of a thread's chunk where threads may share rows (weights that
  /// stay in L2).
  int64_t mainTileRows() {
    return streamsFromL3() ? tuning.tileRows(layout.vectors)
                           : tuning.threadRows;
  }

  /// Whether the packed weights are too large to stay in L2 from one
  /// product to the next. Smaller ones are not prefetched: that only takes
  /// load slots (10% at batch 1).
  bool streamsFromL3() {
    int64_t bytes = layout.panels() * depth * layout.panelWidth() *
                    vectorType.getElementTypeBitWidth() / 8;
    return bytes > tuning.l2ResidentBytes;
  }

  /// base + delta.
  Value offset(Value base, int64_t delta) {
    return delta ? arith::AddIOp::create(b, base, index(delta)).getResult()
                 : base;
  }

  Value roundDown(Value v, int64_t multiple) {
    return arith::MulIOp::create(
        b, arith::DivUIOp::create(b, v, index(multiple)), index(multiple));
  }

  /// An scf.for whose body `body(iv, carried)` builds with `b` and returns
  /// the values to yield.
  scf::ForOp forLoop(Value begin, Value end, int64_t step, ValueRange inits,
                     function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    return scf::ForOp::create(
        b, begin, end, index(step), inits,
        [&](OpBuilder &nested, Location, Value iv, ValueRange carried) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToEnd(nested.getInsertionBlock());
          scf::YieldOp::create(b, body(iv, carried));
        });
  }

  Value tileLoop(Destination into, Value panel, Value begin, Value end,
                 Tile tile, DepthRange k) {
    return forLoop(begin, end, tile.rows, into.tensor,
                   [&](Value row, ValueRange carried) {
                     Destination current = into;
                     current.tensor = carried[0];
                     return SmallVector<Value>{
                         computeTile(current, panel, row, tile, k)};
                   })
        .getResult(0);
  }

  /// The first column of vector `v` of `panel`.
  Value column(Value panel, int64_t v) {
    Value first = arith::MulIOp::create(b, panel, index(layout.panelWidth()));
    return arith::AddIOp::create(b, first, index(v * layout.lanes));
  }

  Value zeroVector() {
    return arith::ConstantOp::create(b, b.getZeroAttr(vectorType));
  }

  /// result[row .. row + tile.rows, panel] of the product over `k`, into
  /// `into`.
  Value computeTile(Destination into, Value panel, Value row, Tile tile,
                    DepthRange k) {
    int64_t vectors = layout.vectors;
    SmallVector<Value> accumulators = initialTile(into, panel, row, tile, k);
    for (int64_t set = 1; set < tile.kSplit; ++set)
      accumulators.append(tile.rows * vectors, zeroVector());

    int64_t mainDepth = k.size - k.size % tile.kSplit;
    Value endOfMain = offset(k.begin, mainDepth);
    auto kLoop =
        forLoop(k.begin, endOfMain, tile.kSplit, accumulators,
                [&](Value kk, ValueRange carried) {
                  SmallVector<Value> next(carried);
                  for (int64_t set = 0; set < tile.kSplit; ++set)
                    multiplyAdd(next, set, panel, row, offset(kk, set), tile);
                  return next;
                });
    accumulators.assign(kLoop.getResults().begin(), kLoop.getResults().end());
    for (int64_t kk = mainDepth; kk < k.size; ++kk)
      multiplyAdd(accumulators, 0, panel, row, offset(k.begin, kk), tile);

    int64_t perSet = tile.rows * vectors;
    for (int64_t set = 1; set < tile.kSplit; ++set)
      for (int64_t i = 0; i < perSet; ++i)
        accumulators[i] = arith::AddFOp::create(b, accumulators[i],
                                                accumulators[set * perSet + i]);

    Value result = into.tensor;
    for (int64_t r = 0; r < tile.rows; ++r)
      for (int64_t v = 0; v < vectors; ++v)
        result =
            vector::TransferWriteOp::create(
                b, accumulators[r * vectors + v], result,
                tileIndices(into, panel, row, r, v), ArrayRef<bool>{inBounds})
                .getResult();
    return result;
  }

  /// The accumulators of a tile before its pass over `k`: the bias (or
  /// zero) on the first pass, what the earlier passes wrote on later ones.
  SmallVector<Value> initialTile(Destination into, Value panel, Value row,
                                 Tile tile, DepthRange k) {
    auto start = [&] {
      SmallVector<Value> tileValues;
      for (int64_t r = 0; r < tile.rows; ++r)
        for (int64_t v = 0; v < layout.vectors; ++v)
          tileValues.push_back(bias ? biasVector(panel, v) : zeroVector());
      return tileValues;
    };
    if (!k.blocked)
      return start();
    auto written = [&] {
      SmallVector<Value> tileValues;
      Value zero = arith::ConstantOp::create(
          b, b.getZeroAttr(vectorType.getElementType()));
      for (int64_t r = 0; r < tile.rows; ++r)
        for (int64_t v = 0; v < layout.vectors; ++v)
          tileValues.push_back(vector::TransferReadOp::create(
              b, vectorType, into.tensor, tileIndices(into, panel, row, r, v),
              zero, ArrayRef<bool>{inBounds}));
      return tileValues;
    };
    Value firstPass =
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, k.begin, index(0));
    auto choice = scf::IfOp::create(
        b, firstPass,
        [&](OpBuilder &nested, Location) { yieldAllIn(nested, start); },
        [&](OpBuilder &nested, Location) { yieldAllIn(nested, written); });
    return SmallVector<Value>(choice.getResults());
  }

  /// The indices into `into` of vector `v` of the tile's row `r`.
  SmallVector<Value> tileIndices(const Destination &into, Value panel,
                                 Value row, int64_t r, int64_t v) {
    Value rowIndex = offset(arith::SubIOp::create(b, row, into.firstRow), r);
    Value columnIndex =
        into.panelOnly ? index(v * layout.lanes) : column(panel, v);
    if (into.firstColumn)
      columnIndex = arith::SubIOp::create(b, columnIndex, into.firstColumn);
    return {rowIndex, columnIndex};
  }

  /// acc[set] += lhs[rows, k] ⊗ panel row k.
  void multiplyAdd(MutableArrayRef<Value> accumulators, int64_t set,
                   Value panel, Value row, Value k, Tile tile) {
    int64_t vectors = layout.vectors;
    // Brings the next panel's row k into L2 while this one is used, so that
    // panels streaming from L3 (large R) arrive before they are needed: one
    // prefetch per cache line that the row spans.
    if (set == 0 && streamsFromL3()) {
      Value nextPanel = arith::MinUIOp::create(b, offset(panel, 1),
                                               index(layout.panels() - 1));
      int64_t lineElements =
          tuning.cacheLineBytes * 8 / vectorType.getElementTypeBitWidth();
      for (int64_t c = 0; c < layout.panelWidth(); c += lineElements)
        memref::PrefetchOp::create(
            b, panelBuffer, ValueRange{nextPanel, k, index(c)},
            /*isWrite=*/false, /*localityHint=*/2, /*isDataCache=*/true);
    }
    SmallVector<Value> weights;
    for (int64_t v = 0; v < vectors; ++v)
      weights.push_back(vector::TransferReadOp::create(
          b, vectorType, panels, ValueRange{panel, k, index(v * layout.lanes)},
          /*padding=*/std::nullopt, ArrayRef<bool>{true}));
    for (int64_t r = 0; r < tile.rows; ++r) {
      Value scalar =
          tensor::ExtractOp::create(b, lhs, ValueRange{offset(row, r), k});
      Value broadcast = vector::BroadcastOp::create(b, vectorType, scalar);
      for (int64_t v = 0; v < vectors; ++v) {
        Value &acc = accumulators[(set * tile.rows + r) * vectors + v];
        acc = vector::FMAOp::create(b, broadcast, weights[v], acc);
      }
    }
  }

  Value biasVector(Value panel, int64_t v) {
    Value zero = arith::ConstantOp::create(
        b, b.getZeroAttr(vectorType.getElementType()));
    return vector::TransferReadOp::create(b, vectorType, bias,
                                          ValueRange{column(panel, v)}, zero,
                                          ArrayRef<bool>{inBounds});
  }

  ImplicitLocOpBuilder &b;
  Value lhs, panels, bias;
  Value panelBuffer;
  PanelLayout layout;
  const KernelTuning &tuning;
  VectorType vectorType;
  int64_t depth, blockRows;
  bool inBounds;
};

} // namespace

Value mlir::gru::packedMatmul(ImplicitLocOpBuilder &b, Value lhs, Value panels,
                              Value bias, Value into, PanelLayout layout,
                              const KernelTuning &tuning,
                              std::optional<PanelRange> range) {
  MicrokernelBuilder builder(b, lhs, panels, bias, layout, tuning);
  return range ? builder.buildRange(into, *range) : builder.build(into);
}
