"""Modules of a built Transformers model that a fine-tuning method trains.

gpuplan's LoRA target names (q, k, v, o, gate, up, down, all-linear) become
the module names of the built model, and freeze tuning's "last N layers"
becomes a list of parameter names. Nothing here imports torch.
"""

import re

# ---------------------------------------------------------------------------
# LoRA targets

LORA_TARGET_NAMES = ("q", "k", "v", "o", "gate", "up", "down")
ALL_LINEAR = "all-linear"

_LLAMA_STYLE_TARGETS = {
    "q": (("q_proj", r"q_proj"),),
    "k": (("k_proj", r"k_proj"),),
    "v": (("v_proj", r"v_proj"),),
    "o": (("o_proj", r"o_proj"),),
    "gate": (("gate_proj", r"gate_proj"),),
    "up": (("up_proj", r"up_proj"),),
    "down": (("down_proj", r"down_proj"),),
}

# For each model type and gpuplan target: (name as recorded in the case,
# regular expression for the end of the module's dotted name). Fused modules
# appear under every target they hold.
LORA_MODULE_TABLE = {
    "llama": _LLAMA_STYLE_TARGETS,
    "mistral": _LLAMA_STYLE_TARGETS,
    "qwen2": _LLAMA_STYLE_TARGETS,
    "qwen3": _LLAMA_STYLE_TARGETS,
    "gemma2": _LLAMA_STYLE_TARGETS,
    "qwen2_moe": _LLAMA_STYLE_TARGETS,
    "qwen3_moe": _LLAMA_STYLE_TARGETS,
    # Transformers 4.x names the Mixtral expert matrices w1 (gate), w3 (up), w2 (down).
    "mixtral": {
        **{target: _LLAMA_STYLE_TARGETS[target] for target in ("q", "k", "v", "o")},
        "gate": (("w1", r"w1"),),
        "up": (("w3", r"w3"),),
        "down": (("w2", r"w2"),),
    },
    "deepseek_v3": {
        "q": (("q_proj", r"q_proj"), ("q_a_proj", r"q_a_proj"), ("q_b_proj", r"q_b_proj")),
        "k": (("kv_a_proj_with_mqa", r"kv_a_proj_with_mqa"), ("kv_b_proj", r"kv_b_proj")),
        "v": (("kv_a_proj_with_mqa", r"kv_a_proj_with_mqa"), ("kv_b_proj", r"kv_b_proj")),
        "o": (("o_proj", r"o_proj"),),
        "gate": (("gate_proj", r"gate_proj"),),
        "up": (("up_proj", r"up_proj"),),
        "down": (("down_proj", r"down_proj"),),
    },
    "phi3": {
        "q": (("qkv_proj", r"qkv_proj"),),
        "k": (("qkv_proj", r"qkv_proj"),),
        "v": (("qkv_proj", r"qkv_proj"),),
        "o": (("o_proj", r"o_proj"),),
        "gate": (("gate_up_proj", r"gate_up_proj"),),
        "up": (("gate_up_proj", r"gate_up_proj"),),
        "down": (("down_proj", r"down_proj"),),
    },
    # GPT-2 fuses q, k, v into the Conv1D c_attn. Both the attention and the
    # MLP block have a c_proj, so the parent name distinguishes them.
    "gpt2": {
        "q": (("c_attn", r"attn\.c_attn"),),
        "k": (("c_attn", r"attn\.c_attn"),),
        "v": (("c_attn", r"attn\.c_attn"),),
        "o": (("attn.c_proj", r"attn\.c_proj"),),
        "up": (("c_fc", r"mlp\.c_fc"),),
        "down": (("mlp.c_proj", r"mlp\.c_proj"),),
    },
    # BERT's attention output and MLP output are both called output.dense.
    "bert": {
        "q": (("query", r"attention\.self\.query"),),
        "k": (("key", r"attention\.self\.key"),),
        "v": (("value", r"attention\.self\.value"),),
        "o": (("attention.output.dense", r"attention\.output\.dense"),),
        "up": (("intermediate.dense", r"intermediate\.dense"),),
        "down": (("output.dense", r"layer\.\d+\.output\.dense"),),
    },
}


# Recorded names that PEFT users write as one target name when both parts
# are adapted: GPT-2's "c_proj" matches the attention and the MLP projection.
COMBINED_RECORDED_NAMES = {
    "gpt2": ((("attn.c_proj", "mlp.c_proj"), "c_proj"),),
}


