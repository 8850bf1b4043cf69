//===- gru-compile.cpp - compile a model into a shared library ----------===//
//
//   gru-compile model.mlir -o libmodel.so     writes libmodel.so and model.h
//
// Lowers every public function through the gru-to-llvm pipeline, emits
// object code in process through LLVM, generates the C wrapper of
// docs/ABI.md and links both with the runtime library using the C compiler
// of the target's architecture (the system's, or a cross compiler). The
// runtime is found relative to the executable (lib/ and include/ beside
// bin/), in a build tree as in an installation, so that an installation can
// be moved.
//
//===----------------------------------------------------------------------===//

#include "gru/AOT/CNames.h"
#include "gru/AOT/Emitters.h"
#include "gru/AOT/ModelInterface.h"
#include "gru/Conversion/Passes.h"
#include "gru/IR/GRUDialect.h"
#include "gru/Pipelines/Pipelines.h"
#include "gru/Tools/ModelInput.h"
#include "gru/Tools/ToolInfo.h"
#include "gru/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <mutex>

using namespace mlir;
using namespace mlir::gru;
namespace cl = llvm::cl;

// The options --help shows; --help-hidden adds LLVM's and MLIR's, among
// them --mlir-timing and --mlir-print-ir-after-all.
static cl::OptionCategory ioCategory("Input and output");
static cl::OptionCategory targetCategory("Target");
static cl::OptionCategory
    reportCategory("Reports", "--help-hidden lists LLVM's and MLIR's options "
                              "as well, such as --mlir-timing and "
                              "--mlir-print-ir-after-all");

static cl::opt<std::string> inputPath(cl::Positional,
                                      cl::desc("<model.mlir | model.mlirbc>"),
                                      cl::Required, cl::cat(ioCategory));
static cl::opt<std::string> outputPath("o",
                                       cl::desc("the shared library to write"),
                                       cl::value_desc("libmodel.so"),
                                       cl::Required, cl::cat(ioCategory));
static cl::opt<std::string>
    prefixOption("prefix",
                 cl::desc("prefix of the exported symbols (default: the "
                          "library name without lib and .so)"),
                 cl::cat(ioCategory));
static cl::opt<std::string>
    headerOption("header",
                 cl::desc("the C header to write (default: <prefix>.h next "
                          "to the library)"),
                 cl::cat(ioCategory));
static cl::opt<std::string>
    tripleOption("mtriple",
                 cl::desc("target triple (default: the host's), e.g. "
                          "aarch64-linux-gnu"),
                 cl::cat(targetCategory));
static cl::opt<std::string>
    cpuOption("mcpu",
              cl::desc("target CPUs, LLVM CPU names such as x86-64-v3 or "
                       "znver3 (default: native, the host's); a list "
                       "(x86-64-v3,x86-64-v4) puts code for each in the "
                       "library, which runs the best one the CPU supports"),
              cl::init("native"), cl::cat(targetCategory));
static cl::opt<std::string>
    featuresOption("mattr",
                   cl::desc("target features to add or remove, e.g. "
                            "-avx512f,+fma"),
                   cl::cat(targetCategory));
static cl::opt<unsigned> optLevel("O", cl::desc("optimization level 0-3"),
                                  cl::Prefix, cl::init(3),
                                  cl::cat(targetCategory));
static cl::opt<std::string>
    ccOption("cc",
             cl::desc("the C compiler that links (default: the one "
                      "configured for the target's architecture)"),
             cl::cat(targetCategory));
static cl::opt<std::string> targetsOption(
    "targets",
    cl::desc("what the library holds code for: cpu (the default) or "
             "cpu,cuda; a library with CUDA code runs it where a CUDA "
             "driver and device are usable (GRU_DEVICE=cpu or cuda forces "
             "the choice) and its CPU code otherwise"),
    cl::init("cpu"), cl::cat(targetCategory));
static cl::opt<std::string>
    cudaChipOption("cuda-chip",
                   cl::desc("the GPU architecture of the CUDA code's SASS "
                            "(its PTX runs on newer GPUs too)"),
                   cl::init("sm_90"), cl::cat(targetCategory));
static cl::opt<bool> gpuKernelOnCPU(
    "gpu-kernel-on-cpu",
    cl::desc("compile fused layers as the GPU kernel's algorithm with its "
             "blocks and threads as CPU loops: a check of the GPU path "
             "without a GPU, slower than the CPU's own code"),
    cl::Hidden, cl::cat(targetCategory));
