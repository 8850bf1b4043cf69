/* Creates an instance of libneon.so and prints the target that runs and
 * the manifest. */
#include "neon.h"

#include <stdio.h>

int main(void) {
  neon_instance *instance = neon_create();
  if (!instance) {
    printf("create failed: %s\n", neon_last_error(NULL));
    return 1;
  }
  printf("runs %s\n%s\n", neon_target(), neon_manifest());
  neon_destroy(instance);
  return 0;
}
