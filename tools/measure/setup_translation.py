"""Translate a gpuplan model spec into a Transformers config.

A gpuplan model spec (the "spec" object of `gpuplan model <id> --json`) becomes
a config dict for AutoConfig.for_model, and a spec or a Transformers
config.json becomes the `model` object of a validation case. Nothing here
imports torch or transformers.
"""

import re

# ---------------------------------------------------------------------------
# gpuplan model specs

# Field defaults of a gpuplan ModelSpec (core/model.h). A spec may leave any of
# these out; layers, hidden, heads and vocab are required.
SPEC_INTEGER_DEFAULTS = {
    "layers": None,
    "hidden": None,
    "heads": None,
    "kv_heads": 0,  # 0 means equal to heads
    "head_dim": 0,  # 0 means hidden / heads
    "intermediate": 0,
    "vocab": None,
    "max_positions": 0,
    "type_vocab": 0,
    "norms_per_layer": 2,
    "experts": 0,
    "experts_per_token": 0,
    "shared_experts": 0,
    "expert_intermediate": 0,
    "shared_expert_intermediate": 0,
    "first_dense_layers": 0,
    "moe_layer_interval": 1,
    "q_lora_rank": 0,
    "kv_lora_rank": 0,
    "qk_nope_head_dim": 0,
    "qk_rope_head_dim": 0,
    "v_head_dim": 0,
}

SPEC_BOOLEAN_DEFAULTS = {
    "tied_embeddings": False,
    "norm_bias": False,
    "qkv_bias": False,
    "linear_bias": False,
    "qk_norm": False,
    "pooler": False,
    "shared_expert_gate": False,
    "router_bias": False,
}

SPEC_CHOICES = {
    "family": ("decoder", "encoder"),
    "mlp": ("gated", "plain"),
    "norm": ("rmsnorm", "layernorm"),
    "position": ("rotary", "learned", "alibi"),
    "attention_type": ("mha", "mla"),
}

REQUIRED_SPEC_FIELDS = ("layers", "hidden", "heads", "vocab")


class TranslationError(ValueError):
    """A model spec, config.json or LoRA target that cannot be translated."""


