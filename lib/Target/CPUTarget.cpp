//===- CPUTarget.cpp - the CPU that code is generated for -----------------===//

#include "gru/Target/CPUTarget.h"

#include "mlir/Dialect/DLTI/DLTI.h"
#include "mlir/Dialect/LLVMIR/LLVMAttrs.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#include <mutex>
#include <numeric>

using namespace mlir;
using namespace mlir::gru;

namespace {

constexpr StringLiteral kDevice = "CPU";
constexpr StringLiteral kVectorBitsKey = "max_vector_op_width";
constexpr StringLiteral kVectorRegistersKey = "vector_registers";
constexpr StringLiteral kL1Key = "L1_cache_size_in_bytes";
constexpr StringLiteral kL2Key = "L2_cache_size_in_bytes";

void initializeTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
}

/// The host's CPU features, as `-mattr` would spell them.
std::string hostFeatures() {
  llvm::SubtargetFeatures features;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    features.AddFeature(feature.first(), feature.second);
  return features.getString();
}

/// The size of cpu0's data or unified cache of `level` in Linux's sysfs, or
/// 0 where it is not known.
int64_t hostCacheBytes(int level) {
  for (int index = 0;; ++index) {
    std::string dir =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    if (!llvm::sys::fs::is_directory(dir))
      return 0;
    // sysfs files report a size of 4096 whatever they hold: read them as
    // streams, up to their end.
    auto read = [&](StringRef file) -> std::string {
      auto buffer = llvm::MemoryBuffer::getFileAsStream(dir + "/" + file.str());
      return buffer ? (*buffer)->getBuffer().trim().str() : "";
    };
    int64_t bytes = 0;
    std::string sizeText = read("size");
    StringRef size = sizeText;
    if (read("level") != std::to_string(level) ||
        read("type") == "Instruction" || size.consumeInteger(10, bytes))
      continue;
    if (size == "K")
      bytes <<= 10;
    else if (size == "M")
      bytes <<= 20;
    return bytes;
  }
}

/// Whether `feature` ("avx2", no sign) names a feature of `subtarget`.
bool isKnownFeature(const llvm::MCSubtargetInfo &subtarget, StringRef feature) {
  return llvm::any_of(
      subtarget.getAllProcessorFeatures(),
      [&](const llvm::SubtargetFeatureKV &kv) { return feature == kv.Key; });
}

/// The L2 per core of CPUs other than the host's: LLVM's CPU models do not
/// say. A few server CPUs by name, else by vector ISA.
int64_t knownL2Bytes(StringRef cpu, bool x86, bool avx512) {
  if (llvm::is_contained({"sapphirerapids", "emeraldrapids", "graniterapids",
                          "graniterapids-d", "diamondrapids"},
                         cpu))
    return 2 << 20;
  if (!x86 || avx512)
    return 1 << 20; // Skylake-SP to Ice Lake, Zen 4 and 5; Neoverse N1 to V2
  return 512 << 10; // Zen 2 and 3; Intel client cores have 256 KiB to 2 MiB
}

/// The L1 data cache per core of CPUs other than the host's, as for the L2.
int64_t knownL1Bytes(StringRef cpu, bool x86) {
  if (llvm::is_contained({"icelake-server", "sapphirerapids", "emeraldrapids",
                          "graniterapids", "graniterapids-d", "diamondrapids",
                          "znver5"},
                         cpu))
    return 48 << 10;
  return x86 ? 32 << 10 : 64 << 10; // Neoverse N1 to V2: 64 KiB
}

/// The x86 features beyond x86-64's baseline that both LLVM and
/// __builtin_cpu_supports (GCC 12, Clang) name alike.
constexpr StringLiteral kCheckedX86Features[] = {
    "sse3",       "ssse3",      "sse4.1",       "sse4.2",         "popcnt",
    "avx",        "avx2",       "fma",          "f16c",           "bmi",
    "bmi2",       "lzcnt",      "movbe",        "avx512f",        "avx512vl",
    "avx512bw",   "avx512dq",   "avx512cd",     "avx512vnni",     "avx512bf16",
    "avx512fp16", "avx512vbmi", "avx512vbmi2",  "avx512ifma",     "avxvnni",
    "fma4",       "xop",        "avx512bitalg", "avx512vpopcntdq"};

int64_t queryInteger(Operation *op, StringRef key, int64_t otherwise) {
  FailureOr<Attribute> value = dlti::query(op, {kDevice, key});
  if (succeeded(value))
    if (auto integer = dyn_cast<IntegerAttr>(*value))
      return integer.getValue().getSExtValue();
  return otherwise;
}

} // namespace

