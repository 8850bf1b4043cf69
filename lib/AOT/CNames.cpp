//===- CNames.cpp - names that the generated C header may use -------------===//

#include "gru/AOT/CNames.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Regex.h"

using namespace mlir;

bool mlir::gru::isCIdentifier(StringRef name) {
  return !name.empty() && !llvm::isDigit(name.front()) &&
         llvm::all_of(name,
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

SmallVector<std::string> mlir::gru::instanceFunctions(StringRef prefix) {
  SmallVector<std::string> names;
  for (StringRef suffix : {"create", "destroy", "reset_states", "last_error",
                           "last_dispatch", "manifest", "target", "device"})
    names.push_back((prefix + "_" + suffix).str());
  return names;
}

SmallVector<std::string> mlir::gru::headerIdentifiers(StringRef prefix) {
  std::string upper = prefix.upper();
  SmallVector<std::string> names = instanceFunctions(prefix);
  names.push_back((prefix + "_instance").str());
  for (StringRef suffix :
       {"H", "OK", "ERR_INVALID_ARGUMENT", "ERR_BAD_SIZE", "ERR_OUT_OF_MEMORY",
        "ERR_UNSUPPORTED_CPU", "ERR_DEVICE"})
    names.push_back(upper + "_" + suffix.str());
  return names;
}

namespace {

/// C23 and C++20 keywords, the types the header names, and what <stdint.h>
/// declares or defines as a macro.
bool isReservedWord(StringRef name) {
  static const llvm::StringSet<> words = {
      // C
      "auto", "break", "case", "char", "const", "continue", "default", "do",
      "double", "else", "enum", "extern", "float", "for", "goto", "if",
      "inline", "int", "long", "register", "restrict", "return", "short",
      "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
      "unsigned", "void", "volatile", "while", "alignas", "alignof", "bool",
      "constexpr", "false", "nullptr", "static_assert", "thread_local", "true",
      "typeof", "typeof_unqual",
      // C++ beyond C
      "and", "and_eq", "asm", "bitand", "bitor", "catch", "char8_t", "char16_t",
      "char32_t", "class", "co_await", "co_return", "co_yield", "compl",
      "concept", "consteval", "constinit", "const_cast", "decltype", "delete",
      "dynamic_cast", "explicit", "export", "friend", "mutable", "namespace",
      "new", "noexcept", "not", "not_eq", "operator", "or", "or_eq", "private",
      "protected", "public", "reinterpret_cast", "requires", "static_cast",
      "template", "this", "throw", "try", "typeid", "typename", "using",
      "virtual", "wchar_t", "xor", "xor_eq",
      // the header's own
      "instance", "NULL"};
  if (words.contains(name))
    return true;
  // <stdint.h>: int8_t ... uintptr_t, INT64_MAX, INT32_C, SIZE_MAX, ...
  static const llvm::Regex stdint(
      "^(u?int(_least|_fast)?[0-9]+_t|u?int(max|ptr)_t|"
      "U?INT(_LEAST|_FAST)?[0-9]+_(MAX|MIN|C)|U?INT(MAX|PTR)_(MAX|MIN|C)|"
      "(PTRDIFF|SIG_ATOMIC|WCHAR|WINT)_(MAX|MIN)|SIZE_MAX)$");
  return stdint.match(name);
}

} // namespace

std::optional<std::string> mlir::gru::whyNotParameterName(StringRef name,
                                                          StringRef prefix) {
  if (!isCIdentifier(name))
    return std::string("it is not a C identifier");
  if (isReservedWord(name))
    return std::string("it is a C or C++ keyword or a name the header uses");
  if (name.starts_with("__") ||
      (name.size() > 1 && name[0] == '_' && llvm::isUpper(name[1])))
    return std::string("C reserves identifiers that begin with '__' or '_' "
                       "and an uppercase letter");
  for (const std::string &declared : headerIdentifiers(prefix))
    if (name == declared)
      return "the header declares '" + declared + "'";
  return std::nullopt;
}
