// Checks shared by the fuzz targets. A failed check aborts, so libFuzzer
// saves the input as a crash.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include <rapidjson/document.h>

namespace gpuplan_fuzz {

[[noreturn]] inline void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz check failed: %s\n%s\n", what, detail.substr(0, 2000).c_str());
  std::abort();
}

// Every JSON text the core writes must parse back as a JSON object.
inline void check_json_object(const std::string& text, const char* what) {
  rapidjson::Document document;
  document.Parse(text.c_str(), text.size());
  if (document.HasParseError() || !document.IsObject()) fail(what, text);
}

}  // namespace gpuplan_fuzz
