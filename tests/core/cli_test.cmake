# Runs the gpuplan CLI and checks its output and exit status.
# Usage: cmake -DCLI=path/to/gpuplan -DSOURCE_DIR=... -P cli_test.cmake

function(expect_run)
  cmake_parse_arguments(RUN "" "STATUS" "ARGS;CONTAINS" ${ARGN})
  execute_process(COMMAND ${CLI} ${RUN_ARGS} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL RUN_STATUS)
    message(FATAL_ERROR "gpuplan ${RUN_ARGS}: exit status ${status}, expected ${RUN_STATUS}\n${out}${err}")
  endif()
  foreach(expected IN LISTS RUN_CONTAINS)
    string(FIND "${out}${err}" "${expected}" position)
    if(position EQUAL -1)
      message(FATAL_ERROR "gpuplan ${RUN_ARGS}: output lacks \"${expected}\"\n${out}${err}")
    endif()
  endforeach()
endfunction()

set(WORKED --params 1.3e9 --micro_batch 16 --seq_len 512 --hidden 2048 --precision fp16 --gpu a100-80gb)

# The guide's worked example prints as the guide does: 21.3, 42.6, 63.9 TFLOPs, 0.205 s, 2.6 GB.
expect_run(ARGS guide ${WORKED} STATUS 0
  CONTAINS "21.3 TFLOPs" "42.6 TFLOPs" "63.9 TFLOPs" "2.6 GFLOPs" "0.205 s" "2.6 GB")
expect_run(ARGS guide ${WORKED} --json STATUS 0
  CONTAINS "\"ok\":true" "\"step_time_s\":0.2048")
expect_run(ARGS guide ${WORKED} --micro_batch=-1 STATUS 2 CONTAINS "micro_batch" "from 1 to 65536")
expect_run(ARGS guide ${WORKED} --gpu a100 STATUS 2 CONTAINS "gpu: unknown value \"a100\"")
expect_run(ARGS guide ${WORKED} --batch 4 STATUS 2 CONTAINS "unknown flag --batch")
expect_run(ARGS guide --seq_len STATUS 2 CONTAINS "--seq_len needs a value")
# A word after a boolean flag is its value, checked like any other.
expect_run(ARGS estimate --variable_lengths maybe STATUS 2 CONTAINS "--variable_lengths: unknown value \"maybe\"" "true, false")
expect_run(ARGS estimate --sync_each_micro_batch TRUE --json STATUS 0 CONTAINS "\"sync_each_micro_batch\":\"true\"")
expect_run(ARGS frobnicate STATUS 2 CONTAINS "unknown command")
expect_run(ARGS gpus STATUS 0 CONTAINS "a100-80gb" "h100-sxm")

# Estimate with a dataset and a price: the table gains the time and cost sections.
expect_run(ARGS estimate --model llama-3-8b --num_gpus 8 --sharding zero3 --dataset_tokens 1e9
  --price_per_gpu_hour 2 STATUS 0 CONTAINS "Time per optimizer step" "MFU" "Cost of the run" "GPU-hours" "cost (USD)")
expect_run(ARGS estimate --model llama-3-8b --dataset_tokens 1e9 --json STATUS 0
  CONTAINS "\"time\":{" "\"run\":{" "\"optimizer_steps\":")
expect_run(ARGS estimate --model llama-3-8b --epochs 0 STATUS 2 CONTAINS "epochs")

# The planner prints the Pareto front and the ranked lists; bad flags exit 2 and name the flag.
set(PLAN plan --model llama-3-8b --gpus a100-80gb,h100-sxm --max_gpus 16 --seq_len 2048 --dataset_tokens 1e9)
expect_run(ARGS ${PLAN} STATUS 0 CONTAINS "Pareto front" "Fastest" "Cheapest" "h100-sxm")
expect_run(ARGS ${PLAN} --json STATUS 0 CONTAINS "\"ok\":true" "\"pareto\":" "\"input\":{\"attention\"")
expect_run(ARGS ${PLAN} --max_gpu 8 STATUS 2 CONTAINS "unknown flag --max_gpu")
expect_run(ARGS ${PLAN} --max_gpus 0 STATUS 2 CONTAINS "max_gpus" "from 1 to 1024")
expect_run(ARGS ${PLAN} --gpus a100 STATUS 2 CONTAINS "gpus: unknown value \"a100\"")
expect_run(ARGS plan --model llama-3-8b STATUS 2 CONTAINS "dataset_tokens")

