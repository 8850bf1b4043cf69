//===- InitializersTest.cpp - statistics of the compile-time initializers -===//
//
// Checks each initializer against the distribution Keras 3 defines for it:
// bounds, mean and variance from the fans, orthogonality, determinism in the
// seed.
//
//===----------------------------------------------------------------------===//

#include "gru/IR/GRUAttrs.h"
#include "gru/IR/GRUDialect.h"

#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace mlir;
using namespace mlir::gru;

namespace {

class Initializers : public ::testing::Test {
protected:
  Initializers() { context.loadDialect<GRUDialect>(); }

  std::vector<float> fill(InitializerAttrInterface init,
                          std::vector<int64_t> shape) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    std::vector<float> values(n, NAN);
    init.fill(shape, values);
    return values;
  }

  static double mean(const std::vector<float> &v) {
    double s = 0;
    for (float x : v)
      s += x;
    return s / v.size();
  }

  static double variance(const std::vector<float> &v) {
    double m = mean(v), s = 0;
    for (float x : v)
      s += (x - m) * (x - m);
    return s / v.size();
  }

  static double maxAbs(const std::vector<float> &v) {
    double m = 0;
    for (float x : v)
      m = std::max(m, double(std::abs(x)));
    return m;
  }

  APFloat f(double x) { return APFloat(x); }

  MLIRContext context;
};

// The GRU kernel shape (F, 3U) for F = 64, U = 128: fan_in 64, fan_out 384.
const std::vector<int64_t> kKernel = {64, 384};
const double kGlorotLimit = std::sqrt(6.0 / (64 + 384));

TEST_F(Initializers, GlorotUniformBoundsAndVariance) {
  std::vector<float> w = fill(GlorotUniformAttr::get(&context, 1), kKernel);
  EXPECT_LE(maxAbs(w), kGlorotLimit);
  EXPECT_GT(maxAbs(w), 0.99 * kGlorotLimit); // the range is used fully
  EXPECT_NEAR(mean(w), 0.0, 0.01 * kGlorotLimit);
  // U(-l, l) has variance l²/3 = 2/(fan_in + fan_out).
  EXPECT_NEAR(variance(w), 2.0 / (64 + 384), 0.02 * 2.0 / (64 + 384));
}

TEST_F(Initializers, GlorotNormalIsTruncatedWithTheGlorotVariance) {
  std::vector<float> w = fill(GlorotNormalAttr::get(&context, 2), kKernel);
  double target = 2.0 / (64 + 384);
  EXPECT_NEAR(variance(w), target, 0.03 * target);
  // Truncated at two standard deviations of the untruncated normal.
  EXPECT_LE(maxAbs(w), 2.0 * std::sqrt(target) / 0.87962566103423978 + 1e-6);
}

TEST_F(Initializers, HeAndLecunScaleByFanIn) {
  struct Case {
    InitializerAttrInterface init;
    double variance;
  } cases[] = {
      {HeUniformAttr::get(&context, 3), 2.0 / 64},
      {HeNormalAttr::get(&context, 4), 2.0 / 64},
      {LecunUniformAttr::get(&context, 5), 1.0 / 64},
      {LecunNormalAttr::get(&context, 6), 1.0 / 64},
  };
  for (const Case &c : cases)
    EXPECT_NEAR(variance(fill(c.init, kKernel)), c.variance,
                0.03 * c.variance);
}

TEST_F(Initializers, RandomNormalUniformAndTruncated) {
  std::vector<float> n =
      fill(RandomNormalAttr::get(&context, f(0.5), f(0.05), 7), kKernel);
  EXPECT_NEAR(mean(n), 0.5, 0.002);
  EXPECT_NEAR(std::sqrt(variance(n)), 0.05, 0.001);

  std::vector<float> u =
      fill(RandomUniformAttr::get(&context, f(-0.2), f(0.6), 8), kKernel);
  for (float x : u)
    ASSERT_TRUE(x >= -0.2f && x < 0.6f) << x;
  EXPECT_NEAR(mean(u), 0.2, 0.005);

  std::vector<float> t =
      fill(TruncatedNormalAttr::get(&context, f(0.0), f(0.05), 9), kKernel);
  EXPECT_LE(maxAbs(t), 0.1 + 1e-7);
  // A unit normal truncated to [-2, 2] has standard deviation 0.8796.
  EXPECT_NEAR(std::sqrt(variance(t)), 0.05 * 0.87962566103423978, 0.001);
}

