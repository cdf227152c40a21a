// Invariants of the estimate JSON over a few hundred random setups drawn from
// tests/core/fixtures/random_setups.json: every number is finite and
// non-negative (with named exceptions), and every breakdown's children sum to
// its value. tests/web/invariants.test.ts draws the same setups and checks
// that the WebAssembly build returns the same numbers as this native build.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "estimate.h"

using namespace gpuplan;

namespace {

// mulberry32, a 32-bit generator that is exact in both C++ and JavaScript
// (Math.imul), so both test suites draw the same setups from the same seed.
class Mulberry32 {
 public:
  explicit Mulberry32(uint32_t seed) : state_(seed) {}

  uint32_t next() {
    state_ += 0x6D2B79F5u;
    uint32_t t = state_;
    t = (t ^ (t >> 15)) * (t | 1u);
    t = (t + (t ^ (t >> 7)) * (t | 61u)) ^ t;
    return t ^ (t >> 14);
  }

 private:
  uint32_t state_;
};

struct SetupTable {
  uint32_t seed = 0;
  int count = 0;
  std::vector<std::pair<std::string, std::vector<std::string>>> choices;  // in file order
};

SetupTable load_setup_table() {
  std::ifstream file(std::string(GPUPLAN_SOURCE_DIR) + "/tests/core/fixtures/random_setups.json");
  REQUIRE(file);
  std::stringstream text;
  text << file.rdbuf();
  rapidjson::Document document;
  document.Parse(text.str().c_str());
  REQUIRE_FALSE(document.HasParseError());

  SetupTable table;
  table.seed = document["seed"].GetUint();
  table.count = document["count"].GetInt();
  for (const auto& member : document["choices"].GetObject()) {
    std::vector<std::string> values;
    for (const auto& value : member.value.GetArray()) values.emplace_back(value.GetString());
    table.choices.emplace_back(member.name.GetString(), std::move(values));
  }
  return table;
}

KeyValues random_setup(const SetupTable& table, int index) {
  Mulberry32 random(table.seed + static_cast<uint32_t>(index));
  KeyValues query;
  for (const auto& [key, values] : table.choices) {
    const std::string& value = values[random.next() % values.size()];
    if (!value.empty()) query[key] = value;
  }
  return query;
}

std::string query_text(const KeyValues& query) {
  std::string text;
  for (const auto& [key, value] : query) text += (text.empty() ? "" : "&") + key + "=" + value;
  return text;
}

// headroom_bytes is usable memory minus peak memory, negative when the setup does not fit.
const std::set<std::string> kMayBeNegative = {"headroom_bytes"};

// Objects and numbers that are null by design in an accepted estimate: a
// method that did not run (its *_unavailable text gives the reason) or a price the
// GPU table lacks. A number is never null for any other reason, because
// write_number writes null only for NaN and infinities.
const std::set<std::string> kMayBeNull = {"guide", "detailed", "time", "run", "price_per_gpu_hour", "cost_usd"};

// Appends the path of every number that is not finite, negative where that is
// not allowed, or null where that is not allowed.
void find_bad_numbers(const rapidjson::Value& value, const std::string& key, const std::string& path,
                      std::vector<std::string>& problems) {
  if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      const std::string name = member.name.GetString();
      find_bad_numbers(member.value, name, path + "/" + name, problems);
    }
  } else if (value.IsArray()) {
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      find_bad_numbers(value[i], key, path + "/" + std::to_string(i), problems);
    }
  } else if (value.IsNull()) {
    if (kMayBeNull.count(key) == 0) problems.push_back(path + " is null");
  } else if (value.IsNumber()) {
    const double number = value.GetDouble();
    if (!std::isfinite(number)) problems.push_back(path + " is not finite");
    if (number < 0 && kMayBeNegative.count(key) == 0) problems.push_back(path + " is negative");
  }
}

bool close(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max({std::fabs(a), std::fabs(b), 1.0}); }

