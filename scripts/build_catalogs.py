#!/usr/bin/env python3
"""Builds Sources/PodformCatalog/Resources/{models,gpus}.json from ../shared/data and
../shared/runpod/NOTES.md figures. Run once when the data changes; the output is committed.

Every entry keeps its source. Nothing here is computed by podform: it only reshapes public data.
"""
import csv, json, os, re, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared", "data")
OUT = os.path.join(ROOT, "Sources", "PodformCatalog", "Resources")

MODEL_TYPE = [
    ("deepseek-v3", "deepseek_v3"), ("deepseek-v2", "deepseek_v2"), ("distill-llama", "llama"),
    ("distill-qwen", "qwen2"), ("llama", "llama"), ("mixtral", "mixtral"), ("mistral", "mistral"),
    ("qwen3-30b-a3b", "qwen3_moe"), ("qwen3-235b", "qwen3_moe"), ("qwen3", "qwen3"), ("qwen1.5-moe", "qwen2_moe"),
    ("qwen2.5", "qwen2"), ("gemma-3", "gemma3_text"), ("gemma-2", "gemma2"), ("gemma", "gemma"),
    ("phi", "phi3"), ("gpt-oss", "gpt_oss"), ("falcon", "falcon"),
]

ALIASES = {
    "meta-llama/Llama-3.1-8B-Instruct": ["llama-3.1-8b", "llama3.1-8b", "llama-3-8b"],
    "meta-llama/Llama-3.1-70B-Instruct": ["llama-3.1-70b", "llama-3-70b", "llama3-70b"],
    "meta-llama/Llama-3.1-405B-Instruct": ["llama-3.1-405b"],
    "meta-llama/Llama-3.2-1B-Instruct": ["llama-3.2-1b"],
    "meta-llama/Llama-3.2-3B-Instruct": ["llama-3.2-3b"],
    "meta-llama/Llama-3.3-70B-Instruct": ["llama-3.3-70b"],
    "deepseek-ai/DeepSeek-R1-Distill-Llama-70B": ["r1-distill-llama-70b"],
    "mistralai/Mistral-7B-Instruct-v0.3": ["mistral-7b"],
    "mistralai/Mixtral-8x7B-Instruct-v0.1": ["mixtral-8x7b"],
    "mistralai/Mixtral-8x22B-Instruct-v0.1": ["mixtral-8x22b"],
    "Qwen/Qwen2.5-0.5B-Instruct": ["qwen2.5-0.5b"],
    "Qwen/Qwen2.5-7B-Instruct": ["qwen2.5-7b"],
    "Qwen/Qwen2.5-14B-Instruct": ["qwen2.5-14b"],
    "Qwen/Qwen2.5-32B-Instruct": ["qwen2.5-32b"],
    "Qwen/Qwen2.5-72B-Instruct": ["qwen2.5-72b"],
    "Qwen/Qwen3-8B": ["qwen3-8b"], "Qwen/Qwen3-32B": ["qwen3-32b"], "Qwen/Qwen3-30B-A3B": ["qwen3-30b-a3b"],
    "Qwen/Qwen3-235B-A22B": ["qwen3-235b-a22b"], "Qwen/Qwen3-0.6B": ["qwen3-0.6b"],
    "google/gemma-2-9b-it": ["gemma-2-9b"], "google/gemma-2-27b-it": ["gemma-2-27b"],
    "google/gemma-3-27b-it": ["gemma-3-27b"],
    "microsoft/Phi-3-mini-4k-instruct": ["phi-3-mini"], "microsoft/Phi-3-medium-4k-instruct": ["phi-3-medium"],
    "deepseek-ai/DeepSeek-V3": ["deepseek-v3"], "deepseek-ai/DeepSeek-V2-Lite-Chat": ["deepseek-v2-lite"],
    "openai/gpt-oss-20b": ["gpt-oss-20b"], "openai/gpt-oss-120b": ["gpt-oss-120b"],
    "tiiuae/falcon-180B": ["falcon-180b"],
    "meta-llama/Llama-2-7b-hf": ["meta-llama/llama-2-7b", "llama-2-7b"],
    "meta-llama/Llama-2-70b-hf": ["meta-llama/llama-2-70b", "llama-2-70b"],
}