static cl::opt<int64_t> gpuMultiprocessors(
    "gpu-multiprocessors",
    cl::desc("streaming multiprocessors of the GPU the kernels are shaped "
             "for"),
    cl::init(GPUTarget().multiprocessors), cl::Hidden, cl::cat(targetCategory));
static cl::opt<int64_t> gpuThreadsPerBlock(
    "gpu-threads-per-block", cl::desc("threads of a block of the GPU kernels"),
    cl::init(GPUTarget().threadsPerBlock), cl::Hidden, cl::cat(targetCategory));
static cl::opt<int64_t> gpuSharedMemory(
    "gpu-shared-memory",
    cl::desc("shared memory of a block of the GPU kernels, in bytes "
             "(default: the chip's)"),
    cl::init(-1), cl::Hidden, cl::cat(targetCategory));
static cl::opt<int64_t> gpuClusterBlocks(
    "gpu-cluster-blocks",
    cl::desc("blocks of a thread-block cluster of the GPU kernels (0: none; "
             "default: the chip's)"),
    cl::init(-1), cl::Hidden, cl::cat(targetCategory));
static cl::opt<std::string> cudnnOption(
    "cudnn",
    cl::desc("the cuDNN algorithm of the CUDA code's layers that may use "
             "cuDNN (standard, small_h, persist_static, persist_dynamic), "
             "or none: all layers run the fused kernels; a layer uses cuDNN "
             "where the run time can, and the fused kernels otherwise"),
    cl::init("standard"), cl::cat(targetCategory));
static cl::opt<bool> cudnnTF32Option(
    "cudnn-tf32",
    cl::desc("cuDNN with TF32 tensor-core math: faster, beyond the 1e-5 of "
             "fp32"),
    cl::cat(targetCategory));
static cl::opt<bool> showRemarks("remarks",
                                 cl::desc("print the compiler's remarks (e.g. "
                                          "why a layer does not use cuDNN)"),
                                 cl::cat(reportCategory));
static cl::opt<cl::boolOrDefault>
    progressOption("progress",
                   cl::desc("show the phase and pass running on standard "
                            "error (default: when it is a terminal)"),
                   cl::cat(reportCategory));

