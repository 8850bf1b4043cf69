/* A hand-written library with the C ABI of docs/ABI.md (prefix "fake"), so
 * that the gru_model Python package can be tested without the compiler.
 *
 *   result0 = fake_add(arg0 (n, 3) f32, arg1 (m, 3) f32)   n == m ("equal_sizes")
 *   result0, result1 = fake_accumulate(arg0 (n, 2) f32, arg1 (n,) bool)
 *   fake_clamp(arg0 (n,) f32): arg0 := clip(arg0, -1, 1) ("updated_in_place")
 *
 * fake_accumulate keeps a running sum s (2,) in the instance: for each row i
 * with arg1[i] true, s += arg0[i]; result0[i] = s; result1 = s at the end.
 * Its manifest names arg1's dimension after arg0's (shapes name the size
 * parameter a dimension equals), so the caller must check they agree. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct fake_instance {
  float sum[2];
  char error[128];
} fake_instance;

/* With FAKE_NO_TARGET set, this "CPU" runs none of the library's targets. */
const char *fake_target(void) { return getenv("FAKE_NO_TARGET") ? NULL : "x86-64"; }

fake_instance *fake_create(void) {
  return fake_target() ? calloc(1, sizeof(fake_instance)) : NULL;
}

void fake_destroy(fake_instance *instance) { free(instance); }

const char *fake_device(const fake_instance *instance) {
  return instance ? "cpu" : NULL;
}

int fake_reset_states(fake_instance *instance) {
  if (!instance) return 1;
  instance->sum[0] = instance->sum[1] = 0;
  instance->error[0] = 0;
  return 0;
}

const char *fake_last_error(const fake_instance *instance) {
  if (!instance && !fake_target())
    return "fake_create: this CPU cannot run the library's code";
  return instance ? instance->error : "null instance";
}

const char *fake_last_dispatch(const fake_instance *instance) {
  return instance ? "" : NULL;
}

const char *fake_manifest(void) {
  return "{\"prefix\": \"fake\", \"functions\": ["
         "{\"name\": \"add\", \"symbol\": \"fake_add\","
         " \"inputs\": [{\"name\": \"arg0\", \"dtype\": \"float32\", "
         "\"shape\": [\"arg0_dim0\", 3]},"
         "              {\"name\": \"arg1\", \"dtype\": \"float32\", "
         "\"shape\": [\"arg1_dim0\", 3]}],"
         " \"outputs\": [{\"name\": \"result0\", \"dtype\": \"float32\", "
         "\"shape\": [\"arg0_dim0\", 3]}],"
         " \"sizes\": [\"arg0_dim0\", \"arg1_dim0\"],"
         " \"equal_sizes\": [[\"arg1_dim0\", \"arg0_dim0\"]], "
         "\"updated_in_place\": []},"
         "{\"name\": \"accumulate\", \"symbol\": \"fake_accumulate\","
         " \"inputs\": [{\"name\": \"arg0\", \"dtype\": \"float32\", "
         "\"shape\": [\"arg0_dim0\", 2]},"
         "              {\"name\": \"arg1\", \"dtype\": \"bool\", \"shape\": "
         "[\"arg0_dim0\"]}],"
         " \"outputs\": [{\"name\": \"result0\", \"dtype\": \"float32\", "
         "\"shape\": [\"arg0_dim0\", 2]},"
         "               {\"name\": \"result1\", \"dtype\": \"float32\", "
         "\"shape\": [2]}],"
         " \"sizes\": [\"arg0_dim0\"]},"
         "{\"name\": \"clamp\", \"symbol\": \"fake_clamp\","
         " \"inputs\": [{\"name\": \"arg0\", \"dtype\": \"float32\", "
         "\"shape\": [\"arg0_dim0\"]}],"
         " \"outputs\": [], \"sizes\": [\"arg0_dim0\"], \"updated_in_place\": "
         "[\"arg0\"]},"
         "{\"name\": \"total\", \"symbol\": \"fake_total\","
         " \"inputs\": [{\"name\": \"ids\", \"dtype\": \"int32\", \"shape\": "
         "[\"ids_dim0\"]}],"
         " \"outputs\": [{\"name\": \"result0\", \"dtype\": \"float32\", "
         "\"shape\": [1]}],"
         " \"sizes\": [\"ids_dim0\"],"
         " \"equal_sizes\": [[\"ids_dim0\", 4, \"the static size 4\"]]}]}";
}

int fake_add(fake_instance *instance, const float *arg0, const float *arg1, float *result0,
             int64_t arg0_dim0, int64_t arg1_dim0) {
  if (!instance || !arg0 || !arg1 || !result0) return 1;
  if (arg0_dim0 < 1 || arg0_dim0 != arg1_dim0) {
    snprintf(instance->error, sizeof instance->error, "arg0 has %lld rows, arg1 %lld",
             (long long)arg0_dim0, (long long)arg1_dim0);
    return 2;
  }
  for (int64_t i = 0; i < arg0_dim0 * 3; ++i) result0[i] = arg0[i] + arg1[i];
  instance->error[0] = 0;
  return 0;
}

int fake_accumulate(fake_instance *instance, const float *arg0, const uint8_t *arg1,
                    float *result0, float *result1, int64_t arg0_dim0) {
  if (!instance || !arg0 || !arg1 || !result0 || !result1) return 1;
  if (arg0_dim0 < 1) {
    snprintf(instance->error, sizeof instance->error, "arg0 has %lld rows", (long long)arg0_dim0);
    return 2;
  }
  for (int64_t i = 0; i < arg0_dim0; ++i) {
    for (int j = 0; j < 2; ++j) {
      if (arg1[i]) instance->sum[j] += arg0[i * 2 + j];
      result0[i * 2 + j] = instance->sum[j];
    }
  }
  result1[0] = instance->sum[0];
  result1[1] = instance->sum[1];
  instance->error[0] = 0;
  return 0;
}

int fake_clamp(fake_instance *instance, float *arg0, int64_t arg0_dim0) {
  if (!instance || !arg0) return 1;
  for (int64_t i = 0; i < arg0_dim0; ++i)
    arg0[i] = arg0[i] < -1 ? -1 : arg0[i] > 1 ? 1 : arg0[i];
  instance->error[0] = 0;
  return 0;
}

int fake_total(fake_instance *instance, const int32_t *ids, float *result0,
               int64_t ids_dim0) {
  if (!instance || !ids || !result0 || ids_dim0 != 4)
    return 1;
  result0[0] = 0;
  for (int64_t i = 0; i < ids_dim0; ++i)
    result0[0] += (float)ids[i];
  return 0;
}
