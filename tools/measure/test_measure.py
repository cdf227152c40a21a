"""Unit tests of tools/measure without torch or a GPU (standard library only).

Run from the repository root:
    python3 -m unittest discover -s tools/measure -p 'test_*.py'

Expected Transformers configs are written out by hand. Their shape values
are those of the checkpoint named in each test, as gpuplan's preset table
records them from its config.json, and their keys are those of Transformers'
config classes.
"""

import json
import os
import stat
import random
import sys
import tempfile
import unittest
import unittest.mock

import measure_options
import measure_runner
import model_source
import process_memory
import setup_translation
from measure_case import Environment, Measurement, build_case, nominal_memory_label_gb
from measure_options import OptionError, parse_options
from model_source import ModelSourceError
from module_targets import fused_target_notes, last_layer_parameter_names, parse_lora_targets, resolve_lora_targets
from setup_translation import TranslationError, hf_config_from_spec, normalize_spec

GIB = 2**30

# Every field of `gpuplan model <id> --json` at its ModelSpec default; the
# specs below list only the fields a preset changes.
SPEC_DEFAULTS = {
    "family": "decoder", "head_dim": 0, "mlp": "gated", "norm": "rmsnorm", "norm_bias": False,
    "qkv_bias": False, "linear_bias": False, "qk_norm": False, "position": "rotary", "type_vocab": 0,
    "pooler": False, "norms_per_layer": 2, "experts": 0, "experts_per_token": 0, "shared_experts": 0,
    "expert_intermediate": 0, "shared_expert_intermediate": 0, "shared_expert_gate": False,
    "first_dense_layers": 0, "moe_layer_interval": 1, "router_bias": False, "attention_type": "mha",
    "q_lora_rank": 0, "kv_lora_rank": 0, "qk_nope_head_dim": 0, "qk_rope_head_dim": 0, "v_head_dim": 0,
    "published_params": 0, "series": "",
}


def gpuplan_spec(**fields):
    return {**SPEC_DEFAULTS, **fields}


def translate(raw_spec):
    return hf_config_from_spec(normalize_spec(raw_spec), raw_spec.get("hf_id", ""))


# The output of `gpuplan model llama-3-8b --json`, trimmed of its breakdown.
LLAMA_3_8B_DESCRIPTION = {
    "ok": True,
    "spec": gpuplan_spec(id="llama-3-8b", name="Llama 3 8B", hf_id="meta-llama/Meta-Llama-3-8B", series="Llama 3",
                         layers=32, hidden=4096, heads=32, kv_heads=8, intermediate=14336, vocab=128256,
                         tied_embeddings=False, max_positions=8192, published_params=8030261248),
    "counts": {"total": 8030261248, "active": 8030261248},
    "errors": [],
}

GPT2_SPEC = gpuplan_spec(id="gpt2", name="GPT-2 (124M)", hf_id="openai-community/gpt2", layers=12, hidden=768,
                         heads=12, kv_heads=12, intermediate=3072, mlp="plain", vocab=50257, tied_embeddings=True,
                         norm="layernorm", norm_bias=True, linear_bias=True, position="learned", max_positions=1024)


