/* abi_check.c - checks the C ABI of docs/ABI.md on the model of model.mlir
 * (compiled by abi.test into libabi.so and abi.h).
 *
 * Prints one line per check ("ok: ..." or "FAIL: ...") and exits with status
 * 1 if any check failed. */
#include "abi.h"
#include "gru/runtime.h" /* GRU_MAX_DIM */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { B = 3, T = 5, F = 3, U = 4 }; /* @run */
enum { SB = 2, ST = 3 };             /* @step: static batch 2 */

static int failures = 0;

static void check(int ok, const char *what, const char *detail) {
  printf("%s: %s%s%s\n", ok ? "ok" : "FAIL", what, detail ? " -- " : "",
         detail ? detail : "");
  failures += !ok;
}

/* ---- @run ---------------------------------------------------------------- */

static float x[B * T * F], h0[B * U];
static uint8_t mask[B * T];
static float ref_out[B * T * U], ref_h[B * U]; /* the first good answer */

/* Output buffers and their sentinel-filled copies. */
static float out[B * T * U], h[B * U];
static float sentinel_out[B * T * U], sentinel_h[B * U];

static void fill_sentinel(void) {
  for (int i = 0; i < B * T * U; ++i)
    out[i] = sentinel_out[i] = -12345.f;
  for (int i = 0; i < B * U; ++i)
    h[i] = sentinel_h[i] = -12345.f;
}

static int outputs_untouched(void) {
  return !memcmp(out, sentinel_out, sizeof out) &&
         !memcmp(h, sentinel_h, sizeof h);
}

/* The arguments of one call of abi_run; good_call() gives valid ones. */
typedef struct {
  abi_instance *instance;
  const float *x;
  const uint8_t *mask;
  const float *h0;
  float *out, *h;
  int64_t x_batch, x_time, mask_batch, mask_time, h0_batch;
} RunCall;

static RunCall good_call(abi_instance *instance) {
  RunCall c = {instance, x, mask, h0, out, h, B, T, B, T, B};
  return c;
}

static int call_run(const RunCall *c) {
  return abi_run(c->instance, c->x, c->mask, c->h0, c->out, c->h, c->x_batch,
                 c->x_time, c->mask_batch, c->mask_time, c->h0_batch);
}

/* Runs `c` (with sentinel-filled outputs) and expects `code` with an error
 * message containing `needle` (on the instance, or the thread's error for a
 * NULL instance); then expects untouched outputs and that a good call on
 * `instance` still gives the reference answer. */
static void expect_failure(abi_instance *instance, const char *what,
                           const RunCall *c, int code, const char *needle) {
  char detail[700];
  fill_sentinel();
  int got = call_run(c);
  const char *message = abi_last_error(c->instance);
  snprintf(detail, sizeof detail, "code %d, last_error \"%s\"", got, message);
  char line[200];
  snprintf(line, sizeof line, "%s gives code %d naming %s", what, code,
           needle);
  check(got == code && strstr(message, needle), line, detail);
  snprintf(line, sizeof line, "%s writes no output", what);
  check(outputs_untouched(), line, NULL);

  RunCall again = good_call(instance);
  fill_sentinel();
  got = call_run(&again);
  snprintf(line, sizeof line,
           "after %s the instance gives the same answer and last_error \"\"",
           what);
  check(got == 0 && !memcmp(out, ref_out, sizeof out) &&
            !memcmp(h, ref_h, sizeof h) && !strcmp(abi_last_error(instance), ""),
        line, NULL);
}

