import ArgumentParser
import Foundation
import PodformCatalog
import PodformCore
import PodformKit
import PodformRender
import PodformSizing

extension Podform {
    /// `podform size`: the memory breakdown of serving a model, optionally against a GPU.
    struct Size: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show weights, KV cache and overhead for a model, and whether it fits a GPU.")

        @Argument(help: "A spec file to take the model, precision, context and concurrency from.", completion: .file(extensions: ["yaml", "yml"]))
        var spec: String?
        @Option(help: "Model: a catalog id or alias, or a Hugging Face id.") var model: String?
        @Option(help: "A local config.json.") var config: String?
        @Option(help: "fp32, bf16, fp16, fp8, int8, int4, awq, gptq, mxfp4.") var precision: String?
        @Option(name: .customLong("kv-cache-dtype"), help: "auto or fp8.") var kvCacheDType: String?
        @Option(help: "Max tokens per sequence (8192, 8k).") var context: String?
        @Option(help: "Concurrent sequences.") var concurrency: Int?
        @Option(help: "A GPU id or alias to size against.") var gpu: String?
        @Option(name: .customLong("gpu-count"), help: "GPUs per replica (tensor parallel size).") var gpuCount: Int?
        @Option(name: .customLong("gpu-memory-utilization"), help: "vLLM's fraction of GPU memory (default 0.90).")
        var gpuMemoryUtilization: Double?
        @Option(name: .customLong("gpu-memory"), help: "GPU memory in GiB as CUDA reports it (for GPUs the catalog lacks).")
        var gpuMemory: Double?
        @Option(
            name: .customLong("prompt-tokens"),
            help: "Prompt tokens per request for the speed estimate (default: \(ServingDefaults.promptTokensRule), as plans assume).")
        var promptTokens: Int?
        @Option(
            name: .customLong("output-tokens"),
            help: "Output tokens per request for the speed estimate (default: \(ServingDefaults.outputTokensRule), as plans assume).")
        var outputTokens: Int?
        @Flag(help: "Print one JSON object.") var json = false

        func validate() throws {
            if spec == nil && model == nil && config == nil { throw ValidationError("give --model, --config or a spec file") }
            if let count = gpuCount, !(1...64).contains(count) { throw ValidationError("--gpu-count must be 1 to 64") }
            if let u = gpuMemoryUtilization, !(0.1...0.99).contains(u) { throw ValidationError("--gpu-memory-utilization must be 0.1 to 0.99") }
            if let m = gpuMemory, !(1...4096).contains(m) { throw ValidationError("--gpu-memory must be 1 to 4096 GiB") }
            if let c = concurrency, !(1...100_000).contains(c) { throw ValidationError("--concurrency must be 1 to 100000") }
            if let p = promptTokens, !(1...16_777_216).contains(p) { throw ValidationError("--prompt-tokens must be 1 to 16M") }
            if let o = outputTokens, !(1...16_777_216).contains(o) { throw ValidationError("--output-tokens must be 1 to 16M") }
        }

        func run() async throws {
            let catalogs = try Catalogs.load()
            do {
                let request = try SizeRequest.build(self, catalogs: catalogs)
                let arch = try ModelResolver(catalog: catalogs.models).resolve(
                    id: request.modelID, configPath: request.configPath,
                    base: request.base)
                guard arch.supportsTensorParallel(request.shape.tensorParallel) else {
                    throw ModelResolver.Failure(
                        description:
                            "tensor parallel size \(request.shape.tensorParallel) does not divide \(arch.id)'s \(arch.heads) attention heads (and \(arch.kvHeads) KV heads)"
                    )
                }
                let estimate = arch.estimate(request.shape, gpuTotalBytes: request.gpuBytes)
                var performance: PerformanceEstimate?
                if let g = request.gpu, g.memoryBandwidthGBps != nil, (g.bf16TFLOPS ?? g.fp16TFLOPS) != nil {
                    performance = arch.performance(
                        weights: request.shape.weights, kv: request.shape.kv, gpu: g.performanceFacts,
                        tp: request.shape.tensorParallel, batch: request.shape.concurrency,
                        prompt: promptTokens ?? ServingDefaults.promptTokens(context: request.shape.context),
                        output: outputTokens ?? ServingDefaults.outputTokens(context: request.shape.context),
                        maxBatchedTokens: request.shape.maxBatchedTokens)
                }
                if json {
                    Output.out(SizeRenderer.json(estimate, model: arch.id, shape: request.shape, gpu: request.gpu?.id, performance: performance))
                } else {
                    Output.out(SizeRenderer.text(estimate, model: arch.id, shape: request.shape, gpuName: request.gpuLabel, performance: performance))
                }
            } catch let failure as ModelResolver.Failure {
                Output.err("error: \(failure.description)\n")
                throw ExitCode(1)
            }
        }
    }
}