class SpecToConfigTest(unittest.TestCase):
    """One literal expected config per Transformers model type."""

    def test_llama_3_8b(self):
        # meta-llama/Meta-Llama-3-8B config.json
        self.assertEqual(translate(LLAMA_3_8B_DESCRIPTION["spec"]), {
            "model_type": "llama", "vocab_size": 128256, "hidden_size": 4096, "intermediate_size": 14336,
            "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "hidden_act": "silu",
            "tie_word_embeddings": False, "use_cache": False, "max_position_embeddings": 8192,
            "head_dim": 128, "attention_bias": False, "mlp_bias": False,
        })

    def test_llama_3_2_1b_head_dim(self):
        # meta-llama/Llama-3.2-1B: head_dim 64 = 2048 / 32, tied embeddings
        spec = gpuplan_spec(hf_id="meta-llama/Llama-3.2-1B", layers=16, hidden=2048, heads=32, kv_heads=8,
                            head_dim=64, intermediate=8192, vocab=128256, tied_embeddings=True,
                            max_positions=131072)
        self.assertEqual(translate(spec), {
            "model_type": "llama", "vocab_size": 128256, "hidden_size": 2048, "intermediate_size": 8192,
            "num_hidden_layers": 16, "num_attention_heads": 32, "num_key_value_heads": 8, "hidden_act": "silu",
            "tie_word_embeddings": True, "use_cache": False, "max_position_embeddings": 131072,
            "head_dim": 64, "attention_bias": False, "mlp_bias": False,
        })

    def test_mistral_7b(self):
        # mistralai/Mistral-7B-v0.1: Llama-shaped, built as MistralForCausalLM
        spec = gpuplan_spec(hf_id="mistralai/Mistral-7B-v0.1", layers=32, hidden=4096, heads=32, kv_heads=8,
                            intermediate=14336, vocab=32000, max_positions=32768)
        self.assertEqual(translate(spec), {
            "model_type": "mistral", "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 14336,
            "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "hidden_act": "silu",
            "tie_word_embeddings": False, "use_cache": False, "max_position_embeddings": 32768,
            "head_dim": 128, "sliding_window": None,
        })

    def test_qwen2_5_0_5b(self):
        # Qwen/Qwen2.5-0.5B: bias on q, k, v only; tied embeddings
        spec = gpuplan_spec(hf_id="Qwen/Qwen2.5-0.5B", layers=24, hidden=896, heads=14, kv_heads=2,
                            intermediate=4864, vocab=151936, tied_embeddings=True, qkv_bias=True,
                            max_positions=32768)
        self.assertEqual(translate(spec), {
            "model_type": "qwen2", "vocab_size": 151936, "hidden_size": 896, "intermediate_size": 4864,
            "num_hidden_layers": 24, "num_attention_heads": 14, "num_key_value_heads": 2, "hidden_act": "silu",
            "tie_word_embeddings": True, "use_cache": False, "max_position_embeddings": 32768,
            "use_sliding_window": False,
        })

    def test_glm_4_9b_as_qwen2(self):
        # THUDM/glm-4-9b-chat: q, k, v bias and head_dim 128 = 4096 / 32, the Qwen2 layout
        spec = gpuplan_spec(hf_id="THUDM/glm-4-9b-chat", layers=40, hidden=4096, heads=32, kv_heads=2,
                            head_dim=128, intermediate=13696, vocab=151552, qkv_bias=True, max_positions=131072)
        config = translate(spec)
        self.assertEqual(config["model_type"], "qwen2")
        self.assertEqual(config["num_key_value_heads"], 2)
        self.assertEqual(config["intermediate_size"], 13696)

    def test_qwen3_0_6b(self):
        # Qwen/Qwen3-0.6B: head_dim 128 although 1024 / 16 = 64, q/k norms
        spec = gpuplan_spec(hf_id="Qwen/Qwen3-0.6B", layers=28, hidden=1024, heads=16, kv_heads=8, head_dim=128,
                            intermediate=3072, vocab=151936, tied_embeddings=True, qk_norm=True,
                            max_positions=40960)
        self.assertEqual(translate(spec), {
            "model_type": "qwen3", "vocab_size": 151936, "hidden_size": 1024, "intermediate_size": 3072,
            "num_hidden_layers": 28, "num_attention_heads": 16, "num_key_value_heads": 8, "hidden_act": "silu",
            "tie_word_embeddings": True, "use_cache": False, "max_position_embeddings": 40960,
            "head_dim": 128, "attention_bias": False, "use_sliding_window": False,
        })

    def test_qwen3_30b_a3b(self):
        # Qwen/Qwen3-30B-A3B: 128 experts of width 768, top-8, every layer MoE
        spec = gpuplan_spec(hf_id="Qwen/Qwen3-30B-A3B", layers=48, hidden=2048, heads=32, kv_heads=4, head_dim=128,
                            intermediate=0, vocab=151936, qk_norm=True, max_positions=40960, experts=128,
                            experts_per_token=8, expert_intermediate=768)
        self.assertEqual(translate(spec), {
            "model_type": "qwen3_moe", "vocab_size": 151936, "hidden_size": 2048, "intermediate_size": 0,
            "num_hidden_layers": 48, "num_attention_heads": 32, "num_key_value_heads": 4, "hidden_act": "silu",
            "tie_word_embeddings": False, "use_cache": False, "max_position_embeddings": 40960,
            "num_experts": 128, "num_experts_per_tok": 8, "moe_intermediate_size": 768, "decoder_sparse_step": 1,
            "mlp_only_layers": [], "use_sliding_window": False, "head_dim": 128, "attention_bias": False,
        })

    def test_qwen2_moe_layer_pattern(self):
        # A custom Qwen2-MoE: 6 layers, first dense, then MoE every second
        # layer: gpuplan's MoE layers are 1, 3, 5, so 0, 2, 4 are MLP-only.
        spec = gpuplan_spec(layers=6, hidden=512, heads=8, kv_heads=8, intermediate=1024, vocab=1000,
                            qkv_bias=True, max_positions=4096, experts=8, experts_per_token=2, shared_experts=1,
                            expert_intermediate=256, shared_expert_intermediate=1024, shared_expert_gate=True,
                            first_dense_layers=1, moe_layer_interval=2)
        self.assertEqual(translate(spec), {
            "model_type": "qwen2_moe", "vocab_size": 1000, "hidden_size": 512, "intermediate_size": 1024,
            "num_hidden_layers": 6, "num_attention_heads": 8, "num_key_value_heads": 8, "hidden_act": "silu",
            "tie_word_embeddings": False, "use_cache": False, "max_position_embeddings": 4096,
            "num_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 256, "decoder_sparse_step": 1,
            "mlp_only_layers": [0, 2, 4], "use_sliding_window": False, "shared_expert_intermediate_size": 1024,
        })

    def test_mixtral_8x7b(self):
        # mistralai/Mixtral-8x7B-v0.1: intermediate_size is the expert width
        spec = gpuplan_spec(hf_id="mistralai/Mixtral-8x7B-v0.1", layers=32, hidden=4096, heads=32, kv_heads=8,
                            intermediate=0, vocab=32000, max_positions=32768, experts=8, experts_per_token=2,
                            expert_intermediate=14336)
        self.assertEqual(translate(spec), {
            "model_type": "mixtral", "vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 14336,
            "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "hidden_act": "silu",
            "tie_word_embeddings": False, "use_cache": False, "max_position_embeddings": 32768,
            "num_local_experts": 8, "num_experts_per_tok": 2, "sliding_window": None,
        })

    def test_gemma_2_2b(self):
        # google/gemma-2-2b: head_dim 256, GeGLU, four norms per layer
        spec = gpuplan_spec(hf_id="google/gemma-2-2b", layers=26, hidden=2304, heads=8, kv_heads=4, head_dim=256,
                            intermediate=9216, vocab=256000, tied_embeddings=True, max_positions=8192,
                            norms_per_layer=4)
        self.assertEqual(translate(spec), {
            "model_type": "gemma2", "vocab_size": 256000, "hidden_size": 2304, "intermediate_size": 9216,
            "num_hidden_layers": 26, "num_attention_heads": 8, "num_key_value_heads": 4,
            "tie_word_embeddings": True, "use_cache": False, "max_position_embeddings": 8192,
            "head_dim": 256, "hidden_activation": "gelu_pytorch_tanh",
        })

    def test_phi_3_mini(self):
        # microsoft/Phi-3-mini-4k-instruct: Llama-shaped spec, fused modules in Transformers
        spec = gpuplan_spec(hf_id="microsoft/Phi-3-mini-4k-instruct", layers=32, hidden=3072, heads=32,
                            kv_heads=32, intermediate=8192, vocab=32064, max_positions=4096)
        self.assertEqual(translate(spec), {
            "model_type": "phi3", "vocab_size": 32064, "hidden_size": 3072, "intermediate_size": 8192,
            "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 32, "hidden_act": "silu",
            "tie_word_embeddings": False, "use_cache": False, "max_position_embeddings": 4096,
            "pad_token_id": None,
        })

    def test_deepseek_v2_lite(self):
        # deepseek-ai/DeepSeek-V2-Lite: MLA without a q compression (q_lora_rank null)
        spec = gpuplan_spec(hf_id="deepseek-ai/DeepSeek-V2-Lite", layers=27, hidden=2048, heads=16, kv_heads=16,
                            intermediate=10944, vocab=102400, max_positions=163840, experts=64,
                            experts_per_token=6, shared_experts=2, expert_intermediate=1408, first_dense_layers=1,
                            attention_type="mla", kv_lora_rank=512, qk_nope_head_dim=128, qk_rope_head_dim=64,
                            v_head_dim=128)
        self.assertEqual(translate(spec), {
            "model_type": "deepseek_v3", "vocab_size": 102400, "hidden_size": 2048, "intermediate_size": 10944,
            "num_hidden_layers": 27, "num_attention_heads": 16, "num_key_value_heads": 16, "hidden_act": "silu",
            "tie_word_embeddings": False, "use_cache": False, "max_position_embeddings": 163840,
            "moe_intermediate_size": 1408, "n_routed_experts": 64, "n_shared_experts": 2,
            "num_experts_per_tok": 6, "first_k_dense_replace": 1, "q_lora_rank": None, "kv_lora_rank": 512,
            "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128, "n_group": 1, "topk_group": 1,
        })

    def test_gpt2(self):
        # openai-community/gpt2: n_inner null in the Hub config means 4 * 768 = 3072
        self.assertEqual(translate(GPT2_SPEC), {
            "model_type": "gpt2", "vocab_size": 50257, "n_embd": 768, "n_layer": 12, "n_head": 12,
            "n_inner": 3072, "activation_function": "gelu_new", "tie_word_embeddings": True, "use_cache": False,
            "n_positions": 1024,
        })

    def test_bert_base(self):
        # google-bert/bert-base-uncased
        spec = gpuplan_spec(family="encoder", hf_id="google-bert/bert-base-uncased", layers=12, hidden=768,
                            heads=12, kv_heads=12, intermediate=3072, mlp="plain", vocab=30522, norm="layernorm",
                            norm_bias=True, linear_bias=True, position="learned", max_positions=512, type_vocab=2,
                            pooler=True)
        self.assertEqual(translate(spec), {
            "model_type": "bert", "vocab_size": 30522, "hidden_size": 768, "num_hidden_layers": 12,
            "num_attention_heads": 12, "intermediate_size": 3072, "hidden_act": "gelu", "type_vocab_size": 2,
            "is_decoder": False, "num_labels": 2, "use_cache": False, "max_position_embeddings": 512,
        })

    def test_url_text_values(self):
        # gpuplan's URL form writes every value as text.
        spec = {"layers": "2", "hidden": "64", "heads": "4", "vocab": "100", "tied_embeddings": "true"}
        config = translate(spec)
        self.assertEqual(config["num_hidden_layers"], 2)
        self.assertEqual(config["num_key_value_heads"], 4)
        self.assertIs(config["tie_word_embeddings"], True)