static void check_run(void) {
  abi_instance *instance = abi_create();
  check(instance != NULL, "abi_create returns an instance", NULL);

  RunCall c = good_call(instance);
  fill_sentinel();
  check(call_run(&c) == 0 && !strcmp(abi_last_error(instance), ""),
        "a good call returns 0 and last_error is \"\"", NULL);
  memcpy(ref_out, out, sizeof out);
  memcpy(ref_h, h, sizeof h);
  check(!memcmp(&ref_out[(0 * T + T - 1) * U], &ref_h[0 * U],
                U * sizeof(float)),
        "row 0 (last step unmasked): the state equals the last output", NULL);
  /* Row 2 is fully masked: zero outputs, and the state stays h0. */
  int row2 = !memcmp(&ref_h[2 * U], &h0[2 * U], U * sizeof(float));
  for (int i = 2 * T * U; i < 3 * T * U; ++i)
    row2 &= ref_out[i] == 0.f;
  check(row2, "a fully masked row: zero outputs, final state = initial state",
        NULL);
  /* mask row 0 is 1 1 0 1 1: step 2 repeats step 1's output. */
  check(!memcmp(&ref_out[(0 * T + 2) * U], &ref_out[(0 * T + 1) * U],
                U * sizeof(float)),
        "a masked step repeats the previous output", NULL);
  check(memcmp(&ref_out[(0 * T + 1) * U], &ref_out[(0 * T + 0) * U],
               U * sizeof(float)) != 0,
        "unmasked steps differ", NULL);

  /* Nonzero mask bytes other than 1 mean true. */
  uint8_t mask7[B * T];
  for (int i = 0; i < B * T; ++i)
    mask7[i] = mask[i] ? 7 : 0;
  c = good_call(instance);
  c.mask = mask7;
  check(call_run(&c) == 0 && !memcmp(out, ref_out, sizeof out),
        "mask bytes of 7 act as 1", NULL);

  /* Null pointers: code 1, naming the argument. */
  struct {
    const char *name;
    RunCall call;
  } nulls[5];
  for (int i = 0; i < 5; ++i)
    nulls[i].call = good_call(instance);
  nulls[0].name = "arg0", nulls[0].call.x = NULL;
  nulls[1].name = "arg1", nulls[1].call.mask = NULL;
  nulls[2].name = "arg2", nulls[2].call.h0 = NULL;
  nulls[3].name = "result0", nulls[3].call.out = NULL;
  nulls[4].name = "result1", nulls[4].call.h = NULL;
  for (int i = 0; i < 5; ++i) {
    char what[64];
    snprintf(what, sizeof what, "a NULL %s", nulls[i].name);
    char needle[64];
    snprintf(needle, sizeof needle, "'%s'", nulls[i].name);
    expect_failure(instance, what, &nulls[i].call, 1, needle);
  }
  c = good_call(NULL);
  expect_failure(instance, "a NULL instance", &c, 1, "instance");

  /* Sizes out of range: code 2, naming the size. */
  const char *size_names[5] = {"arg0_dim0", "arg0_dim1", "arg1_dim0",
                               "arg1_dim1", "arg2_dim0"};
  const struct {
    const char *what;
    int64_t value;
  } bad_sizes[] = {{"0", 0},
                   {"-1", -1},
                   {"INT64_MIN", INT64_MIN},
                   {"GRU_MAX_DIM + 1", GRU_MAX_DIM + 1},
                   {"INT64_MAX", INT64_MAX}};
  for (int s = 0; s < 5; ++s)
    for (size_t v = 0; v < sizeof bad_sizes / sizeof bad_sizes[0]; ++v) {
      c = good_call(instance);
      int64_t *sizes[5] = {&c.x_batch, &c.x_time, &c.mask_batch, &c.mask_time,
                           &c.h0_batch};
      *sizes[s] = bad_sizes[v].value;
      char what[96];
      snprintf(what, sizeof what, "%s = %s", size_names[s], bad_sizes[v].what);
      char needle[64];
      snprintf(needle, sizeof needle, "'%s'", size_names[s]);
      expect_failure(instance, what, &c, 2, needle);
    }

  /* Every size within the limit, but B*T*F elements overflow. */
  c = good_call(instance);
  c.x_batch = c.mask_batch = c.h0_batch = GRU_MAX_DIM;
  c.x_time = c.mask_time = GRU_MAX_DIM;
  expect_failure(instance, "batch = time = GRU_MAX_DIM (overflowing product)", &c,
                 2, "'arg0'");

  /* Sizes that contradict each other (the header's `requires` lines). */
  c = good_call(instance);
  c.mask_batch = B + 1;
  expect_failure(instance, "a mask batch of B+1", &c, 2, "'arg1_dim0'");
  c = good_call(instance);
  c.mask_batch = B - 1;
  expect_failure(instance, "a mask batch of B-1", &c, 2, "'arg1_dim0'");
  c = good_call(instance);
  c.mask_time = T - 1;
  expect_failure(instance, "a mask time of T-1", &c, 2, "'arg1_dim1'");
  c = good_call(instance);
  c.mask_time = T + 1;
  expect_failure(instance, "a mask time of T+1", &c, 2, "'arg1_dim1'");
  c = good_call(instance);
  c.h0_batch = B - 1;
  expect_failure(instance, "an initial-state batch of B-1", &c, 2, "'arg2_dim0'");

  check(abi_reset_states(NULL) == 1, "reset_states(NULL) gives 1", NULL);
  check(strstr(abi_last_error(NULL), "instance") != NULL,
        "last_error(NULL) names the instance", abi_last_error(NULL));
  check(abi_reset_states(instance) == 0, "reset_states on a model without "
                                         "stateful @run gives 0", NULL);
  c = good_call(instance);
  check(call_run(&c) == 0 && !memcmp(out, ref_out, sizeof out),
        "@run (not stateful) gives the same answer after reset_states", NULL);
  abi_destroy(instance);
  abi_destroy(NULL); /* ignored */
}

/* ---- @step (stateful, static batch) --------------------------------------- */

static float sx[SB * ST * F];
static float s1[SB * U], s2[SB * U], s3[SB * U]; /* answers of calls 1-3 */

static int step(abi_instance *instance, float *result) {
  return abi_step(instance, sx, result, ST);
}

static int same(const float *a, const float *b) {
  return !memcmp(a, b, SB * U * sizeof(float));
}

