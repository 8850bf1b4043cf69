//===- BindInstance.cpp - the gru-bind-instance pass -----------------------===//
//
// A compiled model keeps per-instance data: the kept state of stateful layers
// (ml_program globals after gru-materialize-state) and the call counter and
// seed from which training-mode dropout masks are drawn. This pass makes each
// public function pure by passing that data explicitly:
//
//   * each state global the function loads becomes an argument, and each one
//     it stores becomes an extra result, both marked `gru.state = @global`;
//   * gru.dropout_mask ops become Philox4x32-10 evaluated per element, keyed
//     by the layer's seed (or the instance's, argument `gru.instance_seed`)
//     with the instance's call count (argument `gru.call_count`) in the
//     counter, so that every call draws new masks and a seed repeats them.
//
// The globals are then erased; the code generator gives every instance its
// own storage for each `gru.state`. Tensor arguments of public functions are
// marked read-only for bufferization: the caller owns them.
//
//===----------------------------------------------------------------------===//

#include "gru/IR/GRUOps.h"
#include "gru/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::gru {
#define GEN_PASS_DEF_GRUBINDINSTANCE
#include "gru/Transforms/Passes.h.inc"
} // namespace mlir::gru

using namespace mlir;
using namespace mlir::gru;

namespace {

/// Philox4x32-10 on i32 values, as in runtime/include/gru/philox.h.
struct PhiloxBuilder {
  ImplicitLocOpBuilder &b;

  Value i32(uint32_t v) {
    return arith::ConstantOp::create(b, b.getI32IntegerAttr(int32_t(v)));
  }
  Value low32(Value v64) {
    return arith::TruncIOp::create(b, b.getI32Type(), v64);
  }
  Value high32(Value v64) {
    Value shifted = arith::ShRUIOp::create(
        b, v64, arith::ConstantOp::create(b, b.getI64IntegerAttr(32)));
    return low32(shifted);
  }