# Same architecture as a catalog model under another published id (fine-tunes, quantized repacks,
# base/instruct pairs). Each maps to the model whose config it shares; the source says why.
SAME_ARCH = {
    "meta-llama/Llama-3.1-8B": ("meta-llama/Llama-3.1-8B-Instruct", "base model of the same config (shared/data/configs)"),
    "meta-llama/Meta-Llama-3-8B": ("meta-llama/Llama-3.1-8B-Instruct", "Llama 3 8B: same dims, max_position_embeddings 8192", {"max_position_embeddings": 8192}),
    "meta-llama/Meta-Llama-3-8B-Instruct": ("meta-llama/Llama-3.1-8B-Instruct", "Llama 3 8B Instruct: same dims, max_position_embeddings 8192", {"max_position_embeddings": 8192}),
    "meta-llama/Meta-Llama-3-70B-Instruct": ("meta-llama/Llama-3.1-70B-Instruct", "Llama 3 70B: same dims, max_position_embeddings 8192", {"max_position_embeddings": 8192}),
    "Qwen/Qwen2.5-7B": ("Qwen/Qwen2.5-7B-Instruct", "base model (shared/data/configs/Qwen2.5-7B.config.json)"),
    "deepseek-ai/DeepSeek-R1": ("deepseek-ai/DeepSeek-V3", "DeepSeek-R1 uses the DeepSeek-V3 architecture (model card)"),
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B": ("Qwen/Qwen2.5-14B-Instruct", "distilled onto Qwen2.5-14B (model card), max_position_embeddings 131072", {"max_position_embeddings": 131072}),
    "RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic": ("meta-llama/Llama-3.3-70B-Instruct", "FP8-dynamic quantization of Llama-3.3-70B-Instruct (compressed-tensors)"),
    "RedHatAI/Qwen2.5-7B-Instruct-fp8-dynamic": ("Qwen/Qwen2.5-7B-Instruct", "FP8-dynamic quantization of Qwen2.5-7B-Instruct"),
    "RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w4a16": ("meta-llama/Llama-3.1-8B-Instruct", "GPTQ W4A16 of Llama-3.1-8B-Instruct"),
    "RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w8a8": ("meta-llama/Llama-3.1-8B-Instruct", "INT8 W8A8 of Llama-3.1-8B-Instruct"),
    "unsloth/Llama-3.2-3B-Instruct": ("meta-llama/Llama-3.2-3B-Instruct", "unsloth re-upload of Llama-3.2-3B-Instruct"),
    "Qwen/Qwen3-235B-A22B-FP8": ("Qwen/Qwen3-235B-A22B", "block-wise FP8 checkpoint of Qwen3-235B-A22B"),
    "hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4": ("meta-llama/Llama-3.1-70B-Instruct", "AWQ INT4 (group 128) of Llama-3.1-70B-Instruct"),
}

