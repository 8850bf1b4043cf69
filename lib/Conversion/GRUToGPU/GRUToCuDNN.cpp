//===- GRUToCuDNN.cpp - the convert-gru-to-cudnn pass ---------------------===//
//
// Lowers the gru.layer ops that gru-select-impl assigned to cuDNN to calls of
// the runtime's cuDNN bridge (gru/cudnn.h), with the fused layer as the
// fallback that the run time picks where cuDNN cannot run the call:
//
//   padded  = gru_rt_mask_lengths(mask, lengths)     with a mask
//   if gru_rt_cudnn_select(layer, padded):
//     x' = x reversed in time                        go_backwards (a kernel)
//     gru_rt_cudnn_gru(layer, options, x', W, R, b, lengths, h0, y, hy)
//     y[b, t] = hy[b] where t ≥ length(b)            Keras's carried output
//                                                    (a kernel)
//     results: y or the last output, hy
//   else:
//     the layer, fused
//
// cuDNN computes Keras's reset_after GRU; what it writes differs from Keras
// only at padded steps, where it writes zeros: Keras outputs zeros there with
// zero_output_for_mask, and the last output (hy) otherwise. The weights stay
// in Keras's layout: the bridge maps them to cuDNN's once per instance
// where they are constants, at each call where they are arguments.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "gru/Conversion/Passes.h"
#include "gru/IR/GRUOps.h"
#include "gru/cudnn.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/StringSwitch.h"

namespace mlir::gru {
#define GEN_PASS_DEF_CONVERTGRUTOCUDNN
#include "gru/Conversion/Passes.h.inc"
} // namespace mlir::gru

using namespace mlir;
using namespace mlir::gru;

namespace {

constexpr StringLiteral kMaskLengths = "gru_rt_mask_lengths";
constexpr StringLiteral kSelect = "gru_rt_cudnn_select";
// The layer's call, with its weights on the device (arguments) or on the
// host (constants, which the instance maps once).
constexpr StringLiteral kForward = "gru_rt_cudnn_gru";
constexpr StringLiteral kForwardConstant = "gru_rt_cudnn_gru_constant";

/// A memref of `rank` dynamic sizes and any layout.
MemRefType anyBuffer(MLIRContext *context, int64_t rank, Type element) {
  SmallVector<int64_t> shape(rank, ShapedType::kDynamic);
  SmallVector<int64_t> strides(rank, ShapedType::kDynamic);
  return MemRefType::get(
      shape, element,
      StridedLayoutAttr::get(context, ShapedType::kDynamic, strides));
}

/// The bridge's declarations, added to `module` where missing. Those that
/// take buffers have MLIR's C interface; gru.device marks the buffers on the
/// device, gru.written those the call writes (gru-map-kernels-to-gpu).
void declareBridge(ModuleOp module) {
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  MLIRContext *context = module.getContext();
  Type f32 = b.getF32Type(), i1 = b.getI1Type(), i32 = b.getI32Type(),
       i64 = b.getI64Type();
  auto declare = [&](StringRef name, ArrayRef<Type> inputs, TypeRange results,
                     ArrayRef<StringRef> marks = {}) {
    if (module.lookupSymbol(name))
      return;
    auto f = func::FuncOp::create(b, module.getLoc(), name,
                                  b.getFunctionType(inputs, results));
    f.setPrivate();
    if (llvm::any_of(inputs, llvm::IsaPred<MemRefType>))
      f->setAttr("llvm.emit_c_interface", b.getUnitAttr());
    for (auto [i, mark] : llvm::enumerate(marks)) {
      if (mark.contains("device"))
        f.setArgAttr(i, kDeviceBufferAttrName, b.getUnitAttr());
      if (mark.contains("written"))
        f.setArgAttr(i, kWrittenBufferAttrName, b.getUnitAttr());
    }
  };
  declare(kMaskLengths, {anyBuffer(context, 2, i1), anyBuffer(context, 1, i32)},
          {i1});
  declare(kSelect, {i64, i1}, {i1});
  SmallVector<Type> layer{i64,
                          i64,
                          anyBuffer(context, 3, f32),
                          anyBuffer(context, 2, f32),
                          anyBuffer(context, 2, f32),
                          anyBuffer(context, 2, f32),
                          anyBuffer(context, 1, i32),
                          anyBuffer(context, 2, f32),
                          anyBuffer(context, 3, f32),
                          anyBuffer(context, 2, f32)};
  declare(kForward, layer, {},
          {"", "", "device", "device", "device", "device", "", "device",
           "device written", "device written"});
  declare(kForwardConstant, layer, {},
          {"", "", "device", "", "", "", "", "device", "device written",
           "device written"});
}

/// A call of the bridge's `name` with `operands`, cast to its buffer types;
/// its result, if any.
Value callBridge(OpBuilder &b, Operation *at, StringRef name,
                 SmallVector<Value> operands) {
  auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
      at, b.getStringAttr(name));
  for (auto [operand, type] :
       llvm::zip(operands, callee.getFunctionType().getInputs()))
    if (operand.getType() != type)
      operand = memref::CastOp::create(b, at->getLoc(), type, operand);
  auto call = func::CallOp::create(b, at->getLoc(), callee, operands);
  return call.getNumResults() ? call.getResult(0) : Value();
}

