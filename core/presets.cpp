// The preset table. Each row names the config.json it was read from; the
// Hugging Face repository is the row's hf_id unless the comment names another
// one. published_params is set only where an exact published total was
// found: the safetensors index "total_size" divided by 2 for bf16
// checkpoints, the num_parameters() of the loaded Transformers model, or
// another exact count named in the row's comment. Rows without one keep 0
// (not verified).
#include "presets.h"

#include <utility>

namespace gpuplan {
namespace {

// A Llama-style decoder: gated SiLU MLP, RMSNorm without bias, rotary
// positions, no linear biases.
ModelSpec llama_like(const char* id, const char* name, const char* hf_id, const char* series,
                     int64_t layers, int64_t hidden, int64_t heads, int64_t kv_heads,
                     int64_t intermediate, int64_t vocab, int64_t max_positions, bool tied) {
  ModelSpec spec;
  spec.id = id;
  spec.name = name;
  spec.hf_id = hf_id;
  spec.series = series;
  spec.layers = layers;
  spec.hidden = hidden;
  spec.heads = heads;
  spec.kv_heads = kv_heads;
  spec.intermediate = intermediate;
  spec.vocab = vocab;
  spec.max_positions = max_positions;
  spec.tied_embeddings = tied;
  return spec;
}

// A GPT-2-style decoder: plain GELU MLP of width 4 * hidden, LayerNorm with
// bias, a bias on every linear layer, learned positions, tied LM head.
ModelSpec gpt2_like(const char* id, const char* name, const char* hf_id, const char* series,
                    int64_t layers, int64_t hidden, int64_t heads, int64_t vocab,
                    int64_t max_positions) {
  ModelSpec spec = llama_like(id, name, hf_id, series, layers, hidden, heads, heads, 4 * hidden,
                              vocab, max_positions, true);
  spec.mlp = MlpKind::plain;
  spec.norm = NormKind::layernorm;
  spec.norm_bias = true;
  spec.linear_bias = true;
  spec.position = PositionKind::learned;
  return spec;
}

// A BERT encoder (BertModel): GPT-2-style layers in post-norm order, token
// type embeddings, an embedding LayerNorm and a pooler; no LM head.
ModelSpec bert_like(const char* id, const char* name, const char* hf_id, int64_t layers,
                    int64_t hidden, int64_t heads, int64_t intermediate, int64_t vocab,
                    int64_t max_positions, int64_t type_vocab) {
  ModelSpec spec = gpt2_like(id, name, hf_id, "BERT", layers, hidden, heads, vocab, max_positions);
  spec.family = Family::encoder;
  spec.intermediate = intermediate;
  spec.tied_embeddings = false;
  spec.type_vocab = type_vocab;
  spec.pooler = true;
  return spec;
}

// Qwen2/Qwen2.5: Llama-style with a bias on q, k and v.
ModelSpec qwen2(const char* id, const char* name, const char* hf_id, int64_t layers,
                int64_t hidden, int64_t heads, int64_t kv_heads, int64_t intermediate,
                int64_t vocab, int64_t max_positions, bool tied) {
  ModelSpec spec = llama_like(id, name, hf_id, "Qwen2.5", layers, hidden, heads, kv_heads,
                              intermediate, vocab, max_positions, tied);
  spec.qkv_bias = true;
  return spec;
}

// Qwen3 dense: Llama-style with head_dim 128 and q/k RMSNorm.
ModelSpec qwen3(const char* id, const char* name, const char* hf_id, int64_t layers,
                int64_t hidden, int64_t heads, int64_t kv_heads, int64_t intermediate, bool tied) {
  ModelSpec spec = llama_like(id, name, hf_id, "Qwen3", layers, hidden, heads, kv_heads,
                              intermediate, 151936, 40960, tied);
  spec.head_dim = 128;
  spec.qk_norm = true;
  return spec;
}

// Qwen3-MoE: every layer is MoE (decoder_sparse_step 1, mlp_only_layers []),
// no shared expert, untied.
ModelSpec qwen3_moe(const char* id, const char* name, const char* hf_id, int64_t layers,
                    int64_t hidden, int64_t heads, int64_t kv_heads, int64_t expert_intermediate) {
  ModelSpec spec = qwen3(id, name, hf_id, layers, hidden, heads, kv_heads, 0, false);
  spec.experts = 128;
  spec.experts_per_token = 8;
  spec.expert_intermediate = expert_intermediate;
  return spec;
}

// Mixtral: Llama-style attention, every layer MoE with top-2 of 8 experts.
ModelSpec mixtral(const char* id, const char* name, const char* hf_id, int64_t layers,
                  int64_t hidden, int64_t heads, int64_t intermediate, int64_t max_positions) {
  ModelSpec spec = llama_like(id, name, hf_id, "Mistral", layers, hidden, heads, 8, 0, 32000,
                              max_positions, false);
  spec.experts = 8;
  spec.experts_per_token = 2;
  spec.expert_intermediate = intermediate;
  return spec;
}

// Gemma 2: GeGLU MLP, four RMSNorms per layer, tied embeddings, vocab 256000.
ModelSpec gemma2(const char* id, const char* name, const char* hf_id, int64_t layers,
                 int64_t hidden, int64_t heads, int64_t kv_heads, int64_t head_dim,
                 int64_t intermediate) {
  ModelSpec spec = llama_like(id, name, hf_id, "Gemma 2", layers, hidden, heads, kv_heads,
                              intermediate, 256000, 8192, true);
  spec.head_dim = head_dim;
  spec.norms_per_layer = 4;
  return spec;
}

// DeepSeek-V2/V3: MLA attention, first_k_dense_replace dense layers, then MoE
// layers with shared experts.
ModelSpec deepseek(const char* id, const char* name, const char* hf_id, int64_t layers,
                   int64_t hidden, int64_t heads, int64_t intermediate, int64_t vocab) {
  ModelSpec spec = llama_like(id, name, hf_id, "DeepSeek", layers, hidden, heads, heads,
                              intermediate, vocab, 163840, false);
  spec.attention_type = AttentionKind::mla;
  spec.kv_lora_rank = 512;
  spec.qk_nope_head_dim = 128;
  spec.qk_rope_head_dim = 64;
  spec.v_head_dim = 128;
  return spec;
}

std::vector<ModelSpec> build_presets() {
  std::vector<ModelSpec> table;

  // GPT-2, config.json of openai-community/gpt2, gpt2-medium, gpt2-large, gpt2-xl.
  table.push_back(gpt2_like("gpt2", "GPT-2 (124M)", "openai-community/gpt2", "GPT-2", 12, 768, 12,
                            50257, 1024));
  // 124,439,808: GPT2LMHeadModel.num_parameters() as reported by Transformers users.
  table.back().published_params = 124439808;
  table.push_back(gpt2_like("gpt2-medium", "GPT-2 Medium (355M)", "openai-community/gpt2-medium",
                            "GPT-2", 24, 1024, 16, 50257, 1024));
  table.back().published_params = 354823168;  // "params" of KerasHub's gpt2_medium_en preset
  table.push_back(gpt2_like("gpt2-large", "GPT-2 Large (774M)", "openai-community/gpt2-large",
                            "GPT-2", 36, 1280, 20, 50257, 1024));
  table.back().published_params = 774030080;  // "params" of KerasHub's gpt2_large_en preset
  table.push_back(gpt2_like("gpt2-xl", "GPT-2 XL (1.5B)", "openai-community/gpt2-xl", "GPT-2", 48,
                            1600, 25, 50257, 1024));
  table.back().published_params = 1557611200;  // GPT2LMHeadModel.num_parameters()

  // GPT-3 shapes from Brown et al. 2020, "Language Models are Few-Shot
  // Learners", Table 2.1 (n_layers, d_model, n_heads, context 2048) with the
  // GPT-2 vocabulary of 50257. No weights are published, so hf_id is empty.
  // NOTE: modelled as GPT-2 blocks with dense attention; GPT-3 alternates
  // dense and locally banded sparse attention, which has the same parameters.
  // The paper gives only rounded totals (1.3B, 175.0B), so published_params stays 0.
  table.push_back(gpt2_like("gpt3-xl-1.3b", "GPT-3 XL (1.3B)", "", "GPT-3", 24, 2048, 16, 50257,
                            2048));
  table.push_back(gpt2_like("gpt3-175b", "GPT-3 (175B)", "", "GPT-3", 96, 12288, 96, 50257, 2048));

  // BERT, config.json of google-bert/bert-base-uncased and bert-large-uncased.
  table.push_back(bert_like("bert-base-uncased", "BERT base (uncased)",
                            "google-bert/bert-base-uncased", 12, 768, 12, 3072, 30522, 512, 2));
  table.back().published_params = 109482240;  // BertModel.num_parameters(), pooler included
  table.push_back(bert_like("bert-large-uncased", "BERT large (uncased)",
                            "google-bert/bert-large-uncased", 24, 1024, 16, 4096, 30522, 512, 2));
  table.back().published_params = 335141888;  // BertModel.num_parameters(), pooler included

  // Llama 2, config.json of meta-llama/Llama-2-{7b,13b,70b}-hf.
  table.push_back(llama_like("llama-2-7b", "Llama 2 7B", "meta-llama/Llama-2-7b-hf", "Llama 2", 32,
                             4096, 32, 32, 11008, 32000, 4096, false));
  // Index total_size 13,476,839,424 bytes includes 32 rotary inv_freq buffers
  // of 64 fp32 values (8,192 bytes): (13,476,839,424 - 8,192) / 2.
  table.back().published_params = 6738415616;
  // 13B and 70B: the parameter table of Together's Python client
  // (model_param_count) lists 13,015,864,320 and 68,976,648,192. The Hugging
  // Face API safetensors.total is larger by the rotary inv_freq buffers of 64
  // values per layer: 13,015,866,880 (40 layers) and 68,976,653,312 (80 layers).
  table.push_back(llama_like("llama-2-13b", "Llama 2 13B", "meta-llama/Llama-2-13b-hf", "Llama 2",
                             40, 5120, 40, 40, 13824, 32000, 4096, false));
  table.back().published_params = 13015864320;
  table.push_back(llama_like("llama-2-70b", "Llama 2 70B", "meta-llama/Llama-2-70b-hf", "Llama 2",
                             80, 8192, 64, 8, 28672, 32000, 4096, false));
  table.back().published_params = 68976648192;

  // Llama 3.x, config.json of meta-llama/Meta-Llama-3-{8B,70B},
  // Llama-3.1-{8B,70B,405B} and Llama-3.2-{1B,3B}.
  ModelSpec llama32_1b = llama_like("llama-3.2-1b", "Llama 3.2 1B", "meta-llama/Llama-3.2-1B",
                                    "Llama 3", 16, 2048, 32, 8, 8192, 128256, 131072, true);
  llama32_1b.head_dim = 64;
  llama32_1b.published_params = 1235814400;  // LlamaForCausalLM.num_parameters()
  table.push_back(llama32_1b);
  ModelSpec llama32_3b = llama_like("llama-3.2-3b", "Llama 3.2 3B", "meta-llama/Llama-3.2-3B",
                                    "Llama 3", 28, 3072, 24, 8, 8192, 128256, 131072, true);
  llama32_3b.head_dim = 128;
  llama32_3b.published_params = 3212749824;  // bf16 weights of 6,425,499,648 bytes / 2
  table.push_back(llama32_3b);
  table.push_back(llama_like("llama-3-8b", "Llama 3 8B", "meta-llama/Meta-Llama-3-8B", "Llama 3",
                             32, 4096, 32, 8, 14336, 128256, 8192, false));
  table.back().published_params = 8030261248;  // index total_size 16,060,522,496 / 2
  table.push_back(llama_like("llama-3.1-8b", "Llama 3.1 8B", "meta-llama/Llama-3.1-8B", "Llama 3",
                             32, 4096, 32, 8, 14336, 128256, 131072, false));
  table.back().published_params = 8030261248;  // Hugging Face API safetensors.total
  // NOTE: no published total was found for Meta-Llama-3-70B itself. Its
  // tensor shapes equal Llama 3.1 70B's, whose total (70,553,706,496) this
  // row's count matches, but that is not a source for this checkpoint.
  table.push_back(llama_like("llama-3-70b", "Llama 3 70B", "meta-llama/Meta-Llama-3-70B",
                             "Llama 3", 80, 8192, 64, 8, 28672, 128256, 8192, false));
  table.push_back(llama_like("llama-3.1-70b", "Llama 3.1 70B", "meta-llama/Llama-3.1-70B",
                             "Llama 3", 80, 8192, 64, 8, 28672, 128256, 131072, false));
  table.back().published_params = 70553706496;  // index total_size 141,107,412,992 / 2
  table.push_back(llama_like("llama-3.1-405b", "Llama 3.1 405B", "meta-llama/Llama-3.1-405B",
                             "Llama 3", 126, 16384, 128, 8, 53248, 128256, 131072, false));
  table.back().published_params = 405853388800;  // Hugging Face API safetensors.total

  // Mistral, config.json of mistralai/Mistral-7B-v0.1, Mixtral-8x7B-v0.1
  // and Mixtral-8x22B-v0.1.
  table.push_back(llama_like("mistral-7b", "Mistral 7B v0.1", "mistralai/Mistral-7B-v0.1",
                             "Mistral", 32, 4096, 32, 8, 14336, 32000, 32768, false));
  // Index total_size 14,483,464,192 / 2 of Mistral-7B-Instruct-v0.2, whose
  // tensor shapes equal v0.1's (only rope_theta and the sliding window changed).
  table.back().published_params = 7241732096;
  table.push_back(mixtral("mixtral-8x7b", "Mixtral 8x7B", "mistralai/Mixtral-8x7B-v0.1", 32, 4096,
                          32, 14336, 32768));
  table.back().published_params = 46702792704;  // index total_size 93,405,585,408 / 2
  table.push_back(mixtral("mixtral-8x22b", "Mixtral 8x22B", "mistralai/Mixtral-8x22B-v0.1", 56,
                          6144, 48, 16384, 65536));
  // Tensor payload of the 59 bf16 safetensors shards, 281,241,268,224 bytes, / 2.
  table.back().published_params = 140620634112;

  // Qwen2.5, config.json of Qwen/Qwen2.5-{0.5B,...,72B}. max_positions is
  // the context length on each model card (32K up to 3B, 128K from 7B).
  // 0.5B and 1.5B: bf16 parameter_count from huggingface_hub's
  // get_safetensors_metadata for the -Instruct checkpoints, whose tensor
  // shapes equal the base models'.
  table.push_back(qwen2("qwen2.5-0.5b", "Qwen2.5 0.5B", "Qwen/Qwen2.5-0.5B", 24, 896, 14, 2, 4864,
                        151936, 32768, true));
  table.back().published_params = 494032768;
  table.push_back(qwen2("qwen2.5-1.5b", "Qwen2.5 1.5B", "Qwen/Qwen2.5-1.5B", 28, 1536, 12, 2, 8960,
                        151936, 32768, true));
  table.back().published_params = 1543714304;
  table.push_back(qwen2("qwen2.5-3b", "Qwen2.5 3B", "Qwen/Qwen2.5-3B", 36, 2048, 16, 2, 11008,
                        151936, 32768, true));
  table.back().published_params = 3085938688;  // index total_size 6,171,877,376 / 2
  table.push_back(qwen2("qwen2.5-7b", "Qwen2.5 7B", "Qwen/Qwen2.5-7B", 28, 3584, 28, 4, 18944,
                        152064, 131072, false));
  table.back().published_params = 7615616512;  // index total_size 15,231,233,024 / 2
  table.push_back(qwen2("qwen2.5-14b", "Qwen2.5 14B", "Qwen/Qwen2.5-14B", 48, 5120, 40, 8, 13824,
                        152064, 131072, false));
  table.back().published_params = 14770033664;  // index total_size 29,540,067,328 / 2
  table.push_back(qwen2("qwen2.5-32b", "Qwen2.5 32B", "Qwen/Qwen2.5-32B", 64, 5120, 40, 8, 27648,
                        152064, 131072, false));
  table.back().published_params = 32763876352;  // index total_size 65,527,752,704 / 2
  table.push_back(qwen2("qwen2.5-72b", "Qwen2.5 72B", "Qwen/Qwen2.5-72B", 80, 8192, 64, 8, 29568,
                        152064, 131072, false));
  table.back().published_params = 72706203648;  // index total_size 145,412,407,296 / 2

  // Qwen3, config.json of Qwen/Qwen3-{0.6B,1.7B,4B,8B,14B,32B,30B-A3B,235B-A22B}.
  table.push_back(qwen3("qwen3-0.6b", "Qwen3 0.6B", "Qwen/Qwen3-0.6B", 28, 1024, 16, 8, 3072, true));
  table.back().published_params = 596049920;  // sum of numel() over the loaded model's parameters
  table.push_back(qwen3("qwen3-1.7b", "Qwen3 1.7B", "Qwen/Qwen3-1.7B", 28, 2048, 16, 8, 6144, true));
  table.back().published_params = 1720574976;  // "params" of KerasHub's qwen3_1.7b_en preset
  table.push_back(qwen3("qwen3-4b", "Qwen3 4B", "Qwen/Qwen3-4B", 36, 2560, 32, 8, 9728, true));
  table.back().published_params = 4022468096;  // index total_size 8,044,936,192 / 2
  table.push_back(qwen3("qwen3-8b", "Qwen3 8B", "Qwen/Qwen3-8B", 36, 4096, 32, 8, 12288, false));
  table.back().published_params = 8190735360;  // index total_size 16,381,470,720 / 2
  table.push_back(qwen3("qwen3-14b", "Qwen3 14B", "Qwen/Qwen3-14B", 40, 5120, 40, 8, 17408, false));
  table.back().published_params = 14768307200;  // index total_size 29,536,614,400 / 2
  table.push_back(qwen3("qwen3-32b", "Qwen3 32B", "Qwen/Qwen3-32B", 64, 5120, 64, 8, 25600, false));
  table.back().published_params = 32762123264;  // index total_size 65,524,246,528 / 2
  table.push_back(
      qwen3_moe("qwen3-30b-a3b", "Qwen3 30B-A3B", "Qwen/Qwen3-30B-A3B", 48, 2048, 32, 4, 768));
  table.back().published_params = 30532122624;  // index total_size 61,064,245,248 / 2
  table.push_back(qwen3_moe("qwen3-235b-a22b", "Qwen3 235B-A22B", "Qwen/Qwen3-235B-A22B", 94, 4096,
                            64, 4, 1536));
  table.back().published_params = 235093634560;  // index total_size 470,187,269,120 / 2

  // DeepSeek, config.json of deepseek-ai/DeepSeek-V2-Lite and DeepSeek-V3.
  // V2-Lite: q_lora_rank null (plain q projection), 64 routed + 2 shared
  // experts of width 1408, top-6, first_k_dense_replace 1.
  ModelSpec v2_lite = deepseek("deepseek-v2-lite", "DeepSeek-V2-Lite",
                               "deepseek-ai/DeepSeek-V2-Lite", 27, 2048, 16, 10944, 102400);
  v2_lite.experts = 64;
  v2_lite.experts_per_token = 6;
  v2_lite.shared_experts = 2;
  v2_lite.expert_intermediate = 1408;
  v2_lite.first_dense_layers = 1;
  v2_lite.published_params = 15706484224;  // index total_size 31,412,968,448 / 2
  table.push_back(v2_lite);
  // V3: q_lora_rank 1536, 256 routed + 1 shared expert of width 2048, top-8,
  // first_k_dense_replace 3, e_score_correction_bias per MoE layer.
  // NOTE: the checkpoint also stores one multi-token-prediction layer
  // (num_nextn_predict_layers 1) that Transformers does not load; it is not counted.
  ModelSpec v3 = deepseek("deepseek-v3", "DeepSeek-V3", "deepseek-ai/DeepSeek-V3", 61, 7168, 128,
                          18432, 129280);
  v3.q_lora_rank = 1536;
  v3.experts = 256;
  v3.experts_per_token = 8;
  v3.shared_experts = 1;
  v3.expert_intermediate = 2048;
  v3.first_dense_layers = 3;
  v3.router_bias = true;
  // 671,026,419,200: element count of the checkpoint's main-model tensors from
  // public audits of the safetensors headers, without the MTP layer and the
  // FP8 weight_scale_inv tensors.
  v3.published_params = 671026419200;
  table.push_back(v3);

  // Gemma 2, config.json of google/gemma-2-{2b,9b,27b}.
  table.push_back(gemma2("gemma-2-2b", "Gemma 2 2B", "google/gemma-2-2b", 26, 2304, 8, 4, 256, 9216));
  table.back().published_params = 2614341888;  // Gemma2ForCausalLM.num_parameters()
  table.push_back(gemma2("gemma-2-9b", "Gemma 2 9B", "google/gemma-2-9b", 42, 3584, 16, 8, 256, 14336));
  table.back().published_params = 9241705984;  // index total_size 18,483,411,968 / 2
  table.push_back(
      gemma2("gemma-2-27b", "Gemma 2 27B", "google/gemma-2-27b", 46, 4608, 32, 16, 128, 36864));
  table.back().published_params = 27227128320;  // "params" of KerasHub's gemma2_27b_en preset

  // Phi, config.json of microsoft/Phi-3-mini-4k-instruct,
  // Phi-3-medium-4k-instruct and phi-4. The fused qkv_proj and gate_up_proj
  // hold the same parameters as separate projections.
  table.push_back(llama_like("phi-3-mini", "Phi-3 mini (3.8B)", "microsoft/Phi-3-mini-4k-instruct",
                             "Phi", 32, 3072, 32, 32, 8192, 32064, 4096, false));
  table.back().published_params = 3821079552;  // index total_size 7,642,159,104 / 2
  table.push_back(llama_like("phi-3-medium", "Phi-3 medium (14B)",
                             "microsoft/Phi-3-medium-4k-instruct", "Phi", 40, 5120, 40, 10, 17920,
                             32064, 4096, false));
  // model_size recorded for unsloth/Phi-3-medium-4k-instruct, Unsloth's copy
  // of these weights.
  table.back().published_params = 13960238080;
  table.push_back(llama_like("phi-4", "Phi-4 (14B)", "microsoft/phi-4", "Phi", 40, 5120, 40, 10,
                             17920, 100352, 16384, false));
  table.back().published_params = 14659507200;  // index total_size 29,319,014,400 / 2

  // GLM-4, config.json of THUDM/glm-4-9b-chat (model_type chatglm):
  // num_layers 40, multi_query_group_num 2, kv_channels 128, ffn_hidden_size
  // 13696, padded_vocab_size 151552, add_qkv_bias, seq_length 131072.
  ModelSpec glm4 = llama_like("glm-4-9b", "GLM-4-9B-Chat", "THUDM/glm-4-9b-chat", "GLM", 40, 4096,
                              32, 2, 13696, 151552, 131072, false);
  glm4.head_dim = 128;
  glm4.qkv_bias = true;
  // 9,399,951,360 trainable parameters of ChatGLMForConditionalGeneration as
  // loaded by Transformers. The same log reports 9,399,951,392 in all, 32 of
  // them not trainable.
  glm4.published_params = 9399951360;
  table.push_back(glm4);

  // Yi-1.5, config.json of 01-ai/Yi-1.5-{6B,9B,34B}. Totals are the
  // safetensors parameter totals of the -Chat checkpoints, whose tensor shapes
  // equal the base models'.
  table.push_back(llama_like("yi-1.5-6b", "Yi-1.5 6B", "01-ai/Yi-1.5-6B", "Yi", 32, 4096, 32, 4,
                             11008, 64000, 4096, false));
  table.back().published_params = 6061035520;
  table.push_back(llama_like("yi-1.5-9b", "Yi-1.5 9B", "01-ai/Yi-1.5-9B", "Yi", 48, 4096, 32, 4,
                             11008, 64000, 4096, false));
  table.back().published_params = 8829407232;
  table.push_back(llama_like("yi-1.5-34b", "Yi-1.5 34B", "01-ai/Yi-1.5-34B", "Yi", 60, 7168, 56, 8,
                             20480, 64000, 4096, false));
  table.back().published_params = 34388917248;

  // Baichuan 2, config.json of baichuan-inc/Baichuan2-{7B,13B}-Base. The
  // fused W_pack is q, k and v; the NormHead LM head is a plain vocab x hidden
  // weight. 13B uses ALiBi, 7B rotary; both have model_max_length 4096.
  // NOTE: no exact published total was found for either model, so both keep 0.
  table.push_back(llama_like("baichuan2-7b", "Baichuan 2 7B", "baichuan-inc/Baichuan2-7B-Base",
                             "Baichuan", 32, 4096, 32, 32, 11008, 125696, 4096, false));
  ModelSpec baichuan13 = llama_like("baichuan2-13b", "Baichuan 2 13B",
                                    "baichuan-inc/Baichuan2-13B-Base", "Baichuan", 40, 5120, 40,
                                    40, 13696, 125696, 4096, false);
  baichuan13.position = PositionKind::alibi;
  table.push_back(baichuan13);

  // InternLM2.5, config.json of internlm/internlm2_5-{7b,20b} (fused wqkv, bias false).
  table.push_back(llama_like("internlm2.5-7b", "InternLM2.5 7B", "internlm/internlm2_5-7b",
                             "InternLM", 32, 4096, 32, 8, 14336, 92544, 32768, false));
  table.back().published_params = 7737708544;  // bf16 weights of 15,475,417,088 bytes / 2
  table.push_back(llama_like("internlm2.5-20b", "InternLM2.5 20B", "internlm/internlm2_5-20b",
                             "InternLM", 48, 6144, 48, 8, 16384, 92544, 32768, false));
  // bf16 parameter_count from get_safetensors_metadata of internlm2_5-20b-chat,
  // whose tensor shapes equal the base model's.
  table.back().published_params = 19861149696;

  return table;
}

}  // namespace

const std::vector<ModelSpec>& presets() {
  static const std::vector<ModelSpec> table = build_presets();
  return table;
}

const ModelSpec* find_preset(const std::string& id) {
  for (const ModelSpec& spec : presets()) {
    if (spec.id == id) return &spec;
  }
  return nullptr;
}

std::vector<std::string> preset_ids() {
  std::vector<std::string> ids;
  for (const ModelSpec& spec : presets()) ids.push_back(spec.id);
  return ids;
}

}  // namespace gpuplan
