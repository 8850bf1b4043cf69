//===- Linker.cpp - linking a compiled model into a shared library ---------===//

#include "gru/AOT/Emitters.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

using namespace mlir;
using namespace mlir::gru;

LogicalResult mlir::gru::linkSharedLibrary(Location loc, StringRef cc,
                                           StringRef output,
                                           ArrayRef<std::string> inputs,
                                           ArrayRef<std::string> includeDirs,
                                           StringRef versionScript,
                                           ArrayRef<std::string> flags) {
  llvm::ErrorOr<std::string> program = llvm::sys::findProgramByName(cc);
  if (!program)
    return emitError(loc) << "cannot find the C compiler '" << cc
                          << "' to link with",
           failure();
  // Only the ABI is exported, so that the library's own calls bind inside;
  // the soname is the file's name, which programs linked with it record.
  SmallVector<std::string> args{
      *program,
      "-shared",
      "-fPIC",
      "-O2",
      "-std=gnu11",
      ("-Wl,--version-script=" + versionScript).str(),
      ("-Wl,-soname," + llvm::sys::path::filename(output)).str(),
      "-o",
      output.str()};
  args.append(flags.begin(), flags.end());
  for (const std::string &dir : includeDirs)
    args.push_back("-I" + dir);
  args.append(inputs.begin(), inputs.end());
  // Shared libraries among the inputs are found where they are now.
  for (StringRef input : inputs)
    if (input.ends_with(".so") || input.contains(".so."))
      args.push_back(
          ("-Wl,-rpath," + llvm::sys::path::parent_path(input)).str());
  args.push_back("-lm");
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  std::string error;
  int status = llvm::sys::ExecuteAndWait(*program, argRefs, std::nullopt, {},
                                         0, 0, &error);
  if (status != 0)
    return emitError(loc) << "linking " << output << " failed (status "
                          << status << ")" << (error.empty() ? "" : ": ")
                          << error,
           failure();
  return success();
}