  /// Returns the first random word for `counter` under the 64-bit `key`.
  Value firstWord(std::array<Value, 4> c, Value key) {
    Value k0 = low32(key), k1 = high32(key);
    for (int round = 0; round < 10; ++round) {
      auto p0 = arith::MulUIExtendedOp::create(b, i32(0xD2511F53u), c[0]);
      auto p1 = arith::MulUIExtendedOp::create(b, i32(0xCD9E8D57u), c[2]);
      Value n0 = arith::XOrIOp::create(
          b, arith::XOrIOp::create(b, p1.getHigh(), c[1]), k0);
      Value n2 = arith::XOrIOp::create(
          b, arith::XOrIOp::create(b, p0.getHigh(), c[3]), k1);
      c = {n0, p1.getLow(), n2, p0.getLow()};
      k0 = arith::AddIOp::create(b, k0, i32(0x9E3779B9u));
      k1 = arith::AddIOp::create(b, k1, i32(0xBB67AE85u));
    }
    return c[0];
  }
};

/// The per-instance values of one function.
struct InstanceArgs {
  Value callCount, instanceSeed;
};

/// Replaces `mask` by a linalg.generic that computes every element: 1/(1−rate)
/// where the element's uniform number is >= rate, else 0.
void lowerDropoutMask(DropoutMaskOp mask, InstanceArgs instance) {
  ImplicitLocOpBuilder b(mask.getLoc(), mask);
  auto type = cast<RankedTensorType>(mask.getType());
  Type elementType = type.getElementType();
  double rate = mask.getRate().convertToDouble();
  Value seed = mask.getSeed()
                   ? arith::ConstantOp::create(
                         b, b.getI64IntegerAttr(*mask.getSeed()))
                         .getResult()
                   : instance.instanceSeed;
  int64_t stream = mask.getStream();
  Value init = tensor::EmptyOp::create(b, type, mask.getDynamicSizes());
  AffineMap id = AffineMap::getMultiDimIdentityMap(3, b.getContext());
  SmallVector<utils::IteratorType> parallel(3, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, TypeRange{type}, ValueRange{}, ValueRange{init},
      ArrayRef<AffineMap>{id}, parallel,
      [&](OpBuilder &nested, Location loc, ValueRange) {
        ImplicitLocOpBuilder s(loc, nested);
        PhiloxBuilder philox{s};
        // Linear element index (n·B + b)·D + d.
        Value index = linalg::IndexOp::create(s, 0);
        for (int64_t dim = 1; dim < 3; ++dim) {
          Value size = tensor::DimOp::create(s, init, dim);
          index = arith::AddIOp::create(
              s, arith::MulIOp::create(s, index, size),
              linalg::IndexOp::create(s, dim));
        }
        Value index64 =
            arith::IndexCastUIOp::create(s, s.getI64Type(), index);
        Value word = philox.firstWord(
            {philox.low32(index64), philox.low32(instance.callCount),
             philox.high32(instance.callCount), philox.i32(uint32_t(stream))},
            seed);
        // Uniform in [0, 1) from the top 24 bits, as gru_uniform01.
        Value top = arith::ShRUIOp::create(s, word, philox.i32(8));
        Value uniform = arith::MulFOp::create(
            s, arith::UIToFPOp::create(s, s.getF32Type(), top),
            arith::ConstantOp::create(s, s.getF32FloatAttr(1.0f / 16777216.0f)));
        Value keep = arith::CmpFOp::create(
            s, arith::CmpFPredicate::OGE, uniform,
            arith::ConstantOp::create(s, s.getF32FloatAttr(float(rate))));
        Value value = arith::SelectOp::create(
            s, keep,
            arith::ConstantOp::create(
                s, s.getFloatAttr(elementType, 1.0 / (1.0 - rate))),
            arith::ConstantOp::create(s, s.getFloatAttr(elementType, 0.0)));
        linalg::YieldOp::create(s, value);
      });
  mask.replaceAllUsesWith(generic.getResult(0));
  mask.erase();
}

/// Callers own the arguments of public functions: bufferization must not
/// update them in place (a loop starting from an initial state would
/// otherwise overwrite the caller's buffer).
void markArgumentsReadOnly(func::FuncOp func) {
  BoolAttr readOnly = BoolAttr::get(func.getContext(), false);
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (isa<TensorType>(func.getArgumentTypes()[i]))
      func.setArgAttr(i, "bufferization.writable", readOnly);
}

struct GRUBindInstancePass
    : gru::impl::GRUBindInstanceBase<GRUBindInstancePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<func::FuncOp>()) {
      if (failed(bind(func)))
        return signalPassFailure();
      if (func.isPublic() && !func.isDeclaration())
        markArgumentsReadOnly(func);
    }
    for (auto global :
         llvm::make_early_inc_range(module.getOps<ml_program::GlobalOp>()))
      if (global.getIsMutable())
        global.erase();
  }

  LogicalResult bind(func::FuncOp func) {
    if (func.isDeclaration())
      return success();
    bool usesInstance = false;
    WalkResult check = func.walk([&](Operation *op) {
      if (!isa<DropoutMaskOp, ml_program::GlobalLoadOp,
               ml_program::GlobalStoreOp>(op))
        return WalkResult::advance();
      usesInstance = true;
      if (!func.isPublic())
        return op->emitError() << "model state and dropout are only "
                                  "supported in public functions, which a "
                                  "model instance calls",
               WalkResult::interrupt();
      if (op->getBlock() != &func.getBody().front() &&
          isa<ml_program::GlobalLoadOp, ml_program::GlobalStoreOp>(op))
        return op->emitError() << "kept state must be loaded and stored in "
                                  "the function's entry block",
               WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (check.wasInterrupted())
      return failure();
    if (!usesInstance)
      return success();

    Block &entry = func.getBody().front();
    OpBuilder builder(func.getContext());
    auto addArgument = [&](Type type, StringRef attr,
                           Attribute value) -> Value {
      unsigned index = func.getNumArguments();
      if (failed(func.insertArgument(index, type,
                                     builder.getDictionaryAttr(
                                         builder.getNamedAttr(attr, value)),
                                     func.getLoc())))
        return Value();
      return func.getArgument(index);
    };

    InstanceArgs instance;
    bool hasDropout =
        func.walk([](DropoutMaskOp) { return WalkResult::interrupt(); })
            .wasInterrupted();
    if (hasDropout) {
      instance.callCount = addArgument(builder.getI64Type(), kCallCountAttrName,
                                       builder.getUnitAttr());
      instance.instanceSeed = addArgument(
          builder.getI64Type(), kInstanceSeedAttrName, builder.getUnitAttr());
    }

    // The current value of each state global, threaded through the entry
    // block in program order.
    llvm::MapVector<Attribute, Value> current;
    SmallVector<Attribute> stored;
    for (Operation &op : llvm::make_early_inc_range(entry)) {
      if (auto load = dyn_cast<ml_program::GlobalLoadOp>(op)) {
        Value &value = current[load.getGlobalAttr()];
        if (!value)
          value = addArgument(load.getType(), kStateAttrName, load.getGlobalAttr());
        load.replaceAllUsesWith(value);
        load.erase();
      } else if (auto store = dyn_cast<ml_program::GlobalStoreOp>(op)) {
        current[store.getGlobalAttr()] = store.getValue();
        if (!llvm::is_contained(stored, store.getGlobalAttr()))
          stored.push_back(store.getGlobalAttr());
        store.erase();
      }
    }
    func.walk([&](DropoutMaskOp mask) { lowerDropoutMask(mask, instance); });

    // Stored states become extra results.
    auto ret = cast<func::ReturnOp>(entry.getTerminator());
    SmallVector<Value> results(ret.getOperands());
    for (Attribute global : stored) {
      Value value = current[global];
      if (failed(func.insertResult(func.getNumResults(), value.getType(),
                                   builder.getDictionaryAttr(
                                       builder.getNamedAttr(kStateAttrName,
                                                            global)))))
        return failure();
      results.push_back(value);
    }
    ret->setOperands(results);
    return success();
  }
};

} // namespace
