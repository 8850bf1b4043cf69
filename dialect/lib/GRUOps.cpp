//===- GRUOps.cpp - gru dialect operations ---------------------------------===//

#include "gru/IR/GRUOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::gru;

#define GET_OP_CLASSES
#include "gru/IR/GRUOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shape checking helpers
//===----------------------------------------------------------------------===//

namespace {

constexpr int64_t kDynamic = ShapedType::kDynamic;

bool dimsCompatible(int64_t a, int64_t b) {
  return a == kDynamic || b == kDynamic || a == b;
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s = "(";
  llvm::raw_string_ostream os(s);
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (d == kDynamic)
          os << '?';
        else
          os << d;
      },
      ", ");
  os << ')';
  return s;
}

/// Checks that `value` has a shape compatible with `expected` (where
/// kDynamic matches anything) and that its element type is `elementType`.
LogicalResult checkShape(Operation *op, StringRef name, Value value,
                         ArrayRef<int64_t> expected, StringRef meaning,
                         Type elementType = {}) {
  auto type = cast<RankedTensorType>(value.getType());
  ArrayRef<int64_t> shape = type.getShape();
  bool ok = shape.size() == expected.size() &&
            llvm::all_of(llvm::zip(shape, expected), [](auto pair) {
              return dimsCompatible(std::get<0>(pair), std::get<1>(pair));
            });
  if (!ok)
    return op->emitOpError() << "'" << name << "' must have shape " << meaning
                             << " = " << formatShape(expected) << ", got "
                             << formatShape(shape);
  if (elementType && type.getElementType() != elementType)
    return op->emitOpError() << "'" << name << "' must have element type "
                             << elementType << " like 'input', got "
                             << type.getElementType();
  return success();
}

/// The weight checks shared by gru.layer and gru.cell.
LogicalResult checkWeights(Operation *op, int64_t features, int64_t units,
                           bool resetAfter, Value kernel,
                           Value recurrentKernel, Value bias,
                           Type elementType) {
  if (units > kMaxUnits)
    return op->emitOpError() << "'units' is " << units << "; at most "
                             << kMaxUnits << " are supported";
  if (failed(checkShape(op, "kernel", kernel, {features, 3 * units},
                        "(F, 3 * units)", elementType)) ||
      failed(checkShape(op, "recurrent_kernel", recurrentKernel,
                        {units, 3 * units}, "(units, 3 * units)",
                        elementType)))
    return failure();
  if (!bias)
    return success();
  if (resetAfter)
    return checkShape(op, "bias", bias, {2, 3 * units},
                      "(2, 3 * units) with reset_after = true", elementType);
  return checkShape(op, "bias", bias, {3 * units},
                    "(3 * units) with reset_after = false", elementType);
}

/// Checks the explicit dropout masks: `(N, B, F)` with N = 1 or 3, and
/// `(3, B, U)`.
LogicalResult checkDropoutMasks(Operation *op, int64_t batch, int64_t features,
                                int64_t units, Value dropoutMask,
                                Value recurrentMask, Type elementType) {
  if (recurrentMask &&
      failed(checkShape(op, "recurrent_dropout_mask", recurrentMask,
                        {3, batch, units}, "(3, B, units)", elementType)))
    return failure();
  if (!dropoutMask)
    return success();
  int64_t gates = recurrentMask ? 3 : kDynamic;
  if (failed(checkShape(op, "dropout_mask", dropoutMask,
                        {gates, batch, features},
                        recurrentMask ? "(3, B, F) with a recurrent mask"
                                      : "(N, B, F)",
                        elementType)))
    return failure();
  int64_t n = cast<RankedTensorType>(dropoutMask.getType()).getDimSize(0);
  if (n != 1 && n != 3)
    return op->emitOpError() << "'dropout_mask' must hold 1 mask (shared by "
                                "the gates) or 3 (one per gate), got "
                             << formatShape({n});
  return success();
}