# Models of the vLLM calibration rows that shared/data/models.json lacks. Values are the
# published config.json of each (Hugging Face model repo, file config.json).
EXTRA = [
    {"model_id": "codellama/CodeLlama-7b-hf", "model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096,
     "num_attention_heads": 32, "num_key_value_heads": 32, "intermediate_size": 11008, "vocab_size": 32016,
     "max_position_embeddings": 16384, "tie_word_embeddings": False, "official_parameter_count": "6.74B (model card)",
     "source": "huggingface.co/codellama/CodeLlama-7b-hf config.json"},
    {"model_id": "google/gemma-7b", "model_type": "gemma", "num_hidden_layers": 28, "hidden_size": 3072,
     "num_attention_heads": 16, "num_key_value_heads": 16, "head_dim": 256, "intermediate_size": 24576,
     "vocab_size": 256000, "max_position_embeddings": 8192, "official_parameter_count": "8.54B (model card)",
     "source": "huggingface.co/google/gemma-7b config.json"},
    {"model_id": "microsoft/phi-4", "model_type": "phi3", "num_hidden_layers": 40, "hidden_size": 5120,
     "num_attention_heads": 40, "num_key_value_heads": 10, "intermediate_size": 17920, "vocab_size": 100352,
     "max_position_embeddings": 16384, "tie_word_embeddings": False, "official_parameter_count": "14.7B (model card)",
     "source": "huggingface.co/microsoft/phi-4 config.json"},
    {"model_id": "Qwen/Qwen1.5-MoE-A2.7B", "model_type": "qwen2_moe", "num_hidden_layers": 24, "hidden_size": 2048,
     "num_attention_heads": 16, "num_key_value_heads": 16, "intermediate_size": 5632, "moe_intermediate_size": 1408,
     "num_experts": 60, "num_experts_per_tok": 4, "shared_expert_intermediate_size": 5632, "vocab_size": 151936,
     "max_position_embeddings": 8192, "tie_word_embeddings": False,
     "official_parameter_count": "14.3B total / 2.7B active (model card)",
     "source": "huggingface.co/Qwen/Qwen1.5-MoE-A2.7B config.json"},
    {"model_id": "mistralai/Mistral-Small-3.1-24B-Instruct-2503", "model_type": "mistral", "num_hidden_layers": 40,
     "hidden_size": 5120, "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128,
     "intermediate_size": 32768, "vocab_size": 131072, "max_position_embeddings": 131072, "tie_word_embeddings": False,
     "official_parameter_count": "24B (model card; includes a ~0.4B vision encoder this entry does not count)",
     "source": "huggingface.co/mistralai/Mistral-Small-3.1-24B-Instruct-2503 config.json (text_config)"},
    {"model_id": "meta-llama/Llama-2-7b-hf", "model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096,
     "num_attention_heads": 32, "num_key_value_heads": 32, "intermediate_size": 11008, "vocab_size": 32000,
     "max_position_embeddings": 4096, "tie_word_embeddings": False, "official_parameter_count": "6.74B (Llama 2 paper)",
     "source": "huggingface.co/meta-llama/Llama-2-7b-hf config.json"},
    {"model_id": "meta-llama/Llama-2-70b-hf", "model_type": "llama", "num_hidden_layers": 80, "hidden_size": 8192,
     "num_attention_heads": 64, "num_key_value_heads": 8, "intermediate_size": 28672, "vocab_size": 32000,
     "max_position_embeddings": 4096, "tie_word_embeddings": False, "official_parameter_count": "68.98B (Llama 2 paper: 70B)",
     "source": "huggingface.co/meta-llama/Llama-2-70b-hf config.json"},
]