def _parse_spec_integer(name, value):
    if isinstance(value, bool):
        raise TranslationError(f"model spec field {name}: invalid value {value!r}; expected an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    raise TranslationError(f"model spec field {name}: invalid value {value!r}; expected an integer")


def _parse_spec_boolean(name, value):
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise TranslationError(f"model spec field {name}: invalid value {value!r}; expected true or false")


def normalize_spec(raw):
    """Return a complete spec dict with typed values and defaults filled in.

    Values may be JSON numbers and booleans, or the URL text that gpuplan
    writes ("4096", "true"). Raises TranslationError naming the field.
    """
    if not isinstance(raw, dict):
        raise TranslationError(f"model spec: expected a JSON object, got {type(raw).__name__}")
    spec = {}
    for name, default in SPEC_INTEGER_DEFAULTS.items():
        value = raw.get(name)
        if value is None:
            if default is None:
                raise TranslationError(f"model spec field {name}: missing; it is required")
            spec[name] = default
        else:
            spec[name] = _parse_spec_integer(name, value)
    for name, default in SPEC_BOOLEAN_DEFAULTS.items():
        value = raw.get(name)
        spec[name] = default if value is None else _parse_spec_boolean(name, value)
    for name, choices in SPEC_CHOICES.items():
        value = raw.get(name)
        if value is None:
            value = choices[0]
        if value not in choices:
            raise TranslationError(
                f"model spec field {name}: invalid value {value!r}; expected one of {', '.join(choices)}"
            )
        spec[name] = value

    for name in REQUIRED_SPEC_FIELDS:
        if spec[name] < 1:
            raise TranslationError(f"model spec field {name}: invalid value {spec[name]}; expected 1 or more")
    if spec["kv_heads"] == 0:
        spec["kv_heads"] = spec["heads"]
    if spec["heads"] % spec["kv_heads"] != 0:
        raise TranslationError(
            f"model spec field kv_heads: {spec['kv_heads']} does not divide heads {spec['heads']}"
        )
    return spec


def effective_head_dim(spec):
    """Return head_dim, or hidden / heads when the spec leaves it at 0."""
    return spec["head_dim"] if spec["head_dim"] > 0 else spec["hidden"] // spec["heads"]


def is_moe_layer(spec, layer_index):
    """Apply gpuplan's rule: layers from first_dense_layers on, every moe_layer_interval-th."""
    if spec["experts"] <= 0 or layer_index < spec["first_dense_layers"]:
        return False
    return (layer_index - spec["first_dense_layers"]) % spec["moe_layer_interval"] == 0


def shared_expert_width(spec):
    if spec["shared_expert_intermediate"] > 0:
        return spec["shared_expert_intermediate"]
    return spec["shared_experts"] * spec["expert_intermediate"]


# ---------------------------------------------------------------------------
# Choosing the Transformers model type

# Hugging Face repository prefixes whose blocks Transformers builds with a
# class other than the one the spec's shape points to. Phi-3 and Phi-4 fuse
# q, k, v into qkv_proj and gate, up into gate_up_proj; Mistral is Llama-shaped.
HF_ID_MODEL_TYPES = (
    ("microsoft/phi-3", "phi3"),
    ("microsoft/phi-4", "phi3"),
    ("mistralai/mistral-", "mistral"),
)


def choose_model_type(spec, hf_id=""):
    """Return the Transformers model_type that builds a model of this spec."""
    if spec["family"] == "encoder":
        return "bert"
    if spec["attention_type"] == "mla":
        return "deepseek_v3"

    if spec["position"] == "alibi":
        raise TranslationError(
            "model spec field position=alibi: Transformers has no built-in decoder with ALiBi in a "
            "Llama-style block; pass the checkpoint's config.json as --model (with --trust_remote_code "
            "when it needs its own code)"
        )
    if spec["position"] == "learned":
        return "gpt2"

    if spec["experts"] > 0:
        if spec["qk_norm"]:
            return "qwen3_moe"
        if spec["shared_experts"] > 0 or spec["shared_expert_intermediate"] > 0:
            return "qwen2_moe"
        return "mixtral"

    if spec["norms_per_layer"] == 4:
        return "gemma2"
    if spec["qk_norm"]:
        return "qwen3"
    if spec["qkv_bias"] and not spec["linear_bias"]:
        return "qwen2"

    lowered = (hf_id or "").lower()
    for prefix, model_type in HF_ID_MODEL_TYPES:
        if lowered.startswith(prefix):
            return model_type
    return "llama"


# Spec fields that each model type fixes. A spec with another value would
# build a model of a different shape, so translation rejects it.
_FIXED_DECODER = {
    "family": "decoder",
    "norm": "rmsnorm",
    "mlp": "gated",
    "position": "rotary",
    "attention_type": "mha",
    "norm_bias": False,
    "pooler": False,
    "type_vocab": 0,
}

FIXED_FIELDS = {
    "llama": {**_FIXED_DECODER, "qk_norm": False, "norms_per_layer": 2, "experts": 0},
    "mistral": {**_FIXED_DECODER, "qk_norm": False, "norms_per_layer": 2, "experts": 0,
                "qkv_bias": False, "linear_bias": False},
    "phi3": {**_FIXED_DECODER, "qk_norm": False, "norms_per_layer": 2, "experts": 0,
             "qkv_bias": False, "linear_bias": False},
    "qwen2": {**_FIXED_DECODER, "qk_norm": False, "norms_per_layer": 2, "experts": 0,
              "qkv_bias": True, "linear_bias": False},
    "qwen3": {**_FIXED_DECODER, "norms_per_layer": 2, "experts": 0, "qkv_bias": False,
              "linear_bias": False},
    "gemma2": {**_FIXED_DECODER, "qk_norm": False, "experts": 0, "qkv_bias": False,
               "linear_bias": False},
    "mixtral": {**_FIXED_DECODER, "qk_norm": False, "norms_per_layer": 2, "qkv_bias": False,
                "linear_bias": False, "shared_experts": 0, "shared_expert_intermediate": 0,
                "first_dense_layers": 0, "moe_layer_interval": 1},
    "qwen2_moe": {**_FIXED_DECODER, "qk_norm": False, "norms_per_layer": 2, "qkv_bias": True,
                  "linear_bias": False, "shared_expert_gate": True},
    "qwen3_moe": {**_FIXED_DECODER, "norms_per_layer": 2, "qkv_bias": False, "linear_bias": False,
                  "shared_experts": 0, "shared_expert_intermediate": 0},
    "deepseek_v3": {**_FIXED_DECODER, "attention_type": "mla", "qk_norm": False, "norms_per_layer": 2,
                    "qkv_bias": False, "linear_bias": False, "moe_layer_interval": 1},
    "gpt2": {"family": "decoder", "norm": "layernorm", "mlp": "plain", "position": "learned",
             "attention_type": "mha", "norm_bias": True, "linear_bias": True, "qk_norm": False,
             "norms_per_layer": 2, "experts": 0, "pooler": False, "type_vocab": 0},
    "bert": {"family": "encoder", "norm": "layernorm", "mlp": "plain", "position": "learned",
             "attention_type": "mha", "norm_bias": True, "linear_bias": True, "qk_norm": False,
             "norms_per_layer": 2, "experts": 0},
}

# Model types whose Transformers code derives head_dim from hidden / heads
# (or has no head_dim setting in every release), and those without
# grouped-query attention.
DERIVED_HEAD_DIM_TYPES = {"qwen2", "phi3", "mixtral", "qwen2_moe", "gpt2", "bert"}
NO_GQA_TYPES = {"gpt2", "bert"}


def check_spec_fits(spec, model_type):
    """Raise TranslationError when the spec has a field model_type cannot express."""
    for field, required in FIXED_FIELDS[model_type].items():
        if spec[field] != required:
            raise TranslationError(
                f"model spec field {field}={_spec_text(spec[field])} cannot be built as Transformers "
                f"model_type {model_type}, which needs {field}={_spec_text(required)}"
            )
    if model_type == "llama" and spec["qkv_bias"] != spec["linear_bias"]:
        raise TranslationError(
            "model spec fields qkv_bias and linear_bias differ; Transformers model_type llama has one "
            "attention_bias setting for q, k, v and o"
        )
    if model_type in DERIVED_HEAD_DIM_TYPES and spec["head_dim"] not in (0, spec["hidden"] // spec["heads"]):
        raise TranslationError(
            f"model spec field head_dim={spec['head_dim']} cannot be built as Transformers model_type "
            f"{model_type}, which uses hidden / heads = {spec['hidden'] // spec['heads']}"
        )
    if model_type in NO_GQA_TYPES and spec["kv_heads"] != spec["heads"]:
        raise TranslationError(
            f"model spec field kv_heads={spec['kv_heads']} cannot be built as Transformers model_type "
            f"{model_type}, which needs kv_heads equal to heads ({spec['heads']})"
        )


def _spec_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# ---------------------------------------------------------------------------
# Spec to Transformers config dict


def _decoder_keys(spec, model_type):
    keys = {
        "model_type": model_type,
        "vocab_size": spec["vocab"],
        "hidden_size": spec["hidden"],
        "intermediate_size": spec["intermediate"],
        "num_hidden_layers": spec["layers"],
        "num_attention_heads": spec["heads"],
        "num_key_value_heads": spec["kv_heads"],
        "hidden_act": "silu",
        "tie_word_embeddings": spec["tied_embeddings"],
        "use_cache": False,
    }
    if spec["max_positions"] > 0:
        keys["max_position_embeddings"] = spec["max_positions"]
    return keys


def _dense_layer_indices(spec):
    return [index for index in range(spec["layers"]) if not is_moe_layer(spec, index)]


def _llama_config(spec):
    keys = _decoder_keys(spec, "llama")
    keys["head_dim"] = effective_head_dim(spec)
    keys["attention_bias"] = spec["linear_bias"]
    keys["mlp_bias"] = spec["linear_bias"]
    return keys


def _mistral_config(spec):
    keys = _decoder_keys(spec, "mistral")
    keys["head_dim"] = effective_head_dim(spec)
    # The spec has no sliding window, so attention spans the whole sequence
    # as in the Llama models gpuplan compares against.
    keys["sliding_window"] = None
    return keys


def _phi3_config(spec):
    keys = _decoder_keys(spec, "phi3")
    # Phi3Config defaults pad_token_id to 32000, which is out of range for a
    # smaller custom vocabulary; no padding token is needed for random ids.
    keys["pad_token_id"] = None
    return keys


def _qwen2_config(spec):
    keys = _decoder_keys(spec, "qwen2")
    keys["use_sliding_window"] = False
    return keys


def _qwen3_config(spec):
    keys = _decoder_keys(spec, "qwen3")
    keys["head_dim"] = effective_head_dim(spec)
    keys["attention_bias"] = False
    keys["use_sliding_window"] = False
    return keys


def _gemma2_config(spec):
    keys = _decoder_keys(spec, "gemma2")
    del keys["hidden_act"]
    keys["head_dim"] = effective_head_dim(spec)
    keys["hidden_activation"] = "gelu_pytorch_tanh"
    return keys


def _mixtral_config(spec):
    keys = _decoder_keys(spec, "mixtral")
    keys["intermediate_size"] = spec["expert_intermediate"]
    keys["num_local_experts"] = spec["experts"]
    keys["num_experts_per_tok"] = spec["experts_per_token"]
    keys["sliding_window"] = None
    return keys


def _qwen_moe_experts(spec, keys):
    keys["num_experts"] = spec["experts"]
    keys["num_experts_per_tok"] = spec["experts_per_token"]
    keys["moe_intermediate_size"] = spec["expert_intermediate"]
    # With decoder_sparse_step 1 a layer is an MoE layer unless it is listed in
    # mlp_only_layers, so the list reproduces gpuplan's layer pattern exactly.
    keys["decoder_sparse_step"] = 1
    keys["mlp_only_layers"] = _dense_layer_indices(spec)
    keys["use_sliding_window"] = False
    return keys


def _qwen2_moe_config(spec):
    keys = _qwen_moe_experts(spec, _decoder_keys(spec, "qwen2_moe"))
    keys["shared_expert_intermediate_size"] = shared_expert_width(spec)
    return keys


def _qwen3_moe_config(spec):
    keys = _qwen_moe_experts(spec, _decoder_keys(spec, "qwen3_moe"))
    keys["head_dim"] = effective_head_dim(spec)
    keys["attention_bias"] = False
    return keys


def _deepseek_v3_config(spec):
    keys = _decoder_keys(spec, "deepseek_v3")
    keys["moe_intermediate_size"] = spec["expert_intermediate"]
    keys["n_routed_experts"] = spec["experts"]
    keys["n_shared_experts"] = spec["shared_experts"]
    keys["num_experts_per_tok"] = spec["experts_per_token"]
    keys["first_k_dense_replace"] = spec["first_dense_layers"]
    keys["q_lora_rank"] = spec["q_lora_rank"] if spec["q_lora_rank"] > 0 else None
    keys["kv_lora_rank"] = spec["kv_lora_rank"]
    keys["qk_nope_head_dim"] = spec["qk_nope_head_dim"]
    keys["qk_rope_head_dim"] = spec["qk_rope_head_dim"]
    keys["v_head_dim"] = spec["v_head_dim"]
    # One expert group: group-limited routing changes which experts a token
    # picks, not the parameter shapes, and n_group must divide the experts.
    keys["n_group"] = 1
    keys["topk_group"] = 1
    return keys


def _gpt2_config(spec):
    keys = {
        "model_type": "gpt2",
        "vocab_size": spec["vocab"],
        "n_embd": spec["hidden"],
        "n_layer": spec["layers"],
        "n_head": spec["heads"],
        "n_inner": spec["intermediate"],
        "activation_function": "gelu_new",
        "tie_word_embeddings": spec["tied_embeddings"],
        "use_cache": False,
    }
    if spec["max_positions"] > 0:
        keys["n_positions"] = spec["max_positions"]
    return keys


# Encoders are trained as sequence classifiers, the fine-tuning task that
# gpuplan's encoder estimate (BertModel, pooler, no vocabulary logits) describes.
CLASSIFIER_LABELS = 2


def _bert_config(spec):
    keys = {
        "model_type": "bert",
        "vocab_size": spec["vocab"],
        "hidden_size": spec["hidden"],
        "num_hidden_layers": spec["layers"],
        "num_attention_heads": spec["heads"],
        "intermediate_size": spec["intermediate"],
        "hidden_act": "gelu",
        "type_vocab_size": spec["type_vocab"],
        "is_decoder": False,
        "num_labels": CLASSIFIER_LABELS,
        "use_cache": False,
    }
    if spec["max_positions"] > 0:
        keys["max_position_embeddings"] = spec["max_positions"]
    return keys


CONFIG_BUILDERS = {
    "llama": _llama_config,
    "mistral": _mistral_config,
    "phi3": _phi3_config,
    "qwen2": _qwen2_config,
    "qwen3": _qwen3_config,
    "gemma2": _gemma2_config,
    "mixtral": _mixtral_config,
    "qwen2_moe": _qwen2_moe_config,
    "qwen3_moe": _qwen3_moe_config,
    "deepseek_v3": _deepseek_v3_config,
    "gpt2": _gpt2_config,
    "bert": _bert_config,
}


def hf_config_from_spec(spec, hf_id=""):
    """Return the Transformers config dict (with "model_type") that builds the spec.

    spec must come from normalize_spec. Raises TranslationError when no
    built-in Transformers class has the spec's shape.
    """
    model_type = choose_model_type(spec, hf_id)
    check_spec_fits(spec, model_type)
    return CONFIG_BUILDERS[model_type](spec)


def translation_notes(spec, model_type):
    """Return sentences on where the built model differs from the spec's checkpoint."""
    notes = []
    if model_type == "bert":
        notes.append(
            f"Built as BertForSequenceClassification: BertModel with its pooler and a hidden x "
            f"{CLASSIFIER_LABELS} classifier, trained on random class labels."
        )
    if model_type == "deepseek_v3":
        notes.append(
            "Transformers' DeepSeek-V3 code keeps an e_score_correction_bias of `experts` values in each "
            "MoE layer and routes within one expert group."
        )
        if not spec["router_bias"]:
            notes.append("The spec has no router bias, so the built model has that many extra values per MoE layer.")
    if model_type == "gemma2":
        notes.append(
            "Gemma 2 defaults kept: sliding-window attention (4096) on alternate layers and soft-capping of "
            "attention scores and final logits."
        )
    if model_type in ("mistral", "mixtral"):
        notes.append("sliding_window set to null: every layer attends to the whole sequence.")
    return notes


# ---------------------------------------------------------------------------
# Transformers config.json to the `model` object of a validation case

# Values of the case's model.arch; other model types are recorded as "other".
CASE_ARCHES = {"llama", "mistral", "mixtral", "qwen2", "gpt2", "gpt_neox", "bert", "t5", "bloom",
               "falcon", "mpt", "opt"}
PLAIN_MLP_TYPES = {"gpt2", "gpt_neox", "bert", "roberta", "bloom", "falcon", "mpt", "opt",
                   "gptj", "gpt_bigcode", "distilbert", "electra", "xlm-roberta"}
ENCODER_TYPES = {"bert", "roberta", "xlm-roberta", "distilbert", "electra", "deberta", "deberta-v2"}

# Transformers config classes whose tie_word_embeddings defaults to true.
TIED_BY_DEFAULT_TYPES = {"gpt2", "gemma", "gemma2", "gpt_bigcode", "opt"}


def _first_present(config, keys, default=None):
    for key in keys:
        if config.get(key) is not None:
            return config[key]
    return default


# Model types recorded under the arch whose parameter layout they share.
# Phi-3's fused qkv_proj and gate_up_proj hold the same weights as Llama's
# separate projections.
CASE_ARCH_ALIASES = {"phi3": "llama"}


def case_arch(model_type):
    """Return the validation case's arch value for a Transformers model_type."""
    model_type = CASE_ARCH_ALIASES.get(model_type, model_type)
    return model_type if model_type in CASE_ARCHES else "other"


def case_model_from_spec(spec, model_type, name, hf_id):
    """Return the case's model object for a gpuplan spec built as model_type.

    params is left None: the runner counts the built model's parameters.
    """
    moe = spec["experts"] > 0
    # A sequence-classification head has no output embedding to tie.
    tied = None if spec["family"] == "encoder" else spec["tied_embeddings"]
    return {
        "name": name,
        "hf_id": hf_id or None,
        "arch": case_arch(model_type),
        "params": None,
        "layers": spec["layers"],
        "hidden": spec["hidden"],
        "heads": spec["heads"],
        "kv_heads": spec["kv_heads"],
        "intermediate": spec["expert_intermediate"] if moe else spec["intermediate"],
        "vocab": spec["vocab"],
        "tied_embeddings": tied,
        "mlp": spec["mlp"],
        "experts": spec["experts"] if moe else None,
        "experts_per_token": spec["experts_per_token"] if moe else None,
    }


def case_model_from_hf_config(config, name):
    """Return the case's model object for a Transformers config.json dict.

    Fields that the config does not hold are None. params is left None.
    """
    model_type = config.get("model_type", "")
    hidden = _first_present(config, ("hidden_size", "n_embd", "d_model"))
    heads = _first_present(config, ("num_attention_heads", "n_head"))
    kv_heads = _first_present(config, ("num_key_value_heads", "multi_query_group_num"), heads)
    experts = _first_present(config, ("num_local_experts", "num_experts", "n_routed_experts"))
    if experts is not None and experts <= 0:
        experts = None
    if experts is not None and model_type != "mixtral":
        intermediate = _first_present(config, ("moe_intermediate_size", "intermediate_size"))
    else:
        intermediate = _first_present(config, ("intermediate_size", "n_inner", "ffn_hidden_size"))
        if intermediate is None and model_type == "gpt2" and hidden is not None:
            intermediate = 4 * hidden  # GPT2Config's n_inner None means 4 * n_embd
    tied = config.get("tie_word_embeddings")
    if tied is None:
        tied = True if model_type in TIED_BY_DEFAULT_TYPES else None
    if model_type in ENCODER_TYPES:
        tied = None  # trained as a sequence classifier, which has no output embedding
    return {
        "name": name,
        "hf_id": config.get("_name_or_path") or None,
        "arch": case_arch(model_type),
        "params": None,
        "layers": _first_present(config, ("num_hidden_layers", "n_layer", "num_layers")),
        "hidden": hidden,
        "heads": heads,
        "kv_heads": kv_heads,
        "intermediate": intermediate,
        "vocab": _first_present(config, ("vocab_size", "padded_vocab_size")),
        "tied_embeddings": tied,
        "mlp": "plain" if model_type in PLAIN_MLP_TYPES else "gated",
        "experts": experts,
        "experts_per_token": config.get("num_experts_per_tok") if experts is not None else None,
    }


def hf_config_layers(config):
    return _first_present(config, ("num_hidden_layers", "n_layer", "num_layers"))


def hf_config_max_positions(config):
    """Return the learned-position limit of a GPT-2 or BERT style config, else None."""
    if config.get("model_type") in ("gpt2", "gpt_bigcode"):
        return config.get("n_positions", 1024)
    if config.get("model_type") in ENCODER_TYPES or config.get("position_embedding_type") == "absolute":
        return config.get("max_position_embeddings", 512)
    return None
