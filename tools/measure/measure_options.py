"""Command-line options of measure.py: parsing, validation and grid expansion.

Flag names and values follow gpuplan's (--model, --method, --precision, ...).
Every error names the flag, the value and what is accepted.
"""

import argparse
import dataclasses
import re

from module_targets import ALL_LINEAR, LORA_TARGET_NAMES, parse_lora_targets

METHODS = ("full", "lora", "qlora", "freeze")
PRECISIONS = ("fp32", "amp_bf16", "amp_fp16", "pure_bf16", "pure_fp16")
OPTIMIZERS = ("adamw", "adamw_8bit", "paged_adamw_8bit", "paged_adamw_32bit", "sgd", "sgd_momentum",
              "adafactor", "adafactor_momentum", "lion")
CHECKPOINTING = ("off", "full")
ATTENTION = ("eager", "sdpa", "flash")
QUANT_TYPES = ("nf4", "fp4")
SAMPLE_LENGTHS = ("fixed", "varying")

# gpuplan precisions that a single-GPU PyTorch loop cannot reproduce, with the reason.
UNSUPPORTED_PRECISIONS = {
    "fp16": "the guide's all-16-bit mode; use pure_fp16",
    "bf16": "the guide's all-16-bit mode; use pure_bf16",
    "int8": "the guide's 8-bit mode has no PyTorch training equivalent",
    "mixed_fp16": "needs DeepSpeed or Megatron's fp32 master copy; use amp_fp16",
    "mixed_bf16": "needs DeepSpeed or Megatron's fp32 master copy; use amp_bf16",
}

# Upper bounds follow gpuplan's setup fields where it has them.
MAX_MICRO_BATCH = 65536
MAX_SEQ_LEN = 10485760
MAX_GRAD_ACCUM = 65536
MAX_LORA_RANK = 65536
MAX_STEPS = 10000

# Rotary models only, so the default --seq_len fits every one.
DEFAULT_GRID_MODELS = ("qwen2.5-0.5b", "llama-3.2-1b", "qwen2.5-1.5b")
DEFAULT_GRID_METHODS = ("full", "lora", "qlora")
DEFAULT_GRID_MICRO_BATCHES = (1, 4)

CASE_ID_PATTERN = re.compile(r"V\d{3,}")


class OptionError(ValueError):
    """An invalid command-line value. The message names the flag."""


@dataclasses.dataclass(frozen=True)
class MeasureOptions:
    """One measured configuration (or, with grid set, the lists to sweep)."""

    models: tuple
    methods: tuple
    micro_batches: tuple
    lora_rank: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.0
    lora_targets: tuple = LORA_TARGET_NAMES
    base_weight_bits: int = 0  # 0: the precision's weight width (16 for pure_*, else 32)
    quant: str = "nf4"
    double_quant: bool = True
    kbit_upcast: bool = True
    trainable_layers: int = 2
    precision: str = "amp_bf16"
    optimizer: str = "adamw"
    seq_len: int = 2048
    grad_accum: int = 1
    grad_checkpointing: str = "off"
    attention: str = "sdpa"
    sample_lengths: str = "fixed"
    steps: int = 5
    warmup_steps: int = 1
    out: str = ""
    grid: bool = False
    case_id: str = "V900"
    gpuplan: str = ""
    trust_remote_code: bool = False
    seed: int = 0

    @property
    def model(self):
        return self.models[0]

    @property
    def method(self):
        return self.methods[0]

    @property
    def micro_batch(self):
        return self.micro_batches[0]

    @property
    def weight_bits_of_base(self):
        """Storage width of the frozen base weights of LoRA (32 or 16).

        The default follows gpuplan: amp_* keeps fp32 weights, pure_* 16-bit ones.
        """
        if self.base_weight_bits:
            return self.base_weight_bits
        return 16 if self.precision.startswith("pure_") else 32


class _RaisingParser(argparse.ArgumentParser):
    """An ArgumentParser that raises OptionError instead of exiting."""

    def error(self, message):
        raise OptionError(message)


