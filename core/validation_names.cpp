// Device and module names as the measured cases spell them, mapped onto the
// GPU table and the LoRA target bits.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "gpus.h"
#include "validation_cases.h"

namespace gpuplan {
namespace {

// Lower-cases the name and drops vendor words and every character that is not
// a letter or digit: "Tesla V100-SXM2 16GB" becomes "v100sxm216gb".
std::string normalize_gpu_name(const std::string& name) {
  std::string text;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) text += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (const char* word : {"nvidia", "tesla", "geforce"}) {
    const std::string key = word;
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key)) text.erase(at, key.size());
  }
  return text;
}

bool contains(const std::string& text, const char* key) { return text.find(key) != std::string::npos; }

// One name pattern. Patterns are tried in order and the first key found in
// the normalized name wins, so a longer key ("a100") comes before its prefix ("a10").
struct GpuRule {
  const char* key;
  const char* gpu_id;
  const char* stand_in_note;  // nullptr when the row is this device
};

constexpr GpuRule kGpuRules[] = {
    {"h100pcie", "h100-pcie", nullptr},
    {"h100", "h100-sxm", nullptr},
    {"h800", "h800", nullptr},
    {"h200", "h200", nullptr},
    {"h20", "h20", nullptr},
    {"b200", "b200", nullptr},
    {"a800", "a800-80gb", nullptr},
    {"l40s", "l40s", nullptr},
    {"l40", "l40s", "L40 is not in the GPU table; the L40S row (same AD102 chip, 48 GB) stands in"},
    {"rtxa6000", "rtx-a6000", nullptr},
    {"rtxa4000", "rtx-a6000",
     "RTX A4000 is not in the GPU table; the RTX A6000 row (same Ampere generation) stands in"},
    {"a40", "rtx-a6000", "A40 is not in the GPU table; the RTX A6000 row (same GA102 chip, 48 GB) stands in"},
    {"a10g", "a10", "A10G (the AWS variant of the A10) is not in the GPU table; the A10 row stands in"},
    {"a10", "a10", nullptr},
    {"l4", "l4", nullptr},
    {"rtx4090d", "rtx-4090d", nullptr},
    {"rtx4090", "rtx-4090", nullptr},
    {"rtx3090", "rtx-3090", nullptr},
    {"rtx5090", "rtx-5090", nullptr},
    {"rtx3060", "rtx-3090",
     "RTX 3060 is not in the GPU table; the RTX 3090 row (same Ampere generation) stands in"},
    {"titanrtx", "t4",
     "TITAN RTX is not in the GPU table; the T4 row (same Turing generation, no bf16) stands in"},
    {"t4", "t4", nullptr},
    {"mi300x", "mi300x", nullptr},
};

// A100 and V100 come in two memory sizes: the name's "80GB"-style suffix
// decides, then the case's label.
GpuMatch match_memory_variant(const std::string& normalized, double memory_gb, const char* small_id,
                              const char* large_id, const char* small_key, const char* large_key,
                              double small_gb, double large_gb) {
  GpuMatch match;
  match.exact = true;
  if (contains(normalized, large_key) || memory_gb == large_gb) {
    match.gpu_id = large_id;
  } else if (contains(normalized, small_key) || memory_gb == small_gb) {
    match.gpu_id = small_id;
  } else {
    match.gpu_id = large_id;
    match.memory_known = false;
    match.note = "the name does not say which memory size; the " + std::string(large_id) + " row is used";
  }
  return match;
}

GpuMatch match_single_gpu_name(const std::string& name, double memory_gb) {
  const std::string normalized = normalize_gpu_name(name);
  if (contains(normalized, "a100")) {
    if (contains(normalized, "pcie") && (contains(normalized, "80g") || memory_gb == 80)) {
      return GpuMatch{"a100-pcie-80gb", true, true, ""};
    }
    return match_memory_variant(normalized, memory_gb, "a100-40gb", "a100-80gb", "40g", "80g", 40, 80);
  }
  if (contains(normalized, "v100")) {
    return match_memory_variant(normalized, memory_gb, "v100-16gb", "v100-32gb", "16g", "32g", 16, 32);
  }
  for (const GpuRule& rule : kGpuRules) {
    if (!contains(normalized, rule.key)) continue;
    GpuMatch match;
    match.gpu_id = rule.gpu_id;
    match.exact = rule.stand_in_note == nullptr;
    if (rule.stand_in_note != nullptr) match.note = rule.stand_in_note;
    return match;
  }
  return GpuMatch{};
}

