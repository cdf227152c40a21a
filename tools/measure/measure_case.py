"""Build a validation case (the schema of tests/validation) from one measured run.

Memory values are bytes, and memory_kind names what each includes:
torch_peak_allocated (torch.cuda.max_memory_allocated), torch_peak_reserved
(torch.cuda.max_memory_reserved) or nvidia_smi (the process's device memory
from NVML or nvidia-smi, CUDA context included).
"""

import dataclasses
import os

GIB = 2**30
MIB = 2**20

# Memory labels (GB) that GPU vendors print. CUDA reports slightly less than
# the label (79.2 GiB on an A100 80GB, 139.8 GiB on an H200 141GB), so the
# label is the smallest one at or above the reported GiB.
NOMINAL_MEMORY_LABELS_GB = (4, 6, 8, 10, 11, 12, 16, 20, 24, 32, 40, 48, 64, 80, 94, 96, 128, 141, 180,
                            192, 256, 288)

BITSANDBYTES_OPTIMIZERS = {"adamw_8bit", "paged_adamw_8bit", "paged_adamw_32bit", "lion"}
PAGED_OPTIMIZERS = {"paged_adamw_8bit", "paged_adamw_32bit"}


@dataclasses.dataclass
class Measurement:
    """Observations of one run. Byte counts are None when not measured."""

    oom: bool = False
    oom_phase: str = ""  # "model setup", "warm-up step" or "measured step"
    oom_message: str = ""
    peak_allocated_bytes: object = None
    peak_reserved_bytes: object = None
    process_bytes: object = None  # device memory of the process, CUDA context included
    process_reading: str = ""  # how process_bytes was read, for as_reported
    process_note: str = ""  # a caveat on process_bytes, or why it is missing
    process_reading_assumed: bool = False  # true when process_bytes is a device-wide difference
    step_times_s: list = dataclasses.field(default_factory=list)
    total_params: object = None
    trainable_params: object = None
    lora_modules: list = dataclasses.field(default_factory=list)  # module names as recorded in the case
    method_notes: list = dataclasses.field(default_factory=list)
    padded_tokens_per_step: object = None  # mean tokens per measured step, padding included (varying lengths)
    # torch.cuda.memory_stats() over the measured steps: peak bytes in split but
    # inactive blocks (fragmentation), cudaMalloc retries after freeing the cache,
    # and the peak number of segments.
    allocator_stats: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Environment:
    """The machine and the library versions of a run."""

    gpu_name: str
    gpu_total_bytes: int
    driver_version: str = ""
    cuda_version: str = ""
    versions: dict = dataclasses.field(default_factory=dict)  # package name to version, None when absent


def nominal_memory_label_gb(total_bytes):
    """Return the vendor's memory label (GB) for the total memory CUDA reports."""
    gib = total_bytes / GIB
    for label in NOMINAL_MEMORY_LABELS_GB:
        if gib <= label:
            return label
    return round(gib)


def format_gib(byte_count):
    return f"{byte_count / GIB:.2f} GiB"


def base_weight_bits(options):
    """Return the storage width of the model copy (full, freeze) or frozen base (LoRA, QLoRA)."""
    if options.method == "qlora":
        return 4
    if options.method == "lora":
        return options.weight_bits_of_base
    return 16 if options.precision.startswith("pure_") else 32


def framework_text(options, versions):
    parts = [f"PyTorch {versions.get('torch')}", f"Transformers {versions.get('transformers')}"]
    if options.method in ("lora", "qlora"):
        parts.append(f"PEFT {versions.get('peft')}")
    if options.method == "qlora" or options.optimizer in BITSANDBYTES_OPTIMIZERS:
        parts.append(f"bitsandbytes {versions.get('bitsandbytes')}")
    return " + ".join(parts) + " (gpuplan tools/measure training loop)"


def _memory_entry(value, memory_kind, as_reported):
    return {
        "quantity": "peak_memory_per_gpu",
        "value": int(value),
        "unit": "bytes",
        "memory_kind": memory_kind,
        "as_reported": as_reported,
    }