# Fields of each repository's Hugging Face config.json that the sources above lack (issue 16: the
# quantization_config vLLM reads, the context limit it derives), transcribed from
# huggingface.co/<id>/blob/main/config.json (not in the offline corpus, VERIFY).
HUB_CONFIG_FIELDS = {'Qwen/Qwen3-235B-A22B': {'max_position_embeddings': 40960},
 'Qwen/Qwen3-235B-A22B-FP8': {'max_position_embeddings': 40960,
                              'quantization_config': {'activation_scheme': 'dynamic',
                                                      'fmt': 'e4m3',
                                                      'quant_method': 'fp8',
                                                      'weight_block_size': [128, 128]}},
 'RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic': {'max_position_embeddings': 131072,
                                                 'quantization_config': {'config_groups': {'group_0': {'input_activations': {'dynamic': True,
                                                                                                                             'num_bits': 8,
                                                                                                                             'strategy': 'token',
                                                                                                                             'symmetric': True,
                                                                                                                             'type': 'float'},
                                                                                                       'targets': ['Linear'],
                                                                                                       'weights': {'dynamic': False,
                                                                                                                   'num_bits': 8,
                                                                                                                   'strategy': 'channel',
                                                                                                                   'symmetric': True,
                                                                                                                   'type': 'float'}}},
                                                                         'format': 'float-quantized',
                                                                         'ignore': ['lm_head'],
                                                                         'quant_method': 'compressed-tensors'},
                                                 'rope_scaling': {'factor': 8.0,
                                                                  'high_freq_factor': 4.0,
                                                                  'low_freq_factor': 1.0,
                                                                  'original_max_position_embeddings': 8192,
                                                                  'rope_type': 'llama3'}},
 'RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w4a16': {'quantization_config': {'config_groups': {'group_0': {'targets': ['Linear'],
                                                                                                               'weights': {'group_size': 128,
                                                                                                                           'num_bits': 4,
                                                                                                                           'strategy': 'group',
                                                                                                                           'symmetric': True,
                                                                                                                           'type': 'int'}}},
                                                                                 'format': 'pack-quantized',
                                                                                 'ignore': ['lm_head'],
                                                                                 'quant_method': 'compressed-tensors'}},
 'RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w8a8': {'quantization_config': {'config_groups': {'group_0': {'input_activations': {'dynamic': True,
                                                                                                                                    'num_bits': 8,
                                                                                                                                    'strategy': 'token',
                                                                                                                                    'symmetric': True,
                                                                                                                                    'type': 'int'},
                                                                                                              'targets': ['Linear'],
                                                                                                              'weights': {'num_bits': 8,
                                                                                                                          'strategy': 'channel',
                                                                                                                          'symmetric': True,
                                                                                                                          'type': 'int'}}},
                                                                                'format': 'int-quantized',
                                                                                'ignore': ['lm_head'],
                                                                                'quant_method': 'compressed-tensors'}},
 'RedHatAI/Qwen2.5-7B-Instruct-fp8-dynamic': {'quantization_config': {'config_groups': {'group_0': {'input_activations': {'dynamic': True,
                                                                                                                          'num_bits': 8,
                                                                                                                          'strategy': 'token',
                                                                                                                          'symmetric': True,
                                                                                                                          'type': 'float'},
                                                                                                    'targets': ['Linear'],
                                                                                                    'weights': {'dynamic': False,
                                                                                                                'num_bits': 8,
                                                                                                                'strategy': 'channel',
                                                                                                                'symmetric': True,
                                                                                                                'type': 'float'}}},
                                                                      'format': 'float-quantized',
                                                                      'ignore': ['lm_head'],
                                                                      'quant_method': 'compressed-tensors'}},
 'deepseek-ai/DeepSeek-R1-Distill-Llama-70B': {'max_position_embeddings': 131072,
                                               'rope_scaling': {'factor': 8.0,
                                                                'high_freq_factor': 4.0,
                                                                'low_freq_factor': 1.0,
                                                                'original_max_position_embeddings': 8192,
                                                                'rope_type': 'llama3'}},
 'hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4': {'quantization_config': {'bits': 4,
                                                                                 'group_size': 128,
                                                                                 'quant_method': 'awq',
                                                                                 'version': 'gemm',
                                                                                 'zero_point': True}},
 'meta-llama/Llama-3.3-70B-Instruct': {'max_position_embeddings': 131072,
                                       'rope_scaling': {'factor': 8.0,
                                                        'high_freq_factor': 4.0,
                                                        'low_freq_factor': 1.0,
                                                        'original_max_position_embeddings': 8192,
                                                        'rope_type': 'llama3'}}}
HUB_CONFIG_NOTE = (" | quantization_config / context limit added for issue 16, transcribed from the repository's "
                   "Hugging Face config.json (huggingface.co/{id}/blob/main/config.json; not in the offline corpus, VERIFY)")

