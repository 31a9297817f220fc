/* Shared by the libFuzzer targets: the entry point's prototype and CHECK,
 * which stops the run (abort: libFuzzer keeps the input) when a property
 * the target claims does not hold. */
#ifndef CONCUR_FUZZ_H
#define CONCUR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                 \
        }                                                                            \
    } while (0)

#endif