class SpecErrorTest(unittest.TestCase):
    def assert_rejected(self, raw_spec, *fragments):
        with self.assertRaises(TranslationError) as raised:
            translate(raw_spec)
        for fragment in fragments:
            self.assertIn(fragment, str(raised.exception))

    def test_alibi_rejected(self):
        # baichuan-inc/Baichuan2-13B-Base uses ALiBi and its own modeling code.
        spec = gpuplan_spec(layers=40, hidden=5120, heads=40, intermediate=13696, vocab=125696, position="alibi")
        self.assert_rejected(spec, "position=alibi", "config.json")

    def test_missing_layers(self):
        self.assert_rejected({"hidden": 64, "heads": 4, "vocab": 100}, "layers", "missing")

    def test_invalid_integer(self):
        self.assert_rejected({"layers": "two", "hidden": 64, "heads": 4, "vocab": 100}, "layers", "'two'")

    def test_invalid_choice(self):
        self.assert_rejected({**gpuplan_spec(layers=2, hidden=64, heads=4, vocab=100), "norm": "batchnorm"},
                             "norm", "rmsnorm, layernorm")

    def test_kv_heads_not_dividing(self):
        self.assert_rejected(gpuplan_spec(layers=2, hidden=64, heads=4, kv_heads=3, vocab=100), "kv_heads", "divide")

    def test_layernorm_on_rotary_decoder(self):
        spec = gpuplan_spec(layers=2, hidden=64, heads=4, intermediate=128, vocab=100, norm="layernorm")
        self.assert_rejected(spec, "norm=layernorm", "llama", "norm=rmsnorm")

    def test_qwen2_head_dim_mismatch(self):
        spec = gpuplan_spec(layers=2, hidden=64, heads=4, head_dim=32, intermediate=128, vocab=100, qkv_bias=True)
        self.assert_rejected(spec, "head_dim=32", "qwen2", "16")

    def test_gpt2_grouped_query(self):
        self.assert_rejected({**GPT2_SPEC, "kv_heads": 4}, "kv_heads=4", "gpt2")

    def test_mixtral_dense_first_layer(self):
        spec = gpuplan_spec(layers=4, hidden=64, heads=4, vocab=100, intermediate=128, experts=4,
                            experts_per_token=2, expert_intermediate=32, first_dense_layers=1)
        self.assert_rejected(spec, "first_dense_layers=1", "mixtral")


class CaseModelTest(unittest.TestCase):
    def test_from_spec_moe_uses_expert_width(self):
        spec = normalize_spec(gpuplan_spec(layers=32, hidden=4096, heads=32, kv_heads=8, vocab=32000, experts=8,
                                           experts_per_token=2, expert_intermediate=14336))
        model = setup_translation.case_model_from_spec(spec, "mixtral", "Mixtral 8x7B", "mistralai/Mixtral-8x7B-v0.1")
        self.assertEqual(model["intermediate"], 14336)
        self.assertEqual(model["experts"], 8)
        self.assertEqual(model["experts_per_token"], 2)
        self.assertEqual(model["arch"], "mixtral")

    def test_arch_values(self):
        self.assertEqual(setup_translation.case_arch("qwen2"), "qwen2")
        self.assertEqual(setup_translation.case_arch("phi3"), "llama")
        self.assertEqual(setup_translation.case_arch("gemma2"), "other")
        self.assertEqual(setup_translation.case_arch("qwen3"), "other")

    def test_encoder_has_no_tied_head(self):
        # Trained as a sequence classifier, BERT has no output embedding.
        spec = normalize_spec(gpuplan_spec(family="encoder", layers=12, hidden=768, heads=12, intermediate=3072,
                                           vocab=30522, tied_embeddings=True))
        model = setup_translation.case_model_from_spec(spec, "bert", "BERT base", "google-bert/bert-base-uncased")
        self.assertIsNone(model["tied_embeddings"])
        config = {"model_type": "bert", "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
                  "intermediate_size": 3072, "vocab_size": 30522}
        self.assertIsNone(setup_translation.case_model_from_hf_config(config, "bert")["tied_embeddings"])

    def test_from_gpt2_config_without_n_inner(self):
        config = {"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "vocab_size": 50257,
                  "n_positions": 1024}
        model = setup_translation.case_model_from_hf_config(config, "gpt2")
        self.assertEqual(model["intermediate"], 3072)  # 4 * 768
        self.assertIs(model["tied_embeddings"], True)
        self.assertEqual(model["mlp"], "plain")
        self.assertEqual(model["kv_heads"], 12)
        self.assertIsNone(model["experts"])

    def test_from_qwen3_moe_config(self):
        config = {"model_type": "qwen3_moe", "hidden_size": 2048, "num_hidden_layers": 48,
                  "num_attention_heads": 32, "num_key_value_heads": 4, "intermediate_size": 6144,
                  "moe_intermediate_size": 768, "num_experts": 128, "num_experts_per_tok": 8, "vocab_size": 151936,
                  "tie_word_embeddings": False, "_name_or_path": "Qwen/Qwen3-30B-A3B"}
        model = setup_translation.case_model_from_hf_config(config, "Qwen3-30B-A3B")
        self.assertEqual(model["intermediate"], 768)
        self.assertEqual(model["experts"], 128)
        self.assertEqual(model["arch"], "other")
        self.assertEqual(model["hf_id"], "Qwen/Qwen3-30B-A3B")


LLAMA_LINEAR_NAMES = [
    f"model.layers.{layer}.{module}" for layer in range(2) for module in (
        "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
        "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")
] + ["lm_head"]

GPT2_LINEAR_NAMES = [
    f"transformer.h.{layer}.{module}" for layer in range(2)
    for module in ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")
] + ["lm_head"]

BERT_LINEAR_NAMES = [
    f"bert.encoder.layer.{layer}.{module}" for layer in range(2) for module in (
        "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
        "intermediate.dense", "output.dense")
] + ["cls.predictions.transform.dense", "cls.predictions.decoder"]