# The checkpoint's weight files on disk (`model.safetensors.index.json` `metadata.total_size`, the bytes of
# every tensor vLLM's loader downloads): storage and cold start use it instead of a parameter-derived
# estimate. shared/data has no file sizes; each value below was found in public copies of the Hub's index
# file by content search (the search names no repository), VERIFY against
# huggingface.co/<id>/blob/main/model.safetensors.index.json. Where shared/data/models.json has an exact
# parameter count for a BF16 checkpoint, the value is 2 bytes x that count (cross-check).
HUB_INDEX = "huggingface.co/{id}/blob/main/model.safetensors.index.json metadata.total_size"
CHECKPOINTS = {
    "meta-llama/Llama-3.1-8B-Instruct": (16060522496, HUB_INDEX + " (public copies: the Hugging Face course's index example, "
                                         "zml's Llama 3.1 8B example); = 2 x 8,030,261,248 (keras-hub exact count, shared/data/models.json)"),
    "meta-llama/Llama-3.1-70B-Instruct": (141107412992, HUB_INDEX + " (public copies: a 30-shard index transcribed in a book's "
                                          "Example 2-1, a test fixture of meta/Llama-3.1-70B-Instruct)"),
    "meta-llama/Llama-3.3-70B-Instruct": (141107412992, "derived: the same tensors (shapes, bf16) as meta-llama/Llama-3.1-70B-Instruct, "
                                          "so its " + HUB_INDEX.format(id="meta-llama/Llama-3.1-70B-Instruct")),
    "meta-llama/Meta-Llama-3-70B-Instruct": (141107412992, "derived: the same tensors (shapes, bf16) as meta-llama/Llama-3.1-70B-Instruct, "
                                             "so its " + HUB_INDEX.format(id="meta-llama/Llama-3.1-70B-Instruct")),
    "Qwen/Qwen2.5-7B-Instruct": (15231233024, HUB_INDEX + " (public copies quoting the Hub file: 15,231,233,024 bytes)"),
    "Qwen/Qwen2.5-32B-Instruct": (65527752704, HUB_INDEX + " (a public test fixture of Qwen2.5-32B's index); "
                                  "= 2 x 32,763,876,352 (keras-hub exact count, shared/data/models.json)"),
}

SKIP = {"official_parameter_count", "parameter_count_source", "source", "notes", "model_id",
        "base_model_max_position_embeddings", "transformers_version", "torch_dtype"}


def official(value):
    """(count, note): an exact integer when the source gives one, else the nominal count parsed."""
    if isinstance(value, int):
        return value, None
    text = str(value)
    m2 = re.search(r"/\s*(\d{9,})\s*text-only", text)
    if m2:
        return int(m2.group(1)), text
    m = re.search(r"([\d.]+)\s*([BM])", text)
    if not m:
        return None, text
    n = float(m.group(1)) * (1e9 if m.group(2) == "B" else 1e6)
    if "text-only" in text:
        m2 = re.search(r"/\s*(\d{9,})\s*text-only", text)
        if m2:
            return int(m2.group(1)), text
    return int(n), text


def model_type(model_id):
    low = model_id.lower()
    for key, kind in MODEL_TYPE:
        if key in low:
            return kind
    raise SystemExit(f"no model_type for {model_id}")


