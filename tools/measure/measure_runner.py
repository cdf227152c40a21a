"""Build, train and measure one configuration on the GPU.

torch, transformers, peft and bitsandbytes are imported inside run_case, so
this module loads (and its pure helpers run) on a machine without them.
"""

import contextlib
import gc
import importlib
import importlib.metadata
import logging
import os
import random
import re
import tempfile
import time

from measure_case import Environment, Measurement
from module_targets import fused_target_notes, last_layer_parameter_names, resolve_lora_targets
from process_memory import ProcessMemoryReader, first_line
from setup_translation import CLASSIFIER_LABELS

LOG = logging.getLogger("measure")

ATTENTION_IMPLEMENTATIONS = {"eager": "eager", "sdpa": "sdpa", "flash": "flash_attention_2"}

# The learning rate changes no tensor size; it only has to keep random-weight
# losses finite for a few steps.
LEARNING_RATE = 1e-5

# Optimizer class and arguments for each gpuplan optimizer name:
# (module, class, keyword arguments besides the parameters and lr).
OPTIMIZER_RECIPES = {
    "adamw": ("torch.optim", "AdamW", {}),
    "adamw_8bit": ("bitsandbytes.optim", "AdamW8bit", {}),
    "paged_adamw_8bit": ("bitsandbytes.optim", "PagedAdamW8bit", {}),
    "paged_adamw_32bit": ("bitsandbytes.optim", "PagedAdamW32bit", {}),
    "sgd": ("torch.optim", "SGD", {}),
    "sgd_momentum": ("torch.optim", "SGD", {"momentum": 0.9}),
    "adafactor": ("transformers.optimization", "Adafactor",
                  {"scale_parameter": False, "relative_step": False, "warmup_init": False, "beta1": None}),
    "adafactor_momentum": ("transformers.optimization", "Adafactor",
                           {"scale_parameter": False, "relative_step": False, "warmup_init": False, "beta1": 0.9}),
    "lion": ("bitsandbytes.optim", "Lion", {}),
}

# Package name in the versions dict, and its distribution name for importlib.metadata.
VERSIONED_PACKAGES = (("torch", "torch"), ("transformers", "transformers"), ("peft", "peft"),
                      ("bitsandbytes", "bitsandbytes"), ("flash_attn", "flash-attn"),
                      ("accelerate", "accelerate"))

PIP_HINT = "pip install torch transformers peft bitsandbytes accelerate"


class RunError(RuntimeError):
    """A run that failed for a reason other than running out of GPU memory."""


# ---------------------------------------------------------------------------
# Pure helpers (no torch)