LogicalResult checkRate(Operation *op, StringRef name, double rate) {
  if (std::isfinite(rate))
    return success();
  return op->emitOpError() << "'" << name
                           << "' must be a finite number (it is clipped to "
                              "[0, 1]), got "
                           << formatNumber(rate);
}

/// A constraint's norm axis must be an axis of the weight it constrains.
LogicalResult checkConstraint(Operation *op, StringRef name,
                              ConstraintAttrInterface constraint,
                              Value weight) {
  if (!constraint || !weight)
    return success();
  std::optional<int64_t> axis = constraint.getNormAxis();
  int64_t rank = cast<RankedTensorType>(weight.getType()).getRank();
  if (!axis || (*axis >= -rank && *axis < rank))
    return success();
  return op->emitOpError() << "'" << name << "' normalizes over axis " << *axis
                           << ", but the weight has rank " << rank;
}

double clipRate(double rate) { return std::clamp(rate, 0.0, 1.0); }

} // namespace

//===----------------------------------------------------------------------===//
// LayerOp
//===----------------------------------------------------------------------===//

double LayerOp::getEffectiveDropout() { return clipRate(getDropout().convertToDouble()); }
double LayerOp::getEffectiveRecurrentDropout() {
  return clipRate(getRecurrentDropout().convertToDouble());
}
bool LayerOp::hasActiveDropout() {
  double rate = getEffectiveDropout();
  return getTraining() && rate > 0 && rate < 1;
}
bool LayerOp::hasActiveRecurrentDropout() {
  double rate = getEffectiveRecurrentDropout();
  return getTraining() && rate > 0 && rate < 1;
}

SmallVector<std::string> LayerOp::getCuDNNBlockers() {
  SmallVector<std::string> blockers;
  auto add = [&](const Twine &reason) { blockers.push_back(reason.str()); };
  if (getActivation() != Activation::tanh)
    add("activation is " + stringifyActivation(getActivation()) +
        "; cuDNN needs tanh");
  if (getRecurrentActivation() != Activation::sigmoid)
    add("recurrent_activation is " +
        stringifyActivation(getRecurrentActivation()) +
        "; cuDNN needs sigmoid");
  if (hasActiveDropout())
    add("dropout is " + formatNumber(getEffectiveDropout()) +
        " in training; cuDNN needs 0");
  else if (getDropoutMask())
    add("dropout is applied through 'dropout_mask'; cuDNN needs none");
  if (hasActiveRecurrentDropout())
    add("recurrent_dropout is " + formatNumber(getEffectiveRecurrentDropout()) +
        " in training; cuDNN needs 0");
  else if (getRecurrentDropoutMask())
    add("recurrent dropout is applied through 'recurrent_dropout_mask'; "
        "cuDNN needs none");
  if (getUnroll())
    add("unroll is true; cuDNN needs false");
  if (!getUseBias())
    add("use_bias is false; cuDNN needs true");
  if (!getResetAfter())
    add("reset_after is false; cuDNN needs true");
  if (getClip())
    add("clip is set; cuDNN's GRU does not clip");
  if (getGoBackwards() && getMask())
    add("go_backwards with a mask: the reversed mask is left-padded, which "
        "cuDNN cannot run");
  if (Type element = getInput().getType().getElementType(); !element.isF32()) {
    std::string name;
    llvm::raw_string_ostream(name) << element;
    add("the element type is " + name + "; the cuDNN path runs f32");
  }
  return blockers;
}

/// A gate clip, where set, is a positive bound.
static LogicalResult verifyClip(Operation *op, FloatAttr clip) {
  if (clip && !(clip.getValueAsDouble() > 0))
    return op->emitOpError() << "'clip' must be positive, got "
                             << formatNumber(clip.getValueAsDouble());
  return success();
}