def _plain_entry(quantity, value, unit, as_reported):
    return {"quantity": quantity, "value": value, "unit": unit, "memory_kind": None, "as_reported": as_reported}


def measured_entries(options, measurement):
    """Return the case's measured list: memory kinds, fit verdict and timing."""
    if measurement.oom:
        return [_plain_entry("oom", True, None, f"torch.cuda.OutOfMemoryError during the {measurement.oom_phase}")]

    entries = []
    if measurement.peak_allocated_bytes is not None:
        value = measurement.peak_allocated_bytes
        entries.append(_memory_entry(
            value, "torch_peak_allocated",
            f"torch.cuda.max_memory_allocated() = {int(value)} bytes ({format_gib(value)})"))
    if measurement.peak_reserved_bytes is not None:
        value = measurement.peak_reserved_bytes
        entries.append(_memory_entry(
            value, "torch_peak_reserved",
            f"torch.cuda.max_memory_reserved() = {int(value)} bytes ({format_gib(value)})"))
    if measurement.process_bytes is not None:
        value = measurement.process_bytes
        entries.append(_memory_entry(value, "nvidia_smi", f"{measurement.process_reading} ({format_gib(value)})"))
    entries.append(_plain_entry("fits", True, None, f"{options.warmup_steps + options.steps} optimizer steps completed"))

    times = measurement.step_times_s
    if times:
        mean_s = sum(times) / len(times)
        entries.append(_plain_entry(
            "step_time_s", round(mean_s, 6), "s",
            f"mean of {len(times)} steps: {mean_s:.4f} s (min {min(times):.4f} s, max {max(times):.4f} s)"))
        tokens_per_step = options.micro_batch * options.seq_len * options.grad_accum
        if measurement.padded_tokens_per_step is not None:
            tokens_per_step = round(measurement.padded_tokens_per_step)  # varying lengths: the padded tokens run
        tokens_per_s = tokens_per_step / mean_s
        entries.append(_plain_entry(
            "tokens_per_s_per_gpu", round(tokens_per_s, 1), "tokens/s",
            f"{tokens_per_step} tokens per step / {mean_s:.4f} s"))
    return entries


def _versions_sentence(environment, options):
    versions = environment.versions
    parts = [f"torch {versions.get('torch')} (CUDA {environment.cuda_version or 'unknown'})",
             f"transformers {versions.get('transformers')}"]
    for package in ("peft", "bitsandbytes", "flash_attn"):
        if versions.get(package):
            parts.append(f"{package.replace('_', '-')} {versions[package]}")
    driver = f", driver {environment.driver_version}" if environment.driver_version else ""
    return f"GPU: {environment.gpu_name}{driver}. Versions: {', '.join(parts)}."


def _count(number, noun):
    return f"{number} {noun}" + ("" if number == 1 else "s")


