//===- MapKernelsToGPU.cpp - the gru-map-kernels-to-gpu pass --------------===//
//
// Maps the kernels of convert-gru-to-gpu, after bufferization, onto a GPU:
//
//   * a forall over blocks around a forall over threads becomes a gpu.launch
//     of that many blocks and threads;
//   * the loop of a layer's steps (gru.steps) becomes one persistent
//     gpu.launch: every block runs the loop, and where the step's kernels
//     ended the blocks meet at a grid barrier;
//   * the buffers the kernels use live on the device: those that only the
//     kernels use are device buffers alone, the others get a device copy,
//     filled before the kernels where the host wrote it and copied back
//     after them where the kernels wrote it.
//
// The host side is asynchronous on one stream (gpu.wait async tokens) and
// waits for it after each run of kernels that only pure host code separates
// (a layer's), so that host code in between, which may read what the
// kernels wrote, sees it on the host.
//
//===----------------------------------------------------------------------===//

#include "gru/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Utils/GPUUtils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::gru {
#define GEN_PASS_DEF_GRUMAPKERNELSTOGPU
#include "gru/Conversion/Passes.h.inc"
} // namespace mlir::gru

using namespace mlir;
using namespace mlir::gru;

namespace {

/// Whether `op` is a kernel: a forall over blocks.
bool isKernel(Operation *op) {
  auto forall = dyn_cast<scf::ForallOp>(op);
  if (!forall || !forall.getMapping())
    return false;
  return llvm::all_of(*forall.getMapping(), [](Attribute mapping) {
    return isa<gpu::GPUBlockMappingAttr>(mapping);
  });
}

/// Whether `op` is the loop of a layer's steps.
bool isSteps(Operation *op) {
  return isa<scf::ForOp>(op) && op->hasAttr(kStepsAttrName);
}

/// The kernel's blocks and threads (the foralls' static bounds) and its body
/// below the thread forall.
struct KernelNest {
  scf::ForallOp grid, threads;
  int64_t blocks, threadsPerBlock;

  static FailureOr<KernelNest> of(scf::ForallOp grid) {
    auto bound = [](scf::ForallOp forall) -> std::optional<int64_t> {
      if (forall.getRank() != 1 || !forall.isNormalized())
        return std::nullopt;
      return getConstantIntValue(forall.getMixedUpperBound()[0]);
    };
    Operation *terminator = grid.getBody()->getTerminator();
    auto threads = dyn_cast_or_null<scf::ForallOp>(terminator->getPrevNode());
    if (!threads)
      return failure();
    std::optional<int64_t> blocks = bound(grid), perBlock = bound(threads);
    if (!blocks || !perBlock)
      return failure();
    return KernelNest{grid, threads, *blocks, *perBlock};
  }
};

/// Maps the kernels of one block of host code.
class KernelMapper {
public:
  KernelMapper(Operation *first, Operation *last)
      : b(first->getLoc(), first->getContext()), first(first), last(last) {}

