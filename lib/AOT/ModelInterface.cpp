//===- ModelInterface.cpp - the C interface of a compiled model ------------===//

#include "gru/AOT/ModelInterface.h"
#include "gru/AOT/CNames.h"
#include "gru/IR/GRUOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/CastInterfaces.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

#include "llvm/ADT/EquivalenceClasses.h"

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

/// Dimension `second` of tensor value `first`; a null value stands for the
/// static size `second`.
using Dim = std::pair<Value, int64_t>;

Dim staticSize(int64_t size) { return {Value(), size}; }

/// The equalities among tensor dimensions that the ops of a function imply:
/// a mismatch is undefined behaviour (an out-of-bounds access) in generated
/// code, so the C wrapper checks every one that relates its arguments.
class DimensionClasses {
public:
  /// Collects the equalities of `func`, a scratch copy (reifying result
  /// shapes builds IR into it).
  explicit DimensionClasses(func::FuncOp func) : builder(func.getContext()) {
    for (BlockArgument arg : func.getArguments())
      addStaticSizes(arg);
    func.walk([&](Operation *op) { addOp(op); });
  }

  Dim leader(Dim dim) { return classes.getOrInsertLeaderValue(dim); }

  /// The static sizes that the class of `dim` must have (more than one if
  /// the ops contradict each other).
  SmallVector<int64_t> staticSizes(Dim dim) {
    SmallVector<int64_t> sizes;
    for (auto it = classes.findLeader(classes.insert(dim));
         it != classes.member_end(); ++it)
      if (!it->first && !llvm::is_contained(sizes, it->second))
        sizes.push_back(it->second);
    return sizes;
  }

private:
  void unite(Dim a, Dim b) { classes.unionSets(a, b); }

  static int64_t rank(Value value) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    return type ? type.getRank() : -1;
  }

  void addStaticSizes(Value value) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type)
      return;
    for (auto [d, size] : llvm::enumerate(type.getShape())) {
      classes.insert(Dim{value, d});
      if (!ShapedType::isDynamic(size))
        unite({value, d}, staticSize(size));
    }
  }

  /// Unites the dimensions of `a` and `b` one by one (equal ranks).
  void uniteShapes(Value a, Value b) {
    if (rank(a) < 0 || rank(a) != rank(b))
      return;
    for (int64_t d = 0, e = rank(a); d < e; ++d)
      unite({a, d}, {b, d});
  }

  void addOp(Operation *op) {
    for (Value result : op->getResults())
      addStaticSizes(result);
    addReifiedShapes(op);
    if (auto dps = dyn_cast<DestinationStyleOpInterface>(op))
      for (OpResult result : op->getResults())
        uniteShapes(result, dps.getTiedOpOperand(result)->get());
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
      addLoopRanges(linalgOp);
    if (op->hasTrait<OpTrait::Elementwise>() ||
        op->hasTrait<OpTrait::SameOperandsAndResultShape>() ||
        isa<CastOpInterface>(op)) {
      SmallVector<Value> values(op->getOperands());
      llvm::append_range(values, op->getResults());
      for (Value value : values)
        uniteShapes(values.front(), value);
    }
    if (auto layer = dyn_cast<LayerOp>(op))
      addLayerOperands(layer);
    if (auto expand = dyn_cast<tensor::ExpandShapeOp>(op))
      addReshape(expand.getSrc(), expand.getResult(),
                 expand.getReassociationIndices());
    if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(op))
      addReshape(collapse.getResult(), collapse.getSrc(),
                 collapse.getReassociationIndices());
  }

  /// A reshape keeps a size that its group of `expanded` dimensions has
  /// alone among sizes of 1 (tensor.expand_shape does not reify its shape).
  void addReshape(Value collapsed, Value expanded,
                  ArrayRef<ReassociationIndices> groups) {
    ArrayRef<int64_t> shape =
        cast<RankedTensorType>(expanded.getType()).getShape();
    for (auto [group, indices] : llvm::enumerate(groups)) {
      auto sized = llvm::make_filter_range(
          indices, [&](int64_t d) { return shape[d] != 1; });
      if (llvm::range_size(sized) == 1)
        unite({collapsed, static_cast<int64_t>(group)},
              {expanded, *sized.begin()});
    }
  }

  /// A result dimension that the op reifies as a dimension of an operand or
  /// as a constant equals it.
  void addReifiedShapes(Operation *op) {
    auto reify = dyn_cast<ReifyRankedShapedTypeOpInterface>(op);
    ReifiedRankedShapedTypeDims shapes;
    builder.setInsertionPoint(op);
    if (!reify || failed(reify.reifyResultShapes(builder, shapes)))
      return;
    for (auto [result, shape] : llvm::zip(op->getResults(), shapes))
      for (auto [d, size] : llvm::enumerate(shape)) {
        if (std::optional<int64_t> constant = getConstantIntValue(size)) {
          unite({result, d}, staticSize(*constant));
          continue;
        }
        auto dimOp = dyn_cast_if_present<tensor::DimOp>(
            dyn_cast<Value>(size) ? dyn_cast<Value>(size).getDefiningOp()
                                  : nullptr);
        std::optional<int64_t> index =
            dimOp ? getConstantIntValue(dimOp.getIndex()) : std::nullopt;
        if (index)
          unite({result, d}, {dimOp.getSource(), *index});
      }
  }

  /// Operand dimensions that index the same loop of a structured op have the
  /// same size.
  void addLoopRanges(linalg::LinalgOp op) {
    DenseMap<unsigned, Dim> loopDims;
    for (OpOperand &operand : op->getOpOperands()) {
      if (rank(operand.get()) < 0)
        continue;
      AffineMap map = op.getMatchingIndexingMap(&operand);
      for (auto [d, expr] : llvm::enumerate(map.getResults()))
        if (auto loop = dyn_cast<AffineDimExpr>(expr)) {
          Dim dim{operand.get(), d};
          auto [it, inserted] = loopDims.try_emplace(loop.getPosition(), dim);
          if (!inserted)
            unite(it->second, dim);
        }
    }
  }

  /// gru.layer reads the mask and the initial state of every sequence.
  void addLayerOperands(LayerOp layer) {
    Value input = layer.getInput();
    if (Value mask = layer.getMask()) {
      unite({input, 0}, {mask, 0});
      unite({input, 1}, {mask, 1});
    }
    if (Value state = layer.getInitialState())
      unite({input, 0}, {state, 0});
  }

  llvm::EquivalenceClasses<Dim> classes;
  OpBuilder builder;
};

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