namespace {

std::string defaultPrefix(StringRef library) {
  StringRef stem = llvm::sys::path::stem(library);
  stem.consume_front("lib");
  return stem.str();
}

void dropGRUAttributes(func::FuncOp func) {
  auto strip = [](DictionaryAttr attrs) {
    SmallVector<NamedAttribute> kept;
    if (!attrs)
      return kept;
    for (NamedAttribute attr : attrs)
      if (!attr.getName().strref().starts_with("gru."))
        kept.push_back(attr);
    return kept;
  };
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    func.setArgAttrs(i, strip(func.getArgAttrDict(i)));
  for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
    func.setResultAttrs(i, strip(func.getResultAttrDict(i)));
  func->removeAttr(kInPlaceAttrName);
}

LogicalResult writeFile(Location loc, StringRef path,
                        function_ref<void(llvm::raw_ostream &)> write) {
  StringRef dir = llvm::sys::path::parent_path(path);
  if (!dir.empty())
    if (std::error_code ec = llvm::sys::fs::create_directories(dir))
      return emitError(loc) << "cannot create " << dir << ": " << ec.message(),
             failure();
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(path, &error);
  if (!file)
    return emitError(loc) << error, failure();
  write(file->os());
  file->keep();
  return success();
}

/// The root of the build tree or installation that holds gru-compile.
std::string installRoot;

/// What links a library for one architecture: the C compiler, and the
/// runtime and OpenMP libraries built for it (paths under installRoot, or
/// the system's); an empty compiler where the build found none.
struct Toolchain {
  llvm::Triple::ArchType arch;
  std::string cc, runtimeLibrary, openmpLibrary;
  /// The host's toolchain, which the sanitizers of this build instrument.
  bool host;
  /// What provides a cross toolchain, for the error where it is missing.
  StringRef packages;
};

std::string underRoot(StringRef relative) {
  SmallString<128> path(installRoot);
  llvm::sys::path::append(path, relative);
  return path.str().str();
}

/// The toolchain that links code for `target`: the host's for the host's
/// architecture, else a cross toolchain that CMake configured.
FailureOr<Toolchain> toolchainFor(Location loc, const CPUTarget &target) {
  const Toolchain toolchains[] = {
      {llvm::Triple(llvm::sys::getProcessTriple()).getArch(), GRU_DEFAULT_CC,
       underRoot("lib/libgru_runtime.a"), GRU_OPENMP_LIBRARY, true, ""},
      {llvm::Triple::aarch64, GRU_AARCH64_CC,
       underRoot("lib/aarch64/libgru_runtime.a"),
       underRoot("lib/aarch64/libomp.so.5"), false,
       "gcc-aarch64-linux-gnu, libc6-dev-arm64-cross and an arm64 libomp"},
  };
  llvm::Triple triple(target.triple);
  StringRef arch = triple.getArchName();
  for (const Toolchain &toolchain : toolchains) {
    if (toolchain.arch != triple.getArch())
      continue;
    if (toolchain.cc.empty())
      return emitError(loc)
                 << "gru-compile was built without a toolchain for " << arch
                 << " (" << toolchain.packages
                 << "): run scripts/setup.sh, which installs it and rebuilds",
             failure();
    for (StringRef library :
         {toolchain.runtimeLibrary, toolchain.openmpLibrary})
      if (!llvm::sys::fs::exists(library))
        return emitError(loc) << "the " << arch << " runtime library "
                              << library << " is missing: the installation "
                              << "of gru-compile is incomplete",
               failure();
    return toolchain;
  }
  return emitError(loc) << "gru-compile cannot link code for " << arch
                        << " on this host",
         failure();
}

/// Every reference resolves at link time; in a build with sanitizers, the
/// wrapper and the runtime are instrumented like the compiler, and the
/// sanitizer runtime comes from the program that loads the library. Cross
/// libraries are not instrumented: the host's sanitizers cannot run there.
SmallVector<std::string> linkFlags(const Toolchain &toolchain) {
  StringRef sanitize = GRU_SANITIZE_FLAGS;
  if (sanitize.empty() || !toolchain.host)
    return {"-Wl,--no-undefined"};
  SmallVector<StringRef> flags;
  sanitize.split(flags, ' ', -1, false);
  return SmallVector<std::string>(flags.begin(), flags.end());
}

/// Where the object file and wrapper are written, removed on every exit.
SmallString<128> temporaryDirectory;

/// The phase and, on a terminal, the pass that runs, for long compiles: on
/// a terminal one line that each update overwrites, elsewhere (where
/// --progress asks for it) a line per phase.
class Progress {
public:
  void start(bool enabled, int phases) {
    this->enabled = enabled;
    this->phases = phases;
    terminal = llvm::sys::Process::StandardErrIsDisplayed();
  }

  void phase(const Twine &what) {
    std::lock_guard<std::mutex> lock(mutex);
    current = ("[" + Twine(++done) + "/" + Twine(phases) + "] " + what).str();
    show("");
  }

  void pass(StringRef name) {
    std::lock_guard<std::mutex> lock(mutex);
    if (terminal)
      show(name);
  }

  /// Clears the terminal's line, before a diagnostic and at the end.
  void clear() {
    std::lock_guard<std::mutex> lock(mutex);
    if (enabled && terminal)
      llvm::errs() << "\r\x1b[K";
  }

private:
  void show(StringRef detail) {
    if (!enabled)
      return;
    llvm::raw_ostream &os = llvm::errs();
    if (terminal)
      os << "\r\x1b[K";
    os << "gru-compile: " << current;
    if (!detail.empty())
      os << ": " << detail;
    if (!terminal)
      os << "\n";
    os.flush();
  }

