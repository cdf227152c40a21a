// English prose that only the CLI prints. The page words the same things from its own
// message catalogs (warnings, the constants' descriptions), so the WebAssembly build
// (GPUPLAN_WEB) leaves the text out of the module and the expression is not evaluated.
#pragma once

#include <string>

#ifdef GPUPLAN_WEB
#define NATIVE_TEXT(...) std::string()
#else
#define NATIVE_TEXT(...) std::string(__VA_ARGS__)
#endif