// PEFT matches a target name against the end of each module path, so one
// name can hit several module kinds. Names here are the ones frameworks use
// for Llama-style, GPT-2, GPT-NeoX, BLOOM, Falcon, MPT, BERT, T5, Baichuan
// and torchtune models.
struct TargetRule {
  const char* name;
  unsigned bits;
};

constexpr unsigned kQkv = lora_q | lora_k | lora_v;

constexpr TargetRule kTargetRules[] = {
    {"q_proj", lora_q},          {"k_proj", lora_k},          {"v_proj", lora_v},
    {"o_proj", lora_o},          {"gate_proj", lora_gate},    {"up_proj", lora_up},
    {"down_proj", lora_down},    {"query", lora_q},           {"key", lora_k},
    {"value", lora_v},           {"q", lora_q},               {"k", lora_k},
    {"v", lora_v},               {"o", lora_o},               {"query_key_value", kQkv},
    {"W_pack", kQkv},            {"Wqkv", kQkv},              {"c_attn", kQkv},
    {"out_proj", lora_o},        {"output_proj", lora_o},     {"dense_h_to_4h", lora_up},
    {"dense_4h_to_h", lora_down}, {"fc1", lora_up},           {"fc2", lora_down},
    {"c_fc", lora_up},
    // GPT-2 and first-generation Qwen name both the attention output and the
    // MLP output projection c_proj.
    {"c_proj", lora_o | lora_down},
};

// Modules that the cases list when the embedding and output head were
// trained in full next to the adapters.
constexpr const char* kEmbeddingModules[] = {"embed_tokens", "lm_head", "wte", "word_embeddings"};

}  // namespace

GpuMatch match_gpu_name(const std::string& name, double memory_gb) {
  // "RTX 3090 or RTX 4090": usable when every alternative has the same memory.
  const std::string separator = " or ";
  const size_t split = name.find(separator);
  if (split != std::string::npos) {
    GpuMatch first = match_single_gpu_name(name.substr(0, split), memory_gb);
    GpuMatch second = match_single_gpu_name(name.substr(split + separator.size()), memory_gb);
    const GpuSpec* first_row = find_gpu(first.gpu_id);
    const GpuSpec* second_row = find_gpu(second.gpu_id);
    if (first_row == nullptr || second_row == nullptr || first_row->memory_bytes != second_row->memory_bytes) {
      return GpuMatch{};
    }
    first.exact = false;
    first.note = "the source names either of two GPUs with the same memory; the " + first.gpu_id + " row is used";
    return first;
  }
  return match_single_gpu_name(name, memory_gb);
}

std::optional<unsigned> map_lora_targets(const std::vector<std::string>& names, bool& train_embeddings,
                                         std::string& unknown_name) {
  // w1/w2/w3 mean gate/down/up in Meta's Llama code (torchtune, Mixtral),
  // but two halves of the gated MLP input in first-generation Qwen, whose
  // attention module is c_attn.
  const bool qwen1_naming = std::find(names.begin(), names.end(), "c_attn") != names.end();
  unsigned bits = 0;
  train_embeddings = false;
  for (const std::string& name : names) {
    if (name == "all-linear") {
      bits |= lora_all_linear;
      continue;
    }
    if (std::find_if(std::begin(kEmbeddingModules), std::end(kEmbeddingModules),
                     [&](const char* module) { return name == module; }) != std::end(kEmbeddingModules)) {
      train_embeddings = true;
      continue;
    }
    if (name == "w1" || name == "w2" || name == "w3") {
      if (qwen1_naming) {
        bits |= lora_gate | lora_up;
      } else {
        bits |= name == "w1" ? lora_gate : (name == "w2" ? lora_down : lora_up);
      }
      continue;
    }
    const TargetRule* rule = std::find_if(std::begin(kTargetRules), std::end(kTargetRules),
                                          [&](const TargetRule& entry) { return name == entry.name; });
    if (rule == std::end(kTargetRules)) {
      unknown_name = name;
      return std::nullopt;
    }
    bits |= rule->bits;
  }
  return bits;
}

}  // namespace gpuplan
