#!/usr/bin/env python3
"""Measure a fine-tuning configuration on this machine's GPU and write it as a
gpuplan validation case.

    python3 tools/measure/measure.py --model qwen2.5-0.5b --method lora \
        --precision amp_bf16 --micro_batch 4 --seq_len 1024 --out case.json

The model is built from a gpuplan preset or a Transformers config.json with
random weights, trained for a few steps on random token ids, and measured
with torch.cuda.max_memory_allocated/max_memory_reserved and NVML. --grid
sweeps lists of models, methods and micro-batches, one process per case, and
writes a JSON array. README.md beside this file has the details.
"""

import dataclasses
import datetime
import json
import logging
import os
import shlex
import subprocess
import sys
import tempfile

import measure_runner
from measure_case import build_case, format_gib
from measure_options import (
    OptionError,
    case_id_at,
    check_against_model,
    estimate_command,
    grid_points,
    parse_options,
    single_case_argv,
)
from model_source import DEFAULT_GPUPLAN, ModelSourceError, load_model_source

LOG = logging.getLogger("measure")


def write_json(path, value):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=1, ensure_ascii=False)
        handle.write("\n")


def summarize(case):
    """Return a one-line summary of a case's measured values for the log."""
    parts = []
    for entry in case["measured"]:
        if entry["quantity"] == "peak_memory_per_gpu":
            parts.append(f"{entry['memory_kind']} {format_gib(entry['value'])}")
        elif entry["quantity"] == "step_time_s":
            parts.append(f"step {entry['value']:.3f} s")
        elif entry["quantity"] == "oom":
            parts.append("out of memory")
    return ", ".join(parts)


def run_single(options):
    """Measure one configuration and write its case; return the exit status."""
    try:
        source = load_model_source(options.model, options.gpuplan)
        check_against_model(options, source.layers, source.max_positions)
    except (ModelSourceError, OptionError) as error:
        print(f"measure.py: {error}", file=sys.stderr)
        return 2

    try:
        measurement, environment = measure_runner.run_case(options, source)
    except measure_runner.RunError as error:
        print(f"measure.py: {error}", file=sys.stderr)
        return 1

    case = build_case(options.case_id, options, source, measurement, environment,
                      datetime.date.today().isoformat())
    write_json(options.out, case)
    LOG.info("%s: %s; wrote %s", options.case_id, summarize(case), options.out)
    if source.origin == "preset":
        command = estimate_command(options, options.gpuplan or DEFAULT_GPUPLAN)
        LOG.info("compare with: %s --gpu <id from gpuplan gpus>", shlex.join(command))
    return 0


def check_grid(options):
    """Check every grid point against its model before any GPU time is spent."""
    for model in options.models:
        source = load_model_source(model, options.gpuplan)
        for method in options.methods:
            point = dataclasses.replace(options, models=(model,), methods=(method,))
            check_against_model(point, source.layers, source.max_positions)


def run_grid(options):
    """Measure each grid point in its own process; write the cases as an array."""
    try:
        check_grid(options)
    except (ModelSourceError, OptionError) as error:
        print(f"measure.py: {error}", file=sys.stderr)
        return 2

    points = grid_points(options)
    cases, failures = [], []
    with tempfile.TemporaryDirectory(prefix="gpuplan-grid-") as folder:
        for index, (model, method, micro_batch) in enumerate(points):
            case_id = case_id_at(options.case_id, index)
            case_path = os.path.join(folder, f"{case_id}.json")
            argv = single_case_argv(options, model, method, micro_batch, case_id, case_path)
            LOG.info("grid case %d/%d (%s): %s, %s, micro_batch %d",
                     index + 1, len(points), case_id, model, method, micro_batch)
            # Each case runs in its own process with a fresh CUDA context and
            # allocator, so no cached blocks or out-of-memory state carry over
            # into the next case's readings.
            completed = subprocess.run([sys.executable, os.path.abspath(__file__), *argv], check=False)
            if completed.returncode == 0 and os.path.exists(case_path):
                with open(case_path, encoding="utf-8") as handle:
                    cases.append(json.load(handle))
            else:
                failures.append(f"{case_id} ({model}, {method}, micro_batch {micro_batch}): "
                                f"exit status {completed.returncode}")

    write_json(options.out, cases)
    LOG.info("wrote %d of %d cases to %s", len(cases), len(points), options.out)
    for failure in failures:
        LOG.error("grid case failed: %s", failure)
    return 1 if failures else 0


def main(argv=None):
    logging.basicConfig(level=logging.INFO, format="measure: %(message)s")
    try:
        options = parse_options(sys.argv[1:] if argv is None else argv)
    except OptionError as error:
        print(f"measure.py: {error}", file=sys.stderr)
        return 2
    return run_grid(options) if options.grid else run_single(options)


if __name__ == "__main__":
    sys.exit(main())
