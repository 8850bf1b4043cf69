/* shared_instance.c - one instance called from many threads at once
 * (shared-instance.test). Calls on one instance are serialized:
 * - 8 threads call @run 40 times each on one instance and always get the
 *   single-threaded answer, bit for bit;
 * - 8 threads call the stateful @step 25 times each on one instance; the
 *   state then equals that of 200 calls in a row;
 * - while others succeed, threads that make bad calls get their own code
 *   and message from last_error.
 * Prints one line per check; exits nonzero if any failed. */
#include "abi.h"
#include "abi_inputs.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

enum { THREADS = 8, RUNS = 40, STEPS = 25 };
static float ref_out[B * T * U], ref_h[B * U];
static abi_instance *shared;

static void *run_many(void *arg) {
  long bad = 0, misbehaving = (long)arg % 2;
  float out[B * T * U], h[B * U];
  for (int i = 0; i < RUNS; ++i) {
    if (misbehaving && i % 2) {
      /* A mask batch of B+1: code 2, and this thread's message says so. */
      int code = abi_run(shared, x, mask, h0, out, h, B, T, B + 1, T, B);
      bad += code != 2 || !strstr(abi_last_error(shared), "'arg1_dim0'");
      continue;
    }
    int code = abi_run(shared, x, mask, h0, out, h, B, T, B, T, B);
    bad += code != 0 || strcmp(abi_last_error(shared), "") != 0 ||
           memcmp(out, ref_out, sizeof out) || memcmp(h, ref_h, sizeof h);
  }
  return (void *)bad;
}

static void *step_many(void *arg) {
  (void)arg;
  long bad = 0;
  float h[SB * U];
  for (int i = 0; i < STEPS; ++i)
    bad += abi_step(shared, sx, h, ST) != 0;
  return (void *)bad;
}

static long run_threads(void *(*body)(void *)) {
  pthread_t threads[THREADS];
  long bad = 0;
  for (long i = 0; i < THREADS; ++i)
    pthread_create(&threads[i], NULL, body, (void *)i);
  for (int i = 0; i < THREADS; ++i) {
    void *result;
    pthread_join(threads[i], &result);
    bad += (long)result;
  }
  return bad;
}

static int failures = 0;

static void check(int ok, const char *what) {
  printf("%s: %s\n", ok ? "ok" : "FAIL", what);
  failures += !ok;
}

int main(void) {
  make_inputs();
  shared = abi_create();
  check(abi_run(shared, x, mask, h0, ref_out, ref_h, B, T, B, T, B) == 0,
        "a single-threaded call succeeds");
  check(run_threads(run_many) == 0,
        "8 threads on one instance: every good call gives the reference "
        "answer, every bad one its own code and message");

  abi_instance *serial = abi_create();
  float h[SB * U], want[SB * U];
  for (int i = 0; i < THREADS * STEPS; ++i)
    abi_step(serial, sx, want, ST);
  check(run_threads(step_many) == 0, "8 threads step one stateful instance");
  check(abi_step(shared, sx, h, ST) == 0 &&
            abi_step(serial, sx, want, ST) == 0 && !memcmp(h, want, sizeof h),
        "its state is that of 200 calls in a row");
  abi_destroy(serial);
  abi_destroy(shared);
  printf("%s: %d failed checks\n", failures ? "FAILED" : "PASSED", failures);
  return failures != 0;
}
