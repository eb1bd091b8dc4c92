/// vLLM's Dockerfile template (`Specs/dockerfile.md`): vllm/vllm-openai for pods, worker-vllm for serverless.
extension VLLMEngine {
    public func dockerfile(_ build: ImageBuild) -> DockerfileRecipe {
        let (lines, files) = build.style == .server ? (serverLines(build), [:]) : workerLines(build)
        return DockerfileRecipe(base: runnableImage(build.image, build.style), lines: lines, files: files,
                                buildSecrets: build.bakeWeights ? ["HF_TOKEN"] : [])
    }

    /// vllm/vllm-openai: the cache, the bake step, the port and health check, then `vllm serve`'s flags.
    func serverLines(_ build: ImageBuild) -> [DockerfileRecipe.Line] {
        let port = build.launch.port
        var lines: [DockerfileRecipe.Line] = [
            .env(serverEnvironment(cacheDirectory: build.bakeWeights ? "/models/huggingface" : modelCacheDirectory,
                                   offline: build.bakeWeights)),
        ]
        if build.bakeWeights {
            lines += [
                .text(""),
                .text("# Bake the weights into the image (no download at start). The Hugging Face token is a BuildKit"),
                .text("# secret read by Python from the mount: never in a layer, `docker history` or a shell string."),
                .text("# The model id and revision are arguments of an exec-form RUN, never shell or Python source."),
                .exec("RUN --mount=type=secret,id=HF_TOKEN,required=false",
                      ["python3", "-c", Self.bakeScript, build.launch.model, build.launch.revision ?? ""]),
            ]
        }
        lines += [
            .text(""),
            .text("EXPOSE \(port)"),
            .text("HEALTHCHECK --interval=30s --timeout=5s --start-period=900s --retries=3 \\"),
            .text("    CMD [\"python3\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:\(port)/health', timeout=4)\"]"),
            .text(""),
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

    /// worker-vllm: settings as its environment, its own downloader for baked weights, and the
    /// start script when the CUDA-compat fix is on.
    func workerLines(_ build: ImageBuild) -> (lines: [DockerfileRecipe.Line], files: [String: String]) {
        var env = workerEnvironment(build.launch, base: [:])
        // Where worker-vllm's downloader puts baked weights (its `BASE_PATH`, read at build time).
        if build.bakeWeights { env["BASE_PATH"] = "/models" }
        var lines: [DockerfileRecipe.Line] = [
            .text("# worker-vllm reads vLLM settings from the environment (NOTES §6.2)."),
            .env(env),
        ]
        if build.bakeWeights {
            lines += [
                .text(""),
                .text("# Bake the weights (worker-vllm's own downloader; it records them in /local_model_args.json and"),
                .text("# serves offline). The Hugging Face token is a BuildKit secret: never in a layer or `docker history`."),
                .text("RUN --mount=type=secret,id=HF_TOKEN,required=false \\"),
                .text("    if [ -f /run/secrets/HF_TOKEN ]; then HF_TOKEN=\"$(cat /run/secrets/HF_TOKEN)\"; export HF_TOKEN; fi && \\"),
                .text("    python3 /src/download_model.py"),
            ]
        }
        var files: [String: String] = [:]
        if build.cudaCompatFix {
            files["start.sh"] = Self.startScript
            lines += [
                .text(""),
                .text("# A CUDA image's /usr/local/cuda/compat/libcuda.so can shadow the host driver's; put the host's first."),
                .text("COPY --chmod=0755 start.sh /podform/start.sh"),
                .exec("ENTRYPOINT", ["/podform/start.sh"]),
            ]
        }
        return (lines, files)
    }

    /// The pod bake step: reads the BuildKit secret itself and takes the model id and revision from argv.
    ///
    /// It downloads only what vLLM 0.27.1 loads, chosen as vLLM chooses
    /// (`model_loader/default_loader.py` `_prepare_weights`, `weight_utils.py` `download_weights_from_hf`):
    /// the first weight format present at the repository's top level (`consolidated*.safetensors`,
    /// i.e. Mistral's format, then `*.safetensors`, `*.bin`, `*.pt`), narrowed to the files
    /// `model.safetensors.index.json` names; plus the config, tokenizer and chat-template files; never
    /// `original/` (`LoadConfig.ignore_patterns`), where Meta repositories ship a second copy as `.pth`.
    static let bakeScript = "import fnmatch, json, os, sys; os.environ['HF_HUB_OFFLINE'] = '0'; "
        + "from huggingface_hub import HfApi, hf_hub_download, snapshot_download; p = '/run/secrets/HF_TOKEN'; "
        + "t = (open(p).read().strip() if os.path.exists(p) else None) or None; r, v = sys.argv[1], sys.argv[2] or None; "
        + "top = [f for f in HfApi().list_repo_files(r, revision=v, token=t) if '/' not in f]; "
        + "w = next(([q] for q in ('consolidated*.safetensors', '*.safetensors', '*.bin', '*.pt') if fnmatch.filter(top, q)), []); "
        + "i = 'model.safetensors.index.json'; "
        + "w = sorted(set(json.load(open(hf_hub_download(r, i, revision=v, token=t)))['weight_map'].values())) if w == ['*.safetensors'] and i in top else w; "
        + "snapshot_download(r, revision=v, token=t, allow_patterns=w + ['*.json', '*.model', '*.tiktoken', '*.txt', '*.jinja', '*.py', 'tokenizer*'], ignore_patterns=['original/*'])"

    /// The pod entrypoint with the CUDA-compat fix: constant shell text, vLLM's flags as `"$@"`.
    static let compatCommand = "export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-} && "
        + "exec python3 -m vllm.entrypoints.openai.api_server \"$@\""

    static let startScript = """
        #!/bin/sh
        # Generated by podform. A CUDA image's compat libcuda (/usr/local/cuda/compat) can shadow the host driver's;
        # put the host's libraries first, then start worker-vllm as its image would.
        export LD_LIBRARY_PATH="/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
        exec python3 /src/main.py "$@"

        """
}