  bool enabled = false, terminal = false;
  int phases = 0, done = 0;
  std::string current;
  std::mutex mutex;
};

Progress progress;

/// Shows each pass that runs in `progress`.
struct ProgressInstrumentation : public PassInstrumentation {
  void runBeforePass(Pass *pass, Operation *) override {
    progress.pass(pass->getArgument().empty() ? pass->getName()
                                              : pass->getArgument());
  }
};

/// A pass manager that follows MLIR's command-line options (--mlir-timing,
/// --mlir-print-ir-after-all, ...) and reports its passes' progress; its
/// times go into `timing`.
FailureOr<std::unique_ptr<PassManager>> makePassManager(MLIRContext &context,
                                                        TimingScope &timing) {
  auto pm = std::make_unique<PassManager>(&context);
  if (failed(applyPassManagerCLOptions(*pm)))
    return failure();
  pm->enableTiming(timing);
  pm->addInstrumentation(std::make_unique<ProgressInstrumentation>());
  return pm;
}

/// LLVM's fatal errors (internal errors of the code generator) end the
/// compilation with status 1 and leave no temporary directory behind.
void onFatalError(void *, const char *reason, bool) {
  if (!temporaryDirectory.empty())
    llvm::sys::fs::remove_directories(temporaryDirectory);
  llvm::errs() << "gru-compile: error: LLVM: " << reason << "\n";
  std::_Exit(1);
}

/// The targets of --mtriple, --mcpu (a list) and --mattr.
FailureOr<SmallVector<CPUTarget>> resolveTargets(std::string &error) {
  SmallVector<StringRef> cpus;
  StringRef(cpuOption).split(cpus, ',', -1, /*KeepEmpty=*/false);
  if (cpus.empty())
    return error = "--mcpu names no CPU", failure();
  SmallVector<CPUTarget> targets;
  for (StringRef cpu : cpus) {
    FailureOr<CPUTarget> target =
        CPUTarget::resolve(tripleOption, cpu.trim(), featuresOption, error);
    if (failed(target))
      return failure();
    targets.push_back(*target);
  }
  return targets;
}

/// Whether --targets asks for CUDA code (beside the CPU's, which a library
/// always has), or an error.
FailureOr<bool> wantsCUDA(std::string &error) {
  SmallVector<StringRef> names;
  StringRef(targetsOption).split(names, ',', -1, /*KeepEmpty=*/false);
  bool cpu = false, cuda = false;
  for (StringRef name : names) {
    name = name.trim();
    if (name == "cpu")
      cpu = true;
    else if (name == "cuda")
      cuda = true;
    else
      return error = ("--targets names '" + name +
                      "'; the targets are cpu and cuda")
                         .str(),
             failure();
  }
  if (!cpu)
    return error = "a library always holds CPU code: --targets=cpu or "
                   "--targets=cpu,cuda",
           failure();
  return cuda;
}

/// The CPU targets, or an error, for the options that do not need the
/// model.
FailureOr<SmallVector<CPUTarget>> checkOptions(std::string &error) {
  if (outputPath == "-")
    return error = "gru-compile writes a shared library and a header, not "
                   "standard output: name the library with -o",
           failure();
  if (failed(wantsCUDA(error)))
    return failure();
  return resolveTargets(error);
}

/// The model's public functions lowered to the LLVM dialect for `target`,
/// with the instance data bound in `model`; with `cuda`, its layers are GPU
/// kernels that host code for `target` launches.
LogicalResult lowerForTarget(ModuleOp module, const CPUTarget &target,
                             bool cuda, ModelInterface &model,
                             TimingScope &timing) {
  MLIRContext &context = *module.getContext();
  FailureOr<std::unique_ptr<PassManager>> tensorPasses =
      makePassManager(context, timing);
  if (failed(tensorPasses))
    return failure();
  (*tensorPasses)
      ->addPass(
          createGRUAttachTarget({target.triple, target.cpu, target.features}));
  std::optional<GPUTarget> gpuKernel;
  if (cuda || gpuKernelOnCPU)
    gpuKernel = GPUTarget::forChip(cudaChipOption, gpuMultiprocessors,
                                   gpuThreadsPerBlock, gpuSharedMemory,
                                   gpuClusterBlocks);
  // The CPU twin of the GPU kernels (gpu-kernel-on-cpu) cannot call cuDNN.
  std::optional<CuDNNCalls> cudnn;
  if (cuda && cudnnOption != "none")
    cudnn = CuDNNCalls{cudnnOption, cudnnTF32Option};
  buildGRUToTensorPipeline(**tensorPasses, gpuKernel, cudnn);
  if (failed((*tensorPasses)->run(module)) ||
      failed(bindInstanceData(module, model)))
    return failure();

  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic()) {
      // The interface is recorded; LLVM does not know the gru.* markers.
      dropGRUAttributes(func);
      func->setAttr("llvm.emit_c_interface", UnitAttr::get(&context));
    }
  FailureOr<std::unique_ptr<PassManager>> llvmPasses =
      makePassManager(context, timing);
  if (failed(llvmPasses))
    return failure();
  if (cuda) {
    GRUToNVVMOptions options;
    options.resultsAsOutParams = true;
    options.chip = cudaChipOption;
    options.multiprocessors = gpuMultiprocessors;
    options.threadsPerBlock = gpuThreadsPerBlock;
    options.sharedMemory = gpuSharedMemory;
    options.clusterBlocks = gpuClusterBlocks;
    buildTensorToNVVMPipeline(**llvmPasses, options);
  } else {
    GRUToLLVMOptions options;
    options.resultsAsOutParams = true;
    buildTensorToLLVMPipeline(**llvmPasses, options);
  }
  return (*llvmPasses)->run(module);
}