static void check_step(void) {
  abi_instance *a = abi_create(), *b = abi_create();
  float r[SB * U];
  check(step(a, s1) == 0 && step(a, s2) == 0 && step(a, s3) == 0,
        "three @step calls succeed", NULL);
  check(!same(s1, s2) && !same(s2, s3),
        "state carries across calls (the same input gives new answers)", NULL);

  /* A fresh instance: call 1, failures, call 2 must still give s2. */
  check(step(b, r) == 0 && same(r, s1), "a second instance starts from zeros",
        NULL);
  float sentinel[SB * U], untouched[SB * U];
  for (int i = 0; i < SB * U; ++i)
    sentinel[i] = untouched[i] = -12345.f;
  check(abi_step(b, sx, untouched, 0) == 2 && same(untouched, sentinel),
        "@step with time 0 gives 2 and writes nothing", abi_last_error(b));
  check(abi_step(b, NULL, untouched, ST) == 1 && same(untouched, sentinel),
        "@step with a NULL input gives 1 and writes nothing", abi_last_error(b));
  check(abi_step(b, sx, NULL, ST) == 1, "@step with a NULL output gives 1",
        abi_last_error(b));
  check(step(b, r) == 0 && same(r, s2),
        "failed calls do not change the state (the next call gives call 2's "
        "answer)",
        NULL);

  check(abi_reset_states(a) == 0 && step(a, r) == 0 && same(r, s1),
        "reset_states restores the first-call answer", NULL);
  check(step(a, r) == 0 && same(r, s2), "... and then the second-call answer",
        NULL);

  /* Interleaved fresh instances: each follows its own sequence. */
  abi_instance *c = abi_create(), *d = abi_create();
  float rc[SB * U], rd[SB * U];
  int ok = step(c, rc) == 0 && same(rc, s1);
  ok &= step(d, rd) == 0 && same(rd, s1);
  ok &= step(c, rc) == 0 && same(rc, s2);
  ok &= abi_reset_states(d) == 0 && step(d, rd) == 0 && same(rd, s1);
  ok &= step(c, rc) == 0 && same(rc, s3);
  check(ok, "two instances never share state (interleaved calls, one reset)",
        NULL);
  abi_destroy(a), abi_destroy(b), abi_destroy(c), abi_destroy(d);
}

/* ---- threads ------------------------------------------------------------ */

enum { THREADS = 8, ROUNDS = 200 };

static void *worker(void *arg) {
  int *mismatches = arg;
  abi_instance *instance = abi_create();
  float o[B * T * U], hh[B * U], r[SB * U];
  for (int round = 0; round < ROUNDS; ++round) {
    /* All threads read the same input buffers. */
    int code = abi_run(instance, x, mask, h0, o, hh, B, T, B, T, B);
    *mismatches += code != 0 || memcmp(o, ref_out, sizeof o) ||
                   memcmp(hh, ref_h, sizeof hh);
    /* The stateful function's sequence, restarted every three calls. */
    const float *want[3] = {s1, s2, s3};
    code = abi_step(instance, sx, r, ST);
    *mismatches += code != 0 || !same(r, want[round % 3]);
    if (round % 3 == 2)
      abi_reset_states(instance);
  }
  abi_destroy(instance);
  return NULL;
}

static void check_threads(void) {
  pthread_t threads[THREADS];
  int mismatches[THREADS] = {0};
  for (int i = 0; i < THREADS; ++i)
    pthread_create(&threads[i], NULL, worker, &mismatches[i]);
  int total = 0;
  for (int i = 0; i < THREADS; ++i) {
    pthread_join(threads[i], NULL);
    total += mismatches[i];
  }
  char detail[64];
  snprintf(detail, sizeof detail, "%d mismatches", total);
  check(total == 0,
        "8 threads with their own instances give bit-identical results", detail);
}

int main(void) {
  for (int i = 0; i < B * T * F; ++i)
    x[i] = (float)((i * 37) % 23) / 11.f - 1.f;
  for (int i = 0; i < B * U; ++i)
    h0[i] = (float)(i % 5) / 5.f - 0.4f;
  /* Row 0 has a hole, row 1 is right-padded, row 2 is fully masked. */
  const uint8_t m[B * T] = {1, 1, 0, 1, 1, /**/ 1, 1, 1, 0, 0, /**/ 0, 0, 0, 0, 0};
  memcpy(mask, m, sizeof mask);
  for (int i = 0; i < SB * ST * F; ++i)
    sx[i] = (float)((i * 13) % 7) / 3.f - 1.f;

  float x0[B * T * F], h00[B * U], sx0[SB * ST * F];
  memcpy(x0, x, sizeof x), memcpy(h00, h0, sizeof h0), memcpy(sx0, sx, sizeof sx);

  check_run();
  check_step();
  check_threads();
  check(!memcmp(x0, x, sizeof x) && !memcmp(h00, h0, sizeof h0) &&
            !memcmp(m, mask, sizeof mask) && !memcmp(sx0, sx, sizeof sx),
        "no call wrote its (const) inputs", NULL);
  printf("%s: %d failed checks\n", failures ? "FAILED" : "PASSED", failures);
  return failures != 0;
}