FailureOr<CPUTarget> CPUTarget::resolve(StringRef tripleName, StringRef cpu,
                                        StringRef features,
                                        std::string &error) {
  initializeTargets();
  llvm::Triple triple(tripleName.empty() ? llvm::sys::getDefaultTargetTriple()
                                         : llvm::Triple::normalize(tripleName));
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget) {
    error = "unknown target triple '" + tripleName.str() + "'";
    return failure();
  }
  if (triple.getArch() != llvm::Triple::x86_64 &&
      triple.getArch() != llvm::Triple::aarch64) {
    error = "target '" + triple.str() +
            "' is not supported; the CPU lowering targets x86_64 and aarch64";
    return failure();
  }
  bool native = cpu == "native";
  llvm::Triple hostTriple(llvm::sys::getDefaultTargetTriple());
  if (native && triple.getArch() != hostTriple.getArch()) {
    error = "CPU 'native' (the host's) cannot run '" + triple.str() +
            "' code; name a CPU of that target (such as generic)";
    return failure();
  }

  CPUTarget target;
  target.triple = triple.str();
  target.cpu = native ? llvm::sys::getHostCPUName().str() : cpu.str();
  if (native) {
    target.features = hostFeatures();
    if (!features.empty())
      target.features += "," + features.str();
  } else {
    target.features = features.str();
  }
  // The generic CPU's subtarget knows every CPU and feature name (a
  // subtarget of an unknown CPU would warn on stderr).
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
      llvmTarget->createMCSubtargetInfo(triple, "", ""));
  if (!subtarget || !subtarget->isCPUStringValid(target.cpu)) {
    error = "unknown CPU '" + target.cpu + "' for " + triple.str();
    return failure();
  }
  SmallVector<StringRef> requested;
  StringRef(features).split(requested, ',', -1, /*KeepEmpty=*/false);
  for (StringRef feature : requested) {
    StringRef name = feature.trim();
    if (!name.consume_front("+") && !name.consume_front("-")) {
      error = "feature '" + feature.str() +
              "' must start with '+' or '-' (as in +avx2,-avx512f)";
      return failure();
    }
    if (!isKnownFeature(*subtarget, name)) {
      error = "unknown feature '" + name.str() + "' for " + triple.str();
      return failure();
    }
  }
  subtarget.reset(
      llvmTarget->createMCSubtargetInfo(triple, target.cpu, target.features));
  auto enabled = [&](StringRef feature) {
    return subtarget->checkFeatures(("+" + feature).str());
  };
  if (target.isX86() && !enabled("64bit")) {
    error = "CPU '" + target.cpu +
            "' cannot run 64-bit x86 code; pick an x86-64 CPU (such as "
            "x86-64-v3)";
    return failure();
  }

  if (target.isX86())
    for (StringRef feature : kCheckedX86Features)
      if (enabled(feature))
        target.runtimeChecks.push_back(feature.str());
  bool avx512 = target.isX86() && enabled("avx512f");
  if (target.isX86()) {
    target.vectorBits = avx512 ? 512 : enabled("avx") ? 256 : 128;
    target.vectorRegisters = avx512 ? 32 : 16;
  } else {
    target.vectorBits = 128; // NEON; SVE lengths are not known statically
    target.vectorRegisters = 32;
  }
  target.l1Bytes = knownL1Bytes(target.cpu, target.isX86());
  target.l2Bytes = knownL2Bytes(target.cpu, target.isX86(), avx512);
  // The caches are the host's where the code is for the host's CPU.
  if (triple.getArch() == hostTriple.getArch() &&
      target.cpu == llvm::sys::getHostCPUName()) {
    if (int64_t l1 = hostCacheBytes(1))
      target.l1Bytes = l1;
    if (int64_t l2 = hostCacheBytes(2))
      target.l2Bytes = l2;
  }
  return target;
}

CPUTarget CPUTarget::host() {
  std::string error;
  FailureOr<CPUTarget> target = resolve("", "native", "", error);
  assert(succeeded(target) && "LLVM knows the host");
  return *target;
}

FailureOr<CPUTarget> CPUTarget::of(Operation *op, std::string &error) {
  auto module = dyn_cast<ModuleOp>(op);
  if (!module)
    module = op->getParentOfType<ModuleOp>();
  auto recorded = module ? module->getAttrOfType<LLVM::TargetAttr>(
                               LLVM::LLVMDialect::getTargetAttrName())
                         : LLVM::TargetAttr();
  std::string features;
  if (recorded)
    if (LLVM::TargetFeaturesAttr list = recorded.getFeatures())
      features = list.getFeaturesString();
  FailureOr<CPUTarget> target =
      recorded ? resolve(recorded.getTriple(), recorded.getChip(), features,
                         error)
               : CPUTarget::host();
  if (failed(target))
    return failure();
  if (module) {
    target->vectorBits =
        queryInteger(module, kVectorBitsKey, target->vectorBits);
    target->vectorRegisters =
        queryInteger(module, kVectorRegistersKey, target->vectorRegisters);
    target->l1Bytes = queryInteger(module, kL1Key, target->l1Bytes);
    target->l2Bytes = queryInteger(module, kL2Key, target->l2Bytes);
  }
  int64_t bits = target->vectorBits;
  if (bits < 32 || bits > 2048 || !llvm::isPowerOf2_64(bits)) {
    error = "the CPU's " + kVectorBitsKey.str() +
            " must be a power of two from 32 to 2048, not " +
            std::to_string(bits);
    return failure();
  }
  if (target->vectorRegisters < 4 || target->vectorRegisters > 256) {
    error = "the CPU's " + kVectorRegistersKey.str() +
            " must be from 4 to 256, not " +
            std::to_string(target->vectorRegisters);
    return failure();
  }
  for (auto [name, bytes] :
       {std::pair{"L1", target->l1Bytes}, std::pair{"L2", target->l2Bytes}})
    if (bytes < 1024) {
      error = "the CPU's " + std::string(name) + " must be at least 1024 bytes";
      return failure();
    }
  return target;
}