/// The options of a layer's cuDNN call (gru/cudnn.h).
struct CallOptions {
  int64_t algo;
  bool tf32;
};

/// Builds the cuDNN branch of one layer.
class CuDNNCall : KernelBuilder {
public:
  CuDNNCall(OpBuilder &builder, LayerOp op, int64_t id, int64_t blocks,
            int64_t threads, Value lengths, CallOptions options)
      : KernelBuilder(op.getLoc(), builder, threads,
                      op.getInput().getType().getElementType()),
        op(op), id(id), blocks(blocks), lengths(lengths), options(options) {}

  /// Returns the layer's results.
  SmallVector<Value> build() {
    Value x = buffer(op.getInput());
    batch = memref::DimOp::create(b, x, 0);
    steps = memref::DimOp::create(b, x, 1);
    // Static sizes stay static, as in the layer's result types.
    auto size = [&](int64_t dim) {
      return memref::getMixedSize(b, b.getLoc(), x, dim);
    };
    OpFoldResult units = b.getIndexAttr(op.getUnits());
    Value hy = alloc({size(0), units});
    Value y = alloc({size(0), size(1), units});
    if (op.getGoBackwards())
      x = reversed(x, {size(0), size(1), size(2)});
    Value h0 = op.getInitialState() ? buffer(op.getInitialState()) : hy;
    SmallVector<Value> operands{arith::ConstantIntOp::create(b, id, 64),
                                arith::ConstantIntOp::create(b, flags(), 64),
                                x,
                                buffer(op.getKernel()),
                                buffer(op.getRecurrentKernel()),
                                buffer(op.getBias()),
                                lengths,
                                h0,
                                y,
                                hy};
    callBridge(b, op,
               flags() & GRU_CUDNN_CONSTANT_WEIGHTS ? kForwardConstant
                                                    : kForward,
               operands);
    Value mask = buffer(op.getMask());
    bool zeroOutput = op.getZeroOutputForMask();
    if (mask && op.getReturnSequences() && !zeroOutput)
      carryLastOutput(y, hy, mask);
    SmallVector<Value> results;
    if (op.getReturnSequences())
      results.push_back(tensor(y));
    else
      results.push_back(tensor(mask && zeroOutput ? lastOutput(hy, mask) : hy));
    if (op.getReturnState())
      results.push_back(tensor(hy));
    return results;
  }

private:
  int64_t flags() {
    auto isConstant = [](Value v) { return matchPattern(v, m_Constant()); };
    int64_t flags = options.algo << GRU_CUDNN_ALGO_SHIFT;
    if (isConstant(op.getKernel()) && isConstant(op.getRecurrentKernel()) &&
        isConstant(op.getBias()))
      flags |= GRU_CUDNN_CONSTANT_WEIGHTS;
    if (op.getInitialState())
      flags |= GRU_CUDNN_INITIAL_STATE;
    if (op.getMask())
      flags |= GRU_CUDNN_LENGTHS;
    if (options.tf32)
      flags |= GRU_CUDNN_TF32;
    return flags;
  }

  /// x[b, T − 1 − t], for go_backwards without a mask: cuDNN has no
  /// reversed direction of its own but the bidirectional one.
  Value reversed(Value x, ArrayRef<OpFoldResult> shape) {
    Value copy = alloc(shape);
    Value features = memref::DimOp::create(b, x, 2);
    Value count = mul(mul(batch, steps), features);
    eachElement(blocks, count, [&](Value i) {
      Value f = rem(i, features);
      Value rowStep = div(i, features);
      Value t = rem(rowStep, steps);
      Value row = div(rowStep, steps);
      Value from = sub(sub(steps, t), index(1));
      store(load(x, {row, from, f}), copy, {row, t, f});
    });
    return copy;
  }

  /// y[b, t] = hy[b] at the padded steps: the mask is right-padded, so a
  /// padded step's previous output is the row's last.
  void carryLastOutput(Value y, Value hy, Value mask) {
    Value units = index(op.getUnits());
    Value count = mul(mul(batch, steps), units);
    eachElement(blocks, count, [&](Value i) {
      Value unit = rem(i, units);
      Value rowStep = div(i, units);
      Value t = rem(rowStep, steps);
      Value row = div(rowStep, steps);
      when(arith::XOrIOp::create(b, load(mask, {row, t}),
                                 arith::ConstantIntOp::create(b, 1, 1)),
           [&] { store(load(hy, {row, unit}), y, {row, t, unit}); });
    });
  }