def draw_sample_lengths(rng, micro_batch, seq_len):
    """Return micro_batch lengths drawn uniformly from seq_len // 8 (at least 1) to seq_len.

    rng is a random.Random, so that a seed repeats the same sequence of shapes.
    """
    shortest = max(1, seq_len // 8)
    return [rng.randint(shortest, seq_len) for _ in range(micro_batch)]


ALLOCATOR_STAT_KEYS = {
    "inactive_split_bytes_peak": "inactive_split_bytes.all.peak",
    "alloc_retries": "num_alloc_retries",
    "segments_peak": "segment.all.peak",
}


def allocator_stats(memory_stats):
    """Pick the fragmentation figures from torch.cuda.memory_stats(); missing keys read 0."""
    return {name: int(memory_stats.get(key, 0)) for name, key in ALLOCATOR_STAT_KEYS.items()}


def dtype_plan(options):
    """Return the torch dtype names of each part of the model for a configuration.

    "model" is the dtype the model is built in. It is the trained copy for
    full and freeze, the frozen base for LoRA, and the non-quantized weights
    for QLoRA before prepare_model_for_kbit_training. "adapters" is the LoRA
    adapters' dtype, "autocast" the autocast dtype and "compute" the QLoRA
    matmul dtype; each is None where it does not apply.
    """
    precision = options.precision
    if precision.endswith("bf16"):
        sixteen = "bfloat16"
    elif precision.endswith("fp16"):
        sixteen = "float16"
    else:
        sixteen = None
    plan = {
        "model": sixteen if precision.startswith("pure_") else "float32",
        "adapters": None,
        "autocast": sixteen if precision.startswith("amp_") else None,
        "compute": None,
    }
    # PEFT 0.12 and later keeps adapters in float32 by default
    # (autocast_adapter_dtype=True), whatever the base dtype.
    if options.method == "lora":
        plan["model"] = "float32" if options.weight_bits_of_base == 32 else sixteen
        plan["adapters"] = "float32"
    if options.method == "qlora":
        plan["compute"] = sixteen or "float32"
        plan["model"] = sixteen or "float32"
        plan["adapters"] = "float32"
    return plan


def dtype_keyword(transformers_version):
    """Return the from_config keyword for the dtype: "dtype" from Transformers 4.56, else "torch_dtype"."""
    numbers = [int(part) for part in re.findall(r"\d+", transformers_version)[:2]]
    while len(numbers) < 2:
        numbers.append(0)
    return "dtype" if tuple(numbers) >= (4, 56) else "torch_dtype"


def is_out_of_memory(error):
    """Return whether an exception is a CUDA out-of-memory failure."""
    if type(error).__name__ == "OutOfMemoryError":
        return True
    return isinstance(error, RuntimeError) and "out of memory" in str(error).lower()


def package_versions():
    versions = {}
    for key, distribution in VERSIONED_PACKAGES:
        try:
            versions[key] = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            versions[key] = None
    return versions


# ---------------------------------------------------------------------------
# Building the model


def _import(module_name, purpose):
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        package = module_name.split(".")[0]
        raise RunError(f"the Python package {package} is missing ({first_line(error)}), and {purpose} needs it; "
                       f"install it with: {PIP_HINT}") from None


def make_config(transformers, source, options):
    """Return the Transformers config object for the ModelSource."""
    keys = dict(source.hf_config)
    model_type = keys.pop("model_type")
    mapping = importlib.import_module("transformers.models.auto.configuration_auto").CONFIG_MAPPING
    version = transformers.__version__
    if model_type not in mapping:
        if source.origin == "config" and options.trust_remote_code:
            folder = source.label if os.path.isdir(source.label) else os.path.dirname(os.path.abspath(source.label))
            config = transformers.AutoConfig.from_pretrained(folder, trust_remote_code=True)
            config.use_cache = False
            if hasattr(config, "quantization_config"):
                del config.quantization_config
            return config
        hint = ("; pass --trust_remote_code to run the code beside the config.json"
                if source.origin == "config" else "; a newer Transformers release may include it")
        raise RunError(f"--model {source.label}: Transformers {version} has no model_type {model_type}{hint}")
    try:
        return transformers.AutoConfig.for_model(model_type, **keys)
    except (TypeError, ValueError) as error:
        raise RunError(f"--model {source.label}: Transformers {version} rejected the {model_type} config "
                       f"({first_line(error)})") from None


def _model_class(transformers, source):
    if source.encoder:
        return transformers.AutoModelForSequenceClassification
    return transformers.AutoModelForCausalLM


def _load_arguments(torch, transformers, options, dtype_name):
    arguments = {
        dtype_keyword(transformers.__version__): getattr(torch, dtype_name),
        "attn_implementation": ATTENTION_IMPLEMENTATIONS[options.attention],
    }
    if options.trust_remote_code:
        arguments["trust_remote_code"] = True
    return arguments


def build_dense_model(torch, transformers, config, options, source, dtype_name):
    """Build the model with random weights, on the GPU where torch allows it."""
    model_class = _model_class(transformers, source)
    arguments = _load_arguments(torch, transformers, options, dtype_name)
    if hasattr(torch.device("cuda"), "__enter__"):  # torch 2.0 and later
        with torch.device("cuda"):
            return model_class.from_config(config, **arguments)
    # Older torch initializes on the CPU first, which needs host memory for the whole model.
    return model_class.from_config(config, **arguments).to("cuda")


def build_quantized_model(torch, transformers, config, options, source, plan):
    """Build a 4-bit bitsandbytes model with random weights.

    from_config cannot quantize, so the random model is saved to a temporary
    folder (2 bytes per parameter on disk, 4 with fp32) and loaded back with
    from_pretrained and a BitsAndBytesConfig.
    """
    _import("bitsandbytes", "--method qlora")
    _import("accelerate", "--method qlora")  # from_pretrained needs it for device_map and 4-bit loading
    model_class = _model_class(transformers, source)
    quantization = transformers.BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type=options.quant,
        bnb_4bit_use_double_quant=options.double_quant,
        bnb_4bit_compute_dtype=getattr(torch, plan["compute"]),
    )
    arguments = _load_arguments(torch, transformers, options, plan["model"])
    # The CPU copy only produces weights, so it keeps the default attention
    # implementation, which runs on the CPU.
    cpu_arguments = {key: value for key, value in arguments.items() if key != "attn_implementation"}
    with tempfile.TemporaryDirectory(prefix="gpuplan-measure-") as folder:
        LOG.info("building random weights on the CPU and saving them to %s for 4-bit loading", folder)
        cpu_model = model_class.from_config(config, **cpu_arguments)
        cpu_model.save_pretrained(folder, safe_serialization=True)
        del cpu_model
        gc.collect()
        return model_class.from_pretrained(folder, quantization_config=quantization, device_map={"": 0}, **arguments)


