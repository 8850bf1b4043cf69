/* two_models.c - links liba.so and libb.so (both with @run) into one program
 * and writes a_run's then b_run's answer to two_models.bin (symbols.test). */
#include "a.h"
#include "b.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  /* The inputs of side_by_side.py, passed as raw floats. */
  float x[2 * 5 * 3], ha[2 * 4], hb[2 * 6];
  FILE *in = fopen(argv[1], "rb");
  if (!in || fread(x, sizeof x, 1, in) != 1)
    return 2;
  fclose(in);
  a_instance *a = a_create();
  b_instance *b = b_create();
  if (!a || !b || a_run(a, x, ha, 2, 5) || b_run(b, x, hb, 2, 5)) {
    fprintf(stderr, "a call failed: %s %s\n", a_last_error(a), b_last_error(b));
    return 1;
  }
  FILE *out = fopen(argc > 2 ? argv[2] : "two_models.bin", "wb");
  fwrite(ha, sizeof ha, 1, out);
  fwrite(hb, sizeof hb, 1, out);
  fclose(out);
  a_destroy(a);
  b_destroy(b);
  return 0;
}
