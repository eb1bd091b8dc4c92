import PodformSizing

/// A serving engine: everything podform knows about the program that serves the model.
///
/// The compiler asks it how memory is accounted, which image runs where, and how the engine is
/// started (server arguments, worker environment); the Dockerfile renderer asks it for the image
/// recipe. Nothing outside a conformance spells an engine flag, environment name or image
/// (`Specs/architecture.md`, "How to add a serving engine").
public protocol ServingEngine: Sendable {
    /// How the engine accounts GPU memory at start-up; the planner sizes with it (`Specs/sizing.md` §4).
    var accounting: VLLMAccounting { get }
    /// Where the engine keeps downloaded models unless told otherwise (the pod volume's mount path).
    var modelCacheDirectory: String { get }
    /// Where an image with baked weights keeps the model cache (`HF_HOME`): a path no volume is
    /// mounted over in `style`. A plan whose weights live in the image points the engine there.
    func bakedModelCacheDirectory(_ style: LaunchStyle) -> String
    /// Why the settings reach the engine as they do, and the sources (the plan's D-VLLM step).
    var settingsRationale: (outcome: String, source: String) { get }

    /// The pinned image that starts the engine in `style` when the spec names none (D-CONTAINER).
    func defaultImage(_ style: LaunchStyle) -> String
    /// What an image is, judged by its repository path.
    func imageKind(_ reference: String) -> ImageKind
    /// The engine's data type setting for weights in `format`.
    func dtype(for format: WeightFormat) -> String

    /// The server's command-line arguments (a pod's container args).
    func serverArguments(_ launch: EngineLaunch) -> [String]
    /// The server's environment: where it caches models, and whether it may reach the Hub.
    func serverEnvironment(cacheDirectory: String, offline: Bool) -> [String: String]
    /// The server's environment for an API key held in a RunPod secret (`reference` is
    /// `{{ RUNPOD_SECRET_name }}`): requests without the key are refused. An environment variable,
    /// never an argument: arguments show in the plan, the Dockerfile and the process list.
    func apiKeyEnvironment(_ reference: String) -> [String: String]
    /// How the server checks the key, and the sources (the plan's D-ACCESS step).
    var apiKeyRationale: (outcome: String, source: String) { get }
    /// The queue worker's environment: `base` (the spec's env and secret references) with the
    /// launch settings added and any variable the worker must not see under its own name moved.
    func workerEnvironment(_ launch: EngineLaunch, base: [String: String]) -> [String: String]

    /// The engine's part of a Dockerfile that runs `build` (`Specs/dockerfile.md`).
    func dockerfile(_ build: ImageBuild) -> DockerfileRecipe
}

/// How the engine is started: as its own HTTP server (a pod) or as a queue worker (serverless).
public enum LaunchStyle: Sendable, Hashable { case server, worker }

/// What an image is, for choosing how it runs (D-CONTAINER).
public enum ImageKind: Sendable, Equatable {
    /// The engine's own HTTP server: serves requests, takes no queue jobs.
    case server
    /// A queue worker wrapping the engine (RunPod's handler).
    case worker
    /// Anything else: the user's own image, deployed as written.
    case custom
}

/// What the engine is started with.
public struct EngineLaunch: Sendable, Hashable {
    /// The model repository to serve.
    public var model: String
    /// The repository revision, when pinned.
    public var revision: String?
    /// The server's HTTP port.
    public var port: Int
    /// The engine settings the plan chose.
    public var settings: ServingSettings
    /// Also state settings that equal the engine's default (the Dockerfile spells them out for
    /// its reader; the plan's env and args leave them out).
    public var statesDefaults: Bool

    public init(model: String, revision: String?, port: Int, settings: ServingSettings, statesDefaults: Bool = false) {
        self.model = model
        self.revision = revision
        self.port = port
        self.settings = settings
        self.statesDefaults = statesDefaults
    }
}

extension ServingEngine {
    /// `image` when it can start the engine in `style`, else the engine's default image for it:
    /// a worker image serves no HTTP, and the engine's server takes no queue jobs (D-CONTAINER).
    public func runnableImage(_ image: String, _ style: LaunchStyle) -> String {
        switch (style, imageKind(image)) {
        case (.server, .worker): return defaultImage(.server)
        case (.worker, .server): return defaultImage(.worker)
        default: return image
        }
    }
}

/// `x` with two decimals, rounding half away from zero (`0.9` -> `0.90`).
func fixed2(_ x: Double) -> String {
    let cents = Int((x * 100).rounded())
    return "\(cents / 100).\(cents % 100 < 10 ? "0" : "")\(cents % 100)"
}
