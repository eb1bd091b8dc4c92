#!/usr/bin/env python3
"""vLLM 0.27.1's own argument parser and ModelConfig validation, as a test oracle for podform plans.

Usage: vllm_check.py CASES.json  (prints a JSON list of results to stdout)

CASES.json is a list of cases, each:
  {"id": "...",
   "config": "/path/to/<model>.config.json",   # the model's real config.json
   "args": ["--model", "org/name", ...],        # a pod plan's `vllm serve` arguments, or
   "env": {"MODEL_NAME": "org/name", ...},      # a serverless plan's worker environment
   "tensor_parallel_size": 4}                   # optional; default: what the arguments say

A serverless case's arguments are what worker-vllm v2.25.2 runs: `src/main.py start_vllm` puts
`--host 127.0.0.1 --port 8000` before `build_vllm_args(env)` (worker_vllm/args_builder.py, vendored
verbatim). In either case the `--model` value is replaced by a temporary directory holding only the
config file as `config.json`; every other argument is passed as planned.

Each result: {"id", "accepted": bool,
"stage": "parse" | "model_config" | "parallel" | "engine_config" | "ok" (where it stopped),
"message": vLLM's error text, "argv": the arguments vLLM parsed (the model directory as "<model>")}.
"""

import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import traceback

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("VLLM_LOGGING_LEVEL", "ERROR")
os.environ.setdefault("VLLM_NO_USAGE_STATS", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "worker_vllm"))

import vllm  # noqa: E402
import vllm.platforms  # noqa: E402
import vllm.platforms.cpu  # noqa: E402

# No GPU here: vLLM cannot infer a device, so pin the CPU platform before building any config.
vllm.platforms._current_platform = vllm.platforms.cpu.CpuPlatform()

from vllm.config import ParallelConfig  # noqa: E402
from vllm.engine.arg_utils import AsyncEngineArgs  # noqa: E402
from vllm.entrypoints.openai.cli_args import make_arg_parser  # noqa: E402

try:
    from vllm.utils.argparse_utils import FlexibleArgumentParser  # noqa: E402
except ImportError:  # older layouts
    from vllm.utils import FlexibleArgumentParser  # noqa: E402

from args_builder import build_vllm_args  # noqa: E402  (worker-vllm v2.25.2, vendored)

WORKER_PREFIX = ["--host", "127.0.0.1", "--port", "8000"]  # worker-vllm v2.25.2 src/main.py start_vllm


def replace_model(argv, directory):
    out, i, found = [], 0, False
    while i < len(argv):
        a = argv[i]
        if a == "--model" and i + 1 < len(argv):
            out += [a, directory]
            i += 2
            found = True
            continue
        if a.startswith("--model="):
            out.append("--model=" + directory)
            found = True
        else:
            out.append(a)
        i += 1
    return out, found


def describe(e, tmp):
    """vLLM's message: pydantic's per-field messages for a ValidationError, else the exception text."""
    errors = getattr(e, "errors", None)
    if callable(errors):
        try:
            text = "; ".join(str(err.get("msg", "")) for err in errors())
        except Exception:  # noqa: BLE001
            text = str(e)
    else:
        text = str(e)
    return f"{type(e).__name__}: {text}".replace(tmp, "<model>")


def check(case):
    result = {"id": case["id"], "accepted": False, "stage": "parse", "message": "", "argv": []}
    if "env" in case:
        argv = WORKER_PREFIX + build_vllm_args(case["env"])
    else:
        argv = list(case["args"])
    with tempfile.TemporaryDirectory(prefix="podform-vllm-") as tmp:
        shutil.copyfile(case["config"], os.path.join(tmp, "config.json"))
        argv, found = replace_model(argv, tmp)
        result["argv"] = [("<model>" if a == tmp else a.replace(tmp, "<model>")) for a in argv]
        if not found:
            result["message"] = "no --model argument (MODEL_NAME unset)"
            return result
        parser = make_arg_parser(FlexibleArgumentParser())
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err):
                ns = parser.parse_args(argv)
        except SystemExit:
            result["message"] = err.getvalue().strip().splitlines()[-1] if err.getvalue().strip() else "argument parsing failed"
            return result
        except Exception as e:  # noqa: BLE001
            result["message"] = describe(e, tmp)
            return result
        result["stage"] = "model_config"
        try:
            engine_args = AsyncEngineArgs.from_cli_args(ns)
            engine_args.skip_tokenizer_init = True
            model_config = engine_args.create_model_config()
        except Exception as e:  # noqa: BLE001 - vLLM raises ValueError, pydantic ValidationError, ...
            result["message"] = describe(e, tmp)
            return result
        result["stage"] = "parallel"
        tp = case.get("tensor_parallel_size") or engine_args.tensor_parallel_size
        try:
            model_config.verify_with_parallel_config(ParallelConfig(tensor_parallel_size=tp))
        except Exception as e:  # noqa: BLE001
            result["message"] = describe(e, tmp)
            return result
        # The whole engine config (scheduler, cache, quantization config: `get_quant_config` reads
        # the checkpoint's quantization config here), as `vllm serve` builds it before loading weights.
        result["stage"] = "engine_config"
        try:
            engine_args.create_engine_config()
        except Exception as e:  # noqa: BLE001
            result["message"] = describe(e, tmp)
            return result
        result["stage"] = "ok"
        result["accepted"] = True
        result["max_model_len"] = model_config.max_model_len
        result["quantization"] = model_config.quantization
        result["dtype"] = str(model_config.dtype).replace("torch.", "")
    return result


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    results = []
    for case in cases:
        try:
            results.append(check(case))
        except Exception:  # noqa: BLE001 - an oracle bug must show, not pass as a rejection
            results.append({"id": case.get("id"), "accepted": False, "stage": "oracle-error",
                            "message": traceback.format_exc(limit=3), "argv": []})
    json.dump(results, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