/// The functions of `model` whose lowered CUDA code in `module` only copies
/// its buffer arguments to and from the device (gru.device_arguments).
llvm::StringSet<> functionsOnDevice(ModuleOp module,
                                    const ModelInterface &model) {
  llvm::StringSet<> names;
  for (const FunctionInterface &f : model.functions)
    if (auto func = module.lookupSymbol<LLVM::LLVMFuncOp>(f.symbol);
        func && func->hasAttr(kDeviceArgumentsAttrName))
      names.insert(f.name);
  return names;
}

LogicalResult compile(MLIRContext &context, llvm::SourceMgr &sourceMgr,
                      ArrayRef<CPUTarget> targets, TimingScope &timing) {
  std::string error;
  bool cuda = *wantsCUDA(error);
  // Parsing, the export passes, two phases per target, linking.
  progress.start(progressOption == cl::BOU_UNSET
                     ? llvm::sys::Process::StandardErrIsDisplayed()
                     : progressOption == cl::BOU_TRUE,
                 3 + 2 * (targets.size() + cuda));
  progress.phase("parsing " + inputPath);
  TimingScope parseTiming = timing.nest("parse");
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  parseTiming.stop();
  if (!module)
    return failure();
  Location loc = module->getLoc();

  std::string prefix =
      prefixOption.empty() ? defaultPrefix(outputPath) : prefixOption.getValue();
  if (!isCIdentifier(prefix))
    return emitError(loc) << "the symbol prefix '" << prefix
                          << "' is not a C identifier; pass --prefix",
           failure();

  progress.phase("analyzing the model's interface");
  TimingScope interfaceTiming = timing.nest("interface");
  FailureOr<std::unique_ptr<PassManager>> exportPasses =
      makePassManager(context, interfaceTiming);
  if (failed(exportPasses))
    return failure();
  (*exportPasses)->addPass(createGRUExportRegularization());
  if (failed((*exportPasses)->run(*module)))
    return failure();
  FailureOr<ModelInterface> model = analyzeModelInterface(*module, prefix);
  if (failed(model) || failed(hideModelSymbols(*module, *model)))
    return failure();
  interfaceTiming.stop();

  FailureOr<Toolchain> toolchain = toolchainFor(loc, targets.front());
  if (failed(toolchain))
    return failure();
  SmallString<128> &tempDir = temporaryDirectory;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("gru-compile", tempDir))
    return emitError(loc) << "cannot create a temporary directory: "
                          << ec.message(),
           failure();
  llvm::scope_exit cleanup([&] {
    llvm::sys::fs::remove_directories(tempDir);
    tempDir.clear();
  });
  std::string wrapperPath = (tempDir + "/wrapper.c").str();
  std::string versionScriptPath = (tempDir + "/exports.map").str();
  SmallVector<std::string> inputs{wrapperPath};

  // Each target's code is the model lowered for it on its own. The instance
  // data that the first binds in the interface (state slots, the dropout
  // counter) does not depend on the target; the others bind a copy.
  // The CUDA code comes last, with host code for the first CPU.
  ModelInterface unbound = *model;
  std::optional<CUDACode> cudaCode;
  if (cuda)
    cudaCode = CUDACode{cudaChipOption, unsigned(targets.size())};
  for (unsigned i = 0; i < targets.size() + cuda; ++i) {
    bool onCUDA = i == targets.size();
    const CPUTarget &target = targets[onCUDA ? 0 : i];
    std::string name = onCUDA ? "CUDA (" + cudaChipOption + ")" : target.cpu;
    OwningOpRef<ModuleOp> variant = module->clone();
    ModelInterface bound = unbound;
    std::string objectPath = (tempDir + "/model" + Twine(i) + ".o").str();
    progress.phase("lowering for " + name);
    TimingScope lowerTiming = timing.nest("lower for " + name);
    if (failed(lowerForTarget(*variant, target, onCUDA, i == 0 ? *model : bound,
                              lowerTiming)))
      return failure();
    lowerTiming.stop();
    if (onCUDA)
      cudaCode->onDevice = functionsOnDevice(*variant, *model);
    progress.phase("generating code for " + name);
    TimingScope codegenTiming = timing.nest("LLVM code generation for " + name);
    if (failed(emitObjectFile(*variant, objectPath,
                              {target, std::min(optLevel.getValue(), 3u),
                               targetSymbolSuffix(i)})))
      return failure();
    inputs.push_back(objectPath);
  }

  std::string headerPath = headerOption;
  if (headerPath.empty()) {
    SmallString<128> path(llvm::sys::path::parent_path(outputPath));
    llvm::sys::path::append(path, prefix + ".h");
    headerPath = path.str().str();
  }
  std::string headerName = llvm::sys::path::filename(headerPath).str();
  std::string headerDir = llvm::sys::path::parent_path(headerPath).str();
  if (failed(writeFile(loc, headerPath,
                       [&](llvm::raw_ostream &os) {
                         emitHeader(*model, cudaCode, prefix, os);
                       })) ||
      failed(writeFile(loc, wrapperPath,
                       [&](llvm::raw_ostream &os) {
                         emitWrapper(*model, targets, cudaCode, prefix,
                                     headerName, os);
                       })) ||
      failed(writeFile(loc, versionScriptPath, [&](llvm::raw_ostream &os) {
        emitVersionScript(*model, cudaCode, prefix, os);
      })))
    return failure();

  inputs.append({toolchain->runtimeLibrary, toolchain->openmpLibrary});
  StringRef cc = ccOption.empty() ? StringRef(toolchain->cc) : ccOption;
  progress.phase("linking " + outputPath);
  TimingScope linkTiming = timing.nest("link");
  return linkSharedLibrary(
      loc, cc, outputPath, inputs,
      {headerDir.empty() ? "." : headerDir, underRoot("include")},
      versionScriptPath, linkFlags(*toolchain));
}

