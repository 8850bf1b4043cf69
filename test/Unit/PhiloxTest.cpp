//===- PhiloxTest.cpp - known-answer tests of Philox4x32-10 ---------------===//

#include "gru/philox.h"

#include <gtest/gtest.h>

namespace {

struct KnownAnswer {
  uint32_t counter[4];
  uint64_t key;
  uint32_t expected[4];
};

// The known-answer vectors published with Random123.
TEST(Philox, MatchesRandom123KnownAnswers) {
  const KnownAnswer answers[] = {
      {{0, 0, 0, 0}, 0, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
       0xffffffffffffffffull,
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
       0x299f31d0a4093822ull,
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (const KnownAnswer &a : answers) {
    gru_philox_block out = gru_philox4x32(a.counter, a.key);
    for (int i = 0; i < 4; ++i)
      EXPECT_EQ(out.v[i], a.expected[i]) << "word " << i;
  }
}

TEST(Philox, Uniform01CoversTheUnitInterval) {
  EXPECT_EQ(gru_uniform01(0), 0.0f);
  EXPECT_LT(gru_uniform01(0xffffffffu), 1.0f);
  EXPECT_GT(gru_uniform01(0xffffffffu), 0.9999f);
}

} // namespace