# estimate reads the architecture from a config.json: Qwen2.5-3B has 3,085,938,688 parameters
# (tests/core/fixtures/hf/qwen2.5-3b.json), which the JSON output carries as model.counts.total.
expect_run(ARGS estimate --hf-config ${SOURCE_DIR}/tests/core/fixtures/hf/qwen2.5-3b.json --method lora --json
  STATUS 0 CONTAINS "\"total\":3085938688")
expect_run(ARGS estimate --hf-config ${SOURCE_DIR}/tests/core/no-such-config.json STATUS 2
  CONTAINS "--hf-config: cannot read")

# Valid but probably unintended setups print a warning under the verdict and still exit 0.
expect_run(ARGS estimate --model llama-2-7b --method lora --seq_len 8192 --sharding zero3 STATUS 0
  CONTAINS "Peak per GPU" "warning: seq_len 8192 is longer than the model's max_positions 4096"
  "warning: sharding zero3 shards nothing")

# Help lists each flag with its accepted values and, below it, the page's description.
expect_run(ARGS estimate --help STATUS 0
  CONTAINS "  --micro_batch (1 to 65536 sequences) default 16\n      Sequences per GPU in one forward and backward pass."
           "  --virtual_stages (1 to 64 stages) default 1\n" "  --hidden (")
expect_run(ARGS plan --help STATUS 0
  CONTAINS "  --max_gpus (1 to 1024 GPUs) default 1024\n      Largest GPU count to try: 1, 2, 4 and every multiple of 8 up to it.")

# A budget below every setup: the counts say why nothing is listed, and the step count still shows.
expect_run(ARGS plan --model llama-3-8b --gpus rtx-4090 --max_gpus 8 --dataset_tokens 1e8 --budget_usd 0.01
  STATUS 1 CONTAINS "3052 optimizer steps" "of them over the budget or deadline")

# A boolean flag may stand alone; a bad LoRA target is named by itself, not with the whole list.
expect_run(ARGS estimate --model llama-3-8b --tied_embeddings --fused_cross_entropy --json STATUS 0
  CONTAINS "\"tied_embeddings\":true" "\"fused_cross_entropy\":\"true\"")
expect_run(ARGS estimate --model llama-3-8b --fused_cross_entropy false --json STATUS 0
  CONTAINS "\"fused_cross_entropy\":\"false\"")
expect_run(ARGS estimate --model llama-3-8b --method lora --lora_targets q,zz STATUS 2
  CONTAINS "--lora_targets: unknown value \"zz\"")

# The guide's total in its own decimal GB, flagged as the full fine-tuning formula for QLoRA;
# a setup where not even one sequence fits reads "none". 64.3 GB = 59.9 GiB.
expect_run(ARGS estimate --model llama-3-8b --method qlora --gpu rtx-4090 STATUS 0
  CONTAINS "Guide method (its formula is for full fine-tuning): 64.3 GB (59.9 GiB) in total")
expect_run(ARGS estimate --model llama-3-70b STATUS 0 CONTAINS "largest micro_batch that fits                    none")

# The guide's help and input list show only what its formulas read.
expect_run(ARGS guide --help STATUS 0 CONTAINS "  --seq_len (1 to 10485760 tokens) default 512\n" "  --hidden (")
expect_run(ARGS guide ${WORKED} STATUS 0 CONTAINS "Input\n  gpu ")

# LoRA targets may carry spaces and PEFT's Llama module names.
expect_run(ARGS estimate --model llama-3-8b --method lora "--lora_targets" "q, v" --json STATUS 0
  CONTAINS "\"lora_targets\":\"q,v\"")
expect_run(ARGS estimate --model llama-3-8b --method lora --lora_targets q_proj,v_proj,down_proj --json STATUS 0
  CONTAINS "\"lora_targets\":\"q,v,down\"")