def case_notes(options, source, measurement, environment, run_date):
    """Return the case's notes: how it was measured and what differs from the named model."""
    labels = "random class labels" if source.encoder else "labels equal to the inputs"
    steps = (f"{_count(options.warmup_steps, 'warm-up step')}, then "
             f"{_count(options.steps, 'measured optimizer step')}")
    if measurement.oom:
        schedule = f"set up for {steps}"
    else:
        schedule = f"{steps}; the peak statistics were reset after the warm-up"
    sentences = [
        f"Measured with gpuplan's tools/measure/measure.py on {run_date}: random weights and random token ids "
        f"({labels}), {schedule}."
    ]
    sentences += source.notes
    sentences += measurement.method_notes
    if options.sample_lengths == "varying":
        sentences.append(
            f"Sample lengths varied: each sequence drew a length between {max(1, options.seq_len // 8)} and "
            f"{options.seq_len} tokens, and each micro-batch was padded to its longest (labels -100 on padding).")
        if measurement.padded_tokens_per_step is not None:
            sentences.append(f"Mean tokens per measured step, padding included: "
                             f"{measurement.padded_tokens_per_step:.0f}.")
    stats = measurement.allocator_stats
    if stats:
        sentences.append(
            f"Allocator over the measured steps: peak inactive split blocks {int(stats['inactive_split_bytes_peak'])} "
            f"bytes, {int(stats['alloc_retries'])} cudaMalloc retries, peak {int(stats['segments_peak'])} segments.")

    if measurement.total_params is not None:
        params = f"Parameters: {measurement.total_params} total"
        if measurement.trainable_params is not None:
            params += f", {measurement.trainable_params} trainable"
        if source.gpuplan_params is not None:
            params += f"; gpuplan counts {source.gpuplan_params}"
        sentences.append(params + ".")

    if options.optimizer in PAGED_OPTIMIZERS:
        sentences.append(
            "The paged optimizer keeps its state in CUDA unified memory, which torch.cuda statistics do not count.")
    if measurement.process_note:
        sentences.append(measurement.process_note)
    if measurement.oom:
        detail = f"Out of memory during the {measurement.oom_phase}: {measurement.oom_message.rstrip('.')}."
        if measurement.peak_allocated_bytes is not None:
            detail += f" Peak allocated before the failure: {int(measurement.peak_allocated_bytes)} bytes."
        sentences.append(detail)

    sentences.append(_versions_sentence(environment, options))
    return " ".join(sentence.strip() for sentence in sentences if sentence.strip())


def build_case(case_id, options, source, measurement, environment, run_date):
    """Return one validation case for a measured single-GPU run.

    options is a single-case MeasureOptions, source the ModelSource, and
    run_date an ISO date string.
    """
    case_model = dict(source.case_model)
    case_model["params"] = measurement.total_params

    lora = options.method in ("lora", "qlora")
    training = {
        "method": options.method,
        "lora_rank": options.lora_rank if lora else None,
        "lora_targets": (list(measurement.lora_modules) or list(options.lora_targets)) if lora else None,
        "precision": options.precision,
        "base_weight_bits": base_weight_bits(options),
        "optimizer": options.optimizer,
        "micro_batch": options.micro_batch,
        "seq_len": options.seq_len,
        "grad_accum": options.grad_accum,
        "grad_checkpointing": options.grad_checkpointing == "full",
        "attention": options.attention,
        "framework": framework_text(options, environment.versions),
    }
    if options.sample_lengths == "varying":
        training["samples_shorter_than_seq_len"] = True
        # gpuplan's variable_lengths: the caching allocator keeps blocks of earlier shapes, unless
        # expandable segments let it grow one segment in place.
        training["variable_lengths"] = "expandable_segments:True" not in os.environ.get("PYTORCH_CUDA_ALLOC_CONF", "")

    label_gb = nominal_memory_label_gb(environment.gpu_total_bytes)
    hardware = {
        "gpu": environment.gpu_name,
        "gpu_memory_gb": label_gb,
        "num_gpus": 1,
        "zero_stage": 0,
        "fsdp": None,
        "tensor_parallel": 1,
        "pipeline_parallel": 1,
        "offload": "none",
    }

    assumed = [
        f"hardware.gpu_memory_gb {label_gb}: the nominal label at or above the "
        f"{environment.gpu_total_bytes / GIB:.1f} GiB that CUDA reports ({environment.gpu_total_bytes} bytes)"
    ]
    if lora and not measurement.lora_modules:
        assumed.append("training.lora_targets: gpuplan's target names; the run stopped before the modules were resolved")
    if measurement.process_reading_assumed:
        assumed.append(
            "memory_kind nvidia_smi: device-wide used memory minus the reading before CUDA started, which "
            "counts other processes on the GPU too")

    return {
        "id": case_id,
        "origin": "local",
        "source": f"gpuplan tools/measure/measure.py, local run on {environment.gpu_name} ({run_date})",
        "quality": "high",
        "model": case_model,
        "training": training,
        "hardware": hardware,
        "measured": measured_entries(options, measurement),
        "assumed": assumed,
        "notes": case_notes(options, source, measurement, environment, run_date),
    }
