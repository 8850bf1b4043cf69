//===- ModelInterface.cpp - the C interface of a compiled model ------------===//

#include "gru/AOT/ModelInterface.h"
#include "gru/IR/GRUOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

using namespace mlir;
using namespace mlir::gru;

StringRef mlir::gru::cTypeName(Type type) {
  if (type.isF32())
    return "float";
  if (type.isF64())
    return "double";
  if (type.isInteger(1))
    return "uint8_t";
  if (type.isInteger(32))
    return "int32_t";
  if (type.isInteger(64))
    return "int64_t";
  return "";
}

StringRef mlir::gru::numpyTypeName(Type type) {
  if (type.isF32())
    return "float32";
  if (type.isF64())
    return "float64";
  if (type.isInteger(1))
    return "bool";
  if (type.isInteger(32))
    return "int32";
  if (type.isInteger(64))
    return "int64";
  return "";
}

int64_t mlir::gru::byteSize(Type type) {
  return type.isInteger(1) ? 1 : type.getIntOrFloatBitWidth() / 8;
}

namespace {

/// An argument dimension: (argument number, dimension).
using ArgDim = std::pair<unsigned, int64_t>;

/// Follows dimension `dim` of `value` back to a function argument dimension
/// through ops that can express their result sizes in terms of their
/// operands'. The reified sizes are built with `builder` into scratch IR.
std::optional<ArgDim> traceDim(OpBuilder &builder, Value value, int64_t dim,
                               int depth = 0) {
  if (depth > 64)
    return std::nullopt;
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    if (isa<func::FuncOp>(arg.getOwner()->getParentOp()) &&
        arg.getOwner()->isEntryBlock())
      return ArgDim{arg.getArgNumber(), dim};
    return std::nullopt;
  }
  auto result = cast<OpResult>(value);
  auto reify = dyn_cast<ReifyRankedShapedTypeOpInterface>(result.getOwner());
  if (!reify)
    return std::nullopt;
  builder.setInsertionPoint(result.getOwner());
  ReifiedRankedShapedTypeDims shapes;
  if (failed(reify.reifyResultShapes(builder, shapes)))
    return std::nullopt;
  auto size = dyn_cast<Value>(shapes[result.getResultNumber()][dim]);
  auto dimOp = size ? size.getDefiningOp<tensor::DimOp>() : nullptr;
  std::optional<int64_t> index =
      dimOp ? getConstantIntValue(dimOp.getIndex()) : std::nullopt;
  if (!index)
    return std::nullopt;
  return traceDim(builder, dimOp.getSource(), *index, depth + 1);
}

FailureOr<TensorSpec> describe(Location loc, Type type, std::string name) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || cTypeName(tensor.getElementType()).empty())
    return emitError(loc) << "'" << name << "' has type " << type
                          << "; the C interface supports ranked tensors of "
                             "f32, f64, i1, i32 and i64",
           failure();
  return TensorSpec{name, tensor.getElementType(),
                    SmallVector<int64_t>(tensor.getShape()),
                    SmallVector<std::string>(tensor.getRank())};
}

/// Dimension pairs that gru.layer needs equal at run time.
void collectLayerEqualities(OpBuilder &builder, func::FuncOp func,
                            FunctionInterface &function) {
  auto require = [&](Value a, int64_t aDim, Value b, int64_t bDim) {
    if (!a || !b)
      return;
    std::optional<ArgDim> x = traceDim(builder, a, aDim);
    std::optional<ArgDim> y = traceDim(builder, b, bDim);
    if (!x || !y || *x == *y)
      return;
    auto dynamic = [&](ArgDim d) {
      auto type = dyn_cast<RankedTensorType>(func.getArgumentTypes()[d.first]);
      return type && type.isDynamicDim(d.second);
    };
    if (dynamic(*x) && dynamic(*y))
      function.equalities.push_back(
          {function.inputs[y->first].dimNames[y->second],
           function.inputs[x->first].dimNames[x->second]});
  };
  func.walk([&](LayerOp layer) {
    require(layer.getInput(), 0, layer.getMask(), 0);
    require(layer.getInput(), 1, layer.getMask(), 1);
    require(layer.getInput(), 0, layer.getInitialState(), 0);
  });
}