/// The inputs of `podform size`, from flags or a spec.
struct SizeRequest {
    var modelID: String
    var configPath: String?
    var base: URL?
    var shape: ServingShape
    var gpu: GPUType?
    var gpuBytes: Int64?
    var gpuLabel: String?

    static func build(_ c: Podform.Size, catalogs: Catalogs) throws -> SizeRequest {
        var modelID = c.model ?? ""
        var configPath = c.config
        var base: URL?
        var precision = WeightFormat.bf16
        var kv = KVFormat.auto
        var context = ServingDefaults.context
        var concurrency = 1
        if let path = c.spec {
            let (text, problem) = SpecFiles.read(path)
            if let problem { throw ModelResolver.Failure(description: "\(path): \(problem.message)") }
            let (spec, diagnostics) = Spec.validate(path: path, text: text ?? "", environment: catalogs.validationEnvironment)
            guard let spec, !diagnostics.hasErrors else {
                Output.err(DiagnosticsRenderer.text(diagnostics, sources: [path: text ?? ""]))
                throw ModelResolver.Failure(description: "\(path) is not valid; fix the errors above")
            }
            if c.model == nil { modelID = spec.model.id }
            if c.config == nil { configPath = spec.model.config }
            base = URL(fileURLWithPath: path).deletingLastPathComponent()
            precision = WeightFormat(rawValue: spec.precision.rawValue) ?? .bf16
            kv = KVFormat(rawValue: spec.kvCacheDType.rawValue) ?? .auto
            context = spec.context ?? context
            concurrency = spec.concurrency ?? concurrency
        }
        if let p = c.precision {
            guard let f = WeightFormat(rawValue: p.lowercased()) else {
                throw ModelResolver.Failure(
                    description: "unknown precision `\(p)`; expected one of \(WeightFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            precision = f
        }
        if let k = c.kvCacheDType {
            guard let f = KVFormat(rawValue: k.lowercased()) else { throw ModelResolver.Failure(description: "--kv-cache-dtype must be auto or fp8") }
            kv = f
        }
        if let text = c.context {
            guard let tokens = Units.tokens(text), Limits.context.contains(tokens) else {
                throw ModelResolver.Failure(description: "--context `\(text.prefix(40))` is not a token count from 16 to 16M (8192, 8k)")
            }
            context = tokens
        }
        if let n = c.concurrency { concurrency = n }
        let gpu = try c.gpu.map { try lookUpGPU($0, catalogs: catalogs) }
        var bytes = gpu?.cudaMemoryBytes
        var label = gpu?.id
        if let gib = c.gpuMemory {
            bytes = PodformSizing.gib(gib)
            label = (label.map { "\($0), " } ?? "") + String(format: "%.2f GiB (given)", gib)
        }
        let tp = c.gpuCount ?? 1
        let shape = ServingShape(
            weights: precision, kv: kv, context: context, concurrency: concurrency, tensorParallel: tp,
            gpuMemoryUtilization: c.gpuMemoryUtilization ?? ServingDefaults.gpuMemoryUtilization,
            maxBatchedTokens: ServingDefaults.maxBatchedTokens(gpuGiB: bytes.map(toGiB), context: context))
        return SizeRequest(modelID: modelID, configPath: configPath, base: base, shape: shape, gpu: gpu, gpuBytes: bytes, gpuLabel: label)
    }

    static func lookUpGPU(_ name: String, catalogs: Catalogs) throws -> GPUType {
        guard let g = catalogs.gpus.gpu(named: name) else {
            let hint = Suggest.closest(to: name, in: catalogs.gpus.allNames).map { "; did you mean `\($0)`?" } ?? ""
            throw ModelResolver.Failure(description: "unknown GPU `\(name)`\(hint) (`podform gpus` lists them; --gpu-memory sizes an unlisted one)")
        }
        return g
    }
}
