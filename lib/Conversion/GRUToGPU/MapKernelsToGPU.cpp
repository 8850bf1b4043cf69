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
#include "gru/Target/GPUTarget.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Utils/GPUUtils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
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

/// The runtime's functions around the persistent launch of a grid.
constexpr StringLiteral kLaunchCooperatively =
    "gru_rt_cuda_launch_cooperatively";
constexpr StringLiteral kLaunchRefused = "gru_rt_cuda_launch_refused";

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

/// The parameter attributes of a call's callee, where it is a function
/// that runs work on the device (convert-gru-to-cudnn's): some of its
/// buffers are on the device (gru.device).
ArrayAttr deviceCallParameters(Operation *op) {
  auto call = dyn_cast<func::CallOp>(op);
  if (!call)
    return {};
  auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
      call, call.getCalleeAttr());
  ArrayAttr parameters = callee ? callee.getAllArgAttrs() : ArrayAttr();
  if (!parameters || llvm::none_of(parameters.getAsRange<DictionaryAttr>(),
                                   [](DictionaryAttr d) {
                                     return d &&
                                            d.contains(kDeviceBufferAttrName);
                                   }))
    return {};
  return parameters;
}

/// Whether operand `index` of the device call `op` is on the device, or
/// written by it.
bool isDeviceOperand(Operation *op, unsigned index, StringRef mark) {
  ArrayAttr parameters = deviceCallParameters(op);
  auto d = parameters ? dyn_cast_or_null<DictionaryAttr>(parameters[index])
                      : DictionaryAttr();
  return d && d.contains(mark);
}

/// Whether `op` is work that the device runs: a kernel, the steps or a
/// device call.
bool isDeviceWork(Operation *op) {
  return isKernel(op) || isSteps(op) || deviceCallParameters(op);
}

/// A kernel: its forall over blocks, whose body runs foralls over threads
/// one after the other, and their static bounds (the same for all).
struct KernelNest {
  scf::ForallOp grid;
  int64_t blocks, threadsPerBlock;

  static FailureOr<KernelNest> of(scf::ForallOp grid) {
    auto bound = [](scf::ForallOp forall) -> std::optional<int64_t> {
      if (forall.getRank() != 1 || !forall.isNormalized())
        return std::nullopt;
      return getConstantIntValue(forall.getMixedUpperBound()[0]);
    };
    SmallVector<std::optional<int64_t>> threads;
    grid.getBody()->walk([&](scf::ForallOp forall) {
      threads.push_back(bound(forall));
      return WalkResult::skip();
    });
    std::optional<int64_t> blocks = bound(grid);
    if (!blocks || threads.empty() || !threads.front() ||
        !llvm::all_equal(threads))
      return failure();
    return KernelNest{grid, *blocks, *threads.front()};
  }
};

/// The regime of a steps loop (convert-gru-to-gpu's mark).
std::optional<StepRegime> regimeOf(scf::ForOp steps) {
  auto mark = steps->getAttrOfType<StringAttr>(kStepsAttrName);
  for (StepRegime regime :
       {StepRegime::cluster, StepRegime::grid, StepRegime::stepwise})
    if (mark && mark.getValue() == stringifyStepRegime(regime))
      return regime;
  return std::nullopt;
}

/// Maps the kernels of one block of host code.
class KernelMapper {
public:
  KernelMapper(Operation *first, Operation *last)
      : b(first->getLoc(), first->getContext()), first(first), last(last) {}