def main():
    data = json.load(open(os.path.join(SHARED, "models.json")))
    entries = []
    by_id = {}
    for m in data["models"] + EXTRA:
        config = {k: v for k, v in m.items() if k not in SKIP}
        config.setdefault("model_type", model_type(m["model_id"]))
        if config["model_type"] == "gpt_oss":
            config["quantization_config"] = {"quant_method": "mxfp4"}
            config["attention_bias"] = True
        count, note = official(m.get("official_parameter_count"))
        exact = isinstance(m.get("official_parameter_count"), int)
        entry = {
            "id": m["model_id"],
            "aliases": ALIASES.get(m["model_id"], []),
            "official_parameters": count,
            "official_parameters_exact": exact,
            "official_parameters_note": note or m.get("parameter_count_source"),
            "source": m.get("source", "") + ((" | notes: " + m["notes"]) if m.get("notes") else ""),
            "config": config,
        }
        entries.append(entry)
        by_id[m["model_id"]] = entry
    for new_id, spec in SAME_ARCH.items():
        base = by_id[spec[0]]
        config = dict(base["config"])
        if len(spec) > 2:
            config.update(spec[2])
        entries.append({"id": new_id, "aliases": [], "official_parameters": base["official_parameters"],
                        "official_parameters_exact": False,
                        "official_parameters_note": f"same architecture as {spec[0]}",
                        "source": f"{spec[1]}; architecture from {spec[0]} ({base['source'][:120]})",
                        "config": config})
    for entry in entries:
        if entry["id"] in HUB_CONFIG_FIELDS:
            entry["config"].update(HUB_CONFIG_FIELDS[entry["id"]])
            entry["source"] += HUB_CONFIG_NOTE.format(id=entry["id"])
        if entry["id"] in CHECKPOINTS:
            size, source = CHECKPOINTS[entry["id"]]
            entry["checkpoint"] = {"bytes": size, "source": source.format(id=entry["id"])}
    out = {"format_version": 1, "generated_from": "shared/data/models.json + scripts/build_catalogs.py EXTRA",
           "models": entries}
    json.dump(out, open(os.path.join(OUT, "models.json"), "w"), indent=1, sort_keys=True)
    print(f"models: {len(entries)}")
    build_gpus()


