"""The model named by --model: a gpuplan preset or a Transformers config.json.

A preset's architecture comes from `gpuplan model <id> --json` (its "spec"
object, plus "name", "hf_id" and, when present, gpuplan's parameter count),
translated by setup_translation. A config.json is used as it is.
"""

import dataclasses
import json
import os
import subprocess

from setup_translation import (
    ENCODER_TYPES,
    TranslationError,
    case_model_from_hf_config,
    case_model_from_spec,
    choose_model_type,
    hf_config_from_spec,
    hf_config_layers,
    hf_config_max_positions,
    normalize_spec,
    translation_notes,
)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_GPUPLAN = os.path.join(REPO_ROOT, "build", "native", "gpuplan")
GPUPLAN_TIMEOUT_S = 60

# config.json keys that describe a saved checkpoint rather than the
# architecture; from_config must not see them.
CHECKPOINT_ONLY_KEYS = ("quantization_config", "torch_dtype", "dtype", "transformers_version", "architectures")


class ModelSourceError(ValueError):
    """A --model value that names no usable model. The message names the flag."""


@dataclasses.dataclass
class ModelSource:
    """A model ready to build: its Transformers config and its case description."""

    label: str  # preset id or config path, as given to --model
    origin: str  # "preset" or "config"
    model_type: str
    hf_config: dict  # config keys, "model_type" included
    case_model: dict  # the case's model object, params still None
    notes: list  # sentences on how the built model differs from the named one
    encoder: bool  # build a sequence classifier (BERT) instead of a causal LM
    layers: int
    max_positions: object  # learned-position limit, or None for rotary models
    gpuplan_params: object = None  # gpuplan's total parameter count, when it reported one


def looks_like_path(model_arg):
    return model_arg.endswith(".json") or os.sep in model_arg or os.path.exists(model_arg)


def load_model_source(model_arg, gpuplan_path=""):
    """Return the ModelSource for a --model value; raise ModelSourceError."""
    if looks_like_path(model_arg):
        source = source_from_config_file(model_arg)
        source.gpuplan_params = gpuplan_count_for_config(gpuplan_path or DEFAULT_GPUPLAN, model_arg)
        return source
    description = read_preset_description(gpuplan_path or DEFAULT_GPUPLAN, model_arg)
    return source_from_preset_description(model_arg, description)


def read_preset_description(gpuplan_path, preset_id):
    """Run `gpuplan model <id> --json` and return its parsed output."""
    command = [gpuplan_path, "model", preset_id, "--json"]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=GPUPLAN_TIMEOUT_S, check=False)
    except FileNotFoundError:
        raise ModelSourceError(
            f"--model {preset_id}: the gpuplan CLI was not found at {gpuplan_path}; build it with "
            f"tools/build.sh, pass --gpuplan PATH, or pass a config.json path as --model"
        ) from None
    except PermissionError:
        raise ModelSourceError(f"--gpuplan: {gpuplan_path} is not executable") from None
    except subprocess.TimeoutExpired:
        raise ModelSourceError(
            f"--model {preset_id}: `{' '.join(command)}` timed out after {GPUPLAN_TIMEOUT_S} s"
        ) from None
    if completed.returncode != 0:
        output = (completed.stderr.strip() or completed.stdout.strip()).splitlines()
        detail = output[0] if output else "no output"
        raise ModelSourceError(
            f"--model {preset_id}: `{' '.join(command)}` failed with exit status {completed.returncode}: {detail}"
        )
    try:
        return json.loads(completed.stdout)
    except json.JSONDecodeError as error:
        raise ModelSourceError(f"--model {preset_id}: `{' '.join(command)}` printed invalid JSON ({error})") from None


def gpuplan_count_for_config(gpuplan_path, path):
    """Return gpuplan's parameter count for a config.json, or None when gpuplan cannot read it.

    The count is only a cross-check in the notes, so every failure is quiet.
    """
    file_path = os.path.join(path, "config.json") if os.path.isdir(path) else path
    command = [gpuplan_path, "model", "--hf-config", file_path, "--json"]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=GPUPLAN_TIMEOUT_S, check=False)
        description = json.loads(completed.stdout) if completed.returncode == 0 else {}
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
        return None
    return _gpuplan_total_params(description) if isinstance(description, dict) else None


def _gpuplan_total_params(description):
    counts = description.get("counts")
    total = counts.get("total") if isinstance(counts, dict) else None
    if isinstance(total, (int, float)) and not isinstance(total, bool):
        return int(total)
    return None


def source_from_preset_description(preset_id, description):
    """Return the ModelSource for the parsed output of `gpuplan model <id> --json`."""
    if not isinstance(description, dict) or not isinstance(description.get("spec"), dict):
        raise ModelSourceError(f"--model {preset_id}: the gpuplan output has no \"spec\" object")
    raw_spec = description["spec"]
    hf_id = description.get("hf_id") or raw_spec.get("hf_id") or ""
    name = description.get("name") or raw_spec.get("name") or preset_id
    try:
        spec = normalize_spec(raw_spec)
        hf_config = hf_config_from_spec(spec, hf_id)
    except TranslationError as error:
        raise ModelSourceError(f"--model {preset_id}: {error}") from None

    model_type = choose_model_type(spec, hf_id)
    notes = [f"Architecture from gpuplan preset {preset_id}, built as Transformers model_type {model_type}."]
    notes += translation_notes(spec, model_type)
    learned = spec["position"] == "learned" and spec["max_positions"] > 0
    return ModelSource(
        label=preset_id,
        origin="preset",
        model_type=model_type,
        hf_config=hf_config,
        case_model=case_model_from_spec(spec, model_type, name, hf_id),
        notes=notes,
        encoder=spec["family"] == "encoder",
        layers=spec["layers"],
        max_positions=spec["max_positions"] if learned else None,
        gpuplan_params=_gpuplan_total_params(description),
    )


def source_from_config_file(path):
    """Return the ModelSource for a config.json file or a folder that contains one."""
    file_path = os.path.join(path, "config.json") if os.path.isdir(path) else path
    try:
        with open(file_path, encoding="utf-8") as handle:
            config = json.load(handle)
    except FileNotFoundError:
        raise ModelSourceError(f"--model: {file_path} not found") from None
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ModelSourceError(f"--model: cannot read {file_path} as JSON ({error})") from None
    if not isinstance(config, dict) or not isinstance(config.get("model_type"), str):
        raise ModelSourceError(f"--model: {file_path} has no \"model_type\" string; it is not a Transformers config.json")

    notes = [f"Architecture from the Transformers config {file_path}, model_type {config['model_type']}."]
    removed = [key for key in CHECKPOINT_ONLY_KEYS if key in config]
    hf_config = {key: value for key, value in config.items() if key not in CHECKPOINT_ONLY_KEYS}
    hf_config["use_cache"] = False
    if "quantization_config" in removed:
        notes.append("The config's quantization_config was dropped: weights are random and built by --method.")

    model_type = config["model_type"]
    name = config.get("_name_or_path") or os.path.basename(os.path.dirname(os.path.abspath(file_path)))
    layers = hf_config_layers(config)
    if not isinstance(layers, int) or layers < 1:
        raise ModelSourceError(f"--model: {file_path} has no layer count (num_hidden_layers, n_layer or num_layers)")
    return ModelSource(
        label=path,
        origin="config",
        model_type=model_type,
        hf_config=hf_config,
        case_model=case_model_from_hf_config(config, name),
        notes=notes,
        encoder=model_type in ENCODER_TYPES,
        layers=layers,
        max_positions=hf_config_max_positions(config),
    )
