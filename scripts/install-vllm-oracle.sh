#!/usr/bin/env bash
# Installs vLLM 0.27.1 (the version vllm/vllm-openai:v0.27.1 and worker-vllm v2.25.2 run) into a venv
# outside the repo, for Tests/Oracles/vllm_check.py. Reused when present: a second run takes seconds.
#   PODFORM_VLLM_VENV  where the venv lives (default ~/.cache/podform/vllm-0.27.1)
# pip resolves torch from PyPI (a CPU build here). vLLM's config layer needs no torchvision,
# torchaudio or torchcodec, and their wheels do not match that torch, so they are removed after.
set -euo pipefail
VENV="${PODFORM_VLLM_VENV:-$HOME/.cache/podform/vllm-0.27.1}"
STAMP="$VENV/.podform-vllm-0.27.1-ok"
if [ -f "$STAMP" ] && "$VENV/bin/python" -c 'import vllm' >/dev/null 2>&1; then
    echo "vllm oracle: reusing $VENV"
    exit 0
fi
start=$(date +%s)
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
if ! python3 -m venv "$VENV" 2>/dev/null; then
    # Debian's python3 ships venv separately (sudo only where we are not root).
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq python3-venv
    rm -rf "$VENV"
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "vllm==0.27.1"
"$VENV/bin/python" -m pip uninstall --quiet --yes torchvision torchaudio torchcodec || true
"$VENV/bin/python" - <<'PY'
import vllm, vllm.platforms, vllm.platforms.cpu
vllm.platforms._current_platform = vllm.platforms.cpu.CpuPlatform()
from vllm.engine.arg_utils import AsyncEngineArgs  # noqa: F401
from vllm.entrypoints.openai.cli_args import make_arg_parser  # noqa: F401
print("vllm oracle: vllm", vllm.__version__)
PY
touch "$STAMP"
echo "vllm oracle: installed in $(( $(date +%s) - start ))s at $VENV"
