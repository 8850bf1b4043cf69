/* oom_check.c - allocation failures on the model of model.mlir (oom.test).
 *
 * For N = 1, 2, ... a child process runs a fixed sequence of calls (@run,
 * then @step three times) with GRU_FAIL_ALLOCATION=N, so that its N-th
 * allocation fails, until N exceeds the allocations the sequence makes.
 * Each time exactly one call must fail, with code 3 (out of memory) and a
 * message saying so; @step's kept state must be unchanged by the failure,
 * and every other call must give the answer of the same sequence without
 * failures. With the argument "address-space", a real out-of-memory
 * instead: under an address-space limit, @step with a time dimension whose
 * buffers cannot be allocated returns 3, and the instance is usable
 * afterwards.
 * Prints one line per check; exits nonzero if any failed. */
#include "abi.h"
#include "abi_inputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

enum { STEPS = 3 };

typedef struct {
  int codes[1 + STEPS];
  char messages[1 + STEPS][256];
  float run_out[B * T * U], run_h[B * U];
  float step_h[STEPS][SB * U];
} Sequence;

/* Runs the sequence on a new instance; a failed @step call is not counted,
 * so that step_h holds the answers of the successful calls in order. */
static void run_sequence(Sequence *s) {
  memset(s, 0, sizeof *s);
  abi_instance *instance = abi_create();
  if (!instance)
    exit(3);
  s->codes[0] =
      abi_run(instance, x, mask, h0, s->run_out, s->run_h, B, T, B, T, B);
  snprintf(s->messages[0], sizeof s->messages[0], "%s",
           abi_last_error(instance));
  int done = 0;
  for (int i = 0; i < STEPS; ++i) {
    s->codes[1 + i] = abi_step(instance, sx, s->step_h[done], ST);
    snprintf(s->messages[1 + i], sizeof s->messages[1 + i], "%s",
             abi_last_error(instance));
    done += s->codes[1 + i] == 0;
  }
  abi_destroy(instance);
}

static int failures = 0;

static void check(int ok, const char *what) {
  printf("%s: %s\n", ok ? "ok" : "FAIL", what);
  failures += !ok;
}

/* In a child with the N-th allocation failing: returns 0 if one call failed
 * as it should, 10 if no call failed, 1 otherwise. */
static int child(int n, const Sequence *want) {
  char value[32];
  snprintf(value, sizeof value, "%d", n);
  setenv("GRU_FAIL_ALLOCATION", value, 1);
  Sequence got;
  run_sequence(&got);
  int failed = -1, bad = 0;
  for (int i = 0; i <= STEPS; ++i)
    if (got.codes[i] != 0) {
      bad |= failed >= 0 || got.codes[i] != 3 ||
             !strstr(got.messages[i], "out of memory");
      if (bad)
        fprintf(stderr, "allocation %d: call %d gave code %d: %s\n", n, i,
                got.codes[i], got.messages[i]);
      failed = i;
    }
  if (failed < 0)
    return 10;
  if (failed != 0)
    bad |= memcmp(got.run_out, want->run_out, sizeof got.run_out) ||
           memcmp(got.run_h, want->run_h, sizeof got.run_h);
  /* The state is unchanged by a failed @step: the successful calls give
   * the first answers of the sequence without failures. */
  int steps = STEPS - (failed >= 1);
  bad |= memcmp(got.step_h, want->step_h, steps * sizeof got.step_h[0]);
  printf("allocation %d: call %d failed with code 3, the others agree\n", n,
         failed);
  fflush(stdout);
  return bad;
}

static void check_injected_failures(void) {
  /* The answers without failures come from a child as well: the runtime
   * reads GRU_FAIL_ALLOCATION once, at a process's first allocation. */
  Sequence *shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED)
    exit(3);
  fflush(stdout);
  pid_t first = fork();
  if (first == 0) {
    run_sequence(shared);
    _exit(0);
  }
  waitpid(first, NULL, 0);
  Sequence want = *shared;
  int clean = 1;
  for (int i = 0; i <= STEPS; ++i)
    clean &= want.codes[i] == 0;
  check(clean, "the sequence succeeds without injected failures");
  check(memcmp(want.step_h[0], want.step_h[1], sizeof want.step_h[0]) != 0,
        "@step's state carries across calls (else this proves nothing)");
  int n = 1, status = 0;
  for (;; ++n) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
      _exit(child(n, &want));
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) == 1) {
      check(0, "an injected allocation failure is handled");
      printf("  (allocation %d, status %d)\n", n, status);
      return;
    }
    if (WEXITSTATUS(status) == 10)
      break;
  }
  char what[128];
  snprintf(what, sizeof what,
           "each of the sequence's %d allocations, failing, gives code 3 "
           "and changes nothing else",
           n - 1);
  check(n > 1 + 1 + STEPS, what);
}

/* A real failure: buffers of over 6 GiB under a 4 GiB address space. */
static void check_address_space_limit(void) {
  struct rlimit limit = {(rlim_t)4 << 30, (rlim_t)4 << 30};
  check(setrlimit(RLIMIT_AS, &limit) == 0, "the address space is limited");
  int64_t steps = (int64_t)1 << 26;
  float *big = calloc((size_t)(SB * steps * F), sizeof(float));
  check(big != NULL, "the caller's large input fits");
  if (!big)
    return;
  abi_instance *instance = abi_create();
  float h[SB * U], first[SB * U], again[SB * U];
  check(abi_step(instance, sx, first, ST) == 0, "a first call succeeds");
  abi_reset_states(instance);
  int code = abi_step(instance, big, h, steps);
  check(code == 3 && strstr(abi_last_error(instance), "out of memory"),
        "a call whose buffers exceed the address space gives code 3");
  free(big);
  check(abi_step(instance, sx, again, ST) == 0 &&
            !memcmp(first, again, sizeof first),
        "afterwards the instance works and its state was left alone");
  abi_destroy(instance);
}

int main(int argc, char **argv) {
  make_inputs();
  if (argc > 1 && !strcmp(argv[1], "address-space"))
    check_address_space_limit();
  else
    check_injected_failures();
  printf("%s: %d failed checks\n", failures ? "FAILED" : "PASSED", failures);
  return failures != 0;
}