  LogicalResult map() {
    SmallVector<Operation *> kernels;
    for (Operation *op = first; op != last->getNextNode();
         op = op->getNextNode())
      if (isKernel(op) || isSteps(op))
        kernels.push_back(op);
    // Where the host waits for the kernels, completed below.
    b.setInsertionPointAfter(last);
    auto done = gpu::WaitOp::create(b, Type(), ValueRange{});
    b.setInsertionPoint(first);
    token = gpu::WaitOp::create(b, tokenType(), ValueRange{}).getAsyncToken();
    if (failed(placeBuffersOnDevice(kernels)))
      return failure();
    for (Operation *kernel : kernels)
      if (failed(isSteps(kernel) ? mapSteps(cast<scf::ForOp>(kernel))
                                 : mapKernel(cast<scf::ForallOp>(kernel))))
        return failure();
    // Constants are compiled into the kernels rather than passed to them.
    for (gpu::LaunchOp launch : launches)
      (void)sinkOperationsIntoLaunchOp(launch, [](Operation *op) {
        return op->hasTrait<OpTrait::ConstantLike>();
      });
    b.setInsertionPoint(done);
    for (auto [host, device] : copiedBack)
      token = gpu::MemcpyOp::create(b, tokenType(), token, host, device)
                  .getAsyncToken();
    for (Value device : deviceBuffers)
      token =
          gpu::DeallocOp::create(b, tokenType(), token, device).getAsyncToken();
    done.getAsyncDependenciesMutable().assign(token);
    b.setInsertionPointAfter(done);
    for (Value copy : hostCopies)
      memref::DeallocOp::create(b, copy);
    return success();
  }

private:
  Type tokenType() { return gpu::AsyncTokenType::get(b.getContext()); }
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, v); }

  /// A device buffer of `host`'s shape, without a layout.
  Value deviceBuffer(Value host) {
    auto type = cast<MemRefType>(host.getType());
    SmallVector<Value> sizes;
    if (auto hostAlloc = host.getDefiningOp<memref::AllocOp>())
      llvm::append_range(sizes, hostAlloc.getDynamicSizes());
    else
      for (int64_t dim = 0; dim < type.getRank(); ++dim)
        if (type.isDynamicDim(dim))
          sizes.push_back(memref::DimOp::create(b, host, dim));
    auto alloc = gpu::AllocOp::create(
        b, MemRefType::get(type.getShape(), type.getElementType()), tokenType(),
        token, sizes, ValueRange{}, /*hostShared=*/false);
    token = alloc.getAsyncToken();
    deviceBuffers.push_back(alloc.getMemref());
    return alloc.getMemref();
  }

  /// `host` itself or the buffer it was cast from where that has no layout,
  /// else null.
  static Value withoutLayout(Value host) {
    if (auto cast = host.getDefiningOp<memref::CastOp>())
      if (auto source = dyn_cast<MemRefType>(cast.getSource().getType());
          source && source.getLayout().isIdentity())
        return cast.getSource();
    return cast<MemRefType>(host.getType()).getLayout().isIdentity() ? host
                                                                     : Value();
  }

  /// `host` as a buffer without a layout: withoutLayout, or a copy.
  Value contiguous(Value host) {
    if (Value buffer = withoutLayout(host))
      return buffer;
    auto type = cast<MemRefType>(host.getType());
    SmallVector<Value> sizes;
    for (int64_t dim = 0; dim < type.getRank(); ++dim)
      if (type.isDynamicDim(dim))
        sizes.push_back(memref::DimOp::create(b, host, dim));
    Value copy = memref::AllocOp::create(
        b, MemRefType::get(type.getShape(), type.getElementType()), sizes);
    memref::CopyOp::create(b, host, copy);
    hostCopies.push_back(copy);
    return copy;
  }

  /// Whether host code before the kernels uses `host` (and may have written
  /// it).
  bool usedBeforeKernels(Value host) {
    return llvm::any_of(host.getUsers(), [&](Operation *user) {
      Operation *inBlock = first->getBlock()->findAncestorOpInBlock(*user);
      return inBlock && inBlock->isBeforeInBlock(first);
    });
  }

  /// Gives every buffer the kernels use a device buffer and makes the
  /// kernels use it.
  LogicalResult placeBuffersOnDevice(ArrayRef<Operation *> kernels) {
    llvm::SetVector<Value> used;
    for (Operation *kernel : kernels)
      getUsedValuesDefinedAbove(kernel->getRegions(), used);
    auto inKernels = [&](Operation *user) {
      return llvm::any_of(
          kernels, [&](Operation *kernel) { return kernel->isAncestor(user); });
    };
    for (Value host : used) {
      if (!isa<MemRefType>(host.getType()))
        continue;
      for (Operation *user : host.getUsers())
        if (inKernels(user) &&
            !isa<memref::LoadOp, memref::StoreOp, memref::DimOp>(user))
          return user->emitError()
                 << "gru-map-kernels-to-gpu: a kernel uses a buffer other "
                    "than by load, store and dim";
      auto alloc = host.getDefiningOp<memref::AllocOp>();
      bool kernelsOnly = alloc && llvm::all_of(host.getUsers(), [&](auto *u) {
                           return inKernels(u) || isa<memref::DeallocOp>(u);
                         });
      bool written = llvm::any_of(host.getUsers(), [&](Operation *user) {
        return inKernels(user) && isa<memref::StoreOp>(user);
      });
      Value device = deviceBuffer(host);
      // An allocation is copied in only where the host used it first; the
      // kernels write those that they alone use before they read them.
      if (!kernelsOnly && (!alloc || usedBeforeKernels(host)))
        token = gpu::MemcpyOp::create(b, tokenType(), token, device,
                                      contiguous(host))
                    .getAsyncToken();
      if (written && !kernelsOnly) {
        Value whole = withoutLayout(host);
        if (!whole)
          return emitError(host.getLoc())
                 << "gru-map-kernels-to-gpu: kernels write a strided buffer";
        copiedBack.push_back({whole, device});
      }
      host.replaceUsesWithIf(
          device, [&](OpOperand &use) { return inKernels(use.getOwner()); });
      if (kernelsOnly) {
        for (Operation *user : llvm::make_early_inc_range(host.getUsers()))
          user->erase(); // deallocations
        alloc->erase();
      }
    }
    return success();
  }

  /// The bodies of `nest`'s foralls, with their block and thread ids
  /// replaced by `block` and `thread`, inlined before `at`.
  void inlineBody(KernelNest nest, Value block, Value thread, Operation *at) {
    IRMapping ids;
    ids.map(nest.grid.getInductionVar(0), block);
    ids.map(nest.threads.getInductionVar(0), thread);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(at);
    for (Operation &op : nest.grid.getBody()->without_terminator())
      if (&op != nest.threads)
        b.clone(op, ids);
    for (Operation &op : nest.threads.getBody()->without_terminator())
      b.clone(op, ids);
  }

  /// A launch of `blocks` blocks of `threads` threads with an empty body,
  /// after the work so far.
  gpu::LaunchOp launch(int64_t blocks, int64_t threads) {
    Value one = index(1);
    auto launch =
        gpu::LaunchOp::create(b, index(blocks), one, one, index(threads), one,
                              one, Value(), tokenType(), token);
    token = launch.getAsyncToken();
    launches.push_back(launch);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&launch.getBody().front());
    gpu::TerminatorOp::create(b);
    return launch;
  }

  LogicalResult mapKernel(scf::ForallOp grid) {
    FailureOr<KernelNest> nest = KernelNest::of(grid);
    if (failed(nest))
      return grid.emitError()
             << "gru-map-kernels-to-gpu: a kernel must be a forall over "
                "constant blocks around one over constant threads";
    b.setInsertionPoint(grid);
    gpu::LaunchOp kernel = launch(nest->blocks, nest->threadsPerBlock);
    inlineBody(*nest, kernel.getBlockIds().x, kernel.getThreadIds().x,
               kernel.getBody().front().getTerminator());
    grid.erase();
    return success();
  }

  /// The loop of the steps as one persistent kernel: every block runs the
  /// loop, its kernels become phases, and after each phase the blocks meet
  /// at a grid barrier.
  LogicalResult mapSteps(scf::ForOp steps) {
    SmallVector<KernelNest> phases;
    for (Operation &op : steps.getBody()->without_terminator()) {
      auto grid = dyn_cast<scf::ForallOp>(op);
      if (!grid)
        continue;
      FailureOr<KernelNest> nest = KernelNest::of(grid);
      if (failed(nest) ||
          (!phases.empty() &&
           (nest->blocks != phases.front().blocks ||
            nest->threadsPerBlock != phases.front().threadsPerBlock)))
        return grid.emitError() << "gru-map-kernels-to-gpu: the kernels of "
                                   "a step must have the same shape";
      phases.push_back(*nest);
    }
    if (phases.empty())
      return success();
    b.setInsertionPoint(steps);
    Value counter = barrierCounter();
    gpu::LaunchOp kernel =
        launch(phases.front().blocks, phases.front().threadsPerBlock);
    Value block = kernel.getBlockIds().x, thread = kernel.getThreadIds().x;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(kernel.getBody().front().getTerminator());
    auto loop = cast<scf::ForOp>(b.clone(*steps));
    loop->removeAttr(kStepsAttrName);
    int64_t phaseIndex = 0;
    for (Operation &op : llvm::make_early_inc_range(*loop.getBody())) {
      auto grid = dyn_cast<scf::ForallOp>(op);
      if (!grid)
        continue;
      FailureOr<KernelNest> nest = KernelNest::of(grid);
      inlineBody(*nest, block, thread, grid);
      b.setInsertionPoint(grid);
      gridBarrier(counter, thread, loop.getInductionVar(), phaseIndex++,
                  phases.size(), nest->blocks);
      grid.erase();
    }
    steps.erase();
    return success();
  }

  /// A device counter of the blocks that reached grid barriers, zero.
  Value barrierCounter() {
    auto alloc = gpu::AllocOp::create(b, MemRefType::get({1}, b.getI32Type()),
                                      tokenType(), token, ValueRange{},
                                      ValueRange{}, /*hostShared=*/false);
    Value counter = alloc.getMemref();
    deviceBuffers.push_back(counter);
    Value zero = arith::ConstantIntOp::create(b, b.getI32Type(), 0);
    token = gpu::MemsetOp::create(b, tokenType(), alloc.getAsyncToken(),
                                  counter, zero)
                .getAsyncToken();
    return counter;
  }

  /// The grid barrier after phase `phase` of `phases` of step k: the
  /// block's threads finish, its first thread makes their writes visible to
  /// the device and counts the block in (release), then waits until every
  /// block has been counted in for this barrier (acquire); the counter only
  /// grows, so it needs no reset. NVPTX in LLVM 22 drops the ordering of
  /// atomicrmw, so the ordered accesses are written in PTX.
  void gridBarrier(Value counter, Value thread, Value k, int64_t phase,
                   int64_t phases, int64_t blocks) {
    gpu::BarrierOp::create(b);
    Value first =
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, thread, index(0));
    auto onFirst = scf::IfOp::create(b, first, /*withElseRegion=*/false);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(onFirst.thenBlock()->getTerminator());
      Value address = arith::IndexCastOp::create(
          b, b.getI64Type(),
          memref::ExtractAlignedPointerAsIndexOp::create(b, counter));
      // All blocks are in when the counter reaches (k·phases + phase + 1)
      // times the blocks.
      Value arrivals = arith::MulIOp::create(
          b,
          arith::AddIOp::create(b, arith::MulIOp::create(b, k, index(phases)),
                                index(phase + 1)),
          index(blocks));
      Value target = arith::IndexCastUIOp::create(b, b.getI32Type(), arrivals);
      ptx(Type(), "red.release.gpu.add.u32 [$0], 1;", "l", address);
      auto wait = scf::WhileOp::create(b, TypeRange{}, ValueRange{});
      OpBuilder::InsertionGuard inner(b);
      b.createBlock(&wait.getBefore());
      Value seen =
          ptx(b.getI32Type(), "ld.acquire.gpu.u32 $0, [$1];", "=r,l", address);
      scf::ConditionOp::create(
          b, arith::CmpIOp::create(b, arith::CmpIPredicate::ult, seen, target),
          ValueRange{});
      b.createBlock(&wait.getAfter());
      ptx(Type(), "nanosleep.u32 32;", "", ValueRange{});
      scf::YieldOp::create(b);
    }
    gpu::BarrierOp::create(b);
  }

  /// PTX with side effects, of `result` type (none when null).
  Value ptx(Type result, StringRef code, StringRef constraints,
            ValueRange operands) {
    auto asm_ = LLVM::InlineAsmOp::create(
        b, result ? TypeRange{result} : TypeRange{}, operands, code,
        constraints, /*has_side_effects=*/true, /*is_align_stack=*/false,
        LLVM::TailCallKind::None, LLVM::AsmDialectAttr(), ArrayAttr());
    return result ? asm_.getResult(0) : Value();
  }

  ImplicitLocOpBuilder b;
  Operation *first, *last;
  Value token;
  SmallVector<Value> deviceBuffers, hostCopies;
  SmallVector<gpu::LaunchOp> launches;
  SmallVector<std::pair<Value, Value>> copiedBack; // (host, device)
};

