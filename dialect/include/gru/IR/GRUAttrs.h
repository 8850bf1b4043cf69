//===- GRUAttrs.h - gru dialect attributes ----------------------*- C++ -*-===//

#ifndef GRU_IR_GRUATTRS_H
#define GRU_IR_GRUATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectImplementation.h"

#include "gru/IR/GRUEnums.h.inc"

namespace mlir::gru {
/// Parses a float literal for a `double` attribute parameter.
FailureOr<llvm::APFloat> parseDoubleParameter(AsmParser &parser);

/// Formats a number for a diagnostic the way a user wrote it ("0.25").
std::string formatNumber(double value);
} // namespace mlir::gru

#include "gru/IR/GRUAttrInterfaces.h.inc"

#define GET_ATTRDEF_CLASSES
#include "gru/IR/GRUAttrs.h.inc"

#endif // GRU_IR_GRUATTRS_H