  LogicalResult map() {
    SmallVector<Operation *> kernels;
    for (Operation *op = first; op != last->getNextNode();
         op = op->getNextNode())
      if (isDeviceWork(op))
        kernels.push_back(op);
    // Where the host waits for the kernels, completed below.
    b.setInsertionPointAfter(last);
    auto done = gpu::WaitOp::create(b, Type(), ValueRange{});
    b.setInsertionPoint(first);
    token = gpu::WaitOp::create(b, tokenType(), ValueRange{}).getAsyncToken();
    if (failed(placeBuffersOnDevice(kernels)))
      return failure();
    // Device calls run on the stream of the current call, as the mgpu*
    // functions do: in order with the work on it before them.
    for (Operation *kernel : kernels)
      if (!isa<func::CallOp>(kernel) &&
          failed(isSteps(kernel) ? mapSteps(cast<scf::ForOp>(kernel))
                                 : mapKernel(cast<scf::ForallOp>(kernel))))
        return failure();
    // Constants are compiled into the kernels rather than passed to them;
    // constant buffers (weights) become globals of the kernels' module,
    // which the driver uploads once, when it loads the module.
    for (gpu::LaunchOp launch : launches)
      (void)sinkOperationsIntoLaunchOp(launch, [](Operation *op) {
        return op->hasTrait<OpTrait::ConstantLike>() ||
               (op->getNumResults() == 1 && isConstantGlobal(op->getResult(0)));
      });
    b.setInsertionPoint(done);
    for (auto [host, device] : copiedBack)
      token = gpu::MemcpyOp::create(b, tokenType(), token, outParamOrSelf(host),
                                    device)
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

  /// The function argument that host code only copies `host` into, where
  /// that copy is all it does with `host` but free it (a result that
  /// buffer-results-to-out-params returns through an out-param): the copy
  /// is dropped, with `host` where it is an allocation, and the kernels'
  /// result copied there instead, so that the host code does not touch the
  /// out-param. Else `host`.
  static Value outParamOrSelf(Value host) {
    memref::CopyOp copy;
    for (Operation *user : host.getUsers()) {
      if (isa<memref::DeallocOp>(user))
        continue;
      auto other = dyn_cast<memref::CopyOp>(user);
      if (!other || other.getSource() != host || copy)
        return host;
      copy = other;
    }
    auto out = copy ? dyn_cast<BlockArgument>(copy.getTarget()) : nullptr;
    if (!out || out.getType() != host.getType() ||
        !isa<FunctionOpInterface>(out.getOwner()->getParentOp()))
      return host;
    copy.erase();
    // The host buffer is only freed now: it need not exist.
    if (auto alloc = host.getDefiningOp<memref::AllocOp>()) {
      for (Operation *user : llvm::make_early_inc_range(host.getUsers()))
        user->erase();
      alloc.erase();
    }
    return out;
  }

  /// Whether `buffer` is a constant global's (memref.get_global).
  static bool isConstantGlobal(Value buffer) {
    auto get = buffer.getDefiningOp<memref::GetGlobalOp>();
    if (!get)
      return false;
    auto global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
        get, get.getNameAttr());
    return global && global.getConstant();
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
  /// it), other than in `kernelUse`s.
  bool usedBeforeKernels(Value host,
                         function_ref<bool(Operation *)> kernelUse) {
    return llvm::any_of(host.getUsers(), [&](Operation *user) {
      Operation *inBlock = first->getBlock()->findAncestorOpInBlock(*user);
      return inBlock && inBlock->isBeforeInBlock(first) && !kernelUse(user);
    });
  }

  /// Gives every buffer the kernels use a device buffer and makes the
  /// kernels use it.
  LogicalResult placeBuffersOnDevice(ArrayRef<Operation *> kernels) {
    llvm::SetVector<Value> used;
    for (Operation *kernel : kernels) {
      getUsedValuesDefinedAbove(kernel->getRegions(), used);
      for (OpOperand &operand : kernel->getOpOperands())
        if (isDeviceOperand(kernel, operand.getOperandNumber(),
                            kDeviceBufferAttrName))
          used.insert(throughCast(operand.get()));
    }
    // A device call's buffer operand, or a cast for device calls alone.
    auto inCall = [&](Operation *user) {
      auto cast = dyn_cast<memref::CastOp>(user);
      return llvm::is_contained(kernels, user) ||
             (cast && !cast->use_empty() &&
              llvm::all_of(cast->getUsers(), [&](Operation *call) {
                return llvm::is_contained(kernels, call);
              }));
    };
    auto inKernels = [&](Operation *user) {
      return inCall(user) || llvm::any_of(kernels, [&](Operation *kernel) {
               return kernel->isAncestor(user);
             });
    };
    for (Value host : used) {
      if (!isa<MemRefType>(host.getType()) || isConstantGlobal(host))
        continue;
      for (Operation *user : host.getUsers())
        if (inKernels(user) && !inCall(user) &&
            !isa<memref::LoadOp, memref::StoreOp, memref::DimOp>(user))
          return user->emitError()
                 << "gru-map-kernels-to-gpu: a kernel uses a buffer other "
                    "than by load, store and dim";
      auto alloc = host.getDefiningOp<memref::AllocOp>();
      bool kernelsOnly = alloc && llvm::all_of(host.getUsers(), [&](auto *u) {
                           return inKernels(u) || isa<memref::DeallocOp>(u);
                         });
      bool written = llvm::any_of(host.getUses(), [&](OpOperand &use) {
        return inKernels(use.getOwner()) && writes(use);
      });
      Value device = deviceBuffer(host);
      if (alloc && alloc->hasAttr(kBlockSlicesAttrName))
        blockSliced.insert(device);
      // An allocation is copied in only where the host used it first; the
      // kernels write those that they alone use before they read them.
      if (!kernelsOnly && (!alloc || usedBeforeKernels(host, inKernels)))
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
      for (OpOperand &use : llvm::make_early_inc_range(host.getUses()))
        if (inKernels(use.getOwner()))
          useOnDevice(use, device);
      if (kernelsOnly) {
        for (Operation *user : llvm::make_early_inc_range(host.getUsers()))
          user->erase(); // deallocations
        alloc->erase();
      }
    }
    return success();
  }

  /// The buffer that `value` casts, or `value`.
  static Value throughCast(Value value) {
    auto cast = value.getDefiningOp<memref::CastOp>();
    return cast ? cast.getSource() : value;
  }

  /// Whether `use` (in the kernels) writes its buffer: a store, or a device
  /// call's written operand (also through a cast).
  static bool writes(OpOperand &use) {
    Operation *user = use.getOwner();
    if (isa<memref::StoreOp>(user))
      return use.getOperandNumber() == 1;
    if (isa<memref::CastOp>(user))
      return llvm::any_of(user->getResult(0).getUses(), writes);
    return isDeviceOperand(user, use.getOperandNumber(),
                           kWrittenBufferAttrName);
  }

  /// Makes `use` use `device` in place of its host buffer: a cast's source
  /// may change layout, a call's operand is cast to its type.
  void useOnDevice(OpOperand &use, Value device) {
    Type type = use.get().getType();
    if (auto cast = dyn_cast<memref::CastOp>(use.getOwner())) {
      // After the device buffer, which the run's first operation follows.
      use.set(device);
      Operation *call =
          *llvm::min_element(cast->getUsers(), [](Operation *x, Operation *y) {
            return x->isBeforeInBlock(y);
          });
      cast->moveBefore(call);
      return;
    }
    if (device.getType() == type) {
      use.set(device);
      return;
    }
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(use.getOwner());
    use.set(memref::CastOp::create(b, type, device));
  }

  /// The body of `nest`'s block forall, with its block id replaced by
  /// `block`, inlined before `at`; each forall over threads in it becomes its
  /// body for `thread`, followed by a block barrier.
  void inlineBody(KernelNest nest, Value block, Value thread, Operation *at) {
    IRMapping ids;
    ids.map(nest.grid.getInductionVar(0), block);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(at);
    SmallVector<Operation *> clones;
    for (Operation &op : nest.grid.getBody()->without_terminator())
      clones.push_back(b.clone(op, ids));
    SmallVector<scf::ForallOp> threads;
    for (Operation *clone : clones)
      clone->walk<WalkOrder::PreOrder>([&](scf::ForallOp forall) {
        threads.push_back(forall);
        return WalkResult::skip();
      });
    for (scf::ForallOp forall : threads) {
      IRMapping thisThread;
      thisThread.map(forall.getInductionVar(0), thread);
      b.setInsertionPoint(forall);
      for (Operation &op : forall.getBody()->without_terminator())
        b.clone(op, thisThread);
      gpu::BarrierOp::create(b);
      forall.erase();
    }
  }

  /// A launch of `blocks` blocks of `threads` threads, as one cluster where
  /// `cluster`, with `sharedBytes` of dynamic shared memory and an empty
  /// body, after the work so far.
  gpu::LaunchOp launch(int64_t blocks, int64_t threads, bool cluster = false,
                       int64_t sharedBytes = 0) {
    Value one = index(1);
    Value shared = sharedBytes ? arith::ConstantIntOp::create(b, b.getI32Type(),
                                                              sharedBytes)
                                     .getResult()
                               : Value();
    Value clusterBlocks = cluster ? index(blocks) : Value();
    auto launch = gpu::LaunchOp::create(
        b, index(blocks), one, one, index(threads), one, one, shared,
        tokenType(), token, TypeRange{}, TypeRange{}, clusterBlocks,
        cluster ? one : Value(), cluster ? one : Value());
    token = launch.getAsyncToken();
    launches.push_back(launch);
    // The builder of LLVM 22 does not add the cluster ids and sizes that
    // the body of a launch with clusters has.
    Block &body = launch.getBody().front();
    while (body.getNumArguments() < launch.getNumConfigRegionAttributes())
      body.addArgument(b.getIndexType(), b.getLoc());
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&body);
    gpu::TerminatorOp::create(b);
    return launch;
  }

