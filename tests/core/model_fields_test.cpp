// Custom-model key-value input and the JSON output of model results.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <set>
#include <string>
#include <vector>

#include "model_fields.h"
#include "model_json.h"
#include "presets.h"

using namespace gpuplan;

namespace {

ModelSpec read(const KeyValues& kv, FieldErrors& errors) {
  std::set<std::string> consumed;
  return read_model(kv, errors, consumed);
}

}  // namespace

TEST_CASE("Model key defaults to GPT-3 XL", "[model_fields]") {
  FieldErrors errors;
  const ModelSpec spec = read({}, errors);
  CHECK(errors.empty());
  CHECK(spec.id == "gpt3-xl-1.3b");
}

TEST_CASE("Preset with overridden fields", "[model_fields]") {
  FieldErrors errors;
  std::set<std::string> consumed;
  const ModelSpec spec =
      read_model({{"model", "llama-3-8b"}, {"layers", "16"}, {"seq_len", "512"}}, errors, consumed);
  CHECK(errors.empty());
  CHECK(spec.layers == 16);
  CHECK(spec.published_params == 0);
  CHECK(spec.name == "Llama 3 8B (modified)");
  // Half the layers: 16*218,112,000 + 1,050,673,152 + 4,096 = 4,540,469,248.
  CHECK(count_params(spec).total == 4540469248);
  CHECK(consumed == std::set<std::string>{"model", "layers"});
}

TEST_CASE("Custom model from fields", "[model_fields]") {
  FieldErrors errors;
  const ModelSpec spec = read({{"model", "custom"},
                               {"layers", "2"},
                               {"hidden", "64"},
                               {"heads", "4"},
                               {"intermediate", "128"},
                               {"vocab", "100"},
                               {"max_positions", "512"},
                               {"tied_embeddings", "1"}},
                              errors);
  CHECK(errors.empty());
  CHECK(spec.id == "custom");
  CHECK(spec.kv_heads == 4);  // defaults to heads
  // Layers 2*41,088 = 82,176; tied embedding 100*64 = 6,400; final norm 64.
  CHECK(count_params(spec).total == 88640);
}

TEST_CASE("Custom model missing fields", "[model_fields]") {
  FieldErrors errors;
  read({{"model", "custom"}, {"layers", "2"}}, errors);
  std::set<std::string> missing;
  for (const FieldError& error : errors) {
    CHECK(error.code == ErrorCode::missing);
    missing.insert(error.field);
  }
  CHECK(missing ==
        std::set<std::string>{"hidden", "heads", "vocab", "max_positions", "intermediate"});
}

TEST_CASE("Field errors name field and range", "[model_fields]") {
  struct BadCase {
    const char* key;
    const char* value;
    ErrorCode code;
  };
  const std::vector<BadCase> cases = {
      {"layers", "-3", ErrorCode::out_of_range},
      {"layers", "1001", ErrorCode::out_of_range},
      {"hidden", "abc", ErrorCode::not_a_number},
      {"heads", "2.5", ErrorCode::not_an_integer},
      {"mlp", "swiglu", ErrorCode::unknown_choice},
      {"tied_embeddings", "maybe", ErrorCode::unknown_choice},
      {"model", "gpt-5", ErrorCode::unknown_choice},
  };
  for (const BadCase& test : cases) {
    INFO("key " << test.key << " value " << test.value);
    FieldErrors errors;
    read({{test.key, test.value}}, errors);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].field == test.key);
    CHECK(errors[0].code == test.code);
    CHECK(errors[0].message.find(test.value) != std::string::npos);
  }

  FieldErrors errors;
  read({{"layers", "-3"}}, errors);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].min == 1);
  CHECK(errors[0].max == 1000);
}

TEST_CASE("Cross-field errors after parsing", "[model_fields]") {
  FieldErrors errors;
  read({{"model", "llama-3-8b"}, {"kv_heads", "5"}}, errors);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].field == "kv_heads");
  CHECK(errors[0].code == ErrorCode::unsupported);
}

TEST_CASE("Every preset round-trips", "[model_fields]") {
  for (const ModelSpec& preset : presets()) {
    INFO("preset " << preset.id);
    FieldErrors errors;
    const ModelSpec copy = read(model_key_values(preset), errors);
    CHECK(errors.empty());
    CHECK(count_params(copy).total == count_params(preset).total);
    CHECK(count_params(copy).active == count_params(preset).active);
    CHECK(copy.max_positions == preset.max_positions);
    CHECK(copy.position == preset.position);
  }
}

TEST_CASE("Model field table", "[model_fields]") {
  std::set<std::string> names;
  for (const FieldSpec& spec : model_fields()) {
    CHECK(names.insert(spec.name).second);
    CHECK(spec.group == "model");
  }
  // Every key written for a URL is a field the reader accepts.
  for (const auto& [key, value] : model_key_values(*find_preset("gpt2"))) {
    if (key == "model") continue;
    INFO("key " << key);
    CHECK(names.count(key) == 1);
  }
}

TEST_CASE("Breakdown JSON of a query", "[model_json]") {
  rapidjson::Document doc;
  doc.Parse(model_breakdown_json(R"({"model": "gpt2"})").c_str());
  REQUIRE(doc.IsObject());
  CHECK(doc["ok"].GetBool());
  CHECK(doc["counts"]["total"].GetInt64() == 124439808);
  CHECK(std::string(doc["breakdown"]["key"].GetString()) == "params");
  CHECK(doc["errors"].Size() == 0);

  doc.Parse(model_breakdown_json(R"({"model": "gpt2", "layers": "-3", "colour": "red"})").c_str());
  REQUIRE(doc.IsObject());
  CHECK_FALSE(doc["ok"].GetBool());
  REQUIRE(doc["errors"].Size() == 2);
  CHECK(std::string(doc["errors"][0]["code"].GetString()) == "out_of_range");
  CHECK(std::string(doc["errors"][1]["code"].GetString()) == "unknown_field");

  doc.Parse(model_breakdown_json("not json").c_str());
  REQUIRE(doc.IsObject());
  CHECK_FALSE(doc["ok"].GetBool());
  CHECK(doc["spec"].IsNull());
}

TEST_CASE("Preset list JSON", "[model_json]") {
  rapidjson::Document doc;
  doc.Parse(presets_json().c_str());
  REQUIRE(doc.IsArray());
  CHECK(doc.Size() == presets().size());
  const auto& first = doc[0];
  CHECK(std::string(first["id"].GetString()) == "gpt2");
  CHECK(first["params"].GetInt64() == 124439808);
  CHECK(first["max_positions"].GetInt64() == 1024);

  doc.Parse(preset_spec_json("no-such").c_str());
  CHECK_FALSE(doc["ok"].GetBool());
  CHECK(std::string(doc["errors"][0]["field"].GetString()) == "model");
}

TEST_CASE("Config JSON result", "[model_json]") {
  rapidjson::Document doc;
  doc.Parse(hf_config_json(R"({"model_type": "gpt2"})").c_str());
  REQUIRE(doc.IsObject());
  CHECK_FALSE(doc["ok"].GetBool());
  CHECK(doc["spec"].IsNull());
  CHECK(std::string(doc["errors"][0]["code"].GetString()) == "missing");
}