LogicalResult LayerOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyClip(op, getClipAttr())))
    return failure();
  int64_t units = getUnits();
  if (units <= 0)
    return emitOpError() << "'units' must be a positive integer, got "
                         << units;
  if (units > kMaxUnits)
    return emitOpError() << "'units' is " << units << "; at most " << kMaxUnits
                         << " are supported";

  auto inputType = cast<RankedTensorType>(getInput().getType());
  if (inputType.getRank() != 3)
    return emitOpError() << "'input' must have shape (B, T, F), got rank "
                         << inputType.getRank();
  int64_t batch = inputType.getDimSize(0), steps = inputType.getDimSize(1),
          features = inputType.getDimSize(2);
  if (features == kDynamic)
    return emitOpError() << "'input' must have a static feature dimension F";
  Type elementType = inputType.getElementType();

  if (getUseBias() && !getBias())
    return emitOpError() << "'use_bias' is true but there is no 'bias' operand";
  if (!getUseBias() && getBias())
    return emitOpError() << "'use_bias' is false but a 'bias' operand is given";
  if (failed(checkWeights(op, features, units, getResetAfter(), getKernel(),
                          getRecurrentKernel(), getBias(), elementType)))
    return failure();

  if (Value mask = getMask())
    if (failed(checkShape(op, "mask", mask, {batch, steps}, "(B, T)")))
      return failure();
  if (Value init = getInitialState())
    if (failed(checkShape(op, "initial_state", init, {batch, units},
                          "(B, units)", elementType)))
      return failure();

  if (failed(checkRate(op, "dropout", getDropout().convertToDouble())) ||
      failed(checkRate(op, "recurrent_dropout", getRecurrentDropout().convertToDouble())))
    return failure();
  if (failed(checkDropoutMasks(op, batch, features, units, getDropoutMask(),
                               getRecurrentDropoutMask(), elementType)))
    return failure();
  if (getDropoutMask() && !getDropout().isZero())
    return emitOpError() << "'dropout' must be 0 when 'dropout_mask' is given "
                            "(the mask replaces the rate), got "
                         << formatNumber(getDropout().convertToDouble());
  if (getRecurrentDropoutMask() && !getRecurrentDropout().isZero())
    return emitOpError() << "'recurrent_dropout' must be 0 when "
                            "'recurrent_dropout_mask' is given (the mask "
                            "replaces the rate), got "
                         << formatNumber(getRecurrentDropout().convertToDouble());

  if (getStateful() && batch == kDynamic)
    return emitOpError() << "'stateful' needs a static batch size, but "
                            "'input' has a dynamic batch dimension";
  if (getUnroll() && steps == kDynamic)
    return emitOpError() << "'unroll' needs a static number of timesteps, but "
                            "'input' has a dynamic time dimension";

  unsigned expectedResults = getReturnState() ? 2 : 1;
  if (op->getNumResults() != expectedResults)
    return emitOpError() << "must have " << expectedResults
                         << " result(s) with return_state = "
                         << (getReturnState() ? "true" : "false") << ", got "
                         << op->getNumResults();
  if (getReturnSequences()) {
    if (failed(checkShape(op, "output", getOutput(), {batch, steps, units},
                          "(B, T, units) with return_sequences = true",
                          elementType)))
      return failure();
  } else if (failed(checkShape(op, "output", getOutput(), {batch, units},
                               "(B, units) with return_sequences = false",
                               elementType))) {
    return failure();
  }
  if (Value state = getFinalState())
    if (failed(checkShape(op, "final_state", state, {batch, units},
                          "(B, units)", elementType)))
      return failure();

  if (failed(checkConstraint(op, "kernel_constraint", getKernelConstraintAttr(),
                             getKernel())) ||
      failed(checkConstraint(op, "recurrent_constraint",
                             getRecurrentConstraintAttr(),
                             getRecurrentKernel())) ||
      failed(checkConstraint(op, "bias_constraint", getBiasConstraintAttr(),
                             getBias())))
    return failure();

  if (std::optional<Implementation> impl = getImpl(); impl && *impl != Implementation::fused) {
    SmallVector<std::string> blockers = getCuDNNBlockers();
    if (!blockers.empty())
      return emitOpError() << "'impl' is " << stringifyImplementation(*impl)
                           << " but the layer cannot use cuDNN: "
                           << blockers.front();
    if (*impl == Implementation::cudnn && getMask())
      return emitOpError() << "'impl' is cudnn but the layer has a mask; use "
                              "cudnn_if_right_padded, which checks the mask "
                              "at run time";
  }
  return success();
}

void LayerOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  // Stateful layers carry state across calls, and training-mode dropout
  // advances the instance's call counter.
  if (!getStateful() && !hasActiveDropout() && !hasActiveRecurrentDropout())
    return;
  effects.emplace_back(MemoryEffects::Read::get());
  effects.emplace_back(MemoryEffects::Write::get());
}

LogicalResult
LayerOp::reifyResultShapes(OpBuilder &builder,
                           ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
  Location loc = getLoc();
  OpFoldResult batch = tensor::getMixedSize(builder, loc, getInput(), 0);
  OpFoldResult steps = tensor::getMixedSize(builder, loc, getInput(), 1);
  OpFoldResult units = builder.getIndexAttr(getUnits());
  if (getReturnSequences())
    reifiedReturnShapes.push_back({batch, steps, units});
  else
    reifiedReturnShapes.push_back({batch, units});
  if (getReturnState())
    reifiedReturnShapes.push_back({batch, units});
  return success();
}

LogicalResult ActivationOp::reifyResultShapes(
    OpBuilder &builder, ReifiedRankedShapedTypeDims &reifiedReturnShapes) {
  reifiedReturnShapes.push_back(
      tensor::getMixedSizes(builder, getLoc(), getInput()));
  return success();
}

bool LayerOp::removeInactiveDropout(RewriterBase &rewriter) {
  bool keepDropout = hasActiveDropout();
  bool keepRecurrent = hasActiveRecurrentDropout();
  double dropout = keepDropout ? getEffectiveDropout() : 0.0;
  double recurrent = keepRecurrent ? getEffectiveRecurrentDropout() : 0.0;
  bool training = keepDropout || keepRecurrent;
  if (dropout == getDropout().convertToDouble() &&
      recurrent == getRecurrentDropout().convertToDouble() &&
      training == getTraining() && (training || !getSeed()))
    return false;
  rewriter.modifyOpInPlace(*this, [&] {
    setDropout(APFloat(dropout));
    setRecurrentDropout(APFloat(recurrent));
    setTraining(training);
    if (!training)
      removeSeedAttr();
  });
  return true;
}

namespace {

/// Dropout that cannot act is spelled as rates of 0, training false and no
/// seed, so that equivalent layers look the same.
struct CanonicalizeDropout : OpRewritePattern<LayerOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerOp op,
                                PatternRewriter &rewriter) const override {
    return success(op.removeInactiveDropout(rewriter));
  }
};

bool isConstantSplat(Value value, function_ref<bool(Attribute)> pred) {
  DenseElementsAttr attr;
  return value && matchPattern(value, m_Constant(&attr)) && attr.isSplat() &&
         pred(attr.getSplatValue<Attribute>());
}

/// An all-true mask masks nothing; a zero initial state of a layer that is
/// not stateful is the default.
struct DropDefaultOperands : OpRewritePattern<LayerOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerOp op,
                                PatternRewriter &rewriter) const override {
    bool allTrue = isConstantSplat(op.getMask(), [](Attribute a) {
      return cast<IntegerAttr>(a).getValue().isOne();
    });
    bool zeroState =
        !op.getStateful() && isConstantSplat(op.getInitialState(), [](Attribute a) {
          return cast<FloatAttr>(a).getValue().isZero();
        });
    if (!allTrue && !zeroState)
      return failure();
    rewriter.modifyOpInPlace(op, [&] {
      if (allTrue)
        op.getMaskMutable().clear();
      if (zeroState)
        op.getInitialStateMutable().clear();
    });
    return success();
  }
};

} // namespace

void LayerOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                          MLIRContext *context) {
  results.add<CanonicalizeDropout, DropDefaultOperands>(context);
}

//===----------------------------------------------------------------------===//
// CellOp
//===----------------------------------------------------------------------===//

