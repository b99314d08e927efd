// The declaration in include/CLibFuzzer.h is all this module provides; the definition comes
// from libFuzzer's runtime at link time.
#include "CLibFuzzer.h"
