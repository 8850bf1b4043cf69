//===- Initializers.cpp - compile-time Keras initializers -----------------===//
//
// The `fill` methods of the initializer attributes. Random initializers draw
// from Philox4x32-10 keyed by their seed, so a seed always gives the same
// weights; the distributions and scales are Keras 3's.
//
//===----------------------------------------------------------------------===//

#include "gru/IR/GRUAttrs.h"
#include "gru/philox.h"

#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <numeric>
#include <vector>

using namespace mlir;
using namespace mlir::gru;

namespace {

/// A sequential stream of random numbers from Philox under one seed.
class RandomStream {
public:
  explicit RandomStream(int64_t seed) : key(static_cast<uint64_t>(seed)) {}

  /// Uniform in [0, 1).
  double uniform() {
    if (next == 4) {
      uint32_t c[4] = {static_cast<uint32_t>(counter),
                       static_cast<uint32_t>(counter >> 32), 0, 0};
      block = gru_philox4x32(c, key);
      ++counter;
      next = 0;
    }
    return gru_uniform01(block.v[next++]);
  }

  /// Standard normal, by Box-Muller.
  double normal() {
    double u1 = 1.0 - uniform(); // (0, 1], so the log is finite
    double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }

private:
  uint64_t key;
  uint64_t counter = 0;
  gru_philox_block block{};
  int next = 4;
};

struct Fans {
  double in, out;
};

/// Keras 3's `compute_fans`.
Fans computeFans(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return {1, 1};
  if (shape.size() == 1)
    return {double(shape[0]), double(shape[0])};
  double receptive = 1;
  for (int64_t d : shape.drop_back(2))
    receptive *= d;
  return {shape[shape.size() - 2] * receptive, shape.back() * receptive};
}

enum class FanMode { In, Avg };
enum class Distribution { Uniform, TruncatedNormal };

void fillUniform(MutableArrayRef<float> values, double lo, double hi,
                 int64_t seed) {
  RandomStream rng(seed);
  for (float &v : values)
    v = static_cast<float>(lo + (hi - lo) * rng.uniform());
}

void fillNormal(MutableArrayRef<float> values, double mean, double stddev,
                int64_t seed) {
  RandomStream rng(seed);
  for (float &v : values)
    v = static_cast<float>(mean + stddev * rng.normal());
}

/// Normal values, each redrawn until it lies within two standard deviations.
void fillTruncatedNormal(MutableArrayRef<float> values, double mean,
                         double stddev, int64_t seed) {
  RandomStream rng(seed);
  for (float &v : values) {
    double x;
    do
      x = rng.normal();
    while (std::abs(x) > 2.0);
    v = static_cast<float>(mean + stddev * x);
  }
}

/// Keras 3's `VarianceScaling`.
void fillVarianceScaling(ArrayRef<int64_t> shape, MutableArrayRef<float> values,
                         double scale, FanMode mode, Distribution dist,
                         int64_t seed) {
  Fans fans = computeFans(shape);
  double n = mode == FanMode::In ? fans.in : (fans.in + fans.out) / 2.0;
  scale /= std::max(1.0, n);
  if (dist == Distribution::Uniform) {
    double limit = std::sqrt(3.0 * scale);
    return fillUniform(values, -limit, limit, seed);
  }
  // Stddev of a unit normal truncated to [-2, 2].
  constexpr double kTruncatedStddev = 0.87962566103423978;
  fillTruncatedNormal(values, 0.0, std::sqrt(scale) / kTruncatedStddev, seed);
}

/// Reduced Householder QR of the row-major m x n matrix `a` (m >= n). Returns
/// Q (m x n, row-major) with its columns scaled by sign(R[j][j]), which makes
/// the factorization unique: Keras's orthogonal initializer.
std::vector<double> signCorrectedQ(std::vector<double> a, int64_t m,
                                   int64_t n) {
  auto at = [&](std::vector<double> &x, int64_t i, int64_t j) -> double & {
    return x[i * n + j];
  };
  std::vector<std::vector<double>> reflectors;
  std::vector<double> diag(n);
  for (int64_t k = 0; k < n; ++k) {
    double norm = 0;
    for (int64_t i = k; i < m; ++i)
      norm += at(a, i, k) * at(a, i, k);
    norm = std::sqrt(norm);
    double alpha = at(a, k, k) > 0 ? -norm : norm;
    std::vector<double> v(m - k);
    for (int64_t i = k; i < m; ++i)
      v[i - k] = at(a, i, k);
    v[0] -= alpha;
    double vnorm = std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0));
    if (vnorm > 0)
      for (double &x : v)
        x /= vnorm;
    // A <- (I - 2 v vᵀ) A on rows k.., columns k..
    for (int64_t j = k; j < n; ++j) {
      double dot = 0;
      for (int64_t i = k; i < m; ++i)
        dot += v[i - k] * at(a, i, j);
      for (int64_t i = k; i < m; ++i)
        at(a, i, j) -= 2 * v[i - k] * dot;
    }
    diag[k] = at(a, k, k);
    reflectors.push_back(std::move(v));
  }
  // Q = H_0 ... H_{n-1} applied to the first n columns of the identity.
  std::vector<double> q(m * n, 0.0);
  for (int64_t j = 0; j < n; ++j)
    at(q, j, j) = 1.0;
  for (int64_t k = n - 1; k >= 0; --k) {
    const std::vector<double> &v = reflectors[k];
    for (int64_t j = 0; j < n; ++j) {
      double dot = 0;
      for (int64_t i = k; i < m; ++i)
        dot += v[i - k] * at(q, i, j);
      for (int64_t i = k; i < m; ++i)
        at(q, i, j) -= 2 * v[i - k] * dot;
    }
  }
  for (int64_t j = 0; j < n; ++j)
    if (diag[j] < 0)
      for (int64_t i = 0; i < m; ++i)
        at(q, i, j) = -at(q, i, j);
  return q;
}