/// Max |(A·Aᵀ)[i][j] − δij| over the rows of the row-major `rows x cols` A.
double rowOrthonormalityError(const std::vector<float> &a, int64_t rows,
                              int64_t cols) {
  double worst = 0;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < rows; ++j) {
      double dot = 0;
      for (int64_t k = 0; k < cols; ++k)
        dot += double(a[i * cols + k]) * a[j * cols + k];
      worst = std::max(worst, std::abs(dot - (i == j ? 1.0 : 0.0)));
    }
  return worst;
}

TEST_F(Initializers, OrthogonalRecurrentKernelHasOrthonormalRows) {
  for (int64_t units : {4, 32, 128}) {
    std::vector<float> rk = fill(OrthogonalAttr::get(&context, f(1.0), 11),
                                 {units, 3 * units});
    EXPECT_LT(rowOrthonormalityError(rk, units, 3 * units), 1e-5)
        << "units = " << units;
    // The per-gate (U, U) blocks are not orthogonal on their own.
    std::vector<float> zBlock;
    for (int64_t i = 0; i < units; ++i)
      for (int64_t j = 0; j < units; ++j)
        zBlock.push_back(rk[i * 3 * units + j]);
    EXPECT_GT(rowOrthonormalityError(zBlock, units, units), 0.1);
  }
}

TEST_F(Initializers, OrthogonalTallMatrixHasOrthonormalColumnsAndGain) {
  int64_t rows = 96, cols = 32;
  std::vector<float> w =
      fill(OrthogonalAttr::get(&context, f(2.0), 12), {rows, cols});
  std::vector<float> transposed(w.size());
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      transposed[j * rows + i] = w[i * cols + j] / 2.0f;
  EXPECT_LT(rowOrthonormalityError(transposed, cols, rows), 1e-5);
}

TEST_F(Initializers, SameSeedSameValuesOtherSeedOtherValues) {
  auto a = fill(GlorotUniformAttr::get(&context, 42), kKernel);
  auto b = fill(GlorotUniformAttr::get(&context, 42), kKernel);
  auto c = fill(GlorotUniformAttr::get(&context, 43), kKernel);
  EXPECT_EQ(a, b);
  int64_t same = 0;
  for (size_t i = 0; i < a.size(); ++i)
    same += a[i] == c[i];
  EXPECT_LT(same, 10);

  auto q1 = fill(OrthogonalAttr::get(&context, f(1.0), 5), {8, 24});
  auto q2 = fill(OrthogonalAttr::get(&context, f(1.0), 5), {8, 24});
  auto q3 = fill(OrthogonalAttr::get(&context, f(1.0), 6), {8, 24});
  EXPECT_EQ(q1, q2);
  EXPECT_NE(q1, q3);
}

TEST_F(Initializers, DeterministicOnes) {
  EXPECT_EQ(fill(ZerosAttr::get(&context), {2, 3}),
            std::vector<float>(6, 0.0f));
  EXPECT_EQ(fill(OnesAttr::get(&context), {2, 3}), std::vector<float>(6, 1.0f));
  EXPECT_EQ(fill(ConstantAttr::get(&context, f(0.25)), {4}),
            std::vector<float>(4, 0.25f));
  EXPECT_EQ(fill(IdentityAttr::get(&context, f(3.0)), {2, 3}),
            (std::vector<float>{3, 0, 0, 0, 3, 0}));
}

} // namespace
