/// vLLM's Dockerfile template (`Specs/dockerfile.md`): vllm/vllm-openai for pods, worker-vllm for serverless.
extension VLLMEngine {
    public func dockerfile(_ build: ImageBuild) -> DockerfileRecipe {
        let (lines, files) = build.style == .server ? (serverLines(build), [:]) : workerLines(build)
        return DockerfileRecipe(
            base: runnableImage(build.image, build.style), lines: lines, files: files,
            buildSecrets: build.bakeWeights ? ["HF_TOKEN"] : [])
    }

    /// vllm/vllm-openai: the cache, the bake step, the port and health check, then `vllm serve`'s flags.
    func serverLines(_ build: ImageBuild) -> [DockerfileRecipe.Line] {
        let port = build.launch.port
        var lines: [DockerfileRecipe.Line] = [
            .env(
                serverEnvironment(
                    cacheDirectory: build.bakeWeights ? bakedModelCacheDirectory(.server) : modelCacheDirectory,
                    offline: build.bakeWeights))
        ]
        if build.bakeWeights {
            lines += [
                .text(""),
                .text("# Bake the weights into the image (no download at start). The Hugging Face token is a BuildKit"),
                .text("# secret read by Python from the mount: never in a layer, `docker history` or a shell string."),
                .text("# The model id and revision are arguments of an exec-form RUN, never shell or Python source."),
                .exec(
                    "RUN --mount=type=secret,id=HF_TOKEN,required=false",
                    ["python3", "-c", Self.bakeScript, build.launch.model, build.launch.revision ?? ""])
            ]
        }
        lines += [
            .text(""),
            .text("EXPOSE \(port)"),
            .text("HEALTHCHECK --interval=30s --timeout=5s --start-period=900s --retries=3 \\"),
            .text("    CMD [\"python3\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:\(port)/health', timeout=4)\"]"),
            .text("")
        ]
        if build.cudaCompatFix {
            // The shell text is a constant; the plan's flags reach vLLM as "$@" (CMD), never as shell text.
            lines.append(.text("# A CUDA image's /usr/local/cuda/compat/libcuda.so can shadow the host driver's; put the host's first."))
            lines.append(.exec("ENTRYPOINT", ["bash", "-c", Self.compatCommand, "bash"]))
        } else {
            lines.append(.exec("ENTRYPOINT", ["python3", "-m", "vllm.entrypoints.openai.api_server"]))
        }
        lines.append(.exec("CMD", serverArguments(build.launch)))
        return lines
    }

    /// worker-vllm: settings as its environment, the bake step (outside the network volume's mount
    /// point, recorded where the worker reads it at start), and the start script when the
    /// CUDA-compat fix is on.
    func workerLines(_ build: ImageBuild) -> (lines: [DockerfileRecipe.Line], files: [String: String]) {
        var lines: [DockerfileRecipe.Line] = [
            .text("# worker-vllm reads vLLM settings from the environment (NOTES §6.2)."),
            .env(workerEnvironment(build.launch, base: [:]))
        ]
        if build.bakeWeights {
            lines += [
                .text(""),
                .text("# Baked weights live under \(Self.workerBakeBasePath), where RunPod mounts no volume. The released worker image"),
                .text("# keeps its Hugging Face cache under /runpod-volume (worker-vllm v2.25.2 Dockerfile lines 18-30:"),
                .text("# ARG BASE_PATH=\"/runpod-volume\" -> HF_HOME), where an endpoint's network volume is mounted over it."),
                .text("# BASE_PATH is read only while the worker image is built, so an image FROM it sets what that Dockerfile"),
                .text("# derives from BASE_PATH=\(Self.workerBakeBasePath) instead."),
                .env(Self.workerCacheEnvironment(basePath: Self.workerBakeBasePath)),
                .text(""),
                .text("# Bake only what vLLM loads (as the pod image does) into $HF_HOME, as worker-vllm's src/download_model.py"),
                .text("# does (line 21), and record the snapshot in \(Self.workerLocalModelArgsPath) (its line 14), which src/main.py"),
                .text("# apply_local_model_args (lines 32-52) reads at start: the baked path replaces MODEL_NAME, the Hub goes offline."),
                .text("# The Hugging Face token is a BuildKit secret read by Python: never in a layer, `docker history` or a shell string."),
                .exec(
                    "RUN --mount=type=secret,id=HF_TOKEN,required=false",
                    ["python3", "-c", Self.workerBakeScript, build.launch.model, build.launch.revision ?? ""])
            ]
        }
        var files: [String: String] = [:]
        if build.cudaCompatFix {
            files["start.sh"] = Self.startScript
            lines += [
                .text(""),
                .text("# A CUDA image's /usr/local/cuda/compat/libcuda.so can shadow the host driver's; put the host's first."),
                .text("COPY --chmod=0755 start.sh /podform/start.sh"),
                .exec("ENTRYPOINT", ["/podform/start.sh"])
            ]
        }
        return (lines, files)
    }

