//===- CNames.h - names that the generated C header may use -----*- C++ -*-===//
//
// The header that gru-compile writes declares `<prefix>_<function>` with the
// model's argument names as parameter names, and is included from C and C++.
// These checks keep every name the model contributes valid there.
//
//===----------------------------------------------------------------------===//

#ifndef GRU_AOT_CNAMES_H
#define GRU_AOT_CNAMES_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace mlir::gru {

/// Whether `name` is a C identifier: [A-Za-z_][A-Za-z0-9_]*.
bool isCIdentifier(StringRef name);

/// Why `name` cannot be a parameter name in the header of `prefix` (not an
/// identifier, a C or C++ keyword, reserved, a name from <stdint.h> or one the
/// header itself declares), or nothing if it can.
std::optional<std::string> whyNotParameterName(StringRef name,
                                               StringRef prefix);

/// The suffix of a function's entry point for device buffers
/// (`<prefix>_<name>_on_device`) in libraries with CUDA code.
constexpr llvm::StringLiteral kDeviceEntrySuffix = "_on_device";

/// The functions that every library exports besides the model's own
/// (`<prefix>_create`, ...).
SmallVector<std::string> instanceFunctions(StringRef prefix);

/// The identifiers that the header of `prefix` declares besides the model's
/// functions (`<prefix>_create`, `<PREFIX>_OK`, the include guard, ...).
SmallVector<std::string> headerIdentifiers(StringRef prefix);

} // namespace mlir::gru

#endif // GRU_AOT_CNAMES_H