def parameter_count(parameter):
    """Return the logical element count; bitsandbytes 4-bit weights pack two per byte."""
    quant_state = getattr(parameter, "quant_state", None)
    shape = getattr(quant_state, "shape", None)
    if shape is not None:
        count = 1
        for size in shape:
            count *= int(size)
        return count
    return parameter.numel()


def _enable_checkpointing(model):
    try:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    except TypeError:  # older Transformers releases take no kwargs
        model.gradient_checkpointing_enable()
    model.enable_input_require_grads()


def _is_linear(torch, module):
    return isinstance(module, torch.nn.Linear) or type(module).__name__ == "Conv1D"


def apply_lora(torch, model, options, source, plan, measurement):
    """Wrap model with PEFT LoRA adapters on the gpuplan targets and return it."""
    peft = _import("peft", "--method " + options.method)
    linear_names = [name for name, module in model.named_modules() if _is_linear(torch, module)]
    try:
        recorded, modules, missing = resolve_lora_targets(source.model_type, options.lora_targets, linear_names)
    except ValueError as error:
        raise RunError(f"--lora_targets: {error}") from None
    measurement.lora_modules = recorded

    lora_config = peft.LoraConfig(
        r=options.lora_rank,
        lora_alpha=options.lora_alpha,
        lora_dropout=options.lora_dropout,
        target_modules=modules,
        bias="none",
        task_type="SEQ_CLS" if source.encoder else "CAUSAL_LM",
        fan_in_fan_out=source.model_type == "gpt2",  # GPT-2's Conv1D stores weights transposed
    )
    model = peft.get_peft_model(model, lora_config)

    # PEFT before 0.12 gives adapters the base layer's dtype; cast them so
    # every release matches gpuplan's float32 adapters. Heads that PEFT
    # trains in full (modules_to_save) keep the model's dtype.
    adapter_dtype = getattr(torch, plan["adapters"])
    for name, parameter in model.named_parameters():
        if parameter.requires_grad and "lora_" in name:
            parameter.data = parameter.data.to(adapter_dtype)

    module_count = len(modules) if isinstance(modules, list) else "all linear"
    measurement.method_notes.append(
        f"LoRA r={options.lora_rank}, alpha={options.lora_alpha}, dropout={options.lora_dropout} on "
        f"{', '.join(recorded)} ({module_count} modules); adapters in {plan['adapters']}, frozen base weights "
        f"in {'4-bit ' + options.quant if options.method == 'qlora' else plan['model']}.")
    measurement.method_notes += fused_target_notes(source.model_type, options.lora_targets)
    if missing:
        measurement.method_notes.append(
            f"all-linear: the model has no module for {', '.join(missing)}, so no adapter there.")
    return model


def prepare_quantized(torch, model, options, plan, measurement):
    """Freeze the 4-bit model and set up checkpointing, as QLoRA training does."""
    peft = _import("peft", "--method qlora")
    checkpointing = options.grad_checkpointing == "full"
    if not options.kbit_upcast:
        # prepare_model_for_kbit_training always casts the non-quantized
        # weights to float32, so without the upcast its other steps run here.
        for parameter in model.parameters():
            parameter.requires_grad_(False)
        if checkpointing:
            _enable_checkpointing(model)
        upcast = f"the non-quantized weights stay in {plan['model']}"
    else:
        try:
            model = peft.prepare_model_for_kbit_training(
                model, use_gradient_checkpointing=checkpointing,
                gradient_checkpointing_kwargs={"use_reentrant": False})
        except TypeError:  # older PEFT releases take no gradient_checkpointing_kwargs
            model = peft.prepare_model_for_kbit_training(model, use_gradient_checkpointing=checkpointing)
        upcast = "prepare_model_for_kbit_training cast the non-quantized weights to float32"
    measurement.method_notes.append(
        f"QLoRA base: bitsandbytes 4-bit {options.quant}, double quantization "
        f"{'on' if options.double_quant else 'off'}, compute dtype {plan['compute']}; {upcast}.")
    return model


