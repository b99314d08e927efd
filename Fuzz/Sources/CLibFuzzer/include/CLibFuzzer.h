#ifndef SPOTTER_CLIBFUZZER_H
#define SPOTTER_CLIBFUZZER_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver, from the runtime that `-sanitize=fuzzer` links (compiler-rt FuzzerInterface.h).
// Each fuzz target's @main calls it, since SwiftPM gives Swift executables their own `main`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