// Appends the path of every breakdown node whose children do not sum to its value.
void find_bad_sums(const rapidjson::Value& value, const std::string& path, std::vector<std::string>& problems) {
  if (value.IsObject()) {
    if (value.HasMember("children") && value.HasMember("value") && value["value"].IsNumber()) {
      double sum = 0;
      for (const auto& child : value["children"].GetArray()) sum += child["value"].GetDouble();
      if (!close(sum, value["value"].GetDouble())) {
        problems.push_back(path + ": children sum to " + std::to_string(sum) + ", value is " +
                           std::to_string(value["value"].GetDouble()));
      }
    }
    for (const auto& member : value.GetObject()) find_bad_sums(member.value, path + "/" + member.name.GetString(), problems);
  } else if (value.IsArray()) {
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) find_bad_sums(value[i], path + "/" + std::to_string(i), problems);
  }
}

double number_at(const rapidjson::Value& object, const char* key) { return object[key].GetDouble(); }

}  // namespace

TEST_CASE("mulberry32 first draws", "[invariants]") {
  // tests/web/invariants.test.ts pins the same three values for its JavaScript generator.
  Mulberry32 random(20250601);
  CHECK(random.next() == 1570748327u);
  CHECK(random.next() == 3357646281u);
  CHECK(random.next() == 4017472135u);
}

TEST_CASE("random setups keep estimate invariants", "[invariants]") {
  const SetupTable table = load_setup_table();
  REQUIRE(table.count >= 100);
  int accepted = 0;

  for (int index = 0; index < table.count; ++index) {
    const KeyValues query = random_setup(table, index);
    const EstimateResponse response = run_estimate(query);
    INFO("setup " << index << ": " << query_text(query));
    if (!response.ok) {
      // A rejected setup carries at least one error.
      CHECK_FALSE(response.errors.empty());
      continue;
    }
    ++accepted;

    const std::string json = estimate_response_json(response);
    rapidjson::Document document;
    document.Parse(json.c_str());
    REQUIRE_FALSE(document.HasParseError());

    std::vector<std::string> bad_numbers;
    find_bad_numbers(document, "", "", bad_numbers);
    CHECK(bad_numbers == std::vector<std::string>{});

    std::vector<std::string> bad_sums;
    find_bad_sums(document, "", bad_sums);
    CHECK(bad_sums == std::vector<std::string>{});

    // Named totals equal the root of their breakdown.
    const rapidjson::Value& guide = document["guide"];
    REQUIRE(guide.IsObject());
    CHECK(close(guide["memory"]["value"].GetDouble(), number_at(guide, "memory_total_bytes")));
    CHECK(close(guide["flops"]["value"].GetDouble(), number_at(guide, "flops_total")));

    const rapidjson::Value& detailed = document["detailed"];
    if (query.at("precision") == "int8") {
      CHECK(detailed.IsNull());
    } else {
      REQUIRE(detailed.IsObject());
      CHECK(close(detailed["peak"]["value"].GetDouble(), number_at(detailed, "nvidia_smi_bytes")));
      CHECK(close(number_at(detailed, "gpu_usable_bytes") - number_at(detailed, "nvidia_smi_bytes"),
                  number_at(detailed, "headroom_bytes")));
      CHECK(number_at(detailed, "peak_allocated_bytes") <= number_at(detailed, "peak_reserved_bytes"));
    }

    if (document.HasMember("time") && document["time"].IsObject()) {
      const rapidjson::Value& time = document["time"];
      CHECK(close(time["flops"]["value"].GetDouble(), number_at(time, "total_flops")));
      CHECK(close(time["step"]["value"].GetDouble(), number_at(time, "step_time_s")));
    }

    const rapidjson::Value& counts = document["model"]["counts"];
    CHECK(counts["active"].GetInt64() <= counts["total"].GetInt64());
    CHECK(counts["largest_layer"].GetInt64() <= counts["total"].GetInt64());
  }
  // Most draws are valid. A table change that made most of them invalid would leave little to check.
  CHECK(accepted >= table.count / 2);
}