std::string dimText(const TensorSpec &tensor, int64_t d) {
  return "dimension " + std::to_string(d) + " of '" + tensor.name + "'";
}

/// The argument names: `gru.arg_name` where given (checked to make a valid
/// C header), else arg<i>.
LogicalResult nameArguments(func::FuncOp func, StringRef prefix,
                            FunctionInterface &function) {
  llvm::StringMap<unsigned> seen;
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    Location loc = func.getArgument(i).getLoc();
    std::string name = "arg" + std::to_string(i);
    if (Attribute attr = func.getArgAttr(i, kArgNameAttrName)) {
      auto text = dyn_cast<StringAttr>(attr);
      if (!text)
        return emitError(loc) << "'" << kArgNameAttrName
                              << "' must be a string, got " << attr,
               failure();
      name = text.str();
      if (std::optional<std::string> why = whyNotParameterName(name, prefix))
        return emitError(loc) << "argument name '" << name
                              << "' cannot name a C parameter: " << *why,
               failure();
    }
    auto [it, inserted] = seen.try_emplace(name, i);
    if (!inserted)
      return emitError(loc) << "argument name '" << name
                            << "' is also the name of argument " << it->second,
             failure();
    FailureOr<TensorSpec> spec = describe(loc, type, name);
    if (failed(spec))
      return failure();
    function.inputs.push_back(std::move(*spec));
  }
  // Sizes and results are named after the arguments; none may shadow one.
  for (TensorSpec &spec : function.inputs)
    for (int64_t d = 0, e = spec.shape.size(); d < e; ++d)
      if (ShapedType::isDynamic(spec.shape[d])) {
        spec.dimNames[d] = spec.name + "_dim" + std::to_string(d);
        function.sizes.push_back(spec.dimNames[d]);
      }
  for (auto [i, spec] : llvm::enumerate(function.inputs))
    for (unsigned r = 0; r < func.getNumResults(); ++r)
      if (spec.name == "result" + std::to_string(r) ||
          llvm::is_contained(function.sizes, spec.name))
        return emitError(func.getArgument(i).getLoc())
                   << "argument name '" << spec.name
                   << "' is also the name of a result or size parameter",
               failure();
  return success();
}

/// Requires each dynamic argument dimension equal to the first argument
/// dimension (or static size) of its class.
LogicalResult collectEqualities(func::FuncOp func, DimensionClasses &classes,
                                FunctionInterface &function) {
  // The first argument dimension (or the static size) of each class.
  DenseMap<Dim, std::pair<std::string, std::string>> representative;
  auto claim = [&](Dim leader, std::string value, std::string text) {
    return representative.try_emplace(leader, value, text);
  };
  for (auto [i, spec] : llvm::enumerate(function.inputs))
    for (auto [d, size] : llvm::enumerate(spec.shape))
      if (!ShapedType::isDynamic(size))
        claim(classes.leader({func.getArgument(i), d}), std::to_string(size),
              dimText(spec, d));
  for (auto [i, spec] : llvm::enumerate(function.inputs))
    for (auto [d, size] : llvm::enumerate(spec.shape)) {
      if (!ShapedType::isDynamic(size))
        continue;
      Dim dim{func.getArgument(i), d};
      Dim leader = classes.leader(dim);
      SmallVector<int64_t> sizes = classes.staticSizes(dim);
      if (sizes.size() > 1)
        return func.emitError()
                   << "the ops of @" << function.name << " require "
                   << dimText(spec, d) << " to be both " << sizes[0] << " and "
                   << sizes[1],
               failure();
      // A static size that no argument dimension gives.
      if (!sizes.empty())
        claim(leader, std::to_string(sizes[0]),
              "the static size that the model's ops require");
      auto [it, first] = claim(leader, spec.dimNames[d], dimText(spec, d));
      if (!first)
        function.equalities.push_back({spec.dimNames[d], it->second.first,
                                       dimText(spec, d), it->second.second});
    }
  return success();
}