struct GRUMapKernelsToGPUPass
    : gru::impl::GRUMapKernelsToGPUBase<GRUMapKernelsToGPUPass> {
  void runOnOperation() override {
    llvm::SetVector<Block *> blocks;
    getOperation()->walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (!isKernel(op) && !isSteps(op))
        return WalkResult::advance();
      blocks.insert(op->getBlock());
      return WalkResult::skip();
    });
    for (Block *block : blocks)
      for (auto [first, last] : kernelGroups(*block))
        if (failed(KernelMapper(first, last).map()))
          return signalPassFailure();
  }

  /// The runs of kernels in `block` (first, last) that only pure host code
  /// separates, such as a layer's: the device holds the buffers from the
  /// first kernel of a run to the last, and host code that may touch
  /// memory sees them on the host.
  static SmallVector<std::pair<Operation *, Operation *>>
  kernelGroups(Block &block) {
    SmallVector<std::pair<Operation *, Operation *>> groups;
    Operation *first = nullptr, *last = nullptr;
    for (Operation &op : block) {
      if (isKernel(&op) || isSteps(&op)) {
        first = first ? first : &op;
        last = &op;
      } else if (first && !isMemoryEffectFree(&op)) {
        groups.push_back({first, last});
        first = nullptr;
      }
    }
    if (first)
      groups.push_back({first, last});
    return groups;
  }
};

} // namespace