void CPUTarget::attachTo(ModuleOp module) const {
  MLIRContext *ctx = module.getContext();
  ctx->loadDialect<DLTIDialect, LLVM::LLVMDialect>();
  Builder b(ctx);
  LLVM::TargetFeaturesAttr featureList =
      features.empty() ? LLVM::TargetFeaturesAttr()
                       : LLVM::TargetFeaturesAttr::get(ctx, features);
  module->setAttr(LLVM::LLVMDialect::getTargetAttrName(),
                  LLVM::TargetAttr::get(ctx, b.getStringAttr(triple),
                                        b.getStringAttr(cpu), featureList));
  auto entry = [&](StringRef key, int64_t value) -> DataLayoutEntryInterface {
    return DataLayoutEntryAttr::get(b.getStringAttr(key),
                                    b.getI64IntegerAttr(value));
  };
  auto device = TargetDeviceSpecAttr::get(
      ctx, {entry(kVectorBitsKey, vectorBits),
            entry(kVectorRegistersKey, vectorRegisters), entry(kL1Key, l1Bytes),
            entry(kL2Key, l2Bytes)});
  module->setAttr(
      DLTIDialect::kTargetSystemDescAttrName,
      TargetSystemSpecAttr::get(
          ctx, {DataLayoutEntryAttr::get(b.getStringAttr(kDevice), device)}));
}

bool CPUTarget::isX86() const {
  return llvm::Triple(triple).getArch() == llvm::Triple::x86_64;
}

bool CPUTarget::isAArch64() const {
  return llvm::Triple(triple).getArch() == llvm::Triple::aarch64;
}

std::string CPUTarget::isa() const {
  if (isAArch64())
    return "neon";
  switch (vectorBits) {
  case 512:
    return "avx512";
  case 256:
    return "avx2";
  default:
    return "sse";
  }
}

//===----------------------------------------------------------------------===//
// KernelTuning
//===----------------------------------------------------------------------===//

KernelTuning KernelTuning::forTarget(const CPUTarget &target) {
  KernelTuning tuning;
  tuning.lanes = target.vectorBits / 32;
  tuning.vectorRegisters = target.vectorRegisters;
  tuning.preferVectorBits = target.vectorBits;
  // The panel width whose main tile holds the most accumulators; the wider
  // one on a tie (fewer broadcasts per multiply-add).
  tuning.maxPanelVectors = 1;
  for (int64_t vectors = 2; vectors <= 3; ++vectors)
    if (tuning.tileRows(vectors) * vectors >=
        tuning.tileRows(tuning.maxPanelVectors) * tuning.maxPanelVectors)
      tuning.maxPanelVectors = vectors;
  tuning.threadRows = tuning.tileRows(tuning.maxPanelVectors);
  tuning.l2ResidentBytes = target.l2Bytes / 2;
  tuning.rowBlockBytes = target.l2Bytes / 2;
  tuning.l1PanelBytes = target.l1Bytes / 2;
  return tuning;
}

int64_t KernelTuning::tileRows(int64_t vectors) const {
  int64_t rows = (vectorRegisters - vectors - 1) / vectors;
  return std::max<int64_t>(1, std::min<int64_t>(12, rows & ~int64_t(1)));
}

int64_t KernelTuning::blockRows(int64_t depth) const {
  // Every tile: the main tiles of each panel width, the 4-row ones.
  int64_t multiple = std::lcm(threadRows, int64_t(4));
  for (int64_t vectors = 1; vectors <= maxPanelVectors; ++vectors)
    multiple = std::lcm(multiple, tileRows(vectors));
  int64_t fit = rowBlockBytes / (depth * int64_t(sizeof(float)));
  int64_t rows = std::min<int64_t>(192, fit) / multiple * multiple;
  return std::max(rows, multiple);
}

int64_t KernelTuning::depthBlock(int64_t depth, int64_t width) const {
  int64_t fit = l1PanelBytes / (width * int64_t(sizeof(float)));
  if (depth <= fit)
    return depth;
  int64_t blocks = llvm::divideCeil(depth, std::max<int64_t>(4, fit));
  return llvm::alignTo(llvm::divideCeil(depth, blocks), 4);
}