bool isValidNormal(const APFloat &mean, const APFloat &stddev) {
  return mean.isFinite() && stddev.isFinite() && !stddev.isNegative();
}

LogicalResult verifyMatrix(ArrayRef<int64_t> shape, StringRef name,
                           function_ref<InFlightDiagnostic()> emitError) {
  if (shape.size() >= 2)
    return success();
  return emitError() << "the " << name
                     << " initializer needs a tensor of rank >= 2, got rank "
                     << shape.size();
}

} // namespace

void ZerosAttr::fill(ArrayRef<int64_t>, MutableArrayRef<float> values) const {
  llvm::fill(values, 0.0f);
}

void OnesAttr::fill(ArrayRef<int64_t>, MutableArrayRef<float> values) const {
  llvm::fill(values, 1.0f);
}

void ConstantAttr::fill(ArrayRef<int64_t>, MutableArrayRef<float> values) const {
  llvm::fill(values, static_cast<float>(getValue().convertToDouble()));
}

LogicalResult
RandomNormalAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                         APFloat mean, APFloat stddev, int64_t) {
  if (isValidNormal(mean, stddev))
    return success();
  return emitError() << "random_normal needs a finite mean and a finite "
                        "'stddev' >= 0";
}
void RandomNormalAttr::fill(ArrayRef<int64_t>,
                            MutableArrayRef<float> values) const {
  fillNormal(values, getMean().convertToDouble(), getStddev().convertToDouble(), getSeed());
}

LogicalResult
TruncatedNormalAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                            APFloat mean, APFloat stddev, int64_t) {
  if (isValidNormal(mean, stddev))
    return success();
  return emitError() << "truncated_normal needs a finite mean and a finite "
                        "'stddev' >= 0";
}
void TruncatedNormalAttr::fill(ArrayRef<int64_t>,
                               MutableArrayRef<float> values) const {
  fillTruncatedNormal(values, getMean().convertToDouble(), getStddev().convertToDouble(), getSeed());
}