def apply_freeze(model, options, layer_count, measurement):
    """Train only the last trainable_layers transformer layers."""
    names = [name for name, _ in model.named_parameters()]
    trained = set(last_layer_parameter_names(names, layer_count, options.trainable_layers))
    if not trained:
        raise RunError(f"--method freeze: no parameter names with a layer index were found in {type(model).__name__}")
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(name in trained)
    measurement.method_notes.append(
        f"Freeze tuning: the last {options.trainable_layers} of {layer_count} layers are trained "
        f"({len(trained)} tensors); embeddings, final norm and LM head are frozen.")


def build_training_model(torch, transformers, options, source, plan, measurement):
    """Build the model and apply the method; return the model ready to train.

    Stores the base model's parameter count (adapters excluded) in measurement.
    """
    config = make_config(transformers, source, options)
    checkpointing = options.grad_checkpointing == "full"

    if options.method == "qlora":
        model = build_quantized_model(torch, transformers, config, options, source, plan)
        model.config.use_cache = False
        measurement.total_params = sum(parameter_count(parameter) for parameter in model.parameters())
        model = prepare_quantized(torch, model, options, plan, measurement)
        model = apply_lora(torch, model, options, source, plan, measurement)
    else:
        model = build_dense_model(torch, transformers, config, options, source, plan["model"])
        measurement.total_params = sum(parameter.numel() for parameter in model.parameters())
        if options.method == "lora":
            for parameter in model.parameters():
                parameter.requires_grad_(False)
            if checkpointing:
                _enable_checkpointing(model)
            model = apply_lora(torch, model, options, source, plan, measurement)
        else:
            if options.method == "freeze":
                apply_freeze(model, options, source.layers, measurement)
            if checkpointing:
                _enable_checkpointing(model)

    if checkpointing:
        measurement.method_notes.append(
            "Gradient checkpointing: gradient_checkpointing_enable with use_reentrant=False where supported.")
    if plan["autocast"]:
        scaler = " and a GradScaler" if plan["autocast"] == "float16" else ""
        measurement.method_notes.append(
            f"Mixed precision: torch.autocast to {plan['autocast']} around forward and loss{scaler}.")
    model.train()
    return model


def build_optimizer(torch, options, parameters):
    module_name, class_name, arguments = OPTIMIZER_RECIPES[options.optimizer]
    module = _import(module_name, f"--optimizer {options.optimizer}")
    return getattr(module, class_name)(parameters, lr=LEARNING_RATE, **arguments)


# ---------------------------------------------------------------------------
# Training and measuring


def _batch_source(torch, options, vocab, encoder):
    """Return next_batch() -> (input_ids, labels, attention_mask, tokens) for one micro-batch.

    Fixed lengths reuse one batch of seq_len tokens per sequence. Varying
    lengths draw new lengths for every micro-batch and pad it to its longest
    sequence, so the allocator gets a new shape each time, as with unpacked data.
    """
    if options.sample_lengths == "fixed":
        input_ids = torch.randint(0, vocab, (options.micro_batch, options.seq_len), device="cuda")
        if encoder:
            labels = torch.randint(0, CLASSIFIER_LABELS, (options.micro_batch,), device="cuda")
        else:
            labels = input_ids  # the causal LM shifts them by one position
        tokens = options.micro_batch * options.seq_len
        return lambda: (input_ids, labels, None, tokens)

    rng = random.Random(options.seed)

    def next_batch():
        lengths = draw_sample_lengths(rng, options.micro_batch, options.seq_len)
        longest = max(lengths)
        input_ids = torch.randint(0, vocab, (options.micro_batch, longest), device="cuda")
        positions = torch.arange(longest, device="cuda").unsqueeze(0)
        attention_mask = (positions < torch.tensor(lengths, device="cuda").unsqueeze(1)).long()
        if encoder:
            labels = torch.randint(0, CLASSIFIER_LABELS, (options.micro_batch,), device="cuda")
        else:
            labels = input_ids.masked_fill(attention_mask == 0, -100)
        return input_ids, labels, attention_mask, options.micro_batch * longest

    return next_batch


