//===- ExportRegularization.cpp - the gru-export-regularization pass -------===//
//
// Keras layers report regularization losses (`layer.losses`) and apply
// constraints after each weight update. For a public function F whose layers
// have regularizers or constraints, this pass adds
//
//   @F_regularization_loss(weights) -> tensor<f32>
//       Σ of the weight regularizers' penalties, plus the activity
//       regularization of F's latest call, which F keeps in model state;
//   @F_apply_constraints(weights) -> (constrained weights)
//       marked `gru.in_place`: result i replaces argument i.
//
// Weights that are F's arguments become arguments of these functions, named
// as in F (`gru.arg_name`); constant weights are copied in.
//
//===----------------------------------------------------------------------===//

#include "gru/IR/GRUOps.h"
#include "gru/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MLProgram/IR/MLProgram.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::gru {
#define GEN_PASS_DEF_GRUEXPORTREGULARIZATION
#include "gru/Transforms/Passes.h.inc"
} // namespace mlir::gru

using namespace mlir;
using namespace mlir::gru;

namespace {

template <typename AttrT>
struct WeightTerm {
  Value weight;
  AttrT attr;
};

/// The regularized and constrained weights of F's layers.
struct Terms {
  SmallVector<WeightTerm<RegularizerAttrInterface>> penalties;
  SmallVector<WeightTerm<ConstraintAttrInterface>> constraints;
  SmallVector<LayerOp> activity;
};

Terms collectTerms(func::FuncOp func) {
  Terms terms;
  func.walk([&](LayerOp layer) {
    auto add = [&](Value weight, RegularizerAttrInterface regularizer,
                   ConstraintAttrInterface constraint) {
      if (!weight)
        return;
      if (regularizer)
        terms.penalties.push_back({weight, regularizer});
      // Constraints update caller-owned weights: only arguments have one.
      if (constraint && isa<BlockArgument>(weight))
        terms.constraints.push_back({weight, constraint});
    };
    add(layer.getKernel(), layer.getKernelRegularizerAttr(),
        layer.getKernelConstraintAttr());
    add(layer.getRecurrentKernel(), layer.getRecurrentRegularizerAttr(),
        layer.getRecurrentConstraintAttr());
    add(layer.getBias(), layer.getBiasRegularizerAttr(),
        layer.getBiasConstraintAttr());
    if (layer.getActivityRegularizerAttr())
      terms.activity.push_back(layer);
  });
  return terms;
}

/// Builds a new public function next to `source` whose arguments are the
/// `source` arguments among `weights` (constants are copied in).
class WeightFunctionBuilder {
public:
  WeightFunctionBuilder(func::FuncOp source, StringRef suffix)
      : source(source), builder(source.getLoc(), source.getContext()) {
    builder.setInsertionPointAfter(source);
    func = func::FuncOp::create(builder, (source.getSymName() + suffix).str(),
                                builder.getFunctionType({}, {}));
    builder.setInsertionPointToStart(func.addEntryBlock());
  }

  /// The value of `weight` inside the new function, or null when it is
  /// computed in the source function.
  Value map(Value weight) {
    if (Value mapped = mapping.lookupOrNull(weight))
      return mapped;
    if (auto arg = dyn_cast<BlockArgument>(weight)) {
      unsigned index = func.getNumArguments();
      (void)func.insertArgument(
          index, weight.getType(),
          builder.getDictionaryAttr(builder.getNamedAttr(
              kArgNameAttrName,
              builder.getStringAttr("arg" +
                                    std::to_string(arg.getArgNumber())))),
          source.getLoc());
      mapping.map(weight, func.getArgument(index));
      return func.getArgument(index);
    }
    Operation *def = weight.getDefiningOp();
    if (!def || def->getNumOperands() != 0 || def->getNumRegions() != 0)
      return Value();
    return builder.clone(*def, mapping)->getResult(0);
  }

  func::FuncOp finish(ValueRange results) {
    func::ReturnOp::create(builder, results);
    func.setFunctionType(builder.getFunctionType(
        func.getArgumentTypes(), TypeRange(ValueRange(results))));
    return func;
  }

