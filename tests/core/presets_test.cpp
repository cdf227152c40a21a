// The preset table: unique ids, valid shapes, and exact agreement with every
// published total recorded in the table.
#include <catch2/catch.hpp>

#include <cctype>
#include <set>
#include <string>

#include "model.h"
#include "presets.h"

using namespace gpuplan;

namespace {

bool is_kebab_id(const std::string& id) {
  if (id.empty() || id.front() == '-' || id.back() == '-') return false;
  for (char c : id) {
    const bool ok = std::islower(static_cast<unsigned char>(c)) ||
                    std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("Preset table size", "[presets]") {
  CHECK(presets().size() >= 40);
}

TEST_CASE("Preset ids are unique", "[presets]") {
  std::set<std::string> seen;
  for (const ModelSpec& spec : presets()) {
    INFO("preset " << spec.id);
    CHECK(seen.insert(spec.id).second);
  }
}

TEST_CASE("Preset rows are complete", "[presets]") {
  for (const ModelSpec& spec : presets()) {
    INFO("preset " << spec.id);
    CHECK(is_kebab_id(spec.id));
    CHECK_FALSE(spec.name.empty());
    CHECK_FALSE(spec.series.empty());
    CHECK(spec.max_positions > 0);
    CHECK(validate_model(spec).empty());
  }
}

TEST_CASE("Published totals match counts", "[presets]") {
  int checked = 0;
  for (const ModelSpec& spec : presets()) {
    if (spec.published_params == 0) continue;
    INFO("preset " << spec.id);
    CHECK(count_params(spec).total == spec.published_params);
    ++checked;
  }
  // 47 rows carry a published total (see the comments in presets.cpp).
  CHECK(checked == 47);
}

TEST_CASE("Preset lookup", "[presets]") {
  const ModelSpec* gpt2 = find_preset("gpt2");
  REQUIRE(gpt2 != nullptr);
  CHECK(gpt2->hf_id == "openai-community/gpt2");
  CHECK(find_preset("no-such-model") == nullptr);
  CHECK(find_preset(kDefaultPresetId) != nullptr);
  CHECK(preset_ids().size() == presets().size());
}

TEST_CASE("Default preset is GPT-3 XL", "[presets]") {
  const ModelSpec* spec = find_preset(kDefaultPresetId);
  REQUIRE(spec != nullptr);
  // GPT-3 XL: 24 layers, d_model 2048, 16 heads, context 2048, vocab 50257.
  // wte 50257*2048 = 102,926,336; wpe 2048*2048 = 4,194,304; layer
  // 12*2048^2 + 13*2048 = 50,358,272, x24 = 1,208,598,528; ln_f 4,096.
  // Total 1,315,723,264, the "1.3B" of the paper.
  CHECK(count_params(*spec).total == 1315723264);
}
