#!/usr/bin/env python3
"""Where podform's serverless bake step puts the weights, against what worker-vllm v2.25.2 reads.

Usage: worker_bake_check.py DOCKERFILE  (prints one JSON object to stdout)

Needs dockerfile-parse (pip), nothing else: no network, no vLLM, no Docker.

The image podform writes is built FROM the released runpod/worker-v1-vllm:v2.25.2, which carries
the ENV that worker-vllm's own Dockerfile (vendored in worker_vllm/) derives from its build
arguments; that image is built with none (docker-bake.hcl), so BASE_PATH is its default. This
script:

1. reads worker-vllm's Dockerfile with dockerfile-parse twice: with no build arguments (the released
   image's environment) and with BASE_PATH=/models (what the worker's README advises for a baked
   model), and podform's Dockerfile, whose ENV lines apply on top of the released image's;
2. runs podform's bake step (the exec-form RUN's `python3 -c` program and its argv) in that
   environment, with a stand-in `huggingface_hub` that records where `snapshot_download` is asked
   to write and returns the snapshot path the real one returns (`<cache>/models--org--name/snapshots/<commit>`),
   and an `open` that catches the write of the local model args file;
3. starts the worker as its image would: the vendored `main.py`'s `apply_local_model_args` reads
   that file (at the path it imports from the vendored `download_model.py`), then the vendored
   `args_builder.build_vllm_args` turns the environment into `vllm serve` arguments.
"""

import importlib
import json
import os
import sys
import tempfile
import types

from dockerfile_parse import DockerfileParser

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "worker_vllm")
COMMIT = "0123456789abcdef0123456789abcdef01234567"
CACHE_KEYS = ("HF_HOME", "HUGGINGFACE_HUB_CACHE", "HF_DATASETS_CACHE")


def worker_env(build_args):
    return DockerfileParser(path=os.path.join(WORKER, "Dockerfile"), build_args=build_args).envs


def bake_step(parser):
    for item in parser.structure:
        if item["instruction"] == "RUN" and "id=HF_TOKEN" in item["value"]:
            return json.loads(item["value"][item["value"].index("["):])
    raise SystemExit("no bake step (RUN --mount=type=secret,id=HF_TOKEN) in the Dockerfile")


class FakeHub:
    """The Hub calls the bake step makes, answered for a Meta-shaped repository."""

    def __init__(self, root):
        self.root, self.snapshots = root, []
        self.files = ["config.json", "generation_config.json", "model.safetensors.index.json",
                      "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                      "tokenizer.json", "tokenizer_config.json", "original/consolidated.00.pth"]

    def module(self):
        hub = types.ModuleType("huggingface_hub")
        hub.HfApi = lambda *a, **k: self
        hub.hf_hub_download = self.hf_hub_download
        hub.snapshot_download = self.snapshot_download
        return hub

    def list_repo_files(self, repo_id, revision=None, token=None):
        return list(self.files)

    def hf_hub_download(self, repo_id, filename, revision=None, token=None, **kwargs):
        path = os.path.join(self.root, "index.json")
        with open(path, "w") as f:
            json.dump({"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}, f)
        return path

    def snapshot_download(self, repo_id, revision=None, token=None, cache_dir=None, **kwargs):
        self.snapshots.append({"repo_id": repo_id, "cache_dir": cache_dir, "allow_patterns": kwargs.get("allow_patterns"),
                               "ignore_patterns": kwargs.get("ignore_patterns")})
        # huggingface_hub's layout: <cache_dir or HF_HUB_CACHE>/models--org--name/snapshots/<commit>.
        cache = cache_dir or os.environ.get("HUGGINGFACE_HUB_CACHE") or os.path.join(os.environ.get("HF_HOME", "~/.cache/huggingface"), "hub")
        return os.path.join(cache, "models--" + repo_id.replace("/", "--"), "snapshots", COMMIT)


def main():
    released = worker_env({})
    for_models = worker_env({"BASE_PATH": "/models"})
    ours = DockerfileParser(path=sys.argv[1])
    # An image FROM the released worker: its ENV, then the Dockerfile's own ENV lines.
    effective = dict(released)
    effective.update(ours.envs)
    argv = bake_step(ours)
    assert argv[:2] == ["python3", "-c"], argv

    with tempfile.TemporaryDirectory(prefix="podform-worker-bake-") as tmp:
        hub = FakeHub(tmp)
        written = {}
        real_open = open

        def fake_open(path, mode="r", *args, **kwargs):
            # The bake step writes one absolute path; catch it (this is not the image's filesystem).
            if "w" in mode and os.path.isabs(path) and not path.startswith(tmp):
                written["path"] = path
                path = os.path.join(tmp, "local_model_args.json")
                written["local"] = path
            return real_open(path, mode, *args, **kwargs)

        saved_env, saved_argv = dict(os.environ), sys.argv
        os.environ.clear()
        os.environ.update(effective)
        sys.modules["huggingface_hub"] = hub.module()
        sys.argv = ["-c"] + argv[3:]
        try:
            exec(compile(argv[2], "<bake step>", "exec"), {"__name__": "__main__", "open": fake_open})
        finally:
            sys.argv = saved_argv
        with real_open(written["local"]) as f:
            local_args = json.load(f)

        # The worker at start: main.py imports LOCAL_MODEL_ARGS_PATH from download_model.py.
        sys.path.insert(0, WORKER)
        download_model = importlib.import_module("download_model")
        main_module = importlib.import_module("main")
        args_builder = importlib.import_module("args_builder")
        worker_path = main_module.LOCAL_MODEL_ARGS_PATH
        main_module.LOCAL_MODEL_ARGS_PATH = written["local"]
        main_module.apply_local_model_args()
        vllm_args = args_builder.build_vllm_args(dict(os.environ))
        start_env = {k: os.environ.get(k) for k in ("MODEL_NAME", "TOKENIZER_NAME", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
        os.environ.clear()
        os.environ.update(saved_env)

    def flag(name):
        return vllm_args[vllm_args.index(name) + 1] if name in vllm_args else None

    json.dump({
        "released_cache": {k: released.get(k) for k in CACHE_KEYS},
        "worker_cache_for_models": {k: for_models.get(k) for k in CACHE_KEYS},
        "image_cache": {k: effective.get(k) for k in CACHE_KEYS},
        "image_base_path_env": ours.envs.get("BASE_PATH"),
        "snapshots": hub.snapshots,
        "args_file_written": written.get("path"),
        "args_file_worker_reads": worker_path,
        "args_file_download_model_writes": download_model.LOCAL_MODEL_ARGS_PATH,
        "local_model_args": local_args,
        "start_env": start_env,
        "vllm_model": flag("--model"),
        "vllm_tokenizer": flag("--tokenizer"),
        "vllm_args": vllm_args,
    }, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