  func::FuncOp source;
  ImplicitLocOpBuilder builder;
  func::FuncOp func;
  IRMapping mapping;
};

/// The element of a rank-0 tensor.
Value scalarOf(ImplicitLocOpBuilder &b, Value tensor) {
  return tensor::ExtractOp::create(b, tensor, ValueRange{});
}

Value addScalars(ImplicitLocOpBuilder &b, Value lhs, Value rhs) {
  return lhs ? arith::AddFOp::create(b, lhs, rhs).getResult() : rhs;
}

struct GRUExportRegularizationPass
    : gru::impl::GRUExportRegularizationBase<GRUExportRegularizationPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> publicFunctions;
    for (auto func : module.getOps<func::FuncOp>())
      if (func.isPublic() && !func.isDeclaration())
        publicFunctions.push_back(func);
    for (func::FuncOp func : publicFunctions)
      if (failed(exportFunctions(symbols, func)))
        return signalPassFailure();
  }

  LogicalResult exportFunctions(SymbolTable &symbols, func::FuncOp func) {
    Terms terms = collectTerms(func);
    for (StringRef suffix : {"_regularization_loss", "_apply_constraints"})
      if (symbols.lookup((func.getSymName() + suffix).str()))
        return func.emitError() << "cannot export @" << func.getSymName()
                                << suffix << ": the name is taken",
               failure();
    FlatSymbolRefAttr activityGlobal;
    if (!terms.activity.empty()) {
      FailureOr<FlatSymbolRefAttr> global =
          keepActivityLoss(symbols, func, terms.activity);
      if (failed(global))
        return failure();
      activityGlobal = *global;
    }
    if (!terms.penalties.empty() || activityGlobal)
      if (failed(exportLoss(symbols, func, terms, activityGlobal)))
        return failure();
    if (!terms.constraints.empty())
      return exportConstraints(symbols, func, terms);
    return success();
  }

  /// Makes F store Σ over its activity-regularized layers and their returned
  /// outputs of penalty(output) / batch in a state global.
  FailureOr<FlatSymbolRefAttr>
  keepActivityLoss(SymbolTable &symbols, func::FuncOp func,
                   ArrayRef<LayerOp> layers) {
    Block &entry = func.getBody().front();
    ImplicitLocOpBuilder b(func.getLoc(), entry.getTerminator());
    Value total;
    Type element;
    for (LayerOp layer : layers) {
      if (layer->getBlock() != &entry)
        return layer.emitError() << "activity regularization is supported "
                                    "for layers in a function's entry block",
               failure();
      for (Value output : layer->getResults()) {
        auto type = cast<RankedTensorType>(output.getType());
        element = type.getElementType();
        Value penalty = scalarOf(
            b, WeightPenaltyOp::create(b, RankedTensorType::get({}, element),
                                       output,
                                       layer.getActivityRegularizerAttr()));
        Value batch = arith::IndexCastUIOp::create(
            b, b.getI64Type(), tensor::DimOp::create(b, output, 0));
        total = addScalars(b, total,
                           arith::DivFOp::create(
                               b, penalty,
                               arith::UIToFPOp::create(b, element, batch)));
      }
    }
    auto type = RankedTensorType::get({}, element);
    OpBuilder moduleBuilder(func);
    auto global = ml_program::GlobalOp::create(
        moduleBuilder, func.getLoc(),
        moduleBuilder.getStringAttr(func.getSymName() + "_activity_loss"),
        TypeAttr::get(type), moduleBuilder.getUnitAttr(),
        DenseElementsAttr::get(type, moduleBuilder.getZeroAttr(element)),
        moduleBuilder.getStringAttr("private"));
    symbols.insert(global);
    auto ref = FlatSymbolRefAttr::get(global.getSymNameAttr());
    ml_program::GlobalStoreOp::create(
        b, ref, tensor::FromElementsOp::create(b, type, ValueRange{total}));
    return ref;
  }

  LogicalResult exportLoss(SymbolTable &symbols, func::FuncOp func,
                           const Terms &terms, FlatSymbolRefAttr activity) {
    WeightFunctionBuilder loss(func, "_regularization_loss");
    ImplicitLocOpBuilder &b = loss.builder;
    Value total;
    Type element;
    for (const auto &term : terms.penalties) {
      Value weight = loss.map(term.weight);
      if (!weight)
        return term.weight.getDefiningOp()->emitError()
                   << "a regularized weight must be a function argument or "
                      "a constant",
               failure();
      element = cast<RankedTensorType>(weight.getType()).getElementType();
      total = addScalars(
          b, total,
          scalarOf(b, WeightPenaltyOp::create(
                          b, RankedTensorType::get({}, element), weight,
                          term.attr)));
    }
    if (activity) {
      auto global = symbols.lookup<ml_program::GlobalOp>(activity.getValue());
      auto type = cast<RankedTensorType>(global.getType());
      element = type.getElementType();
      total = addScalars(
          b, total,
          scalarOf(b, ml_program::GlobalLoadOp::create(b, type, activity)));
    }
    auto type = RankedTensorType::get({}, element);
    symbols.insert(loss.finish(
        {tensor::FromElementsOp::create(b, type, ValueRange{total})}));
    return success();
  }

  LogicalResult exportConstraints(SymbolTable &symbols, func::FuncOp func,
                                  const Terms &terms) {
    WeightFunctionBuilder constrain(func, "_apply_constraints");
    SmallVector<Value> results;
    SmallVector<int64_t> updates;
    for (const auto &term : terms.constraints) {
      if (constrain.mapping.contains(term.weight))
        continue; // a weight shared by two layers is constrained once
      Value weight = constrain.map(term.weight);
      updates.push_back(cast<BlockArgument>(weight).getArgNumber());
      results.push_back(
          ConstrainOp::create(constrain.builder, weight, term.attr));
    }
    func::FuncOp exported = constrain.finish(results);
    exported->setAttr(kInPlaceAttrName,
                      constrain.builder.getDenseI64ArrayAttr(updates));
    symbols.insert(exported);
    return success();
  }
};

} // namespace
