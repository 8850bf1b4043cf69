//===- GRUAttrs.cpp - gru dialect attributes -------------------------------===//

#include "gru/IR/GRUAttrs.h"
#include "gru/IR/GRUDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace mlir::gru;

#include "gru/IR/GRUAttrInterfaces.cpp.inc"
#include "gru/IR/GRUEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "gru/IR/GRUAttrs.cpp.inc"

void GRUDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "gru/IR/GRUAttrs.cpp.inc"
      >();
}

FailureOr<APFloat> mlir::gru::parseDoubleParameter(AsmParser &parser) {
  double value;
  if (parser.parseFloat(value))
    return failure();
  return APFloat(value);
}

std::string mlir::gru::formatNumber(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", value);
  return buffer;
}

//===----------------------------------------------------------------------===//
// ActivationAttr
//===----------------------------------------------------------------------===//

/// Keras activations that act across the units axis or cannot act on a
/// recurrent state, with the reason they are rejected.
static std::optional<StringRef> unsupportedActivationReason(StringRef name) {
  return llvm::StringSwitch<std::optional<StringRef>>(name)
      .Cases({"softmax", "log_softmax", "sparsemax"},
             StringRef("it normalizes across the units axis; only "
                       "elementwise activations are supported"))
      .Case("glu", StringRef("it halves the units axis"))
      .Case("threshold", StringRef("it needs threshold and default values "
                                   "that Keras's GRU cannot pass"))
      .Default(std::nullopt);
}

Attribute ActivationAttr::parse(AsmParser &parser, Type) {
  std::string name;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess() || parser.parseKeywordOrString(&name) ||
      parser.parseGreater())
    return {};
  StringRef canonical = llvm::StringSwitch<StringRef>(name)
                            .Case("swish", "silu")
                            .Case("hard_swish", "hard_silu")
                            .Default(name);
  if (std::optional<Activation> act = symbolizeActivation(canonical))
    return ActivationAttr::get(parser.getContext(), *act);
  if (std::optional<StringRef> reason = unsupportedActivationReason(name)) {
    parser.emitError(loc) << "activation '" << name
                          << "' is not supported by GRU layers: " << *reason;
    return {};
  }
  InFlightDiagnostic diag = parser.emitError(loc)
                            << "unknown activation '" << name
                            << "'; expected one of: ";
  for (uint32_t i = 0, e = getMaxEnumValForActivation(); i <= e; ++i)
    diag << (i ? ", " : "") << stringifyActivation(static_cast<Activation>(i));
  return {};
}

void ActivationAttr::print(AsmPrinter &printer) const {
  printer << '<' << stringifyActivation(getValue()) << '>';
}

//===----------------------------------------------------------------------===//
// Regularizers
//===----------------------------------------------------------------------===//

/// Keras requires regularization factors to be finite and non-negative.
static LogicalResult verifyFactor(function_ref<InFlightDiagnostic()> emitError,
                                  StringRef name, double value) {
  if (std::isfinite(value) && value >= 0)
    return success();
  return emitError() << "regularization factor '" << name
                     << "' must be finite and >= 0, got " << formatNumber(value);
}

LogicalResult L1Attr::verify(function_ref<InFlightDiagnostic()> emitError,
                             APFloat l1) {
  return verifyFactor(emitError, "l1", l1.convertToDouble());
}
double L1Attr::getL1Factor() const { return getL1().convertToDouble(); }
double L1Attr::getL2Factor() const { return 0.0; }

LogicalResult L2Attr::verify(function_ref<InFlightDiagnostic()> emitError,
                             APFloat l2) {
  return verifyFactor(emitError, "l2", l2.convertToDouble());
}
double L2Attr::getL1Factor() const { return 0.0; }
double L2Attr::getL2Factor() const { return getL2().convertToDouble(); }

LogicalResult L1L2Attr::verify(function_ref<InFlightDiagnostic()> emitError,
                               APFloat l1, APFloat l2) {
  return failure(failed(verifyFactor(emitError, "l1", l1.convertToDouble())) ||
                 failed(verifyFactor(emitError, "l2", l2.convertToDouble())));
}
double L1L2Attr::getL1Factor() const { return getL1().convertToDouble(); }
double L1L2Attr::getL2Factor() const { return getL2().convertToDouble(); }

//===----------------------------------------------------------------------===//
// Constraints
//===----------------------------------------------------------------------===//

LogicalResult MaxNormAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  APFloat maxValueAP, int64_t) {
  double maxValue = maxValueAP.convertToDouble();
  if (std::isfinite(maxValue) && maxValue >= 0)
    return success();
  return emitError() << "max_norm 'max_value' must be finite and >= 0, got "
                     << formatNumber(maxValue);
}
std::optional<int64_t> MaxNormAttr::getNormAxis() const { return getAxis(); }

std::optional<int64_t> NonNegAttr::getNormAxis() const { return std::nullopt; }

std::optional<int64_t> UnitNormAttr::getNormAxis() const { return getAxis(); }

LogicalResult
MinMaxNormAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                       APFloat minValueAP, APFloat maxValueAP,
                       APFloat rateAP, int64_t) {
  double minValue = minValueAP.convertToDouble(),
         maxValue = maxValueAP.convertToDouble(),
         rate = rateAP.convertToDouble();
  if (!std::isfinite(minValue) || !std::isfinite(maxValue) || minValue < 0 ||
      minValue > maxValue)
    return emitError() << "min_max_norm needs finite 0 <= 'min_value' <= "
                          "'max_value', got "
                       << formatNumber(minValue) << " and "
                       << formatNumber(maxValue);
  if (!(rate >= 0 && rate <= 1))
    return emitError() << "min_max_norm 'rate' must be in [0, 1], got "
                       << formatNumber(rate);
  return success();
}
std::optional<int64_t> MinMaxNormAttr::getNormAxis() const { return getAxis(); }