def parse_lora_targets(text):
    """Parse "q,v" or "all-linear" into a tuple of target names in gpuplan order.

    Raises ValueError with the accepted names.
    """
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise ValueError("expected a comma-separated list of q, k, v, o, gate, up, down, or all-linear")
    if ALL_LINEAR in names:
        if len(names) > 1:
            raise ValueError("all-linear cannot be combined with other targets")
        return LORA_TARGET_NAMES
    unknown = [name for name in names if name not in LORA_TARGET_NAMES]
    if unknown:
        raise ValueError(
            f"unknown target {unknown[0]!r}; expected names from q, k, v, o, gate, up, down, or all-linear"
        )
    return tuple(name for name in LORA_TARGET_NAMES if name in names)


def _module_matches(pattern, module_name):
    return re.search(r"(^|\.)" + pattern + r"$", module_name) is not None


def resolve_lora_targets(model_type, targets, linear_module_names):
    """Map gpuplan LoRA targets to module names of a built model.

    linear_module_names lists the model's Linear (and GPT-2 Conv1D) modules.
    Returns (recorded_names, module_names, missing_targets): the names for
    the case's training.lora_targets, the full module names for PEFT's
    target_modules, and the requested targets that matched no module.
    An explicitly listed target that matches nothing raises ValueError. With
    all-linear, the targets without a module (gate in a plain MLP) are
    returned instead, so that the notes can name them.
    """
    table = LORA_MODULE_TABLE.get(model_type)
    if table is None:
        if tuple(targets) == LORA_TARGET_NAMES:
            return [ALL_LINEAR], ALL_LINEAR, []
        raise ValueError(
            f"no LoRA target table for Transformers model_type {model_type}; use all-linear"
        )
    all_requested = tuple(targets) == LORA_TARGET_NAMES
    recorded, modules, missing = [], [], []
    for target in targets:
        matched_any = False
        for recorded_name, pattern in table.get(target, ()):
            matches = [name for name in linear_module_names if _module_matches(pattern, name)]
            if not matches:
                continue
            matched_any = True
            if recorded_name not in recorded:
                recorded.append(recorded_name)
            modules.extend(name for name in matches if name not in modules)
        if not matched_any:
            if not all_requested:
                raise ValueError(
                    f"target {target!r} matches no linear module of Transformers model_type {model_type}"
                    + _missing_target_hint(model_type, target)
                )
            missing.append(target)
    if not modules:
        raise ValueError(f"the targets match no linear module of Transformers model_type {model_type}")
    for parts, combined in COMBINED_RECORDED_NAMES.get(model_type, ()):
        if all(part in recorded for part in parts):
            position = recorded.index(parts[0])
            recorded = [name for name in recorded if name not in parts]
            recorded.insert(min(position, len(recorded)), combined)
    return recorded, modules, missing


def _missing_target_hint(model_type, target):
    if model_type in ("gpt2", "bert") and target == "gate":
        return " (its MLP is plain: up and down only)"
    if model_type in ("mixtral", "qwen2_moe", "qwen3_moe", "deepseek_v3") and target in ("gate", "up", "down"):
        return (" (Transformers releases that store the experts as fused 3-D parameters have no "
                "per-expert linear modules for PEFT to wrap)")
    return ""


def fused_target_notes(model_type, targets):
    """Return a note for each fused module that the targets cover only in part.

    LoRA on a fused module adapts its whole output, so "q" on GPT-2's c_attn
    also adapts k and v.
    """
    table = LORA_MODULE_TABLE.get(model_type, {})
    covered_targets = {}
    for target, entries in table.items():
        for recorded_name, _ in entries:
            covered_targets.setdefault(recorded_name, []).append(target)

    notes = []
    for recorded_name, covered in covered_targets.items():
        requested = [target for target in covered if target in targets]
        if requested and len(requested) < len(covered):
            others = [target for target in covered if target not in targets]
            notes.append(
                f"LoRA target {','.join(requested)} maps to the fused module {recorded_name}, so the "
                f"adapter also covers {','.join(others)}."
            )
    return notes


# ---------------------------------------------------------------------------
# Freeze tuning

_LAYER_INDEX = re.compile(r"(?:^|\.)(?:layers|h|layer|blocks)\.(\d+)\.")


def last_layer_parameter_names(parameter_names, layer_count, trainable_layers):
    """Return the parameters that belong to the last trainable_layers blocks.

    Blocks are recognized by a ".layers.N.", ".h.N." (GPT-2) or ".layer.N."
    (BERT) part of the parameter name.
    """
    first_trained = layer_count - trainable_layers
    selected = []
    for name in parameter_names:
        match = _LAYER_INDEX.search(name)
        if match and int(match.group(1)) >= first_trained:
            selected.append(name)
    return selected
