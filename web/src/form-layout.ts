// Grouping of the core's fields in the form. Groups follow the order in which
// a practitioner decides (model, method, batch, precision, memory savers,
// hardware, dataset). Rarely changed fields fold into an "advanced" part, and
// fields that apply only to some setups appear only then.
import type { Query } from './core';

export interface FormGroup {
  id: string;
  /** Fields shown open, in order. */
  main: readonly string[];
  /** Fields folded into a details element, in order. */
  advanced: readonly string[];
}

/** Architecture fields of a model, shown in full for a custom model and as overrides of a preset. */
export const ARCHITECTURE_FIELDS = [
  'layers', 'hidden', 'heads', 'kv_heads', 'head_dim', 'intermediate', 'vocab', 'max_positions',
  'family', 'mlp', 'norm', 'position', 'attention_type', 'tied_embeddings', 'norms_per_layer',
  'norm_bias', 'qkv_bias', 'linear_bias', 'qk_norm', 'type_vocab', 'pooler',
  'experts', 'experts_per_token', 'shared_experts', 'expert_intermediate', 'shared_expert_intermediate',
  'shared_expert_gate', 'first_dense_layers', 'moe_layer_interval', 'router_bias',
  'q_lora_rank', 'kv_lora_rank', 'qk_nope_head_dim', 'qk_rope_head_dim', 'v_head_dim', 'name',
] as const;

export const FORM_GROUPS: readonly FormGroup[] = [
  { id: 'method', main: ['method', 'lora_rank', 'lora_targets', 'quant', 'trainable_layers'], advanced: ['lora_train_embeddings', 'double_quant', 'kbit_upcast'] },
  { id: 'batch', main: ['micro_batch', 'seq_len', 'grad_accum'], advanced: ['variable_lengths'] },
  { id: 'precision', main: ['precision', 'optimizer'], advanced: ['optimizer_impl', 'optimizer_in_backward'] },
  { id: 'savers', main: ['grad_checkpointing', 'attention', 'fused_cross_entropy'], advanced: ['fused_kernels', 'chunked_cross_entropy', 'legacy_loss', 'zero_grad_set_to_none'] },
  {
    id: 'hardware',
    main: ['gpu', 'num_gpus', 'sharding', 'offload'],
    advanced: [
      'gpu_memory_gb', 'gpu_tflops', 'gpu_bandwidth_tbps', 'cuda_context_mib', 'gpus_per_node', 'network', 'tensor_parallel', 'pipeline_parallel',
      'pipeline_schedule', 'virtual_stages', 'pipeline_microbatches', 'sequence_parallel', 'sync_each_micro_batch', 'fsdp_frozen_grads', 'fsdp_wrap_embeddings', 'comm_overlap', 'mfu',
    ],
  },
  { id: 'dataset', main: ['dataset_tokens', 'epochs', 'price_per_gpu_hour'], advanced: ['samples', 'tokens_per_sample', 'packing'] },
];

const LORA_FIELDS = new Set(['lora_rank', 'lora_targets', 'lora_train_embeddings']);
const QLORA_FIELDS = new Set(['quant', 'double_quant', 'kbit_upcast']);
const MOE_FIELDS = new Set(['experts_per_token', 'shared_experts', 'expert_intermediate', 'shared_expert_intermediate', 'shared_expert_gate', 'first_dense_layers', 'moe_layer_interval', 'router_bias']);
const MLA_FIELDS = new Set(['q_lora_rank', 'kv_lora_rank', 'qk_nope_head_dim', 'qk_rope_head_dim', 'v_head_dim']);
const ENCODER_FIELDS = new Set(['type_vocab', 'pooler']);

/** Returns whether a field applies to the current texts: LoRA fields only for LoRA and QLoRA, MoE fields only with experts, and so on. */
export function fieldApplies(name: string, texts: Query): boolean {
  const method = texts['method'];
  if (LORA_FIELDS.has(name)) return method === 'lora' || method === 'qlora';
  if (QLORA_FIELDS.has(name)) return method === 'qlora';
  if (name === 'trainable_layers') return method === 'freeze';
  if (MOE_FIELDS.has(name)) return Number(texts['experts'] || 0) > 0;
  if (MLA_FIELDS.has(name)) return texts['attention_type'] === 'mla';
  if (ENCODER_FIELDS.has(name)) return texts['family'] === 'encoder';
  if (name === 'sequence_parallel') return Number(texts['tensor_parallel'] || 1) > 1;
  if (name === 'sync_each_micro_batch' || name === 'fsdp_wrap_embeddings') return (texts['sharding'] ?? '').startsWith('fsdp');
  if (name === 'fsdp_frozen_grads') return (texts['sharding'] ?? '').startsWith('fsdp') && texts['method'] === 'lora';
  if (name === 'gpus_per_node' || name === 'network') return Number(texts['num_gpus'] || 1) > 1;
  if (name === 'pipeline_schedule') return Number(texts['pipeline_parallel'] || 1) > 1;
  // A sequential split runs one micro-batch through one chunk per GPU: no interleaving, no flush size.
  if (name === 'pipeline_microbatches' || name === 'virtual_stages') {
    return Number(texts['pipeline_parallel'] || 1) > 1 && texts['pipeline_schedule'] !== 'sequential';
  }
  return true;
}

/** Page-side units for fields that the core gives no unit, as message keys under unit.*. */
export const PAGE_UNITS: Record<string, string> = {
  layers: 'layers', first_dense_layers: 'layers', moe_layer_interval: 'layers',
  heads: 'heads', kv_heads: 'heads',
  vocab: 'tokens', max_positions: 'tokens',
  hidden: 'dims', intermediate: 'dims', head_dim: 'dims', expert_intermediate: 'dims', shared_expert_intermediate: 'dims',
  q_lora_rank: 'dims', kv_lora_rank: 'dims', qk_nope_head_dim: 'dims', qk_rope_head_dim: 'dims', v_head_dim: 'dims',
  experts: 'experts', experts_per_token: 'experts', shared_experts: 'experts',
  norms_per_layer: 'norms', type_vocab: 'types',
};

/** The LoRA target modules that lora_targets accepts, as checkboxes; "all-linear" is every one of them. */
export const LORA_MODULES = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as const;
export const ALL_LINEAR = 'all-linear';

/** Returns the modules that a lora_targets text names. */
export function parseTargets(text: string): Set<string> {
  const names = text.split(',').map((name) => name.trim()).filter(Boolean);
  return names.includes(ALL_LINEAR) ? new Set(LORA_MODULES) : new Set(names);
}

/** Returns the lora_targets text for checked modules: "all-linear" when all are checked, else a comma list in module order. */
export function formatTargets(checked: ReadonlySet<string>): string {
  if (LORA_MODULES.every((name) => checked.has(name))) return ALL_LINEAR;
  return LORA_MODULES.filter((name) => checked.has(name)).join(',');
}