class LoraTargetTest(unittest.TestCase):
    def test_parse_orders_targets(self):
        self.assertEqual(parse_lora_targets("v, q"), ("q", "v"))

    def test_parse_all_linear(self):
        self.assertEqual(parse_lora_targets("all-linear"), ("q", "k", "v", "o", "gate", "up", "down"))

    def test_parse_rejects_unknown(self):
        with self.assertRaises(ValueError) as raised:
            parse_lora_targets("q,qkv")
        self.assertIn("'qkv'", str(raised.exception))

    def test_parse_rejects_mixed_all_linear(self):
        with self.assertRaises(ValueError):
            parse_lora_targets("all-linear,q")

    def test_llama_q_v(self):
        recorded, modules, missing = resolve_lora_targets("llama", ("q", "v"), LLAMA_LINEAR_NAMES)
        self.assertEqual(recorded, ["q_proj", "v_proj"])
        self.assertEqual(modules, ["model.layers.0.self_attn.q_proj", "model.layers.1.self_attn.q_proj",
                                   "model.layers.0.self_attn.v_proj", "model.layers.1.self_attn.v_proj"])
        self.assertEqual(missing, [])

    def test_llama_all_linear_skips_lm_head(self):
        recorded, modules, _ = resolve_lora_targets("llama", parse_lora_targets("all-linear"), LLAMA_LINEAR_NAMES)
        self.assertEqual(recorded, ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
        self.assertEqual(len(modules), 14)  # 7 projections x 2 layers
        self.assertNotIn("lm_head", modules)

    def test_gpt2_all_linear(self):
        recorded, modules, missing = resolve_lora_targets("gpt2", parse_lora_targets("all-linear"), GPT2_LINEAR_NAMES)
        self.assertEqual(recorded, ["c_attn", "c_proj", "c_fc"])
        self.assertEqual(len(modules), 8)  # 4 Conv1D modules x 2 layers
        self.assertEqual(missing, ["gate"])

    def test_gpt2_attention_output_only(self):
        recorded, modules, _ = resolve_lora_targets("gpt2", ("o",), GPT2_LINEAR_NAMES)
        self.assertEqual(recorded, ["attn.c_proj"])
        self.assertEqual(modules, ["transformer.h.0.attn.c_proj", "transformer.h.1.attn.c_proj"])

    def test_gpt2_explicit_gate_rejected(self):
        with self.assertRaises(ValueError) as raised:
            resolve_lora_targets("gpt2", ("q", "gate"), GPT2_LINEAR_NAMES)
        self.assertIn("'gate'", str(raised.exception))
        self.assertIn("plain", str(raised.exception))

    def test_bert_down_excludes_attention_output(self):
        recorded, modules, _ = resolve_lora_targets("bert", ("down",), BERT_LINEAR_NAMES)
        self.assertEqual(recorded, ["output.dense"])
        self.assertEqual(modules, ["bert.encoder.layer.0.output.dense", "bert.encoder.layer.1.output.dense"])

    def test_bert_query_value(self):
        recorded, _, _ = resolve_lora_targets("bert", ("q", "v"), BERT_LINEAR_NAMES)
        self.assertEqual(recorded, ["query", "value"])

    def test_phi3_fused_modules(self):
        names = ["model.layers.0.self_attn.qkv_proj", "model.layers.0.self_attn.o_proj",
                 "model.layers.0.mlp.gate_up_proj", "model.layers.0.mlp.down_proj"]
        recorded, modules, _ = resolve_lora_targets("phi3", ("q", "v", "up"), names)
        self.assertEqual(recorded, ["qkv_proj", "gate_up_proj"])
        self.assertEqual(modules, ["model.layers.0.self_attn.qkv_proj", "model.layers.0.mlp.gate_up_proj"])

    def test_phi3_fused_notes(self):
        notes = fused_target_notes("phi3", ("q", "v", "up"))
        self.assertEqual(len(notes), 2)
        self.assertIn("qkv_proj", notes[0])
        self.assertIn("also covers k", notes[0])
        self.assertIn("also covers gate", notes[1])

    def test_no_fused_note_when_all_parts_requested(self):
        self.assertEqual(fused_target_notes("gpt2", ("q", "k", "v")), [])

    def test_mixtral_expert_names(self):
        names = ["model.layers.0.self_attn.q_proj", "model.layers.0.block_sparse_moe.gate",
                 "model.layers.0.block_sparse_moe.experts.0.w1", "model.layers.0.block_sparse_moe.experts.0.w2",
                 "model.layers.0.block_sparse_moe.experts.0.w3"]
        recorded, modules, _ = resolve_lora_targets("mixtral", ("gate", "up"), names)
        self.assertEqual(recorded, ["w1", "w3"])
        self.assertNotIn("model.layers.0.block_sparse_moe.gate", modules)

    def test_fused_expert_parameters_rejected(self):
        # Releases with fused 3-D expert weights leave only the router ("gate") as a Linear.
        names = ["model.layers.0.self_attn.q_proj", "model.layers.0.mlp.gate"]
        with self.assertRaises(ValueError) as raised:
            resolve_lora_targets("qwen3_moe", ("gate",), names)
        self.assertIn("fused 3-D", str(raised.exception))

    def test_unknown_model_type(self):
        self.assertEqual(resolve_lora_targets("olmo", parse_lora_targets("all-linear"), ["x"]),
                         (["all-linear"], "all-linear", []))
        with self.assertRaises(ValueError):
            resolve_lora_targets("olmo", ("q",), ["x"])


class FreezeLayersTest(unittest.TestCase):
    def test_last_llama_layers(self):
        names = [f"model.layers.{layer}.mlp.up_proj.weight" for layer in range(4)] + [
            "model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"]
        self.assertEqual(last_layer_parameter_names(names, 4, 2),
                         ["model.layers.2.mlp.up_proj.weight", "model.layers.3.mlp.up_proj.weight"])

    def test_gpt2_and_bert_names(self):
        gpt2 = ["transformer.h.10.attn.c_attn.weight", "transformer.h.11.ln_1.bias", "transformer.ln_f.weight"]
        self.assertEqual(last_layer_parameter_names(gpt2, 12, 1), ["transformer.h.11.ln_1.bias"])
        bert = ["bert.encoder.layer.11.output.dense.weight", "bert.pooler.dense.weight"]
        self.assertEqual(last_layer_parameter_names(bert, 12, 1), ["bert.encoder.layer.11.output.dense.weight"])


def parse(*argv):
    return parse_options(list(argv) + (["--out", "case.json"] if "--out" not in argv else []))


class OptionTest(unittest.TestCase):
    # (argv, fragments the message must contain): each names the flag.
    INVALID = [
        (["--model", "gpt2", "--micro_batch", "0"], ["--micro_batch", "'0'", "1 to 65536"]),
        (["--model", "gpt2", "--seq_len", "abc"], ["--seq_len", "'abc'"]),
        (["--model", "gpt2", "--method", "dora"], ["--method", "'dora'", "full, lora, qlora, freeze"]),
        (["--model", "gpt2", "--precision", "mixed_bf16"], ["--precision", "mixed_bf16", "amp_bf16"]),
        (["--model", "gpt2", "--precision", "fp8"], ["--precision", "'fp8'"]),
        (["--model", "gpt2", "--optimizer", "adam"], ["--optimizer", "'adam'"]),
        (["--model", "gpt2", "--lora_targets", "q,x"], ["--lora_targets", "'x'"]),
        (["--model", "gpt2", "--grad_checkpointing", "selective"], ["--grad_checkpointing", "selective", "full"]),
        (["--model", "gpt2", "--attention", "flash2"], ["--attention", "'flash2'", "eager, sdpa, flash"]),
        (["--model", "gpt2", "--attention", "flash", "--precision", "fp32"], ["--attention", "fp32"]),
        (["--model", "gpt2", "--quant", "int4"], ["--quant", "'int4'", "nf4, fp4"]),
        (["--model", "gpt2", "--sample_lengths", "random"], ["--sample_lengths", "'random'", "fixed, varying"]),
        (["--model", "gpt2", "--double_quant", "maybe"], ["--double_quant", "true or false"]),
        (["--model", "gpt2", "--kbit_upcast", "2"], ["--kbit_upcast", "true or false"]),
        (["--model", "gpt2", "--base_weight_bits", "8"], ["--base_weight_bits", "16 or 32"]),
        (["--model", "gpt2", "--base_weight_bits", "16", "--precision", "fp32"], ["--base_weight_bits", "fp32"]),
        (["--model", "gpt2", "--lora_dropout", "1.5"], ["--lora_dropout", "'1.5'"]),
        (["--model", "gpt2", "--lora_rank", "0"], ["--lora_rank", "'0'"]),
        (["--model", "gpt2", "--steps", "0"], ["--steps", "'0'"]),
        (["--model", "gpt2", "--id", "case1"], ["--id", "'case1'", "V900"]),
        (["--model", "gpt2", "--micro_batch", "1,2"], ["--micro_batch", "--grid"]),
        (["--model", "gpt2", "--grid", "--micro_batch", "1,,2"], ["--micro_batch", "empty"]),
        (["--model", "gpt2", "--foo", "1"], ["unrecognized arguments: --foo"]),
        (["--micro_batch", "2"], ["--model", "missing"]),
    ]

    def test_invalid_values_name_the_flag(self):
        for argv, fragments in self.INVALID:
            with self.subTest(argv=argv):
                with self.assertRaises(OptionError) as raised:
                    parse(*argv)
                for fragment in fragments:
                    self.assertIn(fragment, str(raised.exception))

    def test_missing_out(self):
        with self.assertRaises(OptionError) as raised:
            parse_options(["--model", "gpt2"])
        self.assertIn("--out", str(raised.exception))

    def test_defaults_follow_gpuplan(self):
        options = parse("--model", "qwen2.5-0.5b")
        self.assertEqual(options.method, "full")
        self.assertEqual(options.precision, "amp_bf16")
        self.assertEqual(options.attention, "sdpa")
        self.assertEqual(options.lora_targets, ("q", "k", "v", "o", "gate", "up", "down"))
        self.assertEqual(options.lora_rank, 16)
        self.assertEqual((options.micro_batch, options.seq_len, options.grad_accum), (1, 2048, 1))
        self.assertIs(options.kbit_upcast, True)

    def test_base_weight_bits_default(self):
        self.assertEqual(parse("--model", "m", "--precision", "amp_bf16").weight_bits_of_base, 32)
        self.assertEqual(parse("--model", "m", "--precision", "pure_fp16").weight_bits_of_base, 16)
        self.assertEqual(parse("--model", "m", "--precision", "fp32").weight_bits_of_base, 32)
        self.assertEqual(parse("--model", "m", "--base_weight_bits", "16").weight_bits_of_base, 16)

    def test_grid_lists(self):
        options = parse("--grid", "--model", "gpt2,qwen2.5-0.5b", "--method", "full,lora", "--micro_batch", "1,8")
        self.assertEqual(len(measure_options.grid_points(options)), 8)
        self.assertEqual(measure_options.grid_points(options)[0], ("gpt2", "full", 1))
        self.assertEqual(measure_options.grid_points(options)[-1], ("qwen2.5-0.5b", "lora", 8))

    def test_default_grid(self):
        options = parse("--grid")
        self.assertEqual(options.models, measure_options.DEFAULT_GRID_MODELS)
        self.assertEqual(options.methods, ("full", "lora", "qlora"))
        self.assertEqual(options.micro_batches, (1, 4))

    def test_case_id_counting(self):
        self.assertEqual(measure_options.case_id_at("V900", 3), "V903")
        self.assertEqual(measure_options.case_id_at("V0990", 12), "V1002")

    def test_single_case_argv_round_trip(self):
        options = parse("--grid", "--model", "gpt2,llama-3-8b", "--method", "lora,qlora", "--micro_batch", "2,4",
                        "--lora_targets", "q,v", "--lora_dropout", "0.05", "--precision", "pure_bf16",
                        "--optimizer", "paged_adamw_8bit", "--grad_checkpointing", "full", "--kbit_upcast", "false",
                        "--seq_len", "512", "--gpuplan", "/opt/gpuplan", "--trust_remote_code",
                        "--sample_lengths", "varying")
        argv = measure_options.single_case_argv(options, "llama-3-8b", "qlora", 4, "V905", "/tmp/V905.json")
        point = parse_options(argv)
        self.assertEqual((point.model, point.method, point.micro_batch), ("llama-3-8b", "qlora", 4))
        self.assertEqual(point.case_id, "V905")
        self.assertEqual(point.out, "/tmp/V905.json")
        self.assertFalse(point.grid)
        for field in ("lora_rank", "lora_alpha", "lora_dropout", "lora_targets", "base_weight_bits", "quant",
                      "double_quant", "kbit_upcast", "trainable_layers", "precision", "optimizer", "seq_len",
                      "grad_accum", "grad_checkpointing", "attention", "sample_lengths", "steps", "warmup_steps", "gpuplan",
                      "trust_remote_code", "seed"):
            self.assertEqual(getattr(point, field), getattr(options, field), field)

    def test_estimate_command_for_qlora(self):
        options = parse("--model", "llama-3-8b", "--method", "qlora", "--lora_rank", "64", "--lora_targets", "q,v",
                        "--precision", "amp_bf16", "--optimizer", "paged_adamw_8bit", "--micro_batch", "2",
                        "--seq_len", "4096", "--grad_checkpointing", "full", "--attention", "flash")
        self.assertEqual(measure_options.estimate_command(options), [
            "gpuplan", "estimate", "--model", "llama-3-8b", "--method", "qlora", "--lora_rank", "64",
            "--lora_targets", "q,v", "--quant", "nf4", "--double_quant", "true", "--kbit_upcast", "true",
            "--precision", "amp_bf16", "--optimizer", "paged_adamw_8bit", "--micro_batch", "2", "--seq_len", "4096",
            "--grad_accum", "1", "--grad_checkpointing", "full", "--attention", "flash", "--json"])

    def test_estimate_command_for_freeze(self):
        options = parse("--model", "gpt2", "--method", "freeze", "--trainable_layers", "3", "--seq_len", "1024")
        command = measure_options.estimate_command(options, "build/native/gpuplan")
        self.assertEqual(command[:8], ["build/native/gpuplan", "estimate", "--model", "gpt2", "--method", "freeze",
                                       "--trainable_layers", "3"])
        self.assertNotIn("--lora_rank", command)

    def test_seq_len_beyond_learned_positions(self):
        options = parse("--model", "gpt2", "--seq_len", "2048")
        with self.assertRaises(OptionError) as raised:
            measure_options.check_against_model(options, 12, 1024)
        self.assertIn("--seq_len", str(raised.exception))
        self.assertIn("1024", str(raised.exception))

    def test_rotary_model_accepts_long_sequences(self):
        options = parse("--model", "llama-3-8b", "--seq_len", "100000")
        measure_options.check_against_model(options, 32, None)  # no error

    def test_trainable_layers_beyond_model(self):
        options = parse("--model", "gpt2", "--method", "freeze", "--trainable_layers", "13", "--seq_len", "512")
        with self.assertRaises(OptionError) as raised:
            measure_options.check_against_model(options, 12, 1024)
        self.assertIn("--trainable_layers", str(raised.exception))
        self.assertIn("12 layers", str(raised.exception))


class FakeGpuplanTest(unittest.TestCase):
    """load_model_source against a stand-in for the gpuplan CLI."""

    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)

    def write_cli(self, stdout, status=0, stderr=""):
        path = os.path.join(self.folder.name, "gpuplan")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("#!/bin/sh\n")
            handle.write(f"cat <<'EOF'\n{stdout}\nEOF\n")
            if stderr:
                handle.write(f"echo '{stderr}' >&2\n")
            handle.write(f"exit {status}\n")
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        return path

    def test_preset(self):
        cli = self.write_cli(json.dumps(LLAMA_3_8B_DESCRIPTION))
        source = model_source.load_model_source("llama-3-8b", cli)
        self.assertEqual(source.model_type, "llama")
        self.assertEqual(source.hf_config["num_key_value_heads"], 8)
        self.assertEqual(source.case_model["name"], "Llama 3 8B")
        self.assertEqual(source.case_model["hf_id"], "meta-llama/Meta-Llama-3-8B")
        self.assertEqual(source.gpuplan_params, 8030261248)
        self.assertIsNone(source.max_positions)  # rotary
        self.assertEqual(source.layers, 32)

    def test_gpt2_learned_positions(self):
        cli = self.write_cli(json.dumps({"ok": True, "spec": GPT2_SPEC}))
        source = model_source.load_model_source("gpt2", cli)
        self.assertEqual(source.max_positions, 1024)
        self.assertIsNone(source.gpuplan_params)

    def test_failing_cli(self):
        cli = self.write_cli("", status=2, stderr='gpuplan model: unknown preset "nope"')
        with self.assertRaises(ModelSourceError) as raised:
            model_source.load_model_source("nope", cli)
        self.assertIn("--model nope", str(raised.exception))
        self.assertIn("unknown preset", str(raised.exception))

    def test_missing_cli(self):
        missing = os.path.join(self.folder.name, "absent", "gpuplan")
        with self.assertRaises(ModelSourceError) as raised:
            model_source.load_model_source("llama-3-8b", missing)
        self.assertIn("not found", str(raised.exception))
        self.assertIn("--gpuplan", str(raised.exception))

    def test_invalid_json(self):
        cli = self.write_cli("not json")
        with self.assertRaises(ModelSourceError) as raised:
            model_source.load_model_source("gpt2", cli)
        self.assertIn("invalid JSON", str(raised.exception))

    def test_untranslatable_preset(self):
        spec = gpuplan_spec(layers=40, hidden=5120, heads=40, intermediate=13696, vocab=125696, position="alibi")
        cli = self.write_cli(json.dumps({"ok": True, "spec": spec}))
        with self.assertRaises(ModelSourceError) as raised:
            model_source.load_model_source("baichuan2-13b", cli)
        self.assertIn("--model baichuan2-13b", str(raised.exception))
        self.assertIn("alibi", str(raised.exception))

    def test_config_json_folder(self):
        config = {"model_type": "llama", "hidden_size": 256, "intermediate_size": 512, "num_hidden_layers": 2,
                  "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 1000,
                  "quantization_config": {"load_in_4bit": True}, "torch_dtype": "bfloat16",
                  "_name_or_path": "tiny/llama"}
        with open(os.path.join(self.folder.name, "config.json"), "w", encoding="utf-8") as handle:
            json.dump(config, handle)
        cli = self.write_cli(json.dumps({"ok": True, "spec": {}, "counts": {"total": 1234}}))
        source = model_source.load_model_source(self.folder.name, cli)
        self.assertEqual(source.origin, "config")
        self.assertNotIn("quantization_config", source.hf_config)
        self.assertNotIn("torch_dtype", source.hf_config)
        self.assertIs(source.hf_config["use_cache"], False)
        self.assertEqual(source.case_model["kv_heads"], 2)
        self.assertEqual(source.layers, 2)
        self.assertEqual(source.gpuplan_params, 1234)

    def test_config_without_model_type(self):
        path = os.path.join(self.folder.name, "config.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump({"hidden_size": 8}, handle)
        with self.assertRaises(ModelSourceError) as raised:
            model_source.load_model_source(path, "")
        self.assertIn("model_type", str(raised.exception))


def sample_source(model_type="qwen2"):
    spec = normalize_spec(gpuplan_spec(layers=24, hidden=896, heads=14, kv_heads=2, intermediate=4864,
                                       vocab=151936, tied_embeddings=True, qkv_bias=True, max_positions=32768))
    return model_source.ModelSource(
        label="qwen2.5-0.5b", origin="preset", model_type=model_type,
        hf_config=hf_config_from_spec(spec),
        case_model=setup_translation.case_model_from_spec(spec, model_type, "Qwen2.5 0.5B", "Qwen/Qwen2.5-0.5B"),
        notes=["Architecture from gpuplan preset qwen2.5-0.5b."], encoder=False, layers=24, max_positions=None,
        gpuplan_params=494032768,
    )


H200 = Environment(gpu_name="NVIDIA H200", gpu_total_bytes=150_109_880_320, driver_version="550.90.07",
                   cuda_version="12.4", versions={"torch": "2.5.1", "transformers": "4.46.3", "peft": "0.13.2",
                                                  "bitsandbytes": "0.44.1", "flash_attn": None})


def measured_run():
    return Measurement(peak_allocated_bytes=10 * GIB, peak_reserved_bytes=11 * GIB, process_bytes=12 * GIB,
                       process_reading="NVML usedGpuMemory of this process = 12884901888 bytes",
                       step_times_s=[0.4, 0.5, 0.6], total_params=494032768, trainable_params=8798208,
                       lora_modules=["q_proj", "v_proj"])


class CaseTest(unittest.TestCase):
    def build(self, options, measurement=None):
        return build_case("V901", options, sample_source(), measurement or measured_run(), H200, "2026-12-05")

    def test_schema_fields(self):
        case = self.build(parse("--model", "qwen2.5-0.5b", "--method", "lora", "--lora_targets", "q,v"))
        self.assertEqual(list(case), ["id", "origin", "source", "quality", "model", "training", "hardware",
                                      "measured", "assumed", "notes"])
        self.assertEqual(set(case["model"]), {"name", "hf_id", "arch", "params", "layers", "hidden", "heads",
                                              "kv_heads", "intermediate", "vocab", "tied_embeddings", "mlp",
                                              "experts", "experts_per_token"})
        self.assertEqual(set(case["training"]), {"method", "lora_rank", "lora_targets", "precision",
                                                 "base_weight_bits", "optimizer", "micro_batch", "seq_len",
                                                 "grad_accum", "grad_checkpointing", "attention", "framework"})
        self.assertEqual(set(case["hardware"]), {"gpu", "gpu_memory_gb", "num_gpus", "zero_stage", "fsdp",
                                                 "tensor_parallel", "pipeline_parallel", "offload"})
        for entry in case["measured"]:
            self.assertEqual(set(entry), {"quantity", "value", "unit", "memory_kind", "as_reported"})
        json.dumps(case)  # serializable

    def test_values(self):
        case = self.build(parse("--model", "qwen2.5-0.5b", "--method", "lora", "--lora_targets", "q,v",
                                "--micro_batch", "4", "--seq_len", "1024", "--grad_accum", "2"))
        self.assertEqual(case["id"], "V901")
        self.assertEqual(case["model"]["params"], 494032768)
        self.assertEqual(case["model"]["arch"], "qwen2")
        self.assertEqual(case["training"]["lora_targets"], ["q_proj", "v_proj"])
        self.assertEqual(case["training"]["lora_rank"], 16)
        self.assertEqual(case["training"]["base_weight_bits"], 32)  # amp_bf16 keeps fp32 weights
        self.assertIs(case["training"]["grad_checkpointing"], False)
        self.assertEqual(case["hardware"]["gpu_memory_gb"], 141)
        self.assertEqual(case["hardware"]["num_gpus"], 1)
        self.assertIn("494032768 total, 8798208 trainable; gpuplan counts 494032768", case["notes"])
        self.assertIn("torch 2.5.1 (CUDA 12.4)", case["notes"])
        self.assertIn("peft 0.13.2", case["notes"])

    def test_memory_entries_in_bytes(self):
        case = self.build(parse("--model", "qwen2.5-0.5b"))
        memory = [entry for entry in case["measured"] if entry["quantity"] == "peak_memory_per_gpu"]
        self.assertEqual([entry["memory_kind"] for entry in memory],
                         ["torch_peak_allocated", "torch_peak_reserved", "nvidia_smi"])
        self.assertEqual([entry["value"] for entry in memory], [10737418240, 11811160064, 12884901888])
        for entry in memory:
            self.assertEqual(entry["unit"], "bytes")
            self.assertIsInstance(entry["value"], int)
        self.assertIn("10.00 GiB", memory[0]["as_reported"])

    def test_timing_entries(self):
        case = self.build(parse("--model", "qwen2.5-0.5b", "--micro_batch", "4", "--seq_len", "1024",
                                "--grad_accum", "2"))
        by_quantity = {entry["quantity"]: entry for entry in case["measured"]}
        self.assertIs(by_quantity["fits"]["value"], True)
        self.assertAlmostEqual(by_quantity["step_time_s"]["value"], 0.5)  # mean of 0.4, 0.5, 0.6
        self.assertEqual(by_quantity["step_time_s"]["unit"], "s")
        # 4 sequences x 1024 tokens x 2 micro-batches = 8192 tokens in 0.5 s
        self.assertAlmostEqual(by_quantity["tokens_per_s_per_gpu"]["value"], 16384.0)
        self.assertEqual(by_quantity["tokens_per_s_per_gpu"]["unit"], "tokens/s")
        self.assertIsNone(by_quantity["step_time_s"]["memory_kind"])

    def test_without_process_reading(self):
        measurement = measured_run()
        measurement.process_bytes = None
        measurement.process_note = "No process memory reading: pynvml and nvidia-smi are missing."
        case = self.build(parse("--model", "qwen2.5-0.5b"), measurement)
        kinds = [entry["memory_kind"] for entry in case["measured"] if entry["memory_kind"]]
        self.assertEqual(kinds, ["torch_peak_allocated", "torch_peak_reserved"])
        self.assertIn("pynvml and nvidia-smi are missing", case["notes"])

    def test_device_wide_reading_is_assumed(self):
        measurement = measured_run()
        measurement.process_reading_assumed = True
        case = self.build(parse("--model", "qwen2.5-0.5b"), measurement)
        self.assertTrue(any("device-wide" in item for item in case["assumed"]))

    def test_out_of_memory(self):
        measurement = Measurement(oom=True, oom_phase="warm-up step", oom_message="CUDA out of memory.",
                                  peak_allocated_bytes=140 * GIB, total_params=494032768)
        case = self.build(parse("--model", "qwen2.5-0.5b"), measurement)
        self.assertEqual(case["measured"], [{"quantity": "oom", "value": True, "unit": None, "memory_kind": None,
                                             "as_reported": "torch.cuda.OutOfMemoryError during the warm-up step"}])
        self.assertIn("Peak allocated before the failure: 150323855360 bytes", case["notes"])

    def test_full_method(self):
        case = self.build(parse("--model", "qwen2.5-0.5b", "--precision", "pure_bf16", "--grad_checkpointing", "full"))
        self.assertIsNone(case["training"]["lora_rank"])
        self.assertIsNone(case["training"]["lora_targets"])
        self.assertEqual(case["training"]["base_weight_bits"], 16)
        self.assertIs(case["training"]["grad_checkpointing"], True)
        self.assertNotIn("PEFT", case["training"]["framework"])

    def test_qlora_bits_and_framework(self):
        case = self.build(parse("--model", "qwen2.5-0.5b", "--method", "qlora", "--optimizer", "paged_adamw_8bit"))
        self.assertEqual(case["training"]["base_weight_bits"], 4)
        self.assertIn("bitsandbytes 0.44.1", case["training"]["framework"])
        self.assertIn("unified memory", case["notes"])

    def test_varying_lengths_and_allocator(self):
        args = parse("--model", "qwen2.5-0.5b", "--sample_lengths", "varying")
        with unittest.mock.patch.dict(os.environ, {"PYTORCH_CUDA_ALLOC_CONF": ""}):
            self.assertIs(self.build(args)["training"]["variable_lengths"], True)
        with unittest.mock.patch.dict(os.environ, {"PYTORCH_CUDA_ALLOC_CONF": "expandable_segments:True"}):
            self.assertIs(self.build(args)["training"]["variable_lengths"], False)
        self.assertNotIn("variable_lengths", self.build(parse("--model", "qwen2.5-0.5b"))["training"])

    def test_varying_lengths(self):
        measurement = measured_run()
        measurement.padded_tokens_per_step = 3000.0
        measurement.allocator_stats = {"inactive_split_bytes_peak": 2 * GIB, "alloc_retries": 0, "segments_peak": 41}
        case = self.build(parse("--model", "qwen2.5-0.5b", "--micro_batch", "2", "--seq_len", "2048",
                                "--sample_lengths", "varying"), measurement)
        self.assertIs(case["training"]["samples_shorter_than_seq_len"], True)
        self.assertEqual(case["training"]["seq_len"], 2048)
        self.assertIn("each sequence drew a length between 256 and 2048 tokens", case["notes"])
        self.assertIn("Mean tokens per measured step, padding included: 3000.", case["notes"])
        self.assertIn("peak inactive split blocks 2147483648 bytes, 0 cudaMalloc retries, peak 41 segments",
                      case["notes"])
        by_quantity = {entry["quantity"]: entry for entry in case["measured"]}
        # 3000 padded tokens per step in the mean step time of 0.5 s
        self.assertAlmostEqual(by_quantity["tokens_per_s_per_gpu"]["value"], 6000.0)

    def test_nominal_memory_labels(self):
        # (total memory CUDA reports in GiB, vendor label)
        for gib, label in [(79.25, 80), (139.8, 141), (39.4, 40), (23.99, 24), (14.75, 16), (22.05, 24),
                           (31.7, 32), (47.5, 48), (300.0, 300)]:
            with self.subTest(gib=gib):
                self.assertEqual(nominal_memory_label_gb(int(gib * GIB)), label)


class RunnerHelperTest(unittest.TestCase):
    def test_dtype_plan(self):
        # (flags, expected plan)
        table = [
            (("--precision", "fp32"), {"model": "float32", "adapters": None, "autocast": None, "compute": None}),
            (("--precision", "amp_bf16"), {"model": "float32", "adapters": None, "autocast": "bfloat16",
                                           "compute": None}),
            (("--precision", "pure_fp16"), {"model": "float16", "adapters": None, "autocast": None,
                                            "compute": None}),
            (("--method", "lora", "--precision", "amp_fp16"), {"model": "float32", "adapters": "float32",
                                                               "autocast": "float16", "compute": None}),
            (("--method", "lora", "--precision", "amp_bf16", "--base_weight_bits", "16"),
             {"model": "bfloat16", "adapters": "float32", "autocast": "bfloat16", "compute": None}),
            (("--method", "qlora", "--precision", "pure_bf16"), {"model": "bfloat16", "adapters": "float32",
                                                                 "autocast": None, "compute": "bfloat16"}),
            (("--method", "qlora", "--precision", "fp32"), {"model": "float32", "adapters": "float32",
                                                            "autocast": None, "compute": "float32"}),
        ]
        for flags, expected in table:
            with self.subTest(flags=flags):
                self.assertEqual(measure_runner.dtype_plan(parse("--model", "m", *flags)), expected)

    def test_sample_lengths(self):
        rng = random.Random(7)
        lengths = [length for _ in range(500) for length in measure_runner.draw_sample_lengths(rng, 4, 2048)]
        self.assertEqual(len(lengths), 2000)
        # Uniform from 2048 // 8 = 256 to 2048: both ends are reached in 2,000 draws, nothing lies outside.
        self.assertEqual((min(lengths), max(lengths)), (256, 2048))
        self.assertAlmostEqual(sum(lengths) / len(lengths), (256 + 2048) / 2, delta=40)
        # The same seed repeats the shapes; a one-token sequence stays one token.
        self.assertEqual(measure_runner.draw_sample_lengths(random.Random(3), 3, 100),
                         measure_runner.draw_sample_lengths(random.Random(3), 3, 100))
        self.assertEqual(measure_runner.draw_sample_lengths(random.Random(3), 2, 1), [1, 1])

    def test_allocator_stats(self):
        stats = {"inactive_split_bytes.all.peak": 123, "num_alloc_retries": 2, "segment.all.peak": 9,
                 "allocated_bytes.all.peak": 5}
        self.assertEqual(measure_runner.allocator_stats(stats),
                         {"inactive_split_bytes_peak": 123, "alloc_retries": 2, "segments_peak": 9})
        self.assertEqual(measure_runner.allocator_stats({})["alloc_retries"], 0)

    def test_dtype_keyword(self):
        self.assertEqual(measure_runner.dtype_keyword("4.46.3"), "torch_dtype")
        self.assertEqual(measure_runner.dtype_keyword("4.56.0"), "dtype")
        self.assertEqual(measure_runner.dtype_keyword("5.0.0.dev0"), "dtype")

    def test_out_of_memory_detection(self):
        class OutOfMemoryError(RuntimeError):
            pass

        self.assertTrue(measure_runner.is_out_of_memory(OutOfMemoryError("x")))
        self.assertTrue(measure_runner.is_out_of_memory(RuntimeError("CUDA error: out of memory")))
        self.assertFalse(measure_runner.is_out_of_memory(RuntimeError("CUDA error: illegal memory access")))
        self.assertFalse(measure_runner.is_out_of_memory(ValueError("out of memory")))

    def test_parse_compute_apps(self):
        text = "4242, 15234\n777, 100\n4242, 10\n99, [N/A]\n"
        self.assertEqual(process_memory.parse_compute_apps(text, 4242), (15234 + 10) * 2**20)
        self.assertIsNone(process_memory.parse_compute_apps(text, 5))
        self.assertIsNone(process_memory.parse_compute_apps(text, 99))

    def test_visible_device_selector(self):
        self.assertEqual(process_memory.visible_device_selector(None), ("index", 0))
        self.assertEqual(process_memory.visible_device_selector("3,1"), ("index", 3))
        self.assertEqual(process_memory.visible_device_selector("GPU-8f2c"), ("uuid", "GPU-8f2c"))

    def test_every_optimizer_has_a_recipe(self):
        self.assertEqual(set(measure_runner.OPTIMIZER_RECIPES), set(measure_options.OPTIMIZERS))
        self.assertEqual(measure_runner.OPTIMIZER_RECIPES["sgd_momentum"], ("torch.optim", "SGD", {"momentum": 0.9}))
        self.assertEqual(measure_runner.OPTIMIZER_RECIPES["adafactor_momentum"][2]["beta1"], 0.9)
        self.assertIsNone(measure_runner.OPTIMIZER_RECIPES["adafactor"][2]["beta1"])

    def test_modules_import_no_ml_packages(self):
        # Every harness module was imported above, and none may import torch,
        # transformers, peft or bitsandbytes at load time.
        for package in ("torch", "transformers", "peft", "bitsandbytes"):
            self.assertNotIn(package, sys.modules, package)

if __name__ == "__main__":
    unittest.main()
