/* abi_fuzzer.c - libFuzzer target for the C ABI of a compiled model.
 *
 * Each input is decoded into a few calls of abi_model.mlir's functions with
 * fuzzed sizes (valid small ones, zero, negative, beyond GRU_MAX_DIM,
 * overflowing products, contradicting ones) and fuzzed NULL pointers.
 * Buffers always hold what the sizes passed describe, where those are valid.
 * Every call must either succeed, where every argument is valid, with the
 * answer of a reference GRU computed here (for @run) or of a shadow instance
 * that only gets the valid calls (for @step), or fail with code 1 (a NULL)
 * or 2 (a size) leaving the outputs and the kept state untouched. Any other
 * outcome aborts, which libFuzzer reports. */
#include "abi_fuzz.h"
#include "gru/runtime.h" /* GRU_MAX_DIM */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F = 3, U = 4, G = 3 * U, SB = 2, MAX_SMALL = 6 };

typedef struct {
  const uint8_t *data;
  size_t size;
} Bytes;

static unsigned next(Bytes *in) {
  if (!in->size)
    return 0;
  --in->size;
  return *in->data++;
}

static void fail(const char *what, int code, const char *message) {
  fprintf(stderr, "abi_fuzzer: %s (code %d, \"%s\")\n", what, code, message);
  abort();
}

/* A size: the intended small one, or an invalid one; `*valid` says which. */
static int64_t fuzz_size(Bytes *in, int64_t intended, int *valid) {
  unsigned mode = next(in) % 16;
  *valid = 1;
  if (mode < 10)
    return intended;
  if (mode < 12)
    return 1 + (int64_t)(next(in) % MAX_SMALL); /* maybe contradicting */
  *valid = 0;
  static const int64_t invalid[] = {0, -1, INT64_MIN, GRU_MAX_DIM + 1,
                                    INT64_MAX};
  return invalid[next(in) % 5];
}

static float *sentinels(size_t count) {
  float *p = malloc((count ? count : 1) * sizeof(float));
  for (size_t i = 0; i < count; ++i)
    p[i] = -12345.f;
  return p;
}

static int untouched(const float *p, size_t count) {
  for (size_t i = 0; i < count; ++i)
    if (p[i] != -12345.f)
      return 0;
  return 1;
}

static float sigmoid(float v) { return 1.f / (1.f + expf(-v)); }

/* Keras's GRU with reset_after = true: the oracle for @run. */
static void reference_gru(int64_t batch, int64_t steps, const float *x,
                          const uint8_t *mask, const float *h0,
                          const float *kernel, const float *recurrent,
                          const float *bias, float *out, float *h) {
  for (int64_t b = 0; b < batch; ++b) {
    float state[U], previous[U] = {0};
    memcpy(state, &h0[b * U], sizeof state);
    for (int64_t t = 0; t < steps; ++t) {
      float *y = &out[(b * steps + t) * U];
      if (!mask[b * steps + t]) {
        memcpy(y, previous, sizeof previous);
        continue;
      }
      float xw[G], hr[G];
      for (int g = 0; g < G; ++g) {
        xw[g] = bias[g];
        hr[g] = bias[G + g];
        for (int f = 0; f < F; ++f)
          xw[g] += x[(b * steps + t) * F + f] * kernel[f * G + g];
        for (int u = 0; u < U; ++u)
          hr[g] += state[u] * recurrent[u * G + g];
      }
      for (int u = 0; u < U; ++u) {
        float z = sigmoid(xw[u] + hr[u]);
        float r = sigmoid(xw[U + u] + hr[U + u]);
        float c = tanhf(xw[2 * U + u] + r * hr[2 * U + u]);
        y[u] = z * state[u] + (1 - z) * c;
      }
      memcpy(state, y, sizeof state);
      memcpy(previous, y, sizeof previous);
    }
    memcpy(&h[b * U], state, sizeof state);
  }
}

static float weights[F * G + U * G + 2 * G];

static void make_weights(void) {
  uint32_t s = 12345;
  for (size_t i = 0; i < sizeof weights / sizeof weights[0]; ++i) {
    s = s * 1664525u + 1013904223u;
    weights[i] = (float)(s >> 8) / (float)(1u << 24) - 0.5f;
  }
}

