/* philox.h - Philox4x32-10, a counter-based random generator.
 *
 * Shared by the compiler (compile-time initializers) and the runtime (dropout
 * masks) so that the same seed gives the same numbers everywhere. Plain C, no
 * dependencies. Reference: Salmon et al., "Parallel random numbers: as easy as
 * 1, 2, 3", SC 2011. */
#ifndef GRU_PHILOX_H
#define GRU_PHILOX_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gru_philox_block {
  uint32_t v[4];
} gru_philox_block;

/* Returns the 4 random words for `counter` (128 bits) under `key` (64 bits). */
static inline gru_philox_block gru_philox4x32(const uint32_t counter[4],
                                               uint64_t key) {
  uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
  uint32_t k0 = (uint32_t)key, k1 = (uint32_t)(key >> 32);
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = (uint64_t)0xD2511F53u * c0;
    uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;
    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
    uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
    c1 = (uint32_t)p1;
    c3 = (uint32_t)p0;
    c0 = n0;
    c2 = n2;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  gru_philox_block out = {{c0, c1, c2, c3}};
  return out;
}

/* Maps a random word to a float in [0, 1) with 24 random bits. */
static inline float gru_uniform01(uint32_t word) {
  return (float)(word >> 8) * (1.0f / 16777216.0f);
}

#ifdef __cplusplus
}
#endif

#endif /* GRU_PHILOX_H */