FailureOr<FunctionInterface> analyzeFunction(func::FuncOp func,
                                             StringRef prefix) {
  FunctionInterface function;
  function.name = function.symbol = func.getSymName().str();
  if (failed(nameArguments(func, prefix, function)))
    return failure();

  // Scratch IR for reified sizes lives in a clone.
  OwningOpRef<func::FuncOp> scratch = func.clone();
  DimensionClasses classes(*scratch);
  auto ret = cast<func::ReturnOp>(scratch->getBody().back().getTerminator());
  for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
    FailureOr<TensorSpec> spec =
        describe(func.getLoc(), value.getType(), "result" + std::to_string(i));
    if (failed(spec))
      return failure();
    for (int64_t d = 0, e = spec->shape.size(); d < e; ++d) {
      if (!ShapedType::isDynamic(spec->shape[d]))
        continue;
      Dim leader = classes.leader({value, d});
      std::optional<std::string> size;
      for (auto [a, input] : llvm::enumerate(function.inputs))
        for (auto [k, name] : llvm::enumerate(input.dimNames))
          if (!size && !name.empty() &&
              classes.leader({scratch->getArgument(a), k}) == leader)
            size = name;
      SmallVector<int64_t> sizes = classes.staticSizes({value, d});
      if (size)
        spec->dimNames[d] = *size;
      else if (!sizes.empty())
        spec->shape[d] = sizes[0]; // static after all
      else
        return func.emitError()
                   << "dimension " << d << " of result " << i << " of @"
                   << function.name
                   << " is not the size of an argument dimension, so the "
                      "caller cannot allocate it; give it a static size",
               failure();
    }
    function.outputs.push_back(std::move(*spec));
  }
  if (failed(collectEqualities(*scratch, classes, function)))
    return failure();
  if (auto inPlace = func->getAttrOfType<DenseI64ArrayAttr>(kInPlaceAttrName))
    function.inPlace.assign(inPlace.asArrayRef().begin(),
                            inPlace.asArrayRef().end());
  return function;
}

/// Public function names become `<prefix>_<name>`; none may be a name that
/// the header declares itself.
LogicalResult checkFunctionName(func::FuncOp func, StringRef prefix) {
  if (!isCIdentifier(func.getSymName()))
    return func.emitError() << "public function names must be C "
                               "identifiers to be exported",
           failure();
  std::string symbol = (prefix + "_" + func.getSymName()).str();
  if (func.getSymName().ends_with(kDeviceEntrySuffix))
    return func.emitError() << "public function @" << func.getSymName()
                            << " ends in '" << kDeviceEntrySuffix
                            << "', which names the entry points for device "
                               "buffers; rename the function",
           failure();
  if (llvm::is_contained(headerIdentifiers(prefix), symbol))
    return func.emitError() << "public function @" << func.getSymName()
                            << " would be exported as '" << symbol
                            << "', which the header declares itself; "
                               "rename the function",
           failure();
  return success();
}

} // namespace

FailureOr<ModelInterface> mlir::gru::analyzeModelInterface(ModuleOp module,
                                                           StringRef prefix) {
  ModelInterface model;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isDeclaration())
      continue;
    if (failed(checkFunctionName(func, prefix)))
      return failure();
    FailureOr<FunctionInterface> function = analyzeFunction(func, prefix);
    if (failed(function))
      return failure();
    model.functions.push_back(std::move(*function));
  }
  if (model.functions.empty())
    return module.emitError() << "the model has no public function to export",
           failure();
  return model;
}

LogicalResult mlir::gru::hideModelSymbols(ModuleOp module,
                                          ModelInterface &model) {
  SymbolTable symbols(module);
  SmallVector<Operation *> defined;
  for (Operation &op : module.getOps())
    if (auto symbol = dyn_cast<SymbolOpInterface>(op))
      if (!symbol.isDeclaration())
        defined.push_back(&op);
  for (Operation *op : defined) {
    std::string name =
        (kHiddenSymbolPrefix + SymbolTable::getSymbolName(op).strref()).str();
    if (failed(symbols.rename(op, name)))
      return op->emitError() << "cannot rename the symbol to " << name,
             failure();
  }
  for (FunctionInterface &function : model.functions)
    function.symbol = (kHiddenSymbolPrefix + function.name).str();
  return success();
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
    auto func = module.lookupSymbol<func::FuncOp>(function.symbol);
    if (!func)
      return module.emitError() << "@" << function.symbol << " disappeared",
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