static void fuzz_run(Bytes *in, abi_fuzz_instance *instance) {
  int64_t batch = 1 + next(in) % MAX_SMALL, steps = 1 + next(in) % MAX_SMALL;
  int v[5];
  int64_t xb = fuzz_size(in, batch, &v[0]), xt = fuzz_size(in, steps, &v[1]);
  int64_t mb = fuzz_size(in, batch, &v[2]), mt = fuzz_size(in, steps, &v[3]);
  int64_t hb = fuzz_size(in, batch, &v[4]);
  if (next(in) % 8 == 0) /* a product beyond any buffer: must be refused */
    xb = xt = GRU_MAX_DIM, v[0] = 0;
  int sizes_ok =
      v[0] && v[1] && v[2] && v[3] && v[4] && xb == mb && xb == hb && xt == mt;
  /* Buffers as the sizes passed describe them, where they are valid. */
  size_t nx = v[0] && v[1] ? (size_t)(xb * xt * F) : 1;
  size_t nm = v[2] && v[3] ? (size_t)(mb * mt) : 1;
  size_t nh0 = v[4] ? (size_t)(hb * U) : 1;
  size_t nout = sizes_ok ? (size_t)(xb * xt * U) : 1;
  size_t nh = sizes_ok ? (size_t)(xb * U) : 1;
  float *x = malloc(nx * sizeof(float)), *h0 = malloc(nh0 * sizeof(float));
  uint8_t *mask = malloc(nm);
  for (size_t i = 0; i < nx; ++i)
    x[i] = (float)(next(in) % 64) / 32.f - 1.f;
  for (size_t i = 0; i < nm; ++i)
    mask[i] = next(in) % 3 ? (uint8_t)(1 + next(in) % 255) : 0;
  for (size_t i = 0; i < nh0; ++i)
    h0[i] = (float)(next(in) % 64) / 64.f - 0.5f;
  float *out = sentinels(nout), *h = sentinels(nh);
  const void *pointers[5] = {x, mask, h0, out, h};
  unsigned nulls = next(in);
  for (int i = 0; i < 5; ++i)
    if (nulls >> i & 1 && next(in) % 4 == 0)
      pointers[i] = NULL;
  int pointers_ok = 1;
  for (int i = 0; i < 5; ++i)
    pointers_ok &= pointers[i] != NULL;

  const float *kernel = weights, *recurrent = weights + F * G,
              *bias = weights + F * G + U * G;
  int code = abi_fuzz_run(instance, pointers[0], pointers[1], pointers[2],
                          kernel, recurrent, bias, (float *)pointers[3],
                          (float *)pointers[4], xb, xt, mb, mt, hb);
  const char *message = abi_fuzz_last_error(instance);
  if (pointers_ok && sizes_ok) {
    if (code != 0)
      fail("a valid @run call failed", code, message);
    float *want_out = malloc(nout * sizeof(float)),
          *want_h = malloc(nh * sizeof(float));
    reference_gru(xb, xt, x, mask, h0, kernel, recurrent, bias, want_out,
                  want_h);
    for (size_t i = 0; i < nout; ++i)
      if (!(fabsf(out[i] - want_out[i]) <= 1e-4f))
        fail("@run's sequence differs from the reference GRU", code, "");
    for (size_t i = 0; i < nh; ++i)
      if (!(fabsf(h[i] - want_h[i]) <= 1e-4f))
        fail("@run's final state differs from the reference GRU", code, "");
    free(want_out);
    free(want_h);
  } else {
    if (code != (pointers_ok ? 2 : 1))
      fail("an invalid @run call did not give the expected code", code,
           message);
    if (!untouched(out, nout) || !untouched(h, nh))
      fail("a failed @run call wrote an output", code, message);
  }
  free(x), free(mask), free(h0), free(out), free(h);
}

/* @step on `instance` and, where valid, on `shadow` too: the kept state of
 * the two must stay the same. */
static void fuzz_step(Bytes *in, abi_fuzz_instance *instance,
                      abi_fuzz_instance *shadow) {
  int64_t steps = 1 + next(in) % MAX_SMALL;
  int valid;
  int64_t st = fuzz_size(in, steps, &valid);
  size_t nx = valid ? (size_t)(SB * st * F) : 1;
  float *x = malloc(nx * sizeof(float));
  for (size_t i = 0; i < nx; ++i)
    x[i] = (float)(next(in) % 64) / 32.f - 1.f;
  float h[SB * U], want[SB * U];
  for (int i = 0; i < SB * U; ++i)
    h[i] = -12345.f;
  int null_x = next(in) % 8 == 0, null_h = next(in) % 8 == 0;
  int code = abi_fuzz_step(instance, null_x ? NULL : x, null_h ? NULL : h, st);
  const char *message = abi_fuzz_last_error(instance);
  if (!null_x && !null_h && valid) {
    if (code != 0 || abi_fuzz_step(shadow, x, want, st) != 0)
      fail("a valid @step call failed", code, message);
    if (memcmp(h, want, sizeof h))
      fail("@step's answer differs from the shadow instance's", code, "");
  } else if (code != (null_x || null_h ? 1 : 2) || !untouched(h, SB * U)) {
    fail("an invalid @step call did not fail cleanly", code, message);
  }
  free(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int initialized;
  if (!initialized)
    make_weights(), initialized = 1;
  Bytes in = {data, size};
  abi_fuzz_instance *instance = abi_fuzz_create(), *shadow = abi_fuzz_create();
  if (!instance || !shadow)
    fail("create failed", 0, "");
  for (int call = 0; call < 6 && in.size; ++call) {
    unsigned what = next(&in) % 8;
    if (what == 0) { /* a NULL instance */
      if (abi_fuzz_step(NULL, NULL, NULL, 1) != 1)
        fail("a NULL instance did not give code 1", 0, "");
    } else if (what < 5) {
      fuzz_run(&in, instance);
    } else {
      fuzz_step(&in, instance, shadow);
    }
  }
  /* The kept states agree. */
  float x[SB * 2 * F] = {0}, a[SB * U], b[SB * U];
  if (abi_fuzz_step(instance, x, a, 2) || abi_fuzz_step(shadow, x, b, 2) ||
      memcmp(a, b, sizeof a))
    fail("the kept state differs from the shadow instance's", 0, "");
  abi_fuzz_destroy(instance);
  abi_fuzz_destroy(shadow);
  return 0;
}