def build_parser():
    parser = _RaisingParser(
        prog="measure.py",
        allow_abbrev=False,
        description="Measure peak GPU memory and step time of a fine-tuning configuration with "
        "PyTorch, Transformers and PEFT, and write it as a gpuplan validation case.",
    )
    add = parser.add_argument

    add("--model", help="gpuplan preset id, or the path of a Transformers config.json (or its folder); "
        "with --grid, a comma-separated list (default with --grid " + ",".join(DEFAULT_GRID_MODELS) + ")")
    add("--method", help="full, lora, qlora or freeze; with --grid, a list (default full; with --grid "
        + ",".join(DEFAULT_GRID_METHODS) + ")")
    add("--micro_batch", help="sequences per micro-batch; with --grid, a list (default 1; with --grid "
        + ",".join(str(size) for size in DEFAULT_GRID_MICRO_BATCHES) + ")")

    add("--lora_rank", default="16", help="LoRA rank r (default 16)")
    add("--lora_alpha", default="32", help="LoRA alpha; it scales the adapter, not memory (default 32)")
    add("--lora_dropout", default="0", help="LoRA dropout probability, 0 to below 1 (default 0, PEFT's default)")
    add("--lora_targets", default="all-linear", help="comma-separated q,k,v,o,gate,up,down, or all-linear "
        "(default all-linear)")
    add("--base_weight_bits", default="", help="LoRA: storage width of the frozen base weights, 16 or 32 "
        "(default 16 with pure_bf16 and pure_fp16, else 32, as gpuplan assumes)")
    add("--quant", default="nf4", help="QLoRA 4-bit format: nf4 or fp4 (default nf4)")
    add("--double_quant", default="true", help="QLoRA double quantization of the scales: true or false (default true)")
    add("--kbit_upcast", default="true", help="QLoRA: cast the non-quantized weights to fp32 with "
        "prepare_model_for_kbit_training: true or false (default true)")
    add("--trainable_layers", default="2", help="freeze: number of last transformer layers trained (default 2)")

    add("--precision", default="amp_bf16", help="fp32, amp_bf16, amp_fp16, pure_bf16 or pure_fp16 (default amp_bf16)")
    add("--optimizer", default="adamw", help=", ".join(OPTIMIZERS) + " (default adamw)")
    add("--seq_len", default="2048", help="tokens per sequence (default 2048)")
    add("--grad_accum", default="1", help="micro-batches per optimizer step (default 1)")
    add("--grad_checkpointing", default="off", help="off or full (default off)")
    add("--attention", default="sdpa", help="eager, sdpa or flash (flash_attention_2) (default sdpa)")
    add("--sample_lengths", default="fixed", help="fixed: every sequence has --seq_len tokens; varying: each "
        "sequence draws a length between --seq_len/8 and --seq_len and each micro-batch is padded to its longest, "
        "as unpacked data is (default fixed)")

    add("--steps", default="5", help="measured optimizer steps after the warm-up (default 5)")
    add("--warmup_steps", default="1", help="optimizer steps before the peak statistics are reset (default 1)")
    add("--out", help="path of the JSON file to write (one case, or an array with --grid)")
    add("--grid", action="store_true", help="sweep every combination of the --model, --method and "
        "--micro_batch lists, one process per case")
    add("--id", dest="case_id", default="V900", help="case id, V and three or more digits; grid cases count "
        "up from it (default V900)")
    add("--gpuplan", default="", help="path of the gpuplan CLI that describes presets "
        "(default build/native/gpuplan in the repository)")
    add("--trust_remote_code", action="store_true", help="let Transformers run the model code beside a "
        "config.json that needs its own code")
    add("--seed", default="0", help="seed for weights and token ids (default 0)")
    return parser


def _invalid(flag, value, expected):
    return OptionError(f"--{flag}: invalid value {value!r}; expected {expected}")


def _parse_integer(flag, text, minimum, maximum):
    if not re.fullmatch(r"\s*\d+\s*", text):
        raise _invalid(flag, text, f"an integer from {minimum} to {maximum}")
    value = int(text)
    if not minimum <= value <= maximum:
        raise _invalid(flag, text, f"an integer from {minimum} to {maximum}")
    return value


def _parse_choice(flag, text, choices, reasons=None):
    if text in choices:
        return text
    if reasons and text in reasons:
        raise OptionError(f"--{flag}: {text} is not supported by this tool ({reasons[text]})")
    raise _invalid(flag, text, "one of " + ", ".join(choices))


def _parse_boolean(flag, text):
    if text in ("true", "1", "on", "yes"):
        return True
    if text in ("false", "0", "off", "no"):
        return False
    raise _invalid(flag, text, "true or false")


def _split_list(flag, text, grid):
    items = [item.strip() for item in text.split(",")]
    if any(not item for item in items):
        raise _invalid(flag, text, "a comma-separated list without empty items")
    if len(items) > 1 and not grid:
        raise OptionError(f"--{flag}: {text!r} lists several values; pass --grid to sweep them")
    return items


