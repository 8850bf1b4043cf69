//===- KernelBuilder.h - kernels as foralls over blocks and threads -------===//
//
// What the GPU conversions build kernels with, before they are mapped to a
// GPU (gru-map-kernels-to-gpu): a kernel is an scf.forall over blocks
// (#gpu.block<x>) whose body runs scf.foralls over the threads of a block
// (#gpu.thread<x>), on buffers; plus the index arithmetic they need.
//
//===----------------------------------------------------------------------===//

#ifndef GRU_CONVERSION_GRUTOGPU_KERNELBUILDER_H
#define GRU_CONVERSION_GRUTOGPU_KERNELBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::gru {

class KernelBuilder {
public:
  KernelBuilder(Location loc, OpBuilder &builder, int64_t threadsPerBlock,
                Type elementType)
      : b(loc, builder), threadsPerBlock(threadsPerBlock),
        elementType(elementType) {}

  //===--------------------------------------------------------------------===//
  // Buffers
  //===--------------------------------------------------------------------===//

  /// A read-only buffer of an operand tensor, of any layout (null for
  /// null).
  Value buffer(Value tensor) {
    if (!tensor)
      return tensor;
    auto type = cast<RankedTensorType>(tensor.getType());
    return bufferization::ToBufferOp::create(
        b, bufferization::getMemRefTypeWithFullyDynamicLayout(type), tensor,
        /*readOnly=*/true);
  }

  /// A new buffer of `shape` (of `type`, the element type without one).
  Value alloc(ArrayRef<OpFoldResult> shape, Type type = {}) {
    SmallVector<int64_t> staticShape;
    SmallVector<Value> dynamicSizes;
    dispatchIndexOpFoldResults(shape, dynamicSizes, staticShape);
    return memref::AllocOp::create(
        b, MemRefType::get(staticShape, type ? type : elementType),
        dynamicSizes, ValueRange{}, b.getI64IntegerAttr(64));
  }

  /// The tensor of a buffer that the kernels have written.
  Value tensor(Value buffer) {
    auto type = cast<MemRefType>(buffer.getType());
    return bufferization::ToTensorOp::create(
        b, RankedTensorType::get(type.getShape(), type.getElementType()),
        buffer, /*restrict=*/true, /*writable=*/true);
  }

  //===--------------------------------------------------------------------===//
  // Scalars
  //===--------------------------------------------------------------------===//

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value zero() {
    return arith::ConstantOp::create(b, b.getZeroAttr(elementType));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value div(Value x, Value y) { return arith::DivUIOp::create(b, x, y); }
  Value rem(Value x, Value y) { return arith::RemUIOp::create(b, x, y); }
  Value less(Value x, Value y) {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::ult, x, y);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, x, y); }
  Value select(Value condition, Value x, Value y) {
    return arith::SelectOp::create(b, condition, x, y);
  }
  Value load(Value buffer, ValueRange indices) {
    return memref::LoadOp::create(b, buffer, indices);
  }
  /// Stores nothing where `buffer` is null (an output the layer lacks).
  void store(Value value, Value buffer, ValueRange indices) {
    if (buffer)
      memref::StoreOp::create(b, value, buffer, indices);
  }
  Value fma(Value x, Value y, Value acc) {
    return math::FmaOp::create(b, x, y, acc);
  }

  //===--------------------------------------------------------------------===//
  // Control flow
  //===--------------------------------------------------------------------===//

  /// A kernel of `blocks` blocks: `body(block)` runs once for each, and
  /// builds the block's work with `threads`.
  void grid(int64_t blocks, function_ref<void(Value block)> body) {
    auto mapping = b.getArrayAttr(
        gpu::GPUBlockMappingAttr::get(b.getContext(), gpu::MappingId::DimX));
    OpBuilder::InsertionGuard guard(b);
    auto grid =
        scf::ForallOp::create(b, ArrayRef<OpFoldResult>{b.getIndexAttr(blocks)},
                              ValueRange{}, mapping);
    b.setInsertionPoint(grid.getTerminator());
    body(grid.getInductionVar(0));
  }

  /// `body(thread)` for each thread of a block. A block's threads run one
  /// `threads` after the other: on a GPU, they meet at a block barrier in
  /// between.
  void threads(function_ref<void(Value thread)> body) {
    auto mapping = b.getArrayAttr(
        gpu::GPUThreadMappingAttr::get(b.getContext(), gpu::MappingId::DimX));
    OpBuilder::InsertionGuard guard(b);
    auto threads = scf::ForallOp::create(
        b, ArrayRef<OpFoldResult>{b.getIndexAttr(threadsPerBlock)},
        ValueRange{}, mapping);
    b.setInsertionPoint(threads.getTerminator());
    body(threads.getInductionVar(0));
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

  /// Σ body(i, sums) for i in [first, end) by `stride`, from `inits`.
  SmallVector<Value>
  sumLoop(Value first, Value end, Value stride, ValueRange inits,
          function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto loop = scf::ForOp::create(
        b, first, end, stride, inits,
        [&](OpBuilder &nested, Location, Value i, ValueRange sums) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(nested.getInsertionBlock());
          scf::YieldOp::create(b, body(i, sums));
        });
    return loop.getResults();
  }

  /// `body()` where `condition` holds.
  void when(Value condition, function_ref<void()> body) {
    auto guard = scf::IfOp::create(b, condition, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard insertion(b);
    b.setInsertionPoint(guard.thenBlock()->getTerminator());
    body();
  }

  /// `body(i)` for every i in [0, count), spread over all threads of a
  /// kernel of `blocks` blocks.
  void eachElement(int64_t blocks, Value count,
                   function_ref<void(Value)> body) {
    grid(blocks, [&](Value block) {
      threads([&](Value thread) {
        Value first = add(mul(block, index(threadsPerBlock)), thread);
        stridedLoop(first, count, index(blocks * threadsPerBlock), body);
      });
    });
  }

protected:
  ImplicitLocOpBuilder b;
  int64_t threadsPerBlock;
  Type elementType;
};

} // namespace mlir::gru

#endif // GRU_CONVERSION_GRUTOGPU_KERNELBUILDER_H