FailureOr<FunctionInterface> analyzeFunction(func::FuncOp func) {
  FunctionInterface function;
  function.name = func.getSymName().str();
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto name = func.getArgAttrOfType<StringAttr>(i, kArgNameAttrName);
    FailureOr<TensorSpec> spec =
        describe(func.getLoc(), type,
                 name ? name.str() : "arg" + std::to_string(i));
    if (failed(spec))
      return failure();
    for (int64_t d = 0, e = spec->shape.size(); d < e; ++d)
      if (ShapedType::isDynamic(spec->shape[d])) {
        spec->dimNames[d] = spec->name + "_dim" + std::to_string(d);
        function.sizes.push_back(spec->dimNames[d]);
      }
    function.inputs.push_back(std::move(*spec));
  }

  // Scratch IR for reified sizes lives in a clone.
  OwningOpRef<func::FuncOp> scratch = func.clone();
  OpBuilder builder(scratch->getContext());
  auto ret = cast<func::ReturnOp>(scratch->getBody().back().getTerminator());
  for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
    FailureOr<TensorSpec> spec =
        describe(func.getLoc(), value.getType(), "result" + std::to_string(i));
    if (failed(spec))
      return failure();
    for (int64_t d = 0, e = spec->shape.size(); d < e; ++d) {
      if (!ShapedType::isDynamic(spec->shape[d]))
        continue;
      std::optional<ArgDim> source = traceDim(builder, value, d);
      if (!source)
        return func.emitError()
                   << "dimension " << d << " of result " << i << " of @"
                   << function.name
                   << " is not the size of an argument dimension, so the "
                      "caller cannot allocate it; give it a static size",
               failure();
      spec->dimNames[d] = function.inputs[source->first].dimNames[source->second];
    }
    function.outputs.push_back(std::move(*spec));
  }
  collectLayerEqualities(builder, *scratch, function);
  if (auto inPlace = func->getAttrOfType<DenseI64ArrayAttr>(kInPlaceAttrName))
    function.inPlace.assign(inPlace.asArrayRef().begin(),
                            inPlace.asArrayRef().end());
  return function;
}

} // namespace

FailureOr<ModelInterface> mlir::gru::analyzeModelInterface(ModuleOp module) {
  ModelInterface model;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isDeclaration())
      continue;
    FailureOr<FunctionInterface> function = analyzeFunction(func);
    if (failed(function))
      return failure();
    model.functions.push_back(std::move(*function));
  }
  if (model.functions.empty())
    return module.emitError() << "the model has no public function to export",
           failure();
  return model;
}

LogicalResult mlir::gru::bindInstanceData(ModuleOp module,
                                          ModelInterface &model) {
  auto slotOf = [&](Attribute global, Type type) -> unsigned {
    std::string name = cast<FlatSymbolRefAttr>(global).getValue().str();
    for (auto [i, slot] : llvm::enumerate(model.stateSlots))
      if (slot.first == name)
        return i;
    model.stateSlots.push_back({name, cast<RankedTensorType>(type)});
    return model.stateSlots.size() - 1;
  };
  for (FunctionInterface &function : model.functions) {
    auto func = module.lookupSymbol<func::FuncOp>(function.name);
    if (!func)
      return module.emitError() << "@" << function.name << " disappeared",
             failure();
    for (unsigned i = function.inputs.size(); i < func.getNumArguments(); ++i) {
      if (func.getArgAttr(i, kCallCountAttrName))
        function.usesDropout = true;
      if (Attribute global = func.getArgAttr(i, kStateAttrName))
        function.stateArguments.push_back(
            slotOf(global, func.getArgumentTypes()[i]));
    }
    for (unsigned i = function.outputs.size(); i < func.getNumResults(); ++i)
      if (Attribute global = func.getResultAttr(i, kStateAttrName))
        function.stateResults.push_back(
            slotOf(global, func.getResultTypes()[i]));
  }
  return success();
}
