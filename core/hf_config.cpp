// config.json import. Key names and defaults follow the configuration classes
// of Hugging Face Transformers (configuration_llama.py, configuration_gpt2.py,
// ...) and, for remote-code models, the configuration files published with
// the checkpoints (configuration_chatglm.py, configuration_internlm2.py,
// configuration_baichuan.py).
#include "hf_config.h"

#include <cmath>
#include <initializer_list>
#include <string>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace gpuplan {
namespace {

// Largest integer accepted from a config before validate_model's own ranges apply.
constexpr double kMaxConfigInteger = 1e12;

std::string json_text(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

FieldError config_error(ErrorCode code, const std::string& field, const std::string& value,
                        const std::string& message) {
  FieldError error;
  error.field = field;
  error.code = code;
  error.value = truncate_for_message(value);
  error.message = message;
  return error;
}

// Renames a validate_model error from the model field to the config.json key
// that set it, so the message names the key the user wrote. The first listed
// key present in the config wins; an error on another field keeps its name.
void name_config_key(const rapidjson::Value& config, FieldError& error) {
  struct Keys {
    const char* field;
    std::initializer_list<const char*> keys;
  };
  static const Keys kKeys[] = {
      {"layers", {"num_hidden_layers", "n_layer", "num_layers"}},
      {"hidden", {"hidden_size", "n_embd", "d_model"}},
      {"heads", {"num_attention_heads", "n_head"}},
      {"kv_heads", {"num_key_value_heads", "multi_query_group_num"}},
      {"intermediate", {"intermediate_size", "ffn_hidden_size", "n_inner"}},
      {"vocab", {"vocab_size", "padded_vocab_size"}},
      {"max_positions", {"max_position_embeddings", "n_positions", "seq_length"}},
      {"head_dim", {"head_dim"}},
      {"experts", {"num_local_experts", "num_experts", "n_routed_experts"}},
      {"experts_per_token", {"num_experts_per_tok", "moe_topk"}},
      {"expert_intermediate", {"moe_intermediate_size"}},
  };
  for (const Keys& entry : kKeys) {
    if (error.field != entry.field) continue;
    for (const char* key : entry.keys) {
      auto member = config.FindMember(key);
      if (member == config.MemberEnd() || member->value.IsNull()) continue;
      const std::string prefix = error.field + ": ";
      if (error.message.compare(0, prefix.size(), prefix) == 0) {
        error.message = std::string(key) + ": " + error.message.substr(prefix.size());
      }
      error.field = key;
      return;
    }
    return;
  }
}

// Reads typed values from the config object, reporting errors by JSON key.
class ConfigReader {
 public:
  ConfigReader(const rapidjson::Value& config, FieldErrors& errors)
      : config_(config), errors_(errors) {}

  // True when the key is present and not null.
  bool has(const char* key) const {
    auto member = config_.FindMember(key);
    return member != config_.MemberEnd() && !member->value.IsNull();
  }

  // The first of keys that is present. Records a missing error naming all of
  // them and the meaning when none is.
  std::optional<int64_t> required(std::initializer_list<const char*> keys, const char* meaning) {
    for (const char* key : keys) {
      if (has(key)) return integer(key);
    }
    std::string names;
    for (const char* key : keys) {
      if (!names.empty()) names += " or ";
      names += "\"" + std::string(key) + "\"";
    }
    FieldError error = config_error(ErrorCode::missing, *keys.begin(), "",
                                    std::string(*keys.begin()) + ": missing: config.json has no " +
                                        names + " key (expected " + meaning + ")");
    errors_.push_back(std::move(error));
    return std::nullopt;
  }

  // The value of key, or fallback when it is absent or null.
  int64_t optional(const char* key, int64_t fallback) {
    if (!has(key)) return fallback;
    return integer(key).value_or(fallback);
  }

  bool flag(const char* key, bool fallback) {
    if (!has(key)) return fallback;
    const rapidjson::Value& value = config_[key];
    if (value.IsBool()) return value.GetBool();
    errors_.push_back(make_unknown_choice(key, json_text(value), {"true", "false"}));
    return fallback;
  }

  std::string text(const char* key) const {
    if (!has(key) || !config_[key].IsString()) return "";
    return config_[key].GetString();
  }

  // True when key contains a non-empty array (e.g. Qwen-MoE mlp_only_layers).
  bool non_empty_array(const char* key) const {
    return has(key) && config_[key].IsArray() && !config_[key].Empty();
  }

  void unsupported(const char* key, const std::string& reason) {
    const std::string value = has(key) ? json_text(config_[key]) : "";
    errors_.push_back(make_unsupported(key, value, reason));
  }

 private:
  std::optional<int64_t> integer(const char* key) {
    const rapidjson::Value& value = config_[key];
    const std::string value_text = json_text(value);
    if (!value.IsNumber()) {
      errors_.push_back(make_not_a_number(key, value_text));
      return std::nullopt;
    }
    const double number = value.GetDouble();
    if (value.IsDouble() && number != std::floor(number)) {
      errors_.push_back(make_not_an_integer(key, value_text));
      return std::nullopt;
    }
    if (number < 0 || number > kMaxConfigInteger) {
      errors_.push_back(make_out_of_range(key, value_text, 0, kMaxConfigInteger));
      return std::nullopt;
    }
    return value.IsInt64() ? value.GetInt64() : static_cast<int64_t>(number);
  }

  const rapidjson::Value& config_;
  FieldErrors& errors_;
};

// Fields shared by every Llama-derived config (llama, mistral, qwen2, gemma, phi3, ...).
void read_llama_core(ConfigReader& reader, ModelSpec& spec, bool tied_default) {
  spec.layers = reader.required({"num_hidden_layers"}, "the number of transformer layers").value_or(0);
  spec.hidden = reader.required({"hidden_size"}, "the model width").value_or(0);
  spec.heads = reader.required({"num_attention_heads"}, "the number of attention heads").value_or(0);
  // Transformers uses multi-head attention when num_key_value_heads is absent.
  spec.kv_heads = reader.optional("num_key_value_heads", spec.heads);
  spec.head_dim = reader.optional("head_dim", 0);
  spec.intermediate = reader.required({"intermediate_size"}, "the MLP width").value_or(0);
  spec.vocab = reader.required({"vocab_size"}, "the vocabulary size").value_or(0);
  spec.max_positions =
      reader.required({"max_position_embeddings"}, "the maximum sequence length").value_or(0);
  spec.tied_embeddings = reader.flag("tie_word_embeddings", tied_default);
}

// attention_bias in LlamaConfig adds a bias to q, k, v and o; only the q/k/v
// form (qkv_bias) and the all-linear form (linear_bias) are modelled.
void reject_attention_bias(ConfigReader& reader, const char* key) {
  if (reader.flag(key, false)) {
    reader.unsupported(key, "a bias on the attention output projection alone is not modelled");
  }
}

void read_moe_common(ConfigReader& reader, ModelSpec& spec, const char* experts_key) {
  spec.experts = reader.required({experts_key}, "the number of routed experts").value_or(0);
  spec.experts_per_token =
      reader.required({"num_experts_per_tok"}, "the number of experts per token").value_or(0);
}

void read_qwen_moe(ConfigReader& reader, ModelSpec& spec) {
  read_moe_common(reader, spec, "num_experts");
  spec.expert_intermediate =
      reader.required({"moe_intermediate_size"}, "the width of one expert").value_or(0);
  if (reader.optional("decoder_sparse_step", 1) != 1) {
    reader.unsupported("decoder_sparse_step", "only every layer being MoE (1) is supported");
  }
  if (reader.non_empty_array("mlp_only_layers")) {
    reader.unsupported("mlp_only_layers", "dense layers inside a MoE stack are not supported");
  }
}

void read_deepseek(ConfigReader& reader, ModelSpec& spec, bool v3) {
  read_llama_core(reader, spec, false);
  spec.kv_heads = spec.heads;  // MLA has no grouped key/value heads
  spec.attention_type = AttentionKind::mla;
  spec.q_lora_rank = reader.optional("q_lora_rank", 0);  // null: plain q projection
  spec.kv_lora_rank = reader.required({"kv_lora_rank"}, "the latent key/value rank").value_or(0);
  spec.qk_nope_head_dim =
      reader.required({"qk_nope_head_dim"}, "the non-rotary query/key head size").value_or(0);
  spec.qk_rope_head_dim =
      reader.required({"qk_rope_head_dim"}, "the rotary query/key head size").value_or(0);
  spec.v_head_dim = reader.required({"v_head_dim"}, "the value head size").value_or(0);
  reject_attention_bias(reader, "attention_bias");

  // n_routed_experts null means a dense model.
  if (!reader.has("n_routed_experts")) return;
  read_moe_common(reader, spec, "n_routed_experts");
  spec.expert_intermediate =
      reader.required({"moe_intermediate_size"}, "the width of one expert").value_or(0);
  spec.shared_experts = reader.optional("n_shared_experts", 0);
  spec.first_dense_layers = reader.optional("first_k_dense_replace", 0);
  spec.moe_layer_interval = reader.optional("moe_layer_freq", 1);
  // DeepSeek-V3's router keeps e_score_correction_bias, one value per expert.
  spec.router_bias = v3;
}

void read_gpt2(ConfigReader& reader, ModelSpec& spec) {
  spec.layers = reader.required({"n_layer", "num_hidden_layers"}, "the number of layers").value_or(0);
  spec.hidden = reader.required({"n_embd", "hidden_size"}, "the model width").value_or(0);
  spec.heads = reader.required({"n_head", "num_attention_heads"}, "the number of heads").value_or(0);
  spec.kv_heads = spec.heads;
  // n_inner null means 4 * n_embd (GPT2MLP).
  spec.intermediate = reader.optional("n_inner", 4 * spec.hidden);
  spec.vocab = reader.required({"vocab_size"}, "the vocabulary size").value_or(0);
  spec.max_positions =
      reader.required({"n_positions", "max_position_embeddings"}, "the context length").value_or(0);
  spec.mlp = MlpKind::plain;
  spec.norm = NormKind::layernorm;
  spec.norm_bias = true;
  spec.linear_bias = true;
  spec.position = PositionKind::learned;
  spec.tied_embeddings = true;  // GPT2LMHeadModel always ties lm_head to wte
}

void read_gpt_neox(ConfigReader& reader, ModelSpec& spec) {
  read_llama_core(reader, spec, false);
  spec.kv_heads = spec.heads;
  spec.mlp = MlpKind::plain;
  spec.norm = NormKind::layernorm;
  spec.norm_bias = true;
  spec.linear_bias = true;
  if (!reader.flag("attention_bias", true)) {
    reader.unsupported("attention_bias", "GPT-NeoX without attention biases is not modelled");
  }
}

void read_bert(ConfigReader& reader, ModelSpec& spec) {
  read_llama_core(reader, spec, false);
  spec.family = Family::encoder;
  spec.kv_heads = spec.heads;
  spec.mlp = MlpKind::plain;
  spec.norm = NormKind::layernorm;
  spec.norm_bias = true;
  spec.linear_bias = true;
  spec.position = PositionKind::learned;
  spec.type_vocab = reader.optional("type_vocab_size", 2);
  spec.pooler = true;  // BertModel adds the pooler by default
  spec.tied_embeddings = false;
}

// THUDM ChatGLM2/3 and GLM-4 remote-code configs (model_type chatglm).
void read_chatglm(ConfigReader& reader, ModelSpec& spec) {
  spec.layers = reader.required({"num_layers", "num_hidden_layers"}, "the number of layers").value_or(0);
  spec.hidden = reader.required({"hidden_size"}, "the model width").value_or(0);
  spec.heads = reader.required({"num_attention_heads"}, "the number of heads").value_or(0);
  spec.kv_heads = spec.heads;
  if (reader.flag("multi_query_attention", false)) {
    spec.kv_heads = reader.required({"multi_query_group_num"}, "the number of key/value groups").value_or(0);
  }
  spec.head_dim = reader.optional("kv_channels", 0);
  spec.intermediate = reader.required({"ffn_hidden_size"}, "the MLP width").value_or(0);
  spec.vocab = reader.required({"padded_vocab_size", "vocab_size"}, "the vocabulary size").value_or(0);
  spec.max_positions = reader.required({"seq_length"}, "the maximum sequence length").value_or(0);
  spec.qkv_bias = reader.flag("add_qkv_bias", false);
  spec.tied_embeddings = reader.flag("tie_word_embeddings", false);
  if (!reader.flag("rmsnorm", true)) {
    spec.norm = NormKind::layernorm;
    spec.norm_bias = true;
  }
  if (reader.flag("add_bias_linear", false)) {
    reader.unsupported("add_bias_linear", "biases on the output and MLP projections are not modelled");
  }
  if (!reader.flag("post_layer_norm", true)) {
    reader.unsupported("post_layer_norm", "a model without a final norm is not modelled");
  }
}

// Transformers-native GLM (model_type glm: GLM-4 converted; glm4: GLM-4-0414
// with two extra norms per layer). q, k, v carry attention_bias; o has none.
void read_glm(ConfigReader& reader, ModelSpec& spec, bool glm4) {
  read_llama_core(reader, spec, false);
  spec.qkv_bias = reader.flag("attention_bias", true);
  if (glm4) spec.norms_per_layer = 4;
}

void read_internlm2(ConfigReader& reader, ModelSpec& spec) {
  read_llama_core(reader, spec, false);
  reject_attention_bias(reader, "bias");
}

// Baichuan and Baichuan 2 remote-code configs.
// NOTE: neither config names the position scheme. The 13B models use ALiBi
// and their configs carry only model_max_length; the 7B models use rotary
// positions and carry max_position_embeddings. Positions hold no parameters,
// so the count is exact either way.
void read_baichuan(ConfigReader& reader, ModelSpec& spec) {
  spec.layers = reader.required({"num_hidden_layers"}, "the number of layers").value_or(0);
  spec.hidden = reader.required({"hidden_size"}, "the model width").value_or(0);
  spec.heads = reader.required({"num_attention_heads"}, "the number of heads").value_or(0);
  spec.kv_heads = spec.heads;
  spec.intermediate = reader.required({"intermediate_size"}, "the MLP width").value_or(0);
  spec.vocab = reader.required({"vocab_size"}, "the vocabulary size").value_or(0);
  spec.tied_embeddings = reader.flag("tie_word_embeddings", false);
  if (reader.has("max_position_embeddings")) {
    spec.max_positions = reader.optional("max_position_embeddings", 0);
  } else {
    spec.position = PositionKind::alibi;
    spec.max_positions =
        reader.required({"model_max_length"}, "the maximum sequence length").value_or(0);
  }
}

// Fills spec from config according to model_type; returns false for an
// unknown model_type.
bool read_by_type(const std::string& type, ConfigReader& reader, ModelSpec& spec) {
  if (type == "llama" || type == "mistral" || type == "phi3") {
    read_llama_core(reader, spec, false);
    reject_attention_bias(reader, "attention_bias");
  } else if (type == "mixtral") {
    read_llama_core(reader, spec, false);
    read_moe_common(reader, spec, "num_local_experts");
    spec.expert_intermediate = spec.intermediate;
  } else if (type == "qwen2") {
    read_llama_core(reader, spec, false);
    spec.qkv_bias = true;
  } else if (type == "qwen2_moe") {
    read_llama_core(reader, spec, false);
    spec.qkv_bias = true;
    read_qwen_moe(reader, spec);
    spec.shared_expert_intermediate = reader.optional("shared_expert_intermediate_size", 0);
    spec.shared_expert_gate = spec.shared_expert_intermediate > 0;
  } else if (type == "qwen3" || type == "qwen3_moe") {
    read_llama_core(reader, spec, false);
    spec.qk_norm = true;
    reject_attention_bias(reader, "attention_bias");
    if (type == "qwen3_moe") read_qwen_moe(reader, spec);
  } else if (type == "gemma" || type == "gemma2") {
    read_llama_core(reader, spec, true);
    if (type == "gemma2") spec.norms_per_layer = 4;
    reject_attention_bias(reader, "attention_bias");
  } else if (type == "gpt2") {
    read_gpt2(reader, spec);
  } else if (type == "gpt_neox") {
    read_gpt_neox(reader, spec);
  } else if (type == "bert") {
    read_bert(reader, spec);
  } else if (type == "deepseek_v2" || type == "deepseek_v3") {
    read_deepseek(reader, spec, type == "deepseek_v3");
  } else if (type == "chatglm") {
    read_chatglm(reader, spec);
  } else if (type == "glm" || type == "glm4") {
    read_glm(reader, spec, type == "glm4");
  } else if (type == "internlm2") {
    read_internlm2(reader, spec);
  } else if (type == "baichuan") {
    read_baichuan(reader, spec);
  } else {
    return false;
  }
  return true;
}

}  // namespace

const std::vector<std::string>& supported_model_types() {
  static const std::vector<std::string> types = {
      "baichuan", "bert",      "chatglm",  "deepseek_v2", "deepseek_v3", "gemma",
      "gemma2",   "glm",       "glm4",     "gpt2",        "gpt_neox",    "internlm2",
      "llama",    "mistral",   "mixtral",  "phi3",        "qwen2",       "qwen2_moe",
      "qwen3",    "qwen3_moe",
  };
  return types;
}

std::optional<ModelSpec> parse_hf_config(const std::string& text, FieldErrors& errors) {
  if (text.size() > kMaxHfConfigBytes) {
    FieldError error = config_error(
        ErrorCode::too_large, "config", std::to_string(text.size()),
        "config: the text is " + std::to_string(text.size()) + " bytes, over the limit of " +
            std::to_string(kMaxHfConfigBytes) + " bytes (1 MiB); upload the model's config.json");
    error.max = static_cast<double>(kMaxHfConfigBytes);
    errors.push_back(std::move(error));
    return std::nullopt;
  }

  rapidjson::Document document;
  document.Parse(text.data(), text.size());
  if (document.HasParseError()) {
    const std::string offset = std::to_string(document.GetErrorOffset());
    errors.push_back(config_error(ErrorCode::invalid_json, "config", offset,
                                  "config: invalid JSON at byte offset " + offset + ": " +
                                      rapidjson::GetParseError_En(document.GetParseError())));
    return std::nullopt;
  }
  if (!document.IsObject()) {
    errors.push_back(config_error(ErrorCode::invalid_json, "config", "",
                                  "config: expected a JSON object such as the contents of config.json"));
    return std::nullopt;
  }

  // Multimodal checkpoints keep the language model's shape in text_config.
  const rapidjson::Value* config = &document;
  auto text_config = document.FindMember("text_config");
  if (text_config != document.MemberEnd() && text_config->value.IsObject()) {
    config = &text_config->value;
  }

  std::string type;
  for (const rapidjson::Value* source : {config, static_cast<const rapidjson::Value*>(&document)}) {
    auto member = source->FindMember("model_type");
    if (member != source->MemberEnd() && member->value.IsString()) {
      type = member->value.GetString();
      break;
    }
  }
  if (type.empty()) {
    errors.push_back(config_error(ErrorCode::missing, "model_type", "",
                                  "model_type: missing: config.json has no \"model_type\" key "
                                  "(expected the architecture, such as \"llama\")"));
    return std::nullopt;
  }

  const size_t errors_before = errors.size();
  ConfigReader reader(*config, errors);
  ModelSpec spec;
  spec.id = "custom";
  if (!read_by_type(type, reader, spec)) {
    errors.push_back(make_unknown_choice("model_type", type, supported_model_types()));
    return std::nullopt;
  }
  ConfigReader root_reader(document, errors);
  spec.name = root_reader.text("_name_or_path");
  if (spec.name.empty()) spec.name = "config.json (" + type + ")";
  spec.hf_id = root_reader.text("_name_or_path");
  if (errors.size() != errors_before) return std::nullopt;

  FieldErrors shape_errors = validate_model(spec);
  if (!shape_errors.empty()) {
    for (FieldError& error : shape_errors) name_config_key(document, error);
    errors.insert(errors.end(), shape_errors.begin(), shape_errors.end());
    return std::nullopt;
  }
  return spec;
}

}  // namespace gpuplan