  /// The last output with zero_output_for_mask: zero where the last step
  /// is padded, else the last state.
  Value lastOutput(Value hy, Value mask) {
    Value units = index(op.getUnits());
    Value last = alloc({memref::getMixedSize(b, b.getLoc(), hy, 0),
                        b.getIndexAttr(op.getUnits())});
    Value lastStep = sub(steps, index(1));
    eachElement(blocks, mul(batch, units), [&](Value i) {
      Value unit = rem(i, units);
      Value row = div(i, units);
      store(select(load(mask, {row, lastStep}), load(hy, {row, unit}), zero()),
            last, {row, unit});
    });
    return last;
  }

  LayerOp op;
  int64_t id, blocks;
  Value lengths;
  CallOptions options;
  Value batch, steps;
};

/// A layer assigned to cuDNN becomes the run-time choice between its cuDNN
/// call and the fused layer.
struct LayerToCuDNN : OpConversionPattern<LayerOp> {
  LayerToCuDNN(MLIRContext *context, int64_t &nextLayer,
               const CallOptions &options, int64_t blocks, int64_t threads)
      : OpConversionPattern(context), nextLayer(nextLayer), options(options),
        blocks(blocks), threads(threads) {}

  LogicalResult
  matchAndRewrite(LayerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t id = nextLayer++;
    Location loc = op.getLoc();
    KernelBuilder host(loc, rewriter, 1, rewriter.getF32Type());
    Value lengths;
    Value padded = arith::ConstantIntOp::create(rewriter, loc, 1, 1);
    if (op.getMask()) {
      Value mask = host.buffer(op.getMask());
      lengths = host.alloc({memref::getMixedSize(rewriter, loc, mask, 0)},
                           rewriter.getI32Type());
      padded = callBridge(rewriter, op, kMaskLengths, {mask, lengths});
    } else {
      lengths = host.alloc({rewriter.getIndexAttr(0)}, rewriter.getI32Type());
    }
    Value chosen = callBridge(
        rewriter, op, kSelect,
        {arith::ConstantIntOp::create(rewriter, loc, id, 64), padded});
    auto choice = scf::IfOp::create(rewriter, loc, op->getResultTypes(), chosen,
                                    /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(choice.thenBlock());
      SmallVector<Value> results =
          CuDNNCall(rewriter, op, id, blocks, threads, lengths, options)
              .build();
      scf::YieldOp::create(rewriter, loc, results);
      rewriter.setInsertionPointToStart(choice.elseBlock());
      auto fused = cast<LayerOp>(rewriter.clone(*op));
      fused.setImpl(Implementation::fused);
      scf::YieldOp::create(rewriter, loc, fused->getResults());
    }
    rewriter.replaceOp(op, choice.getResults());
    return success();
  }

  int64_t &nextLayer;
  CallOptions options;
  int64_t blocks, threads;
};

/// cudnnRNNAlgo_t of the pass's `algo` option.
std::optional<int64_t> algorithm(StringRef name) {
  return llvm::StringSwitch<std::optional<int64_t>>(name)
      .Case("standard", 0)
      .Case("persist_static", 1)
      .Case("persist_dynamic", 2)
      .Case("small_h", 3)
      .Default(std::nullopt);
}

bool onCuDNN(LayerOp op) {
  std::optional<Implementation> impl = op.getImpl();
  return impl && *impl != Implementation::fused;
}

struct ConvertGRUToCuDNNPass
    : gru::impl::ConvertGRUToCuDNNBase<ConvertGRUToCuDNNPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<int64_t> algo = algorithm(algoName);
    if (multiprocessors < 1 || threadsPerBlock < 1 || !algo) {
      emitError(module.getLoc())
          << "convert-gru-to-cudnn needs at least one multiprocessor, one "
             "thread a block, and an algorithm of standard, small_h, "
             "persist_static, persist_dynamic (got '"
          << algoName << "')";
      return signalPassFailure();
    }
    bool any = false;
    module.walk([&](LayerOp op) {
      if (onCuDNN(op)) {
        any = true;
        op.emitRemark() << "cuDNN call, with the fused path where the run "
                           "time cannot use cuDNN";
      }
    });
    if (!any)
      return;
    declareBridge(module);
    ConversionTarget target(getContext());
    target.addLegalDialect<
        arith::ArithDialect, bufferization::BufferizationDialect,
        func::FuncDialect, memref::MemRefDialect, scf::SCFDialect>();
    target.addDynamicallyLegalOp<LayerOp>(
        [](LayerOp op) { return !onCuDNN(op); });
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    int64_t nextLayer = 0;
    patterns.add<LayerToCuDNN>(&getContext(), nextLayer,
                               CallOptions{*algo, tf32}, multiprocessors,
                               threadsPerBlock);
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