def parse_options(argv):
    """Parse and validate argv (without the program name) into MeasureOptions.

    Raises OptionError naming the flag. Checks that need the model's shape
    (seq_len against learned positions, trainable_layers against layers)
    happen later, in check_against_model.
    """
    args = build_parser().parse_args(argv)
    grid = args.grid

    # Without --grid, each of the three takes one value; with --grid, a list,
    # and an omitted list takes the default grid's.
    if args.model is None and not grid:
        raise OptionError("--model: missing; give a gpuplan preset id or a config.json path")
    model_text = args.model if args.model is not None else ",".join(DEFAULT_GRID_MODELS)
    method_text = args.method if args.method is not None else (
        ",".join(DEFAULT_GRID_METHODS) if grid else "full")
    micro_batch_text = args.micro_batch if args.micro_batch is not None else (
        ",".join(str(size) for size in DEFAULT_GRID_MICRO_BATCHES) if grid else "1")

    models = tuple(_split_list("model", model_text, grid))
    methods = tuple(_parse_choice("method", item, METHODS) for item in _split_list("method", method_text, grid))
    micro_batches = tuple(
        _parse_integer("micro_batch", item, 1, MAX_MICRO_BATCH)
        for item in _split_list("micro_batch", micro_batch_text, grid)
    )

    try:
        lora_targets = parse_lora_targets(args.lora_targets)
    except ValueError as error:
        raise OptionError(f"--lora_targets: invalid value {args.lora_targets!r}; {error}") from None

    base_weight_bits = 0
    if args.base_weight_bits != "":
        if args.base_weight_bits not in ("16", "32"):
            raise _invalid("base_weight_bits", args.base_weight_bits, "16 or 32")
        base_weight_bits = int(args.base_weight_bits)

    try:
        lora_dropout = float(args.lora_dropout)
    except ValueError:
        lora_dropout = -1.0
    if not 0.0 <= lora_dropout < 1.0:
        raise _invalid("lora_dropout", args.lora_dropout, "a number from 0 to below 1")

    if not CASE_ID_PATTERN.fullmatch(args.case_id):
        raise _invalid("id", args.case_id, "V followed by three or more digits, such as V900")
    if not args.out:
        raise OptionError("--out: missing; give the path of the JSON file to write")

    options = MeasureOptions(
        models=models,
        methods=methods,
        micro_batches=micro_batches,
        lora_rank=_parse_integer("lora_rank", args.lora_rank, 1, MAX_LORA_RANK),
        lora_alpha=_parse_integer("lora_alpha", args.lora_alpha, 1, 1000000),
        lora_dropout=lora_dropout,
        lora_targets=lora_targets,
        base_weight_bits=base_weight_bits,
        quant=_parse_choice("quant", args.quant, QUANT_TYPES),
        double_quant=_parse_boolean("double_quant", args.double_quant),
        kbit_upcast=_parse_boolean("kbit_upcast", args.kbit_upcast),
        trainable_layers=_parse_integer("trainable_layers", args.trainable_layers, 1, 1000),
        precision=_parse_choice("precision", args.precision, PRECISIONS, UNSUPPORTED_PRECISIONS),
        optimizer=_parse_choice("optimizer", args.optimizer, OPTIMIZERS),
        seq_len=_parse_integer("seq_len", args.seq_len, 1, MAX_SEQ_LEN),
        grad_accum=_parse_integer("grad_accum", args.grad_accum, 1, MAX_GRAD_ACCUM),
        grad_checkpointing=_parse_choice(
            "grad_checkpointing", args.grad_checkpointing, CHECKPOINTING,
            {"selective": "Transformers checkpoints whole layers only; use full"},
        ),
        attention=_parse_choice("attention", args.attention, ATTENTION),
        sample_lengths=_parse_choice("sample_lengths", args.sample_lengths, SAMPLE_LENGTHS),
        steps=_parse_integer("steps", args.steps, 1, MAX_STEPS),
        warmup_steps=_parse_integer("warmup_steps", args.warmup_steps, 1, MAX_STEPS),
        out=args.out,
        grid=grid,
        case_id=args.case_id,
        gpuplan=args.gpuplan,
        trust_remote_code=args.trust_remote_code,
        seed=_parse_integer("seed", args.seed, 0, 2**31 - 1),
    )
    check_option_combinations(options)
    return options