  LogicalResult mapKernel(scf::ForallOp grid) {
    FailureOr<KernelNest> nest = KernelNest::of(grid);
    if (failed(nest))
      return grid.emitError()
             << "gru-map-kernels-to-gpu: a kernel must be a forall over "
                "constant blocks whose body runs foralls over the same "
                "constant threads";
    b.setInsertionPoint(grid);
    gpu::LaunchOp kernel = launch(nest->blocks, nest->threadsPerBlock);
    Operation *end = kernel.getBody().front().getTerminator();
    inlineBody(*nest, kernel.getBlockIds().x, kernel.getThreadIds().x, end);
    eraseBarrierBefore(end); // the kernel's end is one
    grid.erase();
    return success();
  }

  static void eraseBarrierBefore(Operation *op) {
    if (auto barrier = dyn_cast_or_null<gpu::BarrierOp>(op->getPrevNode()))
      barrier.erase();
  }

  /// The loop of the steps in its regime: stepwise, a launch per kernel of
  /// a step; else one persistent kernel, in which every block runs the
  /// loop, its kernels become phases and after each phase the blocks meet
  /// at a barrier of the cluster or the grid.
  LogicalResult mapSteps(scf::ForOp steps) {
    std::optional<StepRegime> regime = regimeOf(steps);
    if (!regime)
      return steps.emitError() << "gru-map-kernels-to-gpu: " << kStepsAttrName
                               << " must be cluster, grid or stepwise";
    FailureOr<SmallVector<KernelNest>> phases = phasesOf(steps);
    if (failed(phases))
      return failure();
    if (phases->empty())
      return success();
    if (*regime == StepRegime::stepwise)
      return mapStepwise(steps, *phases);
    b.setInsertionPoint(steps);
    bool cluster = *regime == StepRegime::cluster;
    Value counter = cluster ? Value() : barrierCounter();
    int64_t blocks = phases->front().blocks;
    int64_t threads = phases->front().threadsPerBlock;
    FailureOr<SmallVector<OnChip>> onChip = onChipBuffers(steps, blocks);
    if (failed(onChip))
      return failure();
    int64_t sharedBytes = 0;
    for (OnChip &buffer : *onChip)
      sharedBytes = buffer.offset + buffer.bytes();
    if (!cluster)
      callRuntime(kLaunchCooperatively);
    gpu::LaunchOp kernel = launch(blocks, threads, cluster, sharedBytes);
    scf::ForOp fallback = cluster ? nullptr : stepwiseIfRefused(steps);
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
      // The barrier of the regime includes the block's last one.
      eraseBarrierBefore(grid);
      b.setInsertionPoint(grid);
      if (cluster)
        clusterBarrier();
      else
        gridBarrier(counter, thread, loop.getInductionVar(), phaseIndex++,
                    phases->size(), nest->blocks);
      grid.erase();
    }
    steps.erase();
    if (failed(keepOnChip(*onChip, loop, block, thread, threads)))
      return failure();
    if (!fallback)
      return success();
    Value persistent = token;
    LogicalResult mapped = mapStepwise(fallback, *phasesOf(fallback));
    token = persistent;
    return mapped;
  }

  /// The kernels of a step, which must have one shape.
  static FailureOr<SmallVector<KernelNest>> phasesOf(scf::ForOp steps) {
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
    return phases;
  }

  /// A copy of `steps`, after the persistent launch of a grid, that runs
  /// where the driver refused that launch: on a GPU that cannot hold all
  /// the grid's blocks at once (fewer multiprocessors or less shared memory
  /// than the kernels were shaped for), the steps run stepwise instead.
  scf::ForOp stepwiseIfRefused(scf::ForOp steps) {
    auto refused =
        scf::IfOp::create(b, callRuntime(kLaunchRefused, b.getI1Type()),
                          /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(refused.thenBlock()->getTerminator());
    return cast<scf::ForOp>(b.clone(*steps));
  }

  /// A call of the runtime's function `name` (gru/device.h) without
  /// operands, declared where the module does not yet.
  Value callRuntime(StringRef name, TypeRange results = {}) {
    auto module =
        b.getInsertionBlock()->getParentOp()->getParentOfType<ModuleOp>();
    auto callee = module.lookupSymbol<func::FuncOp>(name);
    if (!callee) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToEnd(module.getBody());
      callee = func::FuncOp::create(b, name, b.getFunctionType({}, results));
      callee.setPrivate();
    }
    auto call = func::CallOp::create(b, callee, ValueRange{});
    return results.empty() ? Value() : call.getResult(0);
  }

  /// The stepwise regime: each kernel of a step is a launch in the host's
  /// loop. The launches stay on the stream of the loop's token in their
  /// order: a token cannot be carried through the loop, which MLIR's GPU
  /// lowering does not convert.
  LogicalResult mapStepwise(scf::ForOp steps, ArrayRef<KernelNest> phases) {
    steps->removeAttr(kStepsAttrName);
    Value stream = token;
    for (const KernelNest &phase : phases) {
      if (failed(mapKernel(phase.grid)))
        return failure();
      token = stream;
    }
    return success();
  }

  /// A buffer that a persistent kernel keeps in its blocks' shared memory:
  /// a gru.block_slices buffer, of which block c uses [c, ...] alone.
  struct OnChip {
    Value device;
    int64_t blocks;
    MemRefType slice; // the type of [c, ...]
    int64_t offset;   // in the dynamic shared memory, in bytes
    bool written;     // by the steps: scratch; else read, copied in

    int64_t bytes() const {
      return slice.getNumElements() *
             slice.getElementType().getIntOrFloatBitWidth() / 8;
    }
  };

  /// The gru.block_slices buffers that `steps` uses, laid out in shared
  /// memory.
  FailureOr<SmallVector<OnChip>> onChipBuffers(scf::ForOp steps,
                                               int64_t blocks) {
    llvm::SetVector<Value> used;
    getUsedValuesDefinedAbove(steps.getRegion(), used);
    SmallVector<OnChip> onChip;
    int64_t offset = 0;
    for (Value device : used) {
      if (!blockSliced.contains(device))
        continue;
      auto type = cast<MemRefType>(device.getType());
      if (!type.hasStaticShape() || type.getDimSize(0) != blocks)
        return steps.emitError()
               << "gru-map-kernels-to-gpu: a gru.block_slices buffer must "
                  "have a static shape with a row per block";
      bool written = llvm::any_of(device.getUsers(), [&](Operation *user) {
        return isa<memref::StoreOp>(user) && steps->isAncestor(user);
      });
      auto slice = MemRefType::get(
          type.getShape().drop_front(), type.getElementType(), nullptr,
          gpu::AddressSpaceAttr::get(b.getContext(),
                                     gpu::AddressSpace::Workgroup));
      onChip.push_back({device, blocks, slice, offset, written});
      offset = llvm::alignTo(offset + onChip.back().bytes(), 16);
    }
    return onChip;
  }

  /// Makes the persistent kernel around `loop` use its blocks' shared
  /// memory for the on-chip buffers, copying in those that it reads. MLIR
  /// lowers gpu.dynamic_shared_memory to a zero-sized global, which NVPTX
  /// makes a one-byte static variable at the start of a block's shared
  /// memory, before the dynamic part: accesses from its address stay within
  /// the block's shared memory since the kernel has no other static one.
  LogicalResult keepOnChip(ArrayRef<OnChip> onChip, scf::ForOp loop,
                           Value block, Value thread, int64_t threads) {
    if (onChip.empty())
      return success();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop);
    auto bytes = MemRefType::get({ShapedType::kDynamic}, b.getI8Type(), nullptr,
                                 onChip.front().slice.getMemorySpace());
    Value shared = gpu::DynamicSharedMemoryOp::create(b, bytes);
    for (const OnChip &buffer : onChip) {
      Value view = memref::ViewOp::create(b, buffer.slice, shared,
                                          index(buffer.offset), ValueRange{});
      if (!buffer.written)
        copyIn(buffer, view, block, thread, threads);
      for (Operation *user :
           llvm::make_early_inc_range(buffer.device.getUsers())) {
        if (!loop->isAncestor(user))
          continue;
        auto indices = isa<memref::LoadOp>(user)
                           ? cast<memref::LoadOp>(user).getIndices()
                           : cast<memref::StoreOp>(user).getIndices();
        // A single block's id may have been folded to 0.
        bool ofBlock = indices.front() == block ||
                       (buffer.blocks == 1 && isZeroInteger(indices.front()));
        if (!ofBlock)
          return user->emitError()
                 << "gru-map-kernels-to-gpu: a block uses another block's "
                    "row of a gru.block_slices buffer";
        SmallVector<Value> rest(indices.drop_front());
        b.setInsertionPoint(user);
        if (auto load = dyn_cast<memref::LoadOp>(user))
          load.replaceAllUsesWith(
              memref::LoadOp::create(b, view, rest).getResult());
        else
          memref::StoreOp::create(
              b, cast<memref::StoreOp>(user).getValueToStore(), view, rest);
        user->erase();
        b.setInsertionPoint(loop);
      }
    }
    gpu::BarrierOp::create(b);
    return success();
  }

  /// view[i...] = buffer.device[block, i...], by the block's threads.
  void copyIn(const OnChip &buffer, Value view, Value block, Value thread,
              int64_t threads) {
    auto loop = scf::ForOp::create(
        b, thread, index(buffer.slice.getNumElements()), index(threads));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    Value rest = loop.getInductionVar();
    SmallVector<Value> indices;
    for (int64_t size : llvm::reverse(buffer.slice.getShape())) {
      indices.push_back(arith::RemUIOp::create(b, rest, index(size)));
      rest = arith::DivUIOp::create(b, rest, index(size));
    }
    std::reverse(indices.begin(), indices.end());
    SmallVector<Value> global{block};
    llvm::append_range(global, indices);
    memref::StoreOp::create(b, memref::LoadOp::create(b, buffer.device, global),
                            view, indices);
  }

  /// The cluster barrier after a phase: its arrival releases the writes of
  /// the block's threads and its wait acquires those of the cluster.
  void clusterBarrier() {
    NVVM::ClusterArriveOp::create(b, UnitAttr());
    NVVM::ClusterWaitOp::create(b, UnitAttr());
  }

  /// A device counter of the blocks that reached grid barriers, zero: a
  /// 64-bit integer (as two 32-bit words, which gpu.memset can set), so
  /// that no number of steps makes it wrap.
  Value barrierCounter() {
    auto alloc = gpu::AllocOp::create(b, MemRefType::get({2}, b.getI32Type()),
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
      Value target = arith::IndexCastUIOp::create(b, b.getI64Type(), arrivals);
      ptx(Type(), "red.release.gpu.add.u64 [$0], 1;", "l", address);
      auto wait = scf::WhileOp::create(b, TypeRange{}, ValueRange{});
      OpBuilder::InsertionGuard inner(b);
      b.createBlock(&wait.getBefore());
      Value seen =
          ptx(b.getI64Type(), "ld.acquire.gpu.u64 $0, [$1];", "=l,l", address);
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
  llvm::SmallDenseSet<Value> blockSliced;          // device buffers
};

struct GRUMapKernelsToGPUPass
    : gru::impl::GRUMapKernelsToGPUBase<GRUMapKernelsToGPUPass> {
  void runOnOperation() override {
    llvm::SetVector<Block *> blocks;
    getOperation()->walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (!isDeviceWork(op))
        return WalkResult::advance();
      blocks.insert(op->getBlock());
      return WalkResult::skip();
    });
    for (Block *block : blocks)
      for (auto [first, last] : kernelGroups(*block))
        if (failed(KernelMapper(first, last).map()))
          return signalPassFailure();
    getOperation()->walk([](func::FuncOp func) {
      // The marks of device calls are consumed; LLVM does not know them.
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
        func.removeArgAttr(i, kDeviceBufferAttrName);
        func.removeArgAttr(i, kWrittenBufferAttrName);
      }
      if (!func.isExternal() &&
          llvm::all_of(func.getArguments(), onlyCopiedOnHost))
        func->setAttr(kDeviceArgumentsAttrName,
                      UnitAttr::get(func.getContext()));
    });
  }

  /// Whether the host code uses `buffer` only to copy it to or from the
  /// device (or to read its sizes).
  static bool onlyCopiedOnHost(Value buffer) {
    if (!isa<MemRefType>(buffer.getType()))
      return true;
    return llvm::all_of(buffer.getUsers(), [](Operation *user) {
      if (auto cast = dyn_cast<memref::CastOp>(user))
        return onlyCopiedOnHost(cast.getResult());
      return isa<gpu::MemcpyOp, memref::DimOp>(user);
    });
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
      if (isDeviceWork(&op)) {
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
