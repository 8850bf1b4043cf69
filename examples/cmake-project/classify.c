/* Classifies a batch of token sequences with the compiled text classifier:
 *
 *   classify LENGTH...    one sequence of each length, padded with 0
 *
 * prints the target that runs and one line of logits per sequence. */
#include "text_classifier.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int64_t batch = argc - 1, steps = 0;
  if (batch < 1) {
    fprintf(stderr, "usage: %s LENGTH...\n", argv[0]);
    return 2;
  }
  for (int64_t b = 0; b < batch; ++b) {
    int64_t length = atoll(argv[b + 1]);
    steps = length > steps ? length : steps;
  }
  int32_t *tokens = calloc((size_t)(batch * steps), sizeof(int32_t));
  float *logits = calloc((size_t)(batch * 4), sizeof(float));
  if (!tokens || !logits)
    return 1;
  /* Token ids 1..999 by a fixed rule, 0 after each sequence's end. */
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < atoll(argv[b + 1]); ++t)
      tokens[b * steps + t] = (int32_t)(1 + (37 * b + 101 * t) % 999);

  text_classifier_instance *model = text_classifier_create();
  if (!model) {
    fprintf(stderr, "%s\n", text_classifier_last_error(NULL));
    return 1;
  }
  int status =
      text_classifier_classify(model, tokens, logits, batch, steps);
  if (status != TEXT_CLASSIFIER_OK) {
    fprintf(stderr, "classify: %s\n", text_classifier_last_error(model));
    text_classifier_destroy(model);
    return 1;
  }
  printf("target %s\n", text_classifier_target());
  for (int64_t b = 0; b < batch; ++b)
    printf("%.7g %.7g %.7g %.7g\n", logits[b * 4], logits[b * 4 + 1],
           logits[b * 4 + 2], logits[b * 4 + 3]);
  text_classifier_destroy(model);
  free(tokens);
  free(logits);
  return 0;
}