LogicalResult CellOp::verify() {
  Operation *op = getOperation();
  if (failed(verifyClip(op, getClipAttr())))
    return failure();
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto stateType = cast<RankedTensorType>(getState().getType());
  if (inputType.getRank() != 2 || stateType.getRank() != 2)
    return emitOpError() << "'input' must be (B, F) and 'state' (B, units)";
  int64_t batch = inputType.getDimSize(0), features = inputType.getDimSize(1),
          units = stateType.getDimSize(1);
  if (features == kDynamic || units == kDynamic)
    return emitOpError() << "F and units must be static";
  Type elementType = inputType.getElementType();
  if (failed(checkShape(op, "state", getState(), {batch, units}, "(B, units)",
                        elementType)) ||
      failed(checkWeights(op, features, units, getResetAfter(), getKernel(),
                          getRecurrentKernel(), getBias(), elementType)) ||
      failed(checkDropoutMasks(op, batch, features, units, getDropoutMask(),
                               getRecurrentDropoutMask(), elementType)))
    return failure();
  return checkShape(op, "new_state", getNewState(), {batch, units},
                    "(B, units)", elementType);
}

//===----------------------------------------------------------------------===//
// DropoutMaskOp
//===----------------------------------------------------------------------===//

LogicalResult DropoutMaskOp::verify() {
  double rate = getRate().convertToDouble();
  if (!(rate > 0 && rate < 1))
    return emitOpError() << "'rate' must be in (0, 1), got "
                         << formatNumber(rate);
  auto type = cast<RankedTensorType>(getResult().getType());
  if (type.getRank() != 3)
    return emitOpError() << "result must be (N, B, D) masks, got rank "
                         << type.getRank();
  if (type.isDynamicDim(0) || type.isDynamicDim(2))
    return emitOpError() << "the number of masks N and the width D must be "
                            "static";
  if (static_cast<int64_t>(getDynamicSizes().size()) != type.getNumDynamicDims())
    return emitOpError() << "needs one size operand per dynamic dimension ("
                         << type.getNumDynamicDims() << "), got "
                         << getDynamicSizes().size();
  return success();
}

//===----------------------------------------------------------------------===//
// InitializerOp
//===----------------------------------------------------------------------===//

LogicalResult InitializerOp::verify() {
  auto type = cast<RankedTensorType>(getResult().getType());
  if (!type.hasStaticShape())
    return emitOpError() << "result must have a static shape to be "
                            "initialized at compile time, got "
                         << formatShape(type.getShape());
  int64_t elements = 1;
  for (int64_t size : type.getShape())
    if (llvm::MulOverflow(elements, size, elements) ||
        elements > kMaxInitializerElements)
      return emitOpError() << "result of shape " << formatShape(type.getShape())
                           << " has more than " << kMaxInitializerElements
                           << " elements, the most that is initialized at "
                              "compile time; pass such weights as arguments";
  return getInitializer().verifyShape(type.getShape(),
                                      [&] { return emitOpError(); });
}

OpFoldResult InitializerOp::fold(FoldAdaptor) {
  auto type = cast<RankedTensorType>(getResult().getType());
  std::vector<float> values(type.getNumElements());
  getInitializer().fill(type.getShape(), values);
  return DenseElementsAttr::get(type, ArrayRef<float>(values));
}

//===----------------------------------------------------------------------===//
// WeightPenaltyOp and ConstrainOp
//===----------------------------------------------------------------------===//

LogicalResult WeightPenaltyOp::verify() {
  Type weightElement =
      cast<RankedTensorType>(getWeight().getType()).getElementType();
  Type penaltyElement =
      cast<RankedTensorType>(getPenalty().getType()).getElementType();
  if (weightElement != penaltyElement)
    return emitOpError() << "the penalty must have the weight's element type "
                         << weightElement << ", got " << penaltyElement;
  return success();
}

LogicalResult ConstrainOp::verify() {
  return checkConstraint(getOperation(), "constraint", getConstraintAttr(),
                         getWeight());
}