def _make_step(torch, model, optimizer, options, plan, next_batch, tokens_seen):
    autocast_dtype = getattr(torch, plan["autocast"]) if plan["autocast"] else None
    scaler = None
    if plan["autocast"] == "float16":
        scaler = torch.amp.GradScaler("cuda") if hasattr(torch.amp, "GradScaler") else torch.cuda.amp.GradScaler()

    def autocast():
        if autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type="cuda", dtype=autocast_dtype)

    def step():
        """Run one optimizer step of grad_accum micro-batches; return its seconds."""
        torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(options.grad_accum):
            input_ids, labels, attention_mask, tokens = next_batch()
            tokens_seen.append(tokens)
            with autocast():
                loss = model(input_ids=input_ids, attention_mask=attention_mask, labels=labels).loss / options.grad_accum
            if scaler is not None:
                scaler.scale(loss).backward()
            else:
                loss.backward()
        if scaler is not None:
            scaler.step(optimizer)
            scaler.update()
        else:
            optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        return time.perf_counter() - start

    return step


def describe_environment(torch, transformers, reader):
    properties = torch.cuda.get_device_properties(0)
    versions = package_versions()
    # The imported modules report their versions even where no package metadata exists.
    versions["torch"] = torch.__version__
    versions["transformers"] = transformers.__version__
    return Environment(
        gpu_name=torch.cuda.get_device_name(0),
        gpu_total_bytes=int(properties.total_memory),
        driver_version=reader.driver_version(),
        cuda_version=torch.version.cuda or "",
        versions=versions,
    )


def run_case(options, source):
    """Measure one configuration; return (Measurement, Environment).

    Out-of-memory failures become a Measurement with oom set. Other failures
    raise RunError or propagate.
    """
    torch = _import("torch", "every measurement")
    transformers = _import("transformers", "every measurement")
    if not torch.cuda.is_available():
        raise RunError("no CUDA device is visible to PyTorch; this tool measures GPU memory and needs one")

    reader = ProcessMemoryReader()  # takes the device baseline before CUDA starts
    torch.manual_seed(options.seed)
    environment = describe_environment(torch, transformers, reader)
    plan = dtype_plan(options)
    measurement = Measurement()
    LOG.info("%s on %s: %s, %s, %s, micro_batch %d, seq_len %d", source.label, environment.gpu_name,
             options.method, options.precision, options.optimizer, options.micro_batch, options.seq_len)

    phase = "model setup"
    try:
        model = build_training_model(torch, transformers, options, source, plan, measurement)
        parameters = [parameter for parameter in model.parameters() if parameter.requires_grad]
        measurement.trainable_params = sum(parameter.numel() for parameter in parameters)
        optimizer = build_optimizer(torch, options, parameters)

        vocab = model.get_input_embeddings().num_embeddings
        next_batch = _batch_source(torch, options, vocab, source.encoder)
        tokens_seen = []
        step = _make_step(torch, model, optimizer, options, plan, next_batch, tokens_seen)

        # Drop blocks cached while building (CPU copies, quantization
        # buffers) so that reserved memory reflects training.
        gc.collect()
        torch.cuda.empty_cache()

        phase = "warm-up step"
        for _ in range(options.warmup_steps):
            step()
        torch.cuda.reset_peak_memory_stats()
        tokens_seen.clear()

        phase = "measured step"
        for index in range(options.steps):
            measurement.step_times_s.append(step())
            LOG.info("step %d/%d: %.3f s", index + 1, options.steps, measurement.step_times_s[-1])
        measurement.peak_allocated_bytes = torch.cuda.max_memory_allocated()
        measurement.peak_reserved_bytes = torch.cuda.max_memory_reserved()
        measurement.allocator_stats = allocator_stats(torch.cuda.memory_stats())
        if options.sample_lengths == "varying":
            measurement.padded_tokens_per_step = sum(tokens_seen) / options.steps
        reader.read(measurement)
    except Exception as error:  # only out-of-memory is a result; the rest re-raises
        if not is_out_of_memory(error):
            raise
        measurement.oom = True
        measurement.oom_phase = phase
        measurement.oom_message = first_line(error)
        measurement.peak_allocated_bytes = torch.cuda.max_memory_allocated()
        measurement.step_times_s = []
        LOG.info("out of memory during the %s: %s", phase, measurement.oom_message)
    return measurement, environment
