#!/usr/bin/env python3
"""Which files podform's pod bake step downloads, against which weight files vLLM 0.27.1 loads.

Usage: bake_check.py CASES.json  (prints a JSON list of results to stdout)

CASES.json: {"script": the bake step's `python3 -c` program, as the Dockerfile runs it,
             "worker_script": optional, the serverless image's bake step (same file choice; it also
                              writes worker-vllm's local model args file, caught here),
             "repos": [{"id": "org/name", "files": {"path": "file text, or null for a blob"}}]}

Both run against the same fake Hub repository (no network): the bake script with a stand-in
`huggingface_hub` whose `snapshot_download` filters with the real `huggingface_hub.utils.
filter_repo_objects`; vLLM through its own `DefaultModelLoader._prepare_weights` (the load path
`vllm serve` takes: format choice, `download_weights_from_hf`, the safetensors index filter), with
only the Hub calls (`list_repo_files`, `HfFileSystem.ls`, `snapshot_download`, `hf_hub_download`)
answered from the fake repository.

Each result: {"id", "bake": [paths the bake step downloads], "worker_bake": [paths the serverless
bake step downloads] (when given), "vllm": [weight paths vLLM loads], "vllm_downloads": [paths vLLM fetches]}.
"""

import json
import os
import sys
import tempfile
import types

os.environ["HF_HUB_OFFLINE"] = "0"
os.environ.setdefault("VLLM_LOGGING_LEVEL", "ERROR")

import huggingface_hub  # noqa: E402  (the real one: its filter is the reference)
import huggingface_hub.constants  # noqa: E402
from huggingface_hub.utils import filter_repo_objects  # noqa: E402

huggingface_hub.constants.HF_HUB_OFFLINE = False


class FakeRepo:
    def __init__(self, repo_id, files, root):
        self.repo_id, self.files, self.root = repo_id, files, root
        self.fetched = set()

    def _write(self, path):
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(self.files[path] or "")
        self.fetched.add(path)
        return full

    def list_repo_files(self, *args, **kwargs):
        return sorted(self.files)

    def hf_hub_download(self, repo_id=None, filename=None, *args, subfolder=None, **kwargs):
        filename = filename if filename is not None else args[0]
        if subfolder:
            filename = f"{subfolder}/{filename}"
        if filename not in self.files:
            raise huggingface_hub.utils.EntryNotFoundError(f"{filename} not in {self.repo_id}")
        return self._write(filename)

    def snapshot_download(self, repo_id=None, *args, allow_patterns=None, ignore_patterns=None, **kwargs):
        for path in filter_repo_objects(sorted(self.files), allow_patterns=allow_patterns, ignore_patterns=ignore_patterns):
            self._write(path)
        return self.root

    def ls(self, path, detail=False, revision=None, **kwargs):
        # HfFileSystem.ls of the repository root: its top-level files and folders.
        top = sorted({p.split("/")[0] for p in self.files})
        return [f"{self.repo_id}/{name}" for name in top]


def run_bake(script, repo):
    stub = types.ModuleType("huggingface_hub")
    stub.HfApi = lambda *a, **k: repo
    stub.hf_hub_download = lambda repo_id, filename, **k: repo.hf_hub_download(repo_id, filename, **k)
    stub.snapshot_download = lambda repo_id, **k: repo.snapshot_download(repo_id, **k)
    saved, saved_argv = sys.modules.get("huggingface_hub"), sys.argv
    sys.modules["huggingface_hub"] = stub
    sys.argv = ["-c", repo.repo_id, ""]
    real_open = open

    def sandboxed_open(path, mode="r", *args, **kwargs):
        # The serverless step writes /local_model_args.json: keep it inside the fake repository's folder.
        if "w" in mode and os.path.isabs(path) and not path.startswith(repo.root):
            path = os.path.join(repo.root + "-written", os.path.basename(path))
            os.makedirs(os.path.dirname(path), exist_ok=True)
        return real_open(path, mode, *args, **kwargs)

    try:
        exec(compile(script, "<bake step>", "exec"), {"__name__": "__main__", "open": sandboxed_open})
    finally:
        sys.modules["huggingface_hub"] = saved
        sys.argv = saved_argv
    return sorted(repo.fetched)


def run_vllm(repo):
    import vllm.platforms
    import vllm.platforms.cpu

    vllm.platforms._current_platform = vllm.platforms.cpu.CpuPlatform()
    from vllm.config.load import LoadConfig
    from vllm.model_executor.model_loader import default_loader, weight_utils
    from vllm.transformers_utils import repo_utils

    repo_utils.list_repo_files = lambda *a, **k: repo.list_repo_files()
    weight_utils.hf_api = lambda: repo
    weight_utils.hf_fs = lambda: repo
    loader = default_loader.DefaultModelLoader(LoadConfig(download_dir=repo.root + "-locks"))
    folder, weights, _ = loader._prepare_weights(repo.repo_id, None, None, True, None)
    return sorted(os.path.relpath(w, folder) for w in weights), sorted(repo.fetched)


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    out = []
    for case in cases["repos"]:
        with tempfile.TemporaryDirectory(prefix="podform-bake-") as tmp:
            bake = run_bake(cases["script"], FakeRepo(case["id"], case["files"], os.path.join(tmp, "bake")))
            worker = None
            if cases.get("worker_script"):
                worker = run_bake(cases["worker_script"], FakeRepo(case["id"], case["files"], os.path.join(tmp, "worker")))
            weights, fetched = run_vllm(FakeRepo(case["id"], case["files"], os.path.join(tmp, "vllm")))
        result = {"id": case["id"], "bake": bake, "vllm": weights, "vllm_downloads": fetched}
        if worker is not None:
            result["worker_bake"] = worker
        out.append(result)
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