    /// `HF_HOME` of a baked image: under `/models`, where RunPod mounts no volume (pods mount theirs at
    /// `/workspace` or the pod volume's path, serverless endpoints at `/runpod-volume`; NOTES §7).
    public func bakedModelCacheDirectory(_ style: LaunchStyle) -> String {
        style == .server ? "/models/huggingface" : Self.workerCacheEnvironment(basePath: Self.workerBakeBasePath)["HF_HOME"]!
    }

    /// Where a baked worker image keeps the model: worker-vllm's `BASE_PATH` as its README advises
    /// for baking ("something like `/models`"), off `/runpod-volume`.
    static let workerBakeBasePath = "/models"
    /// worker-vllm v2.25.2 `src/download_model.py` line 14 (`LOCAL_MODEL_ARGS_PATH`), read by `src/main.py`.
    static let workerLocalModelArgsPath = "/local_model_args.json"

    /// The cache variables worker-vllm v2.25.2's Dockerfile derives from its build argument
    /// `BASE_PATH` (lines 25-30), which is read nowhere else (no file under `src/` reads it).
    static func workerCacheEnvironment(basePath: String) -> [String: String] {
        [
            "HF_HOME": "\(basePath)/huggingface-cache/hub", "HUGGINGFACE_HUB_CACHE": "\(basePath)/huggingface-cache/hub",
            "HF_DATASETS_CACHE": "\(basePath)/huggingface-cache/datasets"
        ]
    }

    /// The pod bake step: reads the BuildKit secret itself and takes the model id and revision from argv.
    ///
    /// It downloads only what vLLM 0.27.1 loads, chosen as vLLM chooses
    /// (`model_loader/default_loader.py` `_prepare_weights`, `weight_utils.py` `download_weights_from_hf`):
    /// the first weight format present at the repository's top level (`consolidated*.safetensors`,
    /// i.e. Mistral's format, then `*.safetensors`, `*.bin`, `*.pt`), narrowed to the files
    /// `model.safetensors.index.json` names; plus the config, tokenizer and chat-template files; never
    /// `original/` (`LoadConfig.ignore_patterns`), where Meta repositories ship a second copy as `.pth`.
    static let bakeScript =
        bakeSelection
        + "snapshot_download(r, revision=v, token=t, allow_patterns=a, ignore_patterns=['original/*'])"

    /// The serverless bake step: the pod step's file choice, downloaded into `$HF_HOME` as worker-vllm
    /// v2.25.2's `src/download_model.py` does (`snapshot_download(..., cache_dir=os.getenv("HF_HOME"))`,
    /// line 21), then the snapshot recorded in `/local_model_args.json` with the keys and the
    /// empty-value rule of its `main()` (lines 34-41): `MODEL_NAME` and `TOKENIZER_NAME` (the model's
    /// own tokenizer, as `TOKENIZER_NAME` defaults to the model), `QUANTIZATION` when set.
    static let workerBakeScript =
        bakeSelection
        + "s = snapshot_download(r, revision=v, token=t, cache_dir=os.environ.get('HF_HOME'), allow_patterns=a, ignore_patterns=['original/*']); "
        + "m = {'MODEL_NAME': s, 'TOKENIZER_NAME': s, 'QUANTIZATION': os.environ.get('QUANTIZATION')}; "
        + "f = open('\(workerLocalModelArgsPath)', 'w'); json.dump({k: x for k, x in m.items() if x not in (None, '')}, f); f.close()"

    /// Both bake steps' start: the token from the secret file, the repository and revision from argv,
    /// and the files to fetch (`a`): the weight files vLLM loads plus config, tokenizer and template files.
    static let bakeSelection =
        "import fnmatch, json, os, sys; os.environ['HF_HUB_OFFLINE'] = '0'; "
        + "from huggingface_hub import HfApi, hf_hub_download, snapshot_download; p = '/run/secrets/HF_TOKEN'; "
        + "t = (open(p).read().strip() if os.path.exists(p) else None) or None; r, v = sys.argv[1], sys.argv[2] or None; "
        + "top = [f for f in HfApi().list_repo_files(r, revision=v, token=t) if '/' not in f]; "
        + "w = next(([q] for q in ('consolidated*.safetensors', '*.safetensors', '*.bin', '*.pt') if fnmatch.filter(top, q)), []); "
        + "i = 'model.safetensors.index.json'; "
        + "w = sorted(set(json.load(open(hf_hub_download(r, i, revision=v, token=t)))['weight_map'].values())) if w == ['*.safetensors'] and i in top else w; "
        + "a = w + ['*.json', '*.model', '*.tiktoken', '*.txt', '*.jinja', '*.py', 'tokenizer*']; "

    /// The pod entrypoint with the CUDA-compat fix: constant shell text, vLLM's flags as `"$@"`.
    static let compatCommand =
        "export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-} && "
        + "exec python3 -m vllm.entrypoints.openai.api_server \"$@\""

    static let startScript = """
        #!/bin/sh
        # Generated by podform. A CUDA image's compat libcuda (/usr/local/cuda/compat) can shadow the host driver's;
        # put the host's libraries first, then start worker-vllm as its image would.
        export LD_LIBRARY_PATH="/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
        exec python3 /src/main.py "$@"

        """
}