/// Moves the options outside `categories` (but for LLVM's generic ones,
/// such as --help) to --help-hidden; cl::HideUnrelatedOptions alone would
/// drop them from it too.
void hideOtherOptions(ArrayRef<const cl::OptionCategory *> categories) {
  SmallVector<cl::Option *> shown;
  for (auto &entry : cl::getRegisteredOptions())
    if (entry.second->getOptionHiddenFlag() == cl::NotHidden)
      shown.push_back(entry.second);
  cl::HideUnrelatedOptions(categories);
  for (cl::Option *option : shown)
    if (option->getOptionHiddenFlag() == cl::ReallyHidden)
      option->setHiddenFlag(cl::Hidden);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::install_fatal_error_handler(onFatalError);
  // The passes gru-compile runs, by name for --mlir-print-ir-after=<pass>
  // (registered before the option that parses their names).
  registerTransformsPasses();
  registerGRUPasses();
  registerGRUConversionPasses();
  registerGRUPipelinePasses();
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  hideOtherOptions({&ioCategory, &targetCategory, &reportCategory});
  setToolVersionPrinter("gru-compile");
  cl::ParseCommandLineOptions(argc, argv,
                              "gru-compile: compile a model into a shared "
                              "library with a C header\n\n"
                              "  gru-compile model.mlir -o libmodel.so "
                              "[--mcpu=x86-64-v3,x86-64-v4]\n");
  installRoot = installationRoot(argv[0], (void *)&installRoot);
  DialectRegistry registry;
  registerGRUCompilerDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  DefaultTimingManager timingManager;
  applyDefaultTimingManagerCLOptions(timingManager);
  TimingScope timing = timingManager.getRootScope();

  int status = runWithLargeStack([&] {
    std::string error;
    FailureOr<SmallVector<CPUTarget>> targets = checkOptions(error);
    if (failed(targets)) {
      llvm::errs() << "gru-compile: error: " << error << "\n";
      return 1;
    }
    std::unique_ptr<llvm::MemoryBuffer> input =
        readModelInput(inputPath, error);
    if (!input) {
      llvm::errs() << "gru-compile: error: " << error << "\n";
      return 1;
    }
    llvm::SourceMgr sourceMgr;
    const llvm::MemoryBuffer &text = *input;
    sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
    if (failed(checkNesting(sourceMgr, text)))
      return 1;
    SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
    // Remarks (such as cuDNN eligibility) only on request; what is shown
    // starts on a line of its own.
    ScopedDiagnosticHandler quietRemarks(&context, [](Diagnostic &diag) {
      bool quiet =
          diag.getSeverity() == DiagnosticSeverity::Remark && !showRemarks;
      if (!quiet)
        progress.clear();
      return success(quiet);
    });
    LogicalResult compiled = compile(context, sourceMgr, *targets, timing);
    progress.clear();
    return failed(compiled) ? 1 : 0;
  });
  // A crash skipped the cleanup.
  if (!temporaryDirectory.empty())
    llvm::sys::fs::remove_directories(temporaryDirectory);
  return status;
}