def check_option_combinations(options):
    """Raise OptionError for flags that contradict each other."""
    if options.attention == "flash" and options.precision == "fp32":
        raise OptionError(
            "--attention: flash needs 16-bit activations, but --precision is fp32; use --precision "
            "amp_bf16, amp_fp16, pure_bf16 or pure_fp16, or --attention sdpa"
        )
    if options.base_weight_bits == 16 and options.precision == "fp32":
        raise OptionError(
            "--base_weight_bits: 16 needs a 16-bit --precision to choose between fp16 and bf16; "
            "with fp32 the base is 32-bit"
        )


def check_against_model(options, layers, max_positions):
    """Raise OptionError when the options do not fit the model's shape.

    max_positions is the learned-position limit (GPT-2, BERT), or None for
    rotary models, which accept any length.
    """
    if options.method == "freeze" and options.trainable_layers > layers:
        raise OptionError(
            f"--trainable_layers: invalid value {options.trainable_layers}; the model has {layers} layers"
        )
    if max_positions is not None and options.seq_len > max_positions:
        raise OptionError(
            f"--seq_len: invalid value {options.seq_len}; the model's learned position embeddings "
            f"cover {max_positions} tokens"
        )


def lora_targets_text(targets):
    """Format targets as the flag value: "all-linear" when all seven are set."""
    if tuple(targets) == LORA_TARGET_NAMES:
        return ALL_LINEAR
    return ",".join(targets)


def case_id_at(first_case_id, offset):
    """Return the id offset places after first_case_id, keeping its digit count."""
    digits = first_case_id[1:]
    return f"V{int(digits) + offset:0{len(digits)}d}"


def single_case_argv(options, model, method, micro_batch, case_id, out):
    """Return the argv of measure.py for one grid point of options."""
    argv = [
        "--model", model,
        "--method", method,
        "--micro_batch", str(micro_batch),
        "--lora_rank", str(options.lora_rank),
        "--lora_alpha", str(options.lora_alpha),
        "--lora_dropout", repr(options.lora_dropout),
        "--lora_targets", lora_targets_text(options.lora_targets),
        "--quant", options.quant,
        "--double_quant", "true" if options.double_quant else "false",
        "--kbit_upcast", "true" if options.kbit_upcast else "false",
        "--trainable_layers", str(options.trainable_layers),
        "--precision", options.precision,
        "--optimizer", options.optimizer,
        "--seq_len", str(options.seq_len),
        "--grad_accum", str(options.grad_accum),
        "--grad_checkpointing", options.grad_checkpointing,
        "--attention", options.attention,
        "--sample_lengths", options.sample_lengths,
        "--steps", str(options.steps),
        "--warmup_steps", str(options.warmup_steps),
        "--id", case_id,
        "--seed", str(options.seed),
        "--out", out,
    ]
    if options.base_weight_bits:
        argv += ["--base_weight_bits", str(options.base_weight_bits)]
    if options.gpuplan:
        argv += ["--gpuplan", options.gpuplan]
    if options.trust_remote_code:
        argv.append("--trust_remote_code")
    return argv


def grid_points(options):
    """Return (model, method, micro_batch) for every grid case, models outermost."""
    return [
        (model, method, micro_batch)
        for model in options.models
        for method in options.methods
        for micro_batch in options.micro_batches
    ]


def estimate_command(options, gpuplan="gpuplan"):
    """Return the `gpuplan estimate` argv that describes the same single-GPU setup.

    Only the flags of the chosen method are included. The caller adds --gpu,
    because a run records only the device name, not gpuplan's GPU id.
    """
    argv = [gpuplan, "estimate", "--model", options.model, "--method", options.method]
    if options.method in ("lora", "qlora"):
        argv += ["--lora_rank", str(options.lora_rank), "--lora_targets", lora_targets_text(options.lora_targets)]
    if options.method == "qlora":
        argv += ["--quant", options.quant, "--double_quant", "true" if options.double_quant else "false",
                 "--kbit_upcast", "true" if options.kbit_upcast else "false"]
    if options.method == "freeze":
        argv += ["--trainable_layers", str(options.trainable_layers)]
    argv += [
        "--precision", options.precision,
        "--optimizer", options.optimizer,
        "--micro_batch", str(options.micro_batch),
        "--seq_len", str(options.seq_len),
        "--grad_accum", str(options.grad_accum),
        "--grad_checkpointing", options.grad_checkpointing,
        "--attention", options.attention,
        "--json",
    ]
    return argv