POOLS = {  # runpod/docs references/gpu-types.mdx (table) and flash/configuration/gpu-types.mdx, NOTES.md §3.2
    "NVIDIA RTX A4000": "AMPERE_16", "NVIDIA RTX A4500": "AMPERE_16", "NVIDIA RTX 4000 Ada Generation": "AMPERE_16",
    "NVIDIA RTX 2000 Ada Generation": "AMPERE_16",
    "NVIDIA L4": "AMPERE_24", "NVIDIA RTX A5000": "AMPERE_24", "NVIDIA GeForce RTX 3090": "AMPERE_24",
    "NVIDIA GeForce RTX 4090": "ADA_24",
    "NVIDIA RTX A6000": "AMPERE_48", "NVIDIA A40": "AMPERE_48",
    "NVIDIA L40": "ADA_48_PRO", "NVIDIA L40S": "ADA_48_PRO", "NVIDIA RTX 6000 Ada Generation": "ADA_48_PRO",
    "NVIDIA A100 80GB PCIe": "AMPERE_80", "NVIDIA A100-SXM4-80GB": "AMPERE_80",
    "NVIDIA H100 80GB HBM3": "ADA_80_PRO", "NVIDIA H100 PCIe": "ADA_80_PRO", "NVIDIA H100 NVL": "ADA_80_PRO",
    "NVIDIA H200": "HOPPER_141", "NVIDIA H200 NVL": "HOPPER_141",
    "NVIDIA GeForce RTX 5090": "ADA_32_PRO",
    "NVIDIA RTX PRO 6000 Blackwell Server Edition": "BLACKWELL_96",
    "NVIDIA RTX PRO 6000 Blackwell Workstation Edition": "BLACKWELL_96",
    "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition": "BLACKWELL_96",
    "NVIDIA B200": "BLACKWELL_180",
}
POOL_SOURCE = "runpod/docs references/gpu-types.mdx (2026-02-12) + flash/configuration/gpu-types.mdx (ADA_32_PRO, BLACKWELL_96, BLACKWELL_180), via shared/runpod/NOTES.md §3.2"
GPU_ALIASES = {
    "NVIDIA GeForce RTX 4090": ["4090", "rtx4090", "rtx-4090"], "NVIDIA GeForce RTX 5090": ["5090", "rtx5090", "rtx-5090"],
    "NVIDIA GeForce RTX 3090": ["3090", "rtx3090", "rtx-3090"], "NVIDIA GeForce RTX 3090 Ti": ["3090ti", "3090-ti"],
    "NVIDIA GeForce RTX 4080": ["4080"], "NVIDIA GeForce RTX 4080 SUPER": ["4080-super"], "NVIDIA GeForce RTX 5080": ["5080"],
    "NVIDIA GeForce RTX 4070 Ti": ["4070ti", "4070-ti"], "NVIDIA GeForce RTX 3080": ["3080"], "NVIDIA GeForce RTX 3080 Ti": ["3080ti", "3080-ti"],
    "NVIDIA GeForce RTX 3070": ["3070"], "NVIDIA A40": ["a40"], "NVIDIA RTX A5000": ["a5000"], "NVIDIA RTX A4500": ["a4500"],
    "NVIDIA RTX A4000": ["a4000"], "NVIDIA RTX A2000": ["a2000"], "NVIDIA RTX A6000": ["a6000"], "NVIDIA A30": ["a30"],
    "NVIDIA L4": ["l4"], "NVIDIA L40": ["l40"], "NVIDIA L40S": ["l40s"], "NVIDIA RTX 2000 Ada Generation": ["rtx2000-ada"],
    "NVIDIA RTX 4000 Ada Generation": ["rtx4000-ada"], "NVIDIA RTX 4000 SFF Ada Generation": ["rtx4000-sff-ada"],
    "NVIDIA RTX 5000 Ada Generation": ["rtx5000-ada"], "NVIDIA RTX 6000 Ada Generation": ["rtx6000-ada", "6000-ada"],
    "NVIDIA A100 80GB PCIe": ["a100-pcie", "a100"], "NVIDIA A100-SXM4-80GB": ["a100-sxm"],
    "NVIDIA H100 PCIe": ["h100-pcie"], "NVIDIA H100 80GB HBM3": ["h100", "h100-sxm"], "NVIDIA H100 NVL": ["h100-nvl"],
    "NVIDIA H200": ["h200", "h200-sxm"], "NVIDIA H200 NVL": ["h200-nvl"], "NVIDIA B200": ["b200"], "NVIDIA B300 SXM6 AC": ["b300"],
    "NVIDIA RTX PRO 6000 Blackwell Server Edition": ["rtx-pro-6000", "pro6000"],
    "NVIDIA RTX PRO 6000 Blackwell Workstation Edition": ["rtx-pro-6000-wk"],
    "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition": ["rtx-pro-6000-maxq"],
    "NVIDIA RTX PRO 4500 Blackwell": ["rtx-pro-4500"], "Tesla V100-PCIE-16GB": ["v100", "v100-pcie"],
    "Tesla V100-SXM2-16GB": ["v100-sxm2"], "Tesla V100-SXM2-32GB": ["v100-32gb"], "Tesla T4": ["t4"],
    "AMD Instinct MI300X OAM": ["mi300x"],
}
STORAGE = {  # runpod/docs pods/pricing.mdx, serverless/pricing.mdx, storage/network-volumes.mdx (2026-07-20), NOTES.md §5.2
    "network_volume_usd_per_gb_month": 0.07, "network_volume_over_1tb_usd_per_gb_month": 0.05,
    "container_disk_usd_per_gb_month": 0.10, "pod_volume_usd_per_gb_month": 0.10,
    "as_of": "2026-07-20", "source": "runpod/docs pods/pricing.mdx, serverless/pricing.mdx, storage/network-volumes.mdx",
    "official": True,
}


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def build_gpus():
    specs = list(csv.DictReader(open(os.path.join(SHARED, "gpu_specs.csv"))))
    prices = list(csv.DictReader(open(os.path.join(SHARED, "runpod_prices.csv"))))
    newest = {}
    for p in prices:
        key = (p["gpu"], p["product"])
        as_of = p["as_of"].split("/")[-1]
        if key not in newest or as_of > newest[key][0]:
            newest[key] = (as_of, p)
    gpus = []
    for s in specs:
        gid = s["runpod_id"]
        def price(product):
            hit = newest.get((gid, product))
            if not hit:
                return None
            p = hit[1]
            return {"usd": float(p["usd"]), "as_of": p["as_of"], "source": p["source"],
                    "official": p["official"] == "yes"}
        nvlink = s["nvlink"].lower()
        form = s["form_factor"]
        if form in ("SXM", "OAM"):
            interconnect = "SXM" if form == "SXM" else "Infinity Fabric"
        elif nvlink.startswith("yes"):
            interconnect = "NVLink bridge"
        else:
            interconnect = "PCIe"
        cuda_gib = num(s["cuda_reported_total_gib"])
        cuda_source = "measured (gpu_specs.csv cuda_reported_total_gib)"
        if cuda_gib is None:
            smi = num(s["nvidia_smi_total_mib"])
            if smi:
                # torch reports nvidia-smi total less ~0.5 GiB of driver-reserved memory on the
                # cards where both are known (H100 81559 MiB -> 79.19 GiB; L40S 46068 -> 44.42).
                cuda_gib = round(smi / 1024 - 0.5, 2)
                cuda_source = "derived: nvidia-smi MiB / 1024 - 0.5 GiB"
            else:
                cuda_gib = round(float(s["memory_gb"]) * 1e9 / 2**30 * 0.985, 2)
                cuda_source = "derived: memory_gb in GiB x 0.985 (no public log)"
        arch = s["architecture"]
        manufacturer = "AMD" if gid.startswith("AMD") else "NVIDIA"
        ecc = s["ecc"]
        datacenter_max = 8
        gpus.append({
            "id": gid,
            "display_name": s["display_name"],
            "aliases": GPU_ALIASES.get(gid, []),
            "manufacturer": manufacturer,
            "architecture": arch,
            "memory_gb": float(s["memory_gb"]),
            "cuda_memory_gib": cuda_gib,
            "cuda_memory_source": cuda_source,
            "memory_bandwidth_gbps": num(s["memory_bandwidth_gbps"]),
            "bf16_tflops": num(s["bf16_dense_tflops"]),
            "fp16_tflops": num(s["fp16_dense_tflops"]),
            "fp8_tflops": num(s["fp8_dense_tflops"]),
            "int8_tops": num(s["int8_dense_tops"]),
            "fp8": s["fp8_supported"] == "yes",
            "ecc": ecc == "yes",
            "ecc_note": ecc,
            "consumer": s["consumer"] == "yes",
            "form_factor": form,
            "interconnect": interconnect,
            "nvlink": s["nvlink"],
            "max_gpus_per_pod": datacenter_max,
            "max_gpus_source": "assumed 8 (RunPod's largest single-node pods); `podform catalog refresh` reads maxCount from GET /v2/catalog/gpus",
            "serverless_pool": POOLS.get(gid),
            "pool_source": POOL_SOURCE if gid in POOLS else None,
            "rocm": manufacturer == "AMD",
            "spec_source": s["source"],
            "prices": {
                "pod_secure_usd_per_hour": price("pod_secure"),
                "pod_community_usd_per_hour": price("pod_community"),
                "serverless_flex_usd_per_second": price("serverless_flex"),
                "serverless_active_usd_per_second": price("serverless_active"),
            },
        })
    out = {"format_version": 1, "as_of": "2026-11-09", "storage": STORAGE,
           "generated_from": "shared/data/gpu_specs.csv + shared/data/runpod_prices.csv (newest as_of per GPU and product) + NOTES.md pools",
           "gpus": gpus}
    json.dump(out, open(os.path.join(OUT, "gpus.json"), "w"), indent=1, sort_keys=True)
    print(f"gpus: {len(gpus)}")


if __name__ == "__main__":
    main()