LogicalResult
RandomUniformAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                          APFloat minval, APFloat maxval, int64_t) {
  double lo = minval.convertToDouble(), hi = maxval.convertToDouble();
  if (std::isfinite(lo) && std::isfinite(hi) && lo <= hi)
    return success();
  return emitError() << "random_uniform needs finite 'minval' <= 'maxval', got "
                     << formatNumber(lo) << " and " << formatNumber(hi);
}
void RandomUniformAttr::fill(ArrayRef<int64_t>,
                             MutableArrayRef<float> values) const {
  fillUniform(values, getMinval().convertToDouble(), getMaxval().convertToDouble(), getSeed());
}

void GlorotUniformAttr::fill(ArrayRef<int64_t> shape,
                             MutableArrayRef<float> values) const {
  fillVarianceScaling(shape, values, 1.0, FanMode::Avg, Distribution::Uniform,
                      getSeed());
}
void GlorotNormalAttr::fill(ArrayRef<int64_t> shape,
                            MutableArrayRef<float> values) const {
  fillVarianceScaling(shape, values, 1.0, FanMode::Avg,
                      Distribution::TruncatedNormal, getSeed());
}
void HeUniformAttr::fill(ArrayRef<int64_t> shape,
                         MutableArrayRef<float> values) const {
  fillVarianceScaling(shape, values, 2.0, FanMode::In, Distribution::Uniform,
                      getSeed());
}
void HeNormalAttr::fill(ArrayRef<int64_t> shape,
                        MutableArrayRef<float> values) const {
  fillVarianceScaling(shape, values, 2.0, FanMode::In,
                      Distribution::TruncatedNormal, getSeed());
}
void LecunUniformAttr::fill(ArrayRef<int64_t> shape,
                            MutableArrayRef<float> values) const {
  fillVarianceScaling(shape, values, 1.0, FanMode::In, Distribution::Uniform,
                      getSeed());
}
void LecunNormalAttr::fill(ArrayRef<int64_t> shape,
                           MutableArrayRef<float> values) const {
  fillVarianceScaling(shape, values, 1.0, FanMode::In,
                      Distribution::TruncatedNormal, getSeed());
}

LogicalResult
OrthogonalAttr::verifyShape(ArrayRef<int64_t> shape,
                            function_ref<InFlightDiagnostic()> emitError) const {
  return verifyMatrix(shape, "orthogonal", emitError);
}
void OrthogonalAttr::fill(ArrayRef<int64_t> shape,
                          MutableArrayRef<float> values) const {
  int64_t cols = shape.back();
  int64_t rows = static_cast<int64_t>(values.size()) / std::max<int64_t>(cols, 1);
  int64_t m = std::max(rows, cols), n = std::min(rows, cols);
  std::vector<double> a(m * n);
  RandomStream rng(getSeed());
  for (double &x : a)
    x = rng.normal();
  std::vector<double> q = signCorrectedQ(std::move(a), m, n);
  // q is (m, n); the result is q itself when rows >= cols, else qᵀ.
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      double x = rows >= cols ? q[i * n + j] : q[j * n + i];
      values[i * cols + j] = static_cast<float>(getGain().convertToDouble() * x);
    }
}

LogicalResult
IdentityAttr::verifyShape(ArrayRef<int64_t> shape,
                          function_ref<InFlightDiagnostic()> emitError) const {
  if (shape.size() == 2)
    return success();
  return emitError() << "the identity initializer needs a 2-D tensor, got rank "
                     << shape.size();
}
void IdentityAttr::fill(ArrayRef<int64_t> shape,
                        MutableArrayRef<float> values) const {
  llvm::fill(values, 0.0f);
  for (int64_t i = 0, e = std::min(shape[0], shape[1]); i < e; ++i)
    values[i * shape[1] + i] = static_cast<float>(getGain().convertToDouble());
}
